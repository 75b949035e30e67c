package projectops_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"path"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/lablet/lablet/internal/labtest"
)

// TestAvatarUploadsRace: uploads of a project's avatar racing each other
// leave one file in blob storage, and it is the image the project's
// avatar_url names; removing the avatar leaves none.
func TestAvatarUploadsRace(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	mc := s.Client(t, f.Maintainer.Token)
	const n = 6
	images := map[string][]byte{}
	for i := 0; i < n; i++ {
		img := image.NewRGBA(image.Rect(0, 0, 2+i, 2))
		img.Set(0, 0, color.RGBA{R: uint8(40 * i), A: 255})
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		images[fmt.Sprintf("a%d.png", i)] = b.Bytes()
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for name, data := range images {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := mc.Projects.UploadAvatar(f.Project.ID, bytes.NewReader(data), name)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	files := func() []string {
		m, err := filepath.Glob(filepath.Join(s.Config.DataDir, "blobs", "avatars", "project", strconv.FormatInt(f.Project.ID, 10)+"*"))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if got := files(); len(got) != 1 {
		t.Fatalf("%d avatar files after the race, want 1: %v", len(got), got)
	}
	p, _, err := mc.Projects.GetProject(f.Project.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, ok := images[path.Base(p.AvatarURL)]
	if !ok {
		t.Fatalf("avatar_url %q names none of the uploads", p.AvatarURL)
	}
	rd, _, err := mc.Projects.DownloadAvatar(f.Project.ID)
	if err != nil {
		t.Fatal(err)
	}
	if body, _ := io.ReadAll(rd); !bytes.Equal(body, want) {
		t.Fatalf("the avatar served is %d bytes, not the %d bytes of %s", len(body), len(want), path.Base(p.AvatarURL))
	}

	// Removing it leaves no file.
	if r := s.Do(t, labtest.Request{Method: "PUT", Path: "/projects/" + strconv.FormatInt(f.Project.ID, 10), Token: f.Maintainer.Token,
		Form: map[string][]string{"avatar": {""}}}); r.Status != http.StatusOK {
		t.Fatalf("remove avatar = %d %s", r.Status, r.Body)
	}
	if got := files(); len(got) != 0 {
		t.Fatalf("avatar files after removal: %v", got)
	}
	// A refused upload (not an image) stores nothing.
	if _, resp, err := mc.Projects.UploadAvatar(f.Project.ID, bytes.NewReader([]byte("<html>")), "x.png"); err == nil ||
		resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad avatar = %v", err)
	}
	if got := files(); len(got) != 0 {
		t.Fatalf("avatar files after a refused upload: %v", got)
	}
}
