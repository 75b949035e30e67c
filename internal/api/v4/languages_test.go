package v4_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestProjectLanguages: shares of the default branch's bytes by language,
// vendored files and prose left out, kept per commit and computed again
// after a push; code readers only.
func TestProjectLanguages(t *testing.T) {
	t.Parallel()
	f := newRepoFixture(t, gitlab.PrivateVisibility)
	c := f.s.Client(t, f.owner.Token)
	pid := f.p.ID
	commit := func(files map[string]string) string {
		t.Helper()
		var actions []*gitlab.CommitActionOptions
		for p, content := range files {
			actions = append(actions, &gitlab.CommitActionOptions{Action: gitlab.Ptr(gitlab.FileCreate), FilePath: gitlab.Ptr(p),
				Content: gitlab.Ptr(content)})
		}
		cm, _, err := c.Commits.CreateCommit(pid, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"),
			CommitMessage: gitlab.Ptr("files"), Actions: actions})
		if err != nil {
			t.Fatal(err)
		}
		return cm.ID
	}
	commit(map[string]string{"main.go": strings.Repeat("g", 300), "run.sh": strings.Repeat("s", 100),
		"vendor/lib/x.go": strings.Repeat("v", 5000), "notes.md": strings.Repeat("m", 5000)})
	langs, _, err := c.Projects.GetProjectLanguages(pid)
	if err != nil || len(*langs) != 2 || (*langs)["Go"] != 75 || (*langs)["Shell"] != 25 {
		t.Fatalf("languages = %v, %v", langs, err)
	}
	r := f.s.Do(t, labtest.Request{Path: "/projects/" + itoa(pid) + "/languages", Token: f.reporter.Token})
	if r.Status != http.StatusOK || string(r.Body) != `{"Go":75,"Shell":25}`+"\n" {
		t.Fatalf("reporter: %d %s", r.Status, r.Body)
	}
	head := commit(map[string]string{"app.py": strings.Repeat("p", 600)})
	if kept, err := f.s.Srv.DB.Queries().ProjectLanguages(context.Background(), int64(pid), head); err == nil {
		t.Fatalf("kept before asked: %s", kept)
	}
	langs, _, _ = c.Projects.GetProjectLanguages(pid)
	if (*langs)["Python"] != 60 || (*langs)["Go"] != 30 || (*langs)["Shell"] != 10 {
		t.Fatalf("after push = %v", langs)
	}
	if _, err := f.s.Srv.DB.Queries().ProjectLanguages(context.Background(), int64(pid), head); err != nil {
		t.Fatalf("not kept for %s: %v", head, err)
	}
	f.s.Do(t, labtest.Request{Path: "/projects/" + itoa(pid) + "/languages", Token: f.guest.Token}).
		ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	f.s.Do(t, labtest.Request{Path: "/projects/" + itoa(pid) + "/languages", Token: f.stranger.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Project Not Found"}`)

	// An empty repository has no languages.
	empty, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Empty")})
	if err != nil {
		t.Fatal(err)
	}
	if r := f.s.Do(t, labtest.Request{Path: "/projects/" + itoa(empty.ID) + "/languages", Token: f.owner.Token}); r.Status != http.StatusOK ||
		string(r.Body) != "{}\n" {
		t.Fatalf("empty: %d %s", r.Status, r.Body)
	}
}
