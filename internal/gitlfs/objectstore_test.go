package gitlfs_test

import (
	"bytes"
	"crypto/rand"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lablet/lablet/internal/blob/s3test"
	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// TestLFSOnObjectStore pushes an LFS object with the real git-lfs client
// to a server that keeps blobs in a real S3-compatible server (gofakes3
// over TCP), and clones it back: the object is in the bucket, nothing is
// under the data dir's blobs.
func TestLFSOnObjectStore(t *testing.T) {
	t.Parallel()
	t.Run("proxied", func(t *testing.T) { t.Parallel(); lfsOnObjectStore(t, true) })
	// --object-store-proxy-download=false: downloads redirect to the store.
	t.Run("redirected", func(t *testing.T) { t.Parallel(); lfsOnObjectStore(t, false) })
}

func lfsOnObjectStore(t *testing.T, proxy bool) {
	s3 := s3test.Start(t)
	e := newLFSEnv(t, labtest.WithObjectStore(s3.URL()), func(c *config.Config) { c.ObjectStoreProxyDownload = proxy })
	s := e.s
	tm := s.NewTeam(t)
	path := tm.Project.PathWithNamespace

	// Over the store's one-request size: a multipart upload.
	content := make([]byte, 3<<20)
	_, _ = rand.Read(content)
	oid, _ := object(content)

	work := filepath.Join(t.TempDir(), "work")
	e.git(filepath.Dir(work), "clone", s.GitURL(tm.Maintainer, path), work)
	e.git(work, "lfs", "track", "*.bin")
	if err := os.WriteFile(filepath.Join(work, "big.bin"), content, 0o600); err != nil {
		t.Fatal(err)
	}
	e.git(work, "add", ".gitattributes", "big.bin")
	e.git(work, "commit", "-m", "big file")
	e.git(work, "push", "origin", "HEAD:main")

	want := "lfs/" + oid[0:2] + "/" + oid[2:4] + "/" + oid
	if keys := s3.Keys(t, "lfs/"); len(keys) != 1 || keys[0] != want {
		t.Fatalf("bucket's LFS objects = %v, want %s", keys, want)
	}
	var files []string
	_ = filepath.Walk(filepath.Join(s.Config.DataDir, "blobs"), func(p string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	if len(files) != 0 {
		t.Fatalf("files under data/blobs: %v", files)
	}

	// The download answers the bytes, or a redirect to the object store.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/"+path+".git/gitlab-lfs/objects/"+oid, nil)
	req.Header.Set("Authorization", basic(tm.Developer.Username, tm.Developer.Token))
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	switch {
	case proxy && resp.StatusCode != http.StatusOK:
		t.Fatalf("proxied download = %d", resp.StatusCode)
	case !proxy && (resp.StatusCode != http.StatusFound || loc == nil || loc.Host != s3.Options.Endpoint ||
		loc.Query().Get("X-Amz-Signature") == "" || strings.Contains(loc.String(), s3test.SecretKey)):
		t.Fatalf("redirected download = %d, Location %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Someone who may not read the project gets no URL.
	req.Header.Set("Authorization", basic("nobody", "wrong"))
	if resp, err := noFollow.Do(req); err != nil || resp.StatusCode == http.StatusFound || resp.StatusCode == http.StatusOK {
		t.Fatalf("download without access = %v, %v", resp.StatusCode, err)
	} else {
		resp.Body.Close()
	}

	clone := filepath.Join(t.TempDir(), "clone")
	e.git(filepath.Dir(clone), "clone", s.GitURL(tm.Developer, path), clone)
	got, err := os.ReadFile(filepath.Join(clone, "big.bin"))
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("cloned big.bin: %d bytes, equal %v, %v", len(got), bytes.Equal(got, content), err)
	}
}
