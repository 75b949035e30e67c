package v4_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image/png"
	"net/http"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// avatarFixture: alice owns a personal project and a group with a project,
// where bob is a member.
type avatarFixture struct {
	s          *labtest.Server
	alice, bob *labtest.User
	pid, gid   int64
}

func newAvatarFixture(t *testing.T, opts ...labtest.Option) *avatarFixture {
	t.Helper()
	s := labtest.Start(t, opts...)
	f := &avatarFixture{s: s, alice: s.NewUser(t, "alice"), bob: s.NewUser(t, "bob")}
	c := s.Client(t, f.alice.Token)
	p, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Mine"),
		Visibility: gitlab.Ptr(gitlab.PublicVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	g := grpNew(t, s, f.alice.Token, "team", nil, gitlab.PublicVisibility)
	if _, _, err := c.GroupMembers.AddGroupMember(g.ID, &gitlab.AddGroupMemberOptions{UserID: gitlab.Ptr(f.bob.ID),
		AccessLevel: gitlab.Ptr(gitlab.DeveloperPermissions)}); err != nil {
		t.Fatal(err)
	}
	f.pid, f.gid = int64(p.ID), int64(g.ID)
	return f
}

// avatars collects every avatar_url the API shows of users and personal
// namespaces, keyed by where it was found, and the groups' avatar_url.
func (f *avatarFixture) avatars(t *testing.T) (users map[string]any, groups map[string]any) {
	t.Helper()
	users, groups = map[string]any{}, map[string]any{}
	get := func(path string, v any) {
		t.Helper()
		r := f.s.Do(t, labtest.Request{Path: path, Token: f.alice.Token})
		if r.Status != 200 {
			t.Fatalf("GET %s = %d %s", path, r.Status, r.Body)
		}
		r.JSON(t, v)
	}
	var one map[string]any
	var list []map[string]any
	get("/user", &one)
	users["/user alice"] = one["avatar_url"]
	get(fmt.Sprintf("/users/%d", f.bob.ID), &one)
	users["/users/:id bob"] = one["avatar_url"]
	get("/users?username=bob", &list)
	users["/users bob"] = list[0]["avatar_url"]
	get(fmt.Sprintf("/groups/%d/members/%d", f.gid, f.bob.ID), &one)
	users["member bob"] = one["avatar_url"]
	get(fmt.Sprintf("/projects/%d", f.pid), &one)
	users["project owner alice"] = one["owner"].(map[string]any)["avatar_url"]
	users["project namespace alice"] = one["namespace"].(map[string]any)["avatar_url"]
	get("/projects?owned=true&simple=true&search=mine", &list)
	users["simple project namespace alice"] = list[0]["namespace"].(map[string]any)["avatar_url"]
	get("/namespaces?search=alice", &list)
	users["namespace alice"] = list[0]["avatar_url"]
	get(fmt.Sprintf("/groups/%d", f.gid), &one)
	groups["group"] = one["avatar_url"]
	get("/namespaces?search=team", &list)
	groups["group namespace"] = list[0]["avatar_url"]
	return users, groups
}

// TestAvatars checks that every user entity carries an avatar_url, as
// GitLab's always do: by default an identicon lablet serves itself,
// deterministic and cached for good, with nothing asked of a third party.
func TestAvatars(t *testing.T) {
	t.Parallel()
	f := newAvatarFixture(t)
	users, groups := f.avatars(t)
	for where, got := range users {
		id := f.alice.ID
		if strings.HasSuffix(where, "bob") {
			id = f.bob.ID
		}
		if want := fmt.Sprintf("%s/-/identicons/%d.png", f.s.URL, id); got != want {
			t.Errorf("%s: avatar_url = %v, want %s", where, got, want)
		}
	}
	for where, got := range groups {
		if got != nil {
			t.Errorf("%s: avatar_url = %v, want null (no upload)", where, got)
		}
	}

	// The identicon: a PNG, the same bytes each time, cached for good.
	url := fmt.Sprintf("%s/-/identicons/%d.png", f.s.URL, f.alice.ID)
	fetch := func(method, url string, h map[string]string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, url, nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		return resp, b.Bytes()
	}
	resp, img := fetch("GET", url, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" ||
		!strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || resp.Header.Get("ETag") == "" {
		t.Fatalf("identicon = %d %v", resp.StatusCode, resp.Header)
	}
	if cfg, err := png.DecodeConfig(bytes.NewReader(img)); err != nil || cfg.Width != 80 || cfg.Height != 80 {
		t.Fatalf("identicon image: %+v, %v", cfg, err)
	}
	if _, again := fetch("GET", url, map[string]string{"Cookie": "_gitlab_session=whatever"}); !bytes.Equal(img, again) {
		t.Fatal("the identicon changed between requests")
	}
	if resp, _ := fetch("GET", url, map[string]string{"If-None-Match": resp.Header.Get("ETag")}); resp.StatusCode != 304 {
		t.Fatalf("revalidation = %d", resp.StatusCode)
	}
	if resp, b := fetch("HEAD", url, nil); resp.StatusCode != 200 || len(b) != 0 {
		t.Fatalf("HEAD = %d, %d bytes", resp.StatusCode, len(b))
	}
	if _, other := fetch("GET", fmt.Sprintf("%s/-/identicons/%d.png", f.s.URL, f.bob.ID), nil); bytes.Equal(img, other) {
		t.Fatal("alice and bob have the same identicon")
	}
	for _, bad := range []string{"0.png", "x.png", "01.png", "1.svg", "1"} {
		if resp, _ := fetch("GET", f.s.URL+"/-/identicons/"+bad, nil); resp.StatusCode != 404 {
			t.Fatalf("/-/identicons/%s = %d", bad, resp.StatusCode)
		}
	}
}

// TestAvatarsGravatar: with LABLET_GRAVATAR, user entities carry GitLab's
// Gravatar URL (SHA-256 of the address, s=80, identicon fallback), and
// where only the owner's id is known (personal namespaces) the identicon
// URL sends the browser on to it.
func TestAvatarsGravatar(t *testing.T) {
	t.Parallel()
	f := newAvatarFixture(t, func(c *config.Config) { c.Gravatar = true })
	gravatar := func(email string) string {
		sum := sha256.Sum256([]byte(strings.ToLower(email)))
		return "https://www.gravatar.com/avatar/" + hex.EncodeToString(sum[:]) + "?s=80&d=identicon"
	}
	users, _ := f.avatars(t)
	for where, got := range users {
		u := f.alice
		if strings.HasSuffix(where, "bob") {
			u = f.bob
		}
		want := gravatar(u.Email)
		if strings.Contains(where, "namespace") {
			want = fmt.Sprintf("%s/-/identicons/%d.png", f.s.URL, u.ID)
		}
		if got != want {
			t.Errorf("%s: avatar_url = %v, want %s", where, got, want)
		}
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(fmt.Sprintf("%s/-/identicons/%d.png", f.s.URL, f.alice.ID))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != gravatar(f.alice.Email) {
		t.Fatalf("identicon with Gravatar on = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}
