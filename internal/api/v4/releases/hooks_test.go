package releases_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestReleaseHooks: a hook with releases_events gets GitLab's release
// payload for create, update and delete; one without it gets none.
func TestReleaseHooks(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	seed(t, s, f.Project.ID)
	var mu sync.Mutex
	var got []map[string]any
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		m["_event"] = r.Header.Get("X-Gitlab-Event")
		m["_path"] = r.URL.Path
		mu.Lock()
		got = append(got, m)
		mu.Unlock()
	}))
	t.Cleanup(recv.Close)
	s.Do(t, labtest.Request{Method: "PUT", Path: "/application/settings", Token: s.RootToken,
		JSON: map[string]any{"allow_local_requests_from_web_hooks_and_services": true}}).JSON(t, &map[string]any{})
	mc := s.Client(t, f.Maintainer.Token)
	for path, on := range map[string]bool{"/on": true, "/off": false} {
		if _, _, err := mc.Projects.AddProjectHook(f.Project.ID, &gitlab.AddProjectHookOptions{URL: gitlab.Ptr(recv.URL + path),
			ReleasesEvents: gitlab.Ptr(on), PushEvents: gitlab.Ptr(false), TagPushEvents: gitlab.Ptr(false)}); err != nil {
			t.Fatal(err)
		}
	}
	wait := func(action string) map[string]any {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			mu.Lock()
			for _, m := range got {
				if m["action"] == action {
					mu.Unlock()
					return m
				}
			}
			mu.Unlock()
		}
		t.Fatalf("no %s release event", action)
		return nil
	}
	dc := s.Client(t, f.Developer.Token)
	if _, _, err := dc.Releases.CreateRelease(f.Project.ID, &gitlab.CreateReleaseOptions{TagName: gitlab.Ptr("v1"),
		Ref: gitlab.Ptr("main"), Description: gitlab.Ptr("notes"), Assets: &gitlab.ReleaseAssetsOptions{
			Links: []*gitlab.ReleaseAssetLinkOptions{{Name: gitlab.Ptr("bin"), URL: gitlab.Ptr("https://example.com/bin")}}}}); err != nil {
		t.Fatal(err)
	}
	c := wait("create")
	assets, _ := c["assets"].(map[string]any)
	commit, _ := c["commit"].(map[string]any)
	project, _ := c["project"].(map[string]any)
	if c["_event"] != "Release Hook" || c["_path"] != "/on" || c["object_kind"] != "release" || c["tag"] != "v1" ||
		c["description"] != "notes" || c["url"] != project["web_url"].(string)+"/-/releases/v1" || assets["count"] != float64(5) ||
		len(assets["links"].([]any)) != 1 || commit["title"] != "Initial commit" || project["path_with_namespace"] != "team/app" {
		t.Fatalf("create event = %v", c)
	}
	if _, _, err := dc.Releases.UpdateRelease(f.Project.ID, "v1", &gitlab.UpdateReleaseOptions{Name: gitlab.Ptr("One")}); err != nil {
		t.Fatal(err)
	}
	if u := wait("update"); u["name"] != "One" {
		t.Fatalf("update event = %v", u)
	}
	if _, _, err := dc.Releases.DeleteRelease(f.Project.ID, "v1"); err != nil {
		t.Fatal(err)
	}
	if d := wait("delete"); d["tag"] != "v1" || len(d["assets"].(map[string]any)["links"].([]any)) != 1 {
		t.Fatalf("delete event = %v", d)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, m := range got {
		if m["_path"] != "/on" {
			t.Fatalf("a hook without releases_events got %v", m)
		}
	}
}
