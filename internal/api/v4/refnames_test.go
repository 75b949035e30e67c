package v4_test

import (
	"net/url"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/repo"
)

// TestRefNamesInvalid sends names no branch or tag can have — a part
// longer than a file name holds (300 bytes were a 500), invalid UTF-8 — to
// every endpoint that takes a branch or tag name, and expects GitLab's 400
// (or, where GitLab only looks, its 404) and no change to the refs.
func TestRefNamesInvalid(t *testing.T) {
	t.Parallel()
	f := newRefsFixture(t, gitlab.PrivateVisibility)
	before := f.refsSnapshot(t)
	do := func(method, path string, body map[string]any) *labtest.Response {
		return f.s.Do(t, labtest.Request{Method: method, Path: path, Token: f.owner.Token, JSON: body})
	}
	action := []map[string]any{{"action": "create", "file_path": "new.txt", "content": "x"}}
	for _, name := range []string{strings.Repeat("a", 300), "topic/" + strings.Repeat("b", repo.MaxRefComponent+1)} {
		raw := func(tmpl string) string { return strings.ReplaceAll(tmpl, "NAME", name) }
		rawDo := func(method, path, body string) *labtest.Response {
			return f.s.Do(t, labtest.Request{Method: method, Path: path, Token: f.owner.Token, RawBody: raw(body)})
		}
		t.Run(name[:12], func(t *testing.T) {
			rawDo("POST", f.path+"/branches", `{"branch":"NAME","ref":"main"}`).
				ExpectError(t, 400, `{"message":"Branch name is invalid"}`)
			r := rawDo("POST", f.path+"/files/new.txt", `{"branch":"NAME","start_branch":"main","content":"x","commit_message":"m"}`)
			if r.Status != 400 || !strings.HasSuffix(r.Map(t)["message"].(string), "for you: Branch name is invalid") {
				t.Fatalf("files API = %d %s", r.Status, r.Body)
			}
			r = rawDo("POST", f.path+"/commits", `{"branch":"NAME","start_branch":"main","commit_message":"m",`+
				`"actions":[{"action":"create","file_path":"new.txt","content":"x"}]}`)
			if r.Status != 400 || !strings.HasSuffix(r.Map(t)["message"].(string), "for you: Branch name is invalid") {
				t.Fatalf("commits API = %d %s", r.Status, r.Body)
			}
			rawDo("POST", f.path+"/commits", `{"branch":"fresh","start_branch":"NAME","commit_message":"m",`+
				`"actions":[{"action":"create","file_path":"new.txt","content":"x"}]}`).
				ExpectError(t, 400, `{"message":"You can only create or edit files when you are on a branch"}`)
			rawDo("POST", f.path+"/tags", `{"tag_name":"NAME","ref":"main"}`).
				ExpectError(t, 400, `{"message":"Tag name invalid"}`)
			for _, verb := range []string{"cherry_pick", "revert"} {
				rawDo("POST", f.path+"/commits/"+f.readmeCommit+"/"+verb, `{"branch":"NAME"}`).
					ExpectError(t, 400, `{"message":"The branch refname is invalid"}`)
			}
			path := f.path + "/branches/" + url.PathEscape(name)
			do("GET", path, nil).ExpectError(t, 400, `{"message":"The branch refname is invalid"}`)
			do("DELETE", path, nil).ExpectError(t, 400, `{"message":"The branch refname is invalid"}`)
			if r := do("HEAD", path, nil); r.Status != 404 {
				t.Fatalf("HEAD = %d", r.Status)
			}
			do("GET", f.path+"/tags/"+url.PathEscape(name), nil).ExpectError(t, 404, `{"message":"404 Tag Not Found"}`)
			do("DELETE", f.path+"/tags/"+url.PathEscape(name), nil).ExpectError(t, 404, `{"message":"404 Tag Not Found"}`)
			if r := rawDo("POST", "/projects/"+f.pid+"/protected_branches", `{"name":"NAME"}`); r.Status != 422 {
				t.Fatalf("protect = %d %s", r.Status, r.Body)
			}
		})
	}
	// JSON bodies turn invalid UTF-8 into U+FFFD; forms and query strings
	// carry it as is, and it names nothing.
	bad := "x\xff"
	for _, rq := range []labtest.Request{
		{Method: "POST", Path: f.path + "/branches", Form: url.Values{"branch": {bad}, "ref": {"main"}}},
		{Method: "POST", Path: f.path + "/files/new.txt", Form: url.Values{"branch": {bad}, "start_branch": {"main"},
			"content": {"x"}, "commit_message": {"m"}}},
		{Method: "POST", Path: f.path + "/tags", Form: url.Values{"tag_name": {bad}, "ref": {"main"}}},
		{Method: "POST", Path: f.path + "/commits/" + f.readmeCommit + "/revert", Form: url.Values{"branch": {bad}}},
		{Path: f.path + "/branches/" + url.PathEscape(bad)},
		{Method: "DELETE", Path: f.path + "/branches/" + url.PathEscape(bad)},
	} {
		rq.Token = f.owner.Token
		if r := f.s.Do(t, rq); r.Status != 400 {
			t.Fatalf("%s %s with invalid UTF-8 = %d %s", rq.Method, rq.Path, r.Status, r.Body)
		}
	}
	if f.refsSnapshot(t) != before {
		t.Fatal("invalid names changed refs")
	}
	// The longest part a name may have works everywhere.
	long := "topic/" + strings.Repeat("c", repo.MaxRefComponent)
	if r := do("POST", f.path+"/branches", map[string]any{"branch": long, "ref": "main"}); r.Status != 201 {
		t.Fatalf("create %d-byte part = %d %s", repo.MaxRefComponent, r.Status, r.Body)
	}
	if r := do("POST", f.path+"/commits", map[string]any{"branch": long, "commit_message": "m", "actions": action}); r.Status != 201 {
		t.Fatalf("commit to it = %d %s", r.Status, r.Body)
	}
	if r := do("GET", f.path+"/branches/"+url.PathEscape(long), nil); r.Status != 200 {
		t.Fatalf("get it = %d %s", r.Status, r.Body)
	}
	if r := do("POST", f.path+"/tags", map[string]any{"tag_name": long, "ref": long}); r.Status != 201 {
		t.Fatalf("tag it = %d %s", r.Status, r.Body)
	}
	if r := do("DELETE", f.path+"/branches/"+url.PathEscape(long), nil); r.Status != 204 {
		t.Fatalf("delete it = %d %s", r.Status, r.Body)
	}
}
