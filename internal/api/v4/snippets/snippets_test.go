package snippets_test

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func paths(sn *gitlab.Snippet) []string {
	var out []string
	for _, f := range sn.Files {
		out = append(out, f.Path)
	}
	return out
}

// TestPersonalSnippetCRUD: a user creates a personal snippet of several
// files with client-go, reads it and its raw files, changes its files
// with every action, lists it and deletes it.
func TestPersonalSnippetCRUD(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	c := s.Client(t, alice.Token)

	sn, resp, err := c.Snippets.CreateSnippet(&gitlab.CreateSnippetOptions{Title: gitlab.Ptr("Notes"),
		Description: gitlab.Ptr("two files"), Visibility: gitlab.Ptr(gitlab.PrivateVisibility),
		Files: &[]*gitlab.CreateSnippetFileOptions{
			{FilePath: gitlab.Ptr("b.txt"), Content: gitlab.Ptr("bee\n")},
			{FilePath: gitlab.Ptr("dir/a.go"), Content: gitlab.Ptr("package a\n")}}})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %v", err)
	}
	if sn.Title != "Notes" || sn.Description != "two files" || sn.Visibility != "private" || sn.Author.Username != "alice" ||
		sn.ProjectID != 0 || !slices.Equal(paths(sn), []string{"b.txt", "dir/a.go"}) || sn.FileName != "b.txt" {
		t.Fatalf("created = %+v", sn)
	}
	id := itoa(sn.ID)
	if sn.WebURL != s.URL+"/-/snippets/"+id || sn.RawURL != sn.WebURL+"/raw" ||
		sn.Files[1].RawURL != sn.WebURL+"/raw/main/dir/a.go" {
		t.Fatalf("urls = %s %s %+v", sn.WebURL, sn.RawURL, sn.Files)
	}
	// The entity's repository fields.
	m := s.Do(t, labtest.Request{Path: "/snippets/" + id, Token: alice.Token}).Map(t)
	if m["http_url_to_repo"] != s.URL+"/snippets/"+id+".git" || m["project_id"] != nil || m["imported"] != false ||
		m["imported_from"] != "none" || !strings.HasSuffix(m["ssh_url_to_repo"].(string), "snippets/"+id+".git") {
		t.Fatalf("entity = %v", m)
	}
	if _, ok := m["repository_storage"]; ok {
		t.Fatal("repository_storage shown to a non-admin")
	}

	// Raw: the first file, as text, never sniffed.
	raw := s.Do(t, labtest.Request{Path: "/snippets/" + id + "/raw", Token: alice.Token})
	if raw.Status != 200 || string(raw.Body) != "bee\n" || raw.Header.Get("Content-Type") != "text/plain; charset=utf-8" ||
		raw.Header.Get("X-Content-Type-Options") != "nosniff" || raw.Header.Get("Content-Disposition") != "inline; filename=b.txt" {
		t.Fatalf("raw = %d %q %v", raw.Status, raw.Body, raw.Header)
	}
	body, _, err := c.Snippets.SnippetFileContent(sn.ID, "main", "dir/a.go")
	if err != nil || string(body) != "package a\n" {
		t.Fatalf("file raw = %q, %v", body, err)
	}
	if r := s.Do(t, labtest.Request{Path: "/snippets/" + id + "/files/main/nope.txt/raw", Token: alice.Token}); r.Status != 404 {
		t.Fatalf("missing file = %d", r.Status)
	}

	// Update: every action in one change.
	up, _, err := c.Snippets.UpdateSnippet(sn.ID, &gitlab.UpdateSnippetOptions{Title: gitlab.Ptr("Renamed"),
		Files: &[]*gitlab.UpdateSnippetFileOptions{
			{Action: gitlab.Ptr("update"), FilePath: gitlab.Ptr("b.txt"), Content: gitlab.Ptr("bee 2\n")},
			{Action: gitlab.Ptr("move"), PreviousPath: gitlab.Ptr("dir/a.go"), FilePath: gitlab.Ptr("a.go")},
			{Action: gitlab.Ptr("create"), FilePath: gitlab.Ptr("c.md"), Content: gitlab.Ptr("# c\n")}}})
	if err != nil || up.Title != "Renamed" || !slices.Equal(paths(up), []string{"a.go", "b.txt", "c.md"}) {
		t.Fatalf("update = %+v, %v", up, err)
	}
	up, _, err = c.Snippets.UpdateSnippet(sn.ID, &gitlab.UpdateSnippetOptions{
		Files: &[]*gitlab.UpdateSnippetFileOptions{{Action: gitlab.Ptr("delete"), FilePath: gitlab.Ptr("c.md")}}})
	if err != nil || !slices.Equal(paths(up), []string{"a.go", "b.txt"}) {
		t.Fatalf("delete file = %+v, %v", up, err)
	}
	if body, _, err := c.Snippets.SnippetFileContent(sn.ID, "main", "b.txt"); err != nil || string(body) != "bee 2\n" {
		t.Fatalf("updated content = %q, %v", body, err)
	}
	// The legacy content parameter is refused on a snippet of several files.
	s.Do(t, labtest.Request{Method: "PUT", Path: "/snippets/" + id, Token: alice.Token, JSON: map[string]any{"content": "x"}}).
		ExpectError(t, 400, `{"message":"To update Snippets with multiple files, you must use the `+"`files`"+` parameter"}`)

	// Lists: the caller's own; all (hers and others' public ones).
	bob := s.NewUser(t, "bob")
	bc := s.Client(t, bob.Token)
	pub, _, err := bc.Snippets.CreateSnippet(&gitlab.CreateSnippetOptions{Title: gitlab.Ptr("Public"), FileName: gitlab.Ptr("p.txt"),
		Content: gitlab.Ptr("p\n"), Visibility: gitlab.Ptr(gitlab.PublicVisibility)})
	if err != nil || !slices.Equal(paths(pub), []string{"p.txt"}) {
		t.Fatalf("legacy create = %+v, %v", pub, err)
	}
	mine, _, err := c.Snippets.ListSnippets(nil)
	if err != nil || len(mine) != 1 || mine[0].ID != sn.ID {
		t.Fatalf("mine = %v, %v", mine, err)
	}
	all, _, err := c.Snippets.ListAllSnippets(nil)
	if err != nil || len(all) != 2 || all[0].ID != pub.ID || all[1].ID != sn.ID {
		t.Fatalf("all = %v, %v", all, err)
	}
	explore, _, err := bc.Snippets.ExploreSnippets(nil)
	if err != nil || len(explore) != 1 || explore[0].ID != pub.ID {
		t.Fatalf("public = %v, %v", explore, err)
	}
	// Bob's all has no room for Alice's private snippet.
	if ball, _, err := bc.Snippets.ListAllSnippets(nil); err != nil || len(ball) != 1 {
		t.Fatalf("bob's all = %v, %v", ball, err)
	}

	// user_agent_detail: administrators only.
	ua := s.Do(t, labtest.Request{Path: "/snippets/" + id + "/user_agent_detail", Token: s.RootToken})
	if ua.Status != 200 || ua.Map(t)["ip_address"] != "127.0.0.1" || ua.Map(t)["user_agent"] == "" {
		t.Fatalf("user agent detail = %d %s", ua.Status, ua.Body)
	}
	if r := s.Do(t, labtest.Request{Path: "/snippets/" + id + "/user_agent_detail", Token: alice.Token}); r.Status != 403 {
		t.Fatalf("user agent detail by author = %d", r.Status)
	}

	// Others may neither change nor delete it.
	if r := s.Do(t, labtest.Request{Method: "DELETE", Path: "/snippets/" + itoa(pub.ID), Token: alice.Token}); r.Status != 403 {
		t.Fatalf("delete of another's public snippet = %d", r.Status)
	}
	if resp, err := c.Snippets.DeleteSnippet(sn.ID); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %v", err)
	}
	if _, resp, _ := c.Snippets.GetSnippet(sn.ID); resp.StatusCode != 404 {
		t.Fatalf("deleted snippet = %d", resp.StatusCode)
	}
}

// TestSnippetVisibilityMatrix: who reads a personal snippet of each
// visibility (anonymous, another user, an external user, the author,
// an administrator); hidden ones are 404, also for their raw files.
func TestSnippetVisibilityMatrix(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	author := s.NewUser(t, "author")
	other := s.NewUser(t, "other")
	ext := s.NewUser(t, "ext")
	root := s.Client(t, s.RootToken)
	if _, _, err := root.Users.ModifyUser(ext.ID, &gitlab.ModifyUserOptions{External: gitlab.Ptr(true)}); err != nil {
		t.Fatal(err)
	}
	c := s.Client(t, author.Token)
	ids := map[string]int64{}
	for _, v := range []gitlab.VisibilityValue{gitlab.PrivateVisibility, gitlab.InternalVisibility, gitlab.PublicVisibility} {
		sn, _, err := c.Snippets.CreateSnippet(&gitlab.CreateSnippetOptions{Title: gitlab.Ptr(string(v)), Visibility: gitlab.Ptr(v),
			Files: &[]*gitlab.CreateSnippetFileOptions{{FilePath: gitlab.Ptr("f.txt"), Content: gitlab.Ptr("x")}}})
		if err != nil {
			t.Fatal(err)
		}
		ids[string(v)] = sn.ID
	}
	callers := map[string]string{"anonymous": "", "other": other.Token, "external": ext.Token, "author": author.Token, "admin": s.RootToken}
	want := map[string]map[string]int{
		"private":  {"anonymous": 404, "other": 404, "external": 404, "author": 200, "admin": 200},
		"internal": {"anonymous": 404, "other": 200, "external": 404, "author": 200, "admin": 200},
		"public":   {"anonymous": 200, "other": 200, "external": 200, "author": 200, "admin": 200},
	}
	for vis, byCaller := range want {
		for who, status := range byCaller {
			for _, suffix := range []string{"", "/raw", "/files/main/f.txt/raw"} {
				r := s.Do(t, labtest.Request{Path: "/snippets/" + itoa(ids[vis]) + suffix, Token: callers[who]})
				if r.Status != status {
					t.Errorf("%s snippet%s for %s = %d, want %d", vis, suffix, who, r.Status, status)
				}
			}
		}
	}
	// Changing takes the author or an administrator.
	for who, status := range map[string]int{"other": 403, "admin": 200, "author": 200} {
		r := s.Do(t, labtest.Request{Method: "PUT", Path: "/snippets/" + itoa(ids["public"]), Token: callers[who],
			JSON: map[string]any{"title": "by " + who}})
		if r.Status != status {
			t.Errorf("update by %s = %d, want %d", who, r.Status, status)
		}
	}
	// External users create no personal snippets; anonymous callers none.
	if r := s.Do(t, labtest.Request{Method: "POST", Path: "/snippets", Token: ext.Token,
		JSON: map[string]any{"title": "t", "file_name": "a", "content": "b"}}); r.Status != 403 {
		t.Errorf("external create = %d", r.Status)
	}
	if r := s.Do(t, labtest.Request{Method: "POST", Path: "/snippets",
		JSON: map[string]any{"title": "t", "file_name": "a", "content": "b"}}); r.Status != 401 {
		t.Errorf("anonymous create = %d", r.Status)
	}
}

// TestSnippetBadInput: GitLab's 400s for snippets without files, with
// duplicate paths, paths escaping the repository, empty content, no title
// or an unknown action; nothing is created.
func TestSnippetBadInput(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	u := s.NewUser(t, "writer")
	file := func(p, c string) map[string]any { return map[string]any{"file_path": p, "content": c} }
	cases := []struct {
		name string
		body map[string]any
		want string
	}{
		{"no files", map[string]any{"title": "t"}, `{"error":"files, content are missing, exactly one parameter must be provided"}`},
		{"empty files", map[string]any{"title": "t", "files": []any{}}, `{"error":"files is empty"}`},
		{"both", map[string]any{"title": "t", "content": "x", "file_name": "a", "files": []any{file("a", "b")}},
			`{"error":"files, content are mutually exclusive"}`},
		{"duplicate paths", map[string]any{"title": "t", "files": []any{file("a.txt", "1"), file("a.txt", "2")}},
			`{"message":"Snippet actions have invalid data: duplicate file path a.txt"}`},
		{"traversal", map[string]any{"title": "t", "files": []any{file("../x", "1")}},
			`{"error":"files[0][file_path] should be a valid file path"}`},
		{"absolute", map[string]any{"title": "t", "files": []any{file("/etc/x", "1")}},
			`{"error":"files[0][file_path] should be a valid file path"}`},
		{"dot git", map[string]any{"title": "t", "files": []any{file(".git/config", "1")}},
			`{"error":"files[0][file_path] should be a valid file path"}`},
		{"empty content", map[string]any{"title": "t", "files": []any{file("a.txt", "")}}, `{"error":"files[0][content] is empty"}`},
		{"legacy empty content", map[string]any{"title": "t", "file_name": "a.txt", "content": ""}, `{"error":"content is empty"}`},
		{"no title", map[string]any{"files": []any{file("a.txt", "1")}}, `{"error":"title is missing"}`},
		{"bad visibility", map[string]any{"title": "t", "visibility": "secret", "files": []any{file("a.txt", "1")}},
			`{"error":"visibility does not have a valid value"}`},
	}
	for _, tc := range cases {
		s.Do(t, labtest.Request{Method: "POST", Path: "/snippets", Token: u.Token, JSON: tc.body}).ExpectError(t, 400, tc.want)
	}
	if r := s.Do(t, labtest.Request{Path: "/snippets", Token: u.Token}); strings.TrimSpace(string(r.Body)) != "[]" {
		t.Fatalf("a refused create left %s", r.Body)
	}
	sn := s.Do(t, labtest.Request{Method: "POST", Path: "/snippets", Token: u.Token,
		JSON: map[string]any{"title": "t", "files": []any{file("a.txt", "1")}}}).Map(t)
	id := num(sn["id"])
	for _, tc := range []struct {
		files []any
		want  string
	}{
		{[]any{map[string]any{"action": "rename", "file_path": "a.txt"}}, `{"error":"files[0][action] does not have a valid value"}`},
		{[]any{map[string]any{"action": "update", "file_path": "zz.txt", "content": "1"}}, `{"message":"A file with this name doesn't exist"}`},
		{[]any{map[string]any{"action": "delete", "file_path": "a.txt"}}, `{"message":"Snippet actions have invalid data: a snippet keeps at least one file"}`},
		{[]any{map[string]any{"action": "create", "file_path": "a/../../b", "content": "1"}}, `{"error":"files[0][file_path] should be a valid file path"}`},
	} {
		s.Do(t, labtest.Request{Method: "PUT", Path: "/snippets/" + id, Token: u.Token, JSON: map[string]any{"files": tc.files}}).
			ExpectError(t, 400, tc.want)
	}
	if r := s.Do(t, labtest.Request{Path: "/snippets/abc", Token: u.Token}); r.Status != 400 {
		t.Fatalf("non-numeric id = %d", r.Status)
	}
}

func num(v any) string { return strconv.FormatInt(int64(v.(float64)), 10) }

// TestProjectSnippets: a project's Developer creates a snippet, reads it
// through the project's routes, other members read it, a Maintainer
// changes it, a non-member of the private project sees nothing, and
// comments on it go through the shared notes and discussions.
func TestProjectSnippets(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	dc := s.Client(t, f.Developer.Token)
	sn, resp, err := dc.ProjectSnippets.CreateSnippet(f.Project.ID, &gitlab.CreateProjectSnippetOptions{Title: gitlab.Ptr("Deploy"),
		Visibility: gitlab.Ptr(gitlab.PrivateVisibility), Files: &[]*gitlab.CreateSnippetFileOptions{
			{FilePath: gitlab.Ptr("deploy.sh"), Content: gitlab.Ptr("echo hi\n")}, {FilePath: gitlab.Ptr("README"), Content: gitlab.Ptr("r\n")}}})
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("create: %v", err)
	}
	full := f.Project.PathWithNamespace
	if sn.ProjectID != f.Project.ID || sn.WebURL != s.URL+"/"+full+"/-/snippets/"+itoa(sn.ID) ||
		!slices.Equal(paths(sn), []string{"README", "deploy.sh"}) {
		t.Fatalf("created = %+v", sn)
	}
	mc := s.Client(t, f.Maintainer.Token)
	list, _, err := mc.ProjectSnippets.ListSnippets(f.Project.ID, nil)
	if err != nil || len(list) != 1 || list[0].ID != sn.ID {
		t.Fatalf("list = %v, %v", list, err)
	}
	up, _, err := mc.ProjectSnippets.UpdateSnippet(f.Project.ID, sn.ID, &gitlab.UpdateProjectSnippetOptions{
		Description: gitlab.Ptr("by the maintainer")})
	if err != nil || up.Description != "by the maintainer" {
		t.Fatalf("maintainer update = %+v, %v", up, err)
	}
	raw, _, err := mc.ProjectSnippets.SnippetContent(f.Project.ID, sn.ID)
	if err != nil || string(raw) != "r\n" {
		t.Fatalf("raw = %q, %v", raw, err)
	}
	pid := itoa(f.Project.ID)
	if r := s.Do(t, labtest.Request{Path: "/projects/" + pid + "/snippets/" + itoa(sn.ID) + "/files/main/deploy.sh/raw",
		Token: f.Maintainer.Token}); r.Status != 200 || string(r.Body) != "echo hi\n" {
		t.Fatalf("file raw = %d %q", r.Status, r.Body)
	}
	// Not a personal snippet: /snippets/:id does not name it.
	if r := s.Do(t, labtest.Request{Path: "/snippets/" + itoa(sn.ID), Token: s.RootToken}); r.Status != 404 {
		t.Fatalf("project snippet as personal = %d", r.Status)
	}
	stranger := s.NewUser(t, "stranger")
	if r := s.Do(t, labtest.Request{Path: "/projects/" + pid + "/snippets/" + itoa(sn.ID), Token: stranger.Token}); r.Status != 404 {
		t.Fatalf("stranger = %d", r.Status)
	}
	// Guests read the private snippet; creating takes Reporter.
	guest := s.NewUser(t, "guest")
	root := s.Client(t, s.RootToken)
	if _, _, err := root.ProjectMembers.AddProjectMember(f.Project.ID, &gitlab.AddProjectMemberOptions{UserID: guest.ID,
		AccessLevel: gitlab.Ptr(gitlab.GuestPermissions)}); err != nil {
		t.Fatal(err)
	}
	if r := s.Do(t, labtest.Request{Path: "/projects/" + pid + "/snippets/" + itoa(sn.ID), Token: guest.Token}); r.Status != 200 {
		t.Fatalf("guest read = %d", r.Status)
	}
	if r := s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + pid + "/snippets", Token: guest.Token,
		JSON: map[string]any{"title": "t", "visibility": "private", "file_name": "a", "content": "b"}}); r.Status != 403 {
		t.Fatalf("guest create = %d", r.Status)
	}
	// The Developer's snippet is theirs to change; another Developer's is not.
	if r := s.Do(t, labtest.Request{Method: "PUT", Path: "/projects/" + pid + "/snippets/" + itoa(sn.ID), Token: guest.Token,
		JSON: map[string]any{"title": "x"}}); r.Status != 403 {
		t.Fatalf("guest update = %d", r.Status)
	}

	// Notes and discussions on the project snippet.
	note, _, err := mc.Notes.CreateSnippetNote(f.Project.ID, sn.ID, &gitlab.CreateSnippetNoteOptions{Body: gitlab.Ptr("looks good")})
	if err != nil || note.NoteableType != "Snippet" || note.NoteableID != sn.ID || note.Author.Username != f.Maintainer.Username {
		t.Fatalf("note = %+v, %v", note, err)
	}
	notes, _, err := dc.Notes.ListSnippetNotes(f.Project.ID, sn.ID, nil)
	if err != nil || len(notes) != 1 || notes[0].Body != "looks good" {
		t.Fatalf("notes = %v, %v", notes, err)
	}
	d, _, err := dc.Discussions.CreateSnippetDiscussion(f.Project.ID, sn.ID, &gitlab.CreateSnippetDiscussionOptions{Body: gitlab.Ptr("a thread")})
	if err != nil || len(d.Notes) != 1 {
		t.Fatalf("discussion = %+v, %v", d, err)
	}
	if _, _, err := mc.Discussions.AddSnippetDiscussionNote(f.Project.ID, sn.ID, d.ID,
		&gitlab.AddSnippetDiscussionNoteOptions{Body: gitlab.Ptr("a reply")}); err != nil {
		t.Fatal(err)
	}
	ds, _, err := dc.Discussions.ListSnippetDiscussions(f.Project.ID, sn.ID, nil)
	if err != nil || len(ds) != 2 {
		t.Fatalf("discussions = %v, %v", ds, err)
	}
	if r := s.Do(t, labtest.Request{Path: "/projects/" + pid + "/snippets/" + itoa(sn.ID) + "/notes", Token: stranger.Token}); r.Status != 404 {
		t.Fatalf("stranger's notes = %d", r.Status)
	}
	// Deleting the snippet takes its notes along.
	if _, err := dc.ProjectSnippets.DeleteSnippet(f.Project.ID, sn.ID); err != nil {
		t.Fatal(err)
	}
	if r := s.Do(t, labtest.Request{Path: "/projects/" + pid + "/snippets/" + itoa(sn.ID) + "/notes", Token: f.Maintainer.Token}); r.Status != 404 {
		t.Fatalf("deleted snippet's notes = %d", r.Status)
	}
}

// TestSnippetGitClone: a snippet's repository clones over HTTP at
// /snippets/:id.git and /<project>/-/snippets/:id.git with its files; an
// update is a new commit on top; a hidden snippet does not clone, and
// pushes are refused.
func TestSnippetGitClone(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	c := s.Client(t, f.Developer.Token)
	sn, _, err := c.Snippets.CreateSnippet(&gitlab.CreateSnippetOptions{Title: gitlab.Ptr("t"), Visibility: gitlab.Ptr(gitlab.PrivateVisibility),
		Files: &[]*gitlab.CreateSnippetFileOptions{{FilePath: gitlab.Ptr("one.txt"), Content: gitlab.Ptr("1\n")},
			{FilePath: gitlab.Ptr("sub/two.txt"), Content: gitlab.Ptr("2\n")}}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	labtest.Git(t, dir, "clone", "-q", s.GitURL(f.Developer, "snippets/"+itoa(sn.ID)), "clone")
	work := filepath.Join(dir, "clone")
	for name, want := range map[string]string{"one.txt": "1\n", "sub/two.txt": "2\n"} {
		if b, err := os.ReadFile(filepath.Join(work, name)); err != nil || string(b) != want {
			t.Fatalf("%s = %q, %v", name, b, err)
		}
	}
	if _, _, err := c.Snippets.UpdateSnippet(sn.ID, &gitlab.UpdateSnippetOptions{Files: &[]*gitlab.UpdateSnippetFileOptions{
		{Action: gitlab.Ptr("update"), FilePath: gitlab.Ptr("one.txt"), Content: gitlab.Ptr("uno\n")}}}); err != nil {
		t.Fatal(err)
	}
	labtest.Git(t, work, "pull", "-q")
	if log := labtest.Git(t, work, "log", "--format=%s"); log != "Update snippet\nInitial commit" {
		t.Fatalf("log = %q", log)
	}
	if b, _ := os.ReadFile(filepath.Join(work, "one.txt")); string(b) != "uno\n" {
		t.Fatalf("one.txt after pull = %q", b)
	}
	// Pushing is refused.
	labtest.Git(t, work, "commit", "-q", "--allow-empty", "-m", "mine")
	cmd := gitCmd(work, "push", "-q", "origin", "HEAD")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "You are not allowed to update this snippet.") {
		t.Fatalf("push = %v: %s", err, out)
	}
	// Another user does not see the private snippet.
	other := s.NewUser(t, "other")
	if out, err := gitCmd(dir, "clone", "-q", s.GitURL(other, "snippets/"+itoa(sn.ID)), "nope").CombinedOutput(); err == nil {
		t.Fatalf("other's clone worked: %s", out)
	}

	// A project snippet at the project's path.
	ps, _, err := c.ProjectSnippets.CreateSnippet(f.Project.ID, &gitlab.CreateProjectSnippetOptions{Title: gitlab.Ptr("p"),
		Visibility: gitlab.Ptr(gitlab.PrivateVisibility), FileName: gitlab.Ptr("p.txt"), Content: gitlab.Ptr("p\n")})
	if err != nil {
		t.Fatal(err)
	}
	labtest.Git(t, dir, "clone", "-q", s.GitURL(f.Maintainer, f.Project.PathWithNamespace+"/-/snippets/"+itoa(ps.ID)), "proj")
	if b, err := os.ReadFile(filepath.Join(dir, "proj", "p.txt")); err != nil || string(b) != "p\n" {
		t.Fatalf("project snippet clone = %q, %v", b, err)
	}
}

// gitCmd is git in dir that never prompts, for runs expected to fail.
func gitCmd(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_AUTHOR_NAME=A", "GIT_AUTHOR_EMAIL=a@example.com",
		"GIT_COMMITTER_NAME=A", "GIT_COMMITTER_EMAIL=a@example.com")
	return cmd
}
