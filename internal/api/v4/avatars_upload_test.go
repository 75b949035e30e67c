package v4_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// pngAvatar is a small valid PNG.
func pngAvatar(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// fetchAvatar GETs an avatar URL (with a token when given).
func fetchAvatar(t *testing.T, url, token string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("PRIVATE-TOKEN", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// TestAvatarUploads: users, groups, projects and topics take an avatar as
// the multipart "avatar" parameter; avatar_url then points at GitLab's
// /uploads/-/system/… path, which serves the image, and an empty avatar
// (remove_avatar for topics) removes it.
func TestAvatarUploads(t *testing.T) {
	t.Parallel()
	f := newAvatarFixture(t)
	img := pngAvatar(t)
	c := f.s.Client(t, f.alice.Token)
	root := f.s.Client(t, f.s.RootToken)

	// The user's own avatar.
	u, _, err := c.Users.UploadAvatar(bytes.NewReader(img), "me.png")
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%s/uploads/-/system/user/avatar/%d/me.png", f.s.URL, f.alice.ID)
	if u.AvatarURL != want {
		t.Fatalf("avatar_url = %q, want %q", u.AvatarURL, want)
	}
	resp, body := fetchAvatar(t, want, "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !bytes.Equal(body, img) ||
		!strings.Contains(resp.Header.Get("Cache-Control"), "must-revalidate") || resp.Header.Get("Last-Modified") == "" {
		t.Fatalf("GET avatar = %d %v", resp.StatusCode, resp.Header)
	}
	if resp, _ := fetchAvatar(t, strings.Replace(want, "me.png", "other.png", 1), ""); resp.StatusCode != 404 {
		t.Fatalf("another file name = %d", resp.StatusCode)
	}
	if got, _, _ := c.Users.GetUser(f.alice.ID, gitlab.GetUsersOptions{}); got.AvatarURL != want {
		t.Fatalf("GET /users/:id avatar_url = %q", got.AvatarURL)
	}
	// An administrator sets and removes another user's.
	if u, _, err = root.Users.ModifyUser(f.bob.ID, &gitlab.ModifyUserOptions{
		Avatar: &gitlab.UserAvatar{Filename: "bob.gif", Image: bytes.NewReader(gifAvatar)}}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(u.AvatarURL, fmt.Sprintf("/user/avatar/%d/bob.gif", f.bob.ID)) {
		t.Fatalf("bob's avatar_url = %q", u.AvatarURL)
	}
	if r := f.s.Do(t, labtest.Request{Method: "PUT", Path: fmt.Sprintf("/users/%d", f.bob.ID), Token: f.s.RootToken,
		Form: map[string][]string{"avatar": {""}}}); r.Status != 200 || !strings.Contains(string(r.Body), "/-/identicons/") {
		t.Fatalf("remove bob's avatar = %d %s", r.Status, r.Body)
	}
	if resp, _ := fetchAvatar(t, u.AvatarURL, ""); resp.StatusCode != 404 {
		t.Fatalf("removed avatar = %d", resp.StatusCode)
	}

	// A group's: uploaded, shown, downloaded, removed.
	g, _, err := c.Groups.UploadAvatar(int(f.gid), bytes.NewReader(img), "logo.png")
	if err != nil {
		t.Fatal(err)
	}
	want = fmt.Sprintf("%s/uploads/-/system/group/avatar/%d/logo.png", f.s.URL, f.gid)
	if g.AvatarURL != want {
		t.Fatalf("group avatar_url = %q, want %q", g.AvatarURL, want)
	}
	if g, _, _ = c.Groups.GetGroup(int(f.gid), nil); g.AvatarURL != want {
		t.Fatalf("GET group avatar_url = %q", g.AvatarURL)
	}
	if resp, body := fetchAvatar(t, want, ""); resp.StatusCode != 200 || !bytes.Equal(body, img) {
		t.Fatalf("GET group avatar = %d", resp.StatusCode)
	}
	rd, _, err := c.Groups.DownloadAvatar(int(f.gid))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(rd); !bytes.Equal(got, img) {
		t.Fatal("downloaded group avatar differs")
	}
	// Bob is a Developer: 403 on the group's avatar.
	if _, resp, err := f.s.Client(t, f.bob.Token).Groups.UploadAvatar(int(f.gid), bytes.NewReader(img), "x.png"); err == nil || resp.StatusCode != 403 {
		t.Fatalf("developer sets group avatar: %v", err)
	}

	// A project's, and its removal.
	p, _, err := c.Projects.UploadAvatar(int(f.pid), bytes.NewReader(img), "proj.png")
	if err != nil {
		t.Fatal(err)
	}
	want = fmt.Sprintf("%s/uploads/-/system/project/avatar/%d/proj.png", f.s.URL, f.pid)
	if p.AvatarURL != want {
		t.Fatalf("project avatar_url = %q, want %q", p.AvatarURL, want)
	}
	var list []map[string]any
	f.s.Do(t, labtest.Request{Path: "/projects?owned=true", Token: f.alice.Token}).JSON(t, &list)
	if len(list) != 1 || list[0]["avatar_url"] != want {
		t.Fatalf("listed project avatar_url = %v", list)
	}
	rd, _, err = c.Projects.DownloadAvatar(int(f.pid))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(rd); !bytes.Equal(got, img) {
		t.Fatal("downloaded project avatar differs")
	}
	if r := f.s.Do(t, labtest.Request{Method: "PUT", Path: fmt.Sprintf("/projects/%d", f.pid), Token: f.alice.Token,
		Form: map[string][]string{"avatar": {""}}}); r.Status != 200 || !strings.Contains(string(r.Body), `"avatar_url":null`) {
		t.Fatalf("remove project avatar = %d %s", r.Status, r.Body)
	}
	if r := f.s.Do(t, labtest.Request{Path: fmt.Sprintf("/projects/%d/avatar", f.pid), Token: f.alice.Token}); r.Status != 404 {
		t.Fatalf("download removed project avatar = %d", r.Status)
	}

	// A project created with one.
	p, _, err = c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Pictured"),
		Avatar: &gitlab.ProjectAvatar{Filename: "new.png", Image: bytes.NewReader(img)}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(p.AvatarURL, fmt.Sprintf("/project/avatar/%d/new.png", p.ID)) {
		t.Fatalf("created project avatar_url = %q", p.AvatarURL)
	}

	// A topic's (administrators), and remove_avatar.
	tp, _, err := root.Topics.CreateTopic(&gitlab.CreateTopicOptions{Name: gitlab.Ptr("go"), Title: gitlab.Ptr("Go"),
		Avatar: &gitlab.TopicAvatar{Filename: "go.png", Image: bytes.NewReader(img)}})
	if err != nil {
		t.Fatal(err)
	}
	want = fmt.Sprintf("%s/uploads/-/system/projects/topic/avatar/%d/go.png", f.s.URL, tp.ID)
	if tp.AvatarURL != want {
		t.Fatalf("topic avatar_url = %q, want %q", tp.AvatarURL, want)
	}
	if resp, body := fetchAvatar(t, want, ""); resp.StatusCode != 200 || !bytes.Equal(body, img) {
		t.Fatalf("GET topic avatar = %d", resp.StatusCode)
	}
	if r := f.s.Do(t, labtest.Request{Method: "PUT", Path: fmt.Sprintf("/topics/%d", tp.ID), Token: f.s.RootToken,
		JSON: map[string]any{"remove_avatar": true}}); r.Status != 200 || !strings.Contains(string(r.Body), `"avatar_url":null`) {
		t.Fatalf("remove topic avatar = %d %s", r.Status, r.Body)
	}
}

// gifAvatar is a 1×1 GIF.
var gifAvatar = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

// TestAvatarValidation: GitLab's 400s for a file type off the list, bytes
// that are no image and files over 200 KiB; nothing is changed.
func TestAvatarValidation(t *testing.T) {
	t.Parallel()
	f := newAvatarFixture(t)
	c := f.s.Client(t, f.alice.Token)
	big := append(pngAvatar(t), make([]byte, 200<<10)...)
	for _, tc := range []struct {
		name, file string
		body       []byte
		msg        string
	}{
		{"svg", "a.svg", []byte("<svg xmlns='http://www.w3.org/2000/svg'/>"), "file format is not supported"},
		{"not an image", "a.png", []byte("<html><script>alert(1)</script></html>"), "file format is not supported"},
		{"too big", "a.png", big, "is too big (should be at most 200 KiB)"},
	} {
		_, resp, err := c.Users.UploadAvatar(bytes.NewReader(tc.body), tc.file)
		if err == nil || resp.StatusCode != 400 || !strings.Contains(err.Error(), tc.msg) || !strings.Contains(err.Error(), "avatar") {
			t.Errorf("%s: %v", tc.name, err)
		}
		_, resp, err = c.Projects.EditProject(int(f.pid), &gitlab.EditProjectOptions{Name: gitlab.Ptr("Renamed"),
			Avatar: &gitlab.ProjectAvatar{Filename: tc.file, Image: bytes.NewReader(tc.body)}})
		if err == nil || resp.StatusCode != 400 {
			t.Errorf("%s on a project: %v", tc.name, err)
		}
	}
	if p, _, _ := c.Projects.GetProject(int(f.pid), nil); p.Name != "Mine" || p.AvatarURL != "" {
		t.Fatalf("a refused avatar changed the project: %q %q", p.Name, p.AvatarURL)
	}
	if u, _, _ := c.Users.CurrentUser(); strings.Contains(u.AvatarURL, "/uploads/") {
		t.Fatalf("a refused avatar was kept: %q", u.AvatarURL)
	}
}

// TestAvatarVisibility: a private group's and project's avatars are 404
// to whoever cannot see them, on the page and through the API.
func TestAvatarVisibility(t *testing.T) {
	t.Parallel()
	f := newAvatarFixture(t)
	img := pngAvatar(t)
	c := f.s.Client(t, f.alice.Token)
	g := grpNew(t, f.s, f.alice.Token, "secret", nil, gitlab.PrivateVisibility)
	g, _, err := c.Groups.UploadAvatar(g.ID, bytes.NewReader(img), "g.png")
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Hidden"),
		Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	if p, _, err = c.Projects.UploadAvatar(p.ID, bytes.NewReader(img), "p.png"); err != nil {
		t.Fatal(err)
	}
	for _, url := range []string{g.AvatarURL, p.AvatarURL} {
		if resp, _ := fetchAvatar(t, url, ""); resp.StatusCode != 404 {
			t.Errorf("anonymous GET %s = %d", url, resp.StatusCode)
		}
	}
	for _, path := range []string{fmt.Sprintf("/groups/%d/avatar", g.ID), fmt.Sprintf("/projects/%d/avatar", p.ID)} {
		if r := f.s.Do(t, labtest.Request{Path: path, Token: f.bob.Token}); r.Status != 404 {
			t.Errorf("bob GET %s = %d", path, r.Status)
		}
		if r := f.s.Do(t, labtest.Request{Path: path, Token: f.alice.Token}); r.Status != 200 || r.Header.Get("Content-Type") != "image/png" {
			t.Errorf("alice GET %s = %d", path, r.Status)
		}
	}
}

// TestGetAvatar: GET /avatar answers the avatar_url of the user with that
// public email, and no URL (Gravatar's with LABLET_GRAVATAR) for others.
func TestGetAvatar(t *testing.T) {
	t.Parallel()
	f := newAvatarFixture(t)
	c := f.s.Client(t, f.alice.Token)
	if r := f.s.Do(t, labtest.Request{Method: "PUT", Path: fmt.Sprintf("/users/%d", f.alice.ID), Token: f.s.RootToken,
		JSON: map[string]any{"public_email": f.alice.Email}}); r.Status != 200 {
		t.Fatalf("set public email = %d %s", r.Status, r.Body)
	}
	anon := f.s.Client(t, "")
	av, _, err := anon.Avatar.GetAvatar(&gitlab.GetAvatarOptions{Email: gitlab.Ptr(strings.ToUpper(f.alice.Email))})
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%s/-/identicons/%d.png", f.s.URL, f.alice.ID); av.AvatarURL != want {
		t.Fatalf("avatar_url = %q, want %q", av.AvatarURL, want)
	}
	if _, _, err := c.Users.UploadAvatar(bytes.NewReader(pngAvatar(t)), "me.png"); err != nil {
		t.Fatal(err)
	}
	av, _, err = anon.Avatar.GetAvatar(&gitlab.GetAvatarOptions{Email: gitlab.Ptr(f.alice.Email), Size: gitlab.Ptr(int64(32))})
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%s/uploads/-/system/user/avatar/%d/me.png?width=32", f.s.URL, f.alice.ID); av.AvatarURL != want {
		t.Fatalf("avatar_url = %q, want %q", av.AvatarURL, want)
	}
	// Bob's address is private: nobody is found by it.
	r := f.s.Do(t, labtest.Request{Path: "/avatar?email=" + f.bob.Email})
	if r.Status != 200 || !strings.Contains(string(r.Body), `"avatar_url":null`) {
		t.Fatalf("private email = %d %s", r.Status, r.Body)
	}
	if r := f.s.Do(t, labtest.Request{Path: "/avatar"}); r.Status != 400 {
		t.Fatalf("no email = %d", r.Status)
	}
}

// TestAvatarsGoWithTheirOwners: deleting a user, a group or a topic, and
// merging a topic into another, removes their avatar files from blob
// storage, as deleting a project does.
func TestAvatarsGoWithTheirOwners(t *testing.T) {
	t.Parallel()
	f := newAvatarFixture(t)
	img := pngAvatar(t)
	root := f.s.Client(t, f.s.RootToken)
	blobFile := func(kind string, id int64) string {
		// Each upload has a key of its own: <id>-<uuid>.
		return filepath.Join(f.s.Config.DataDir, "blobs", "avatars", kind, strconv.FormatInt(id, 10)+"-*")
	}
	exists := func(pattern string) bool { m, err := filepath.Glob(pattern); return err == nil && len(m) > 0 }
	gone := func(what, p string) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); exists(p); {
			if time.Now().After(deadline) {
				t.Fatalf("%s's avatar file is still there", what)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	if _, _, err := root.Users.ModifyUser(f.bob.ID, &gitlab.ModifyUserOptions{
		Avatar: &gitlab.UserAvatar{Filename: "bob.png", Image: bytes.NewReader(img)}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := root.Groups.UploadAvatar(int(f.gid), bytes.NewReader(img), "logo.png"); err != nil {
		t.Fatal(err)
	}
	var topics [3]*gitlab.Topic
	for i := range topics {
		tp, _, err := root.Topics.CreateTopic(&gitlab.CreateTopicOptions{Name: gitlab.Ptr(fmt.Sprintf("topic-%d", i)), Title: gitlab.Ptr(fmt.Sprintf("Topic %d", i)),
			Avatar: &gitlab.TopicAvatar{Filename: "t.png", Image: bytes.NewReader(img)}})
		if err != nil {
			t.Fatal(err)
		}
		topics[i] = tp
	}
	for what, p := range map[string]string{"bob": blobFile("user", f.bob.ID), "group": blobFile("group", f.gid),
		"topic": blobFile("topic", int64(topics[0].ID))} {
		if !exists(p) {
			t.Fatalf("%s's avatar was not stored at the expected key", what)
		}
	}

	if _, err := root.Users.DeleteUser(f.bob.ID); err != nil {
		t.Fatal(err)
	}
	gone("bob", blobFile("user", f.bob.ID))
	if _, err := root.Topics.DeleteTopic(topics[0].ID); err != nil {
		t.Fatal(err)
	}
	gone("a deleted topic", blobFile("topic", int64(topics[0].ID)))
	if r := f.s.Do(t, labtest.Request{Method: "POST", Path: "/topics/merge", Token: f.s.RootToken,
		JSON: map[string]any{"source_topic_id": topics[1].ID, "target_topic_id": topics[2].ID}}); r.Status != 201 {
		t.Fatalf("merge topics = %d %s", r.Status, r.Body)
	}
	gone("a merged topic", blobFile("topic", int64(topics[1].ID)))
	if !exists(blobFile("topic", int64(topics[2].ID))) {
		t.Fatal("the merge target's avatar went too")
	}
	// A group goes when the background queue purges it.
	if _, err := root.Groups.DeleteGroup(int(f.gid), nil); err != nil {
		t.Fatal(err)
	}
	gone("the group", blobFile("group", f.gid))
}
