package v4_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/repo"
)

// refsFixture is a project with a README commit on main and one member per
// role, for the branches, tags and repository tests.
type refsFixture struct {
	s                                      *labtest.Server
	p                                      *gitlab.Project
	owner, dev, reporter, guest, stranger  *labtest.User
	ownerC, devC, reporterC, guestC, anonC *gitlab.Client
	strangerC                              *gitlab.Client
	pid                                    string // numeric id as a path segment
	path                                   string // API path prefix of the project's repository
	readmeCommit                           string
}

func newRefsFixture(t *testing.T, vis gitlab.VisibilityValue) *refsFixture {
	t.Helper()
	s := labtest.Start(t)
	f := &refsFixture{s: s, owner: s.NewUser(t, "alice"), dev: s.NewUser(t, "bob"), reporter: s.NewUser(t, "carol"),
		guest: s.NewUser(t, "dave"), stranger: s.NewUser(t, "eve")}
	f.ownerC, f.devC, f.reporterC = s.Client(t, f.owner.Token), s.Client(t, f.dev.Token), s.Client(t, f.reporter.Token)
	f.guestC, f.strangerC, f.anonC = s.Client(t, f.guest.Token), s.Client(t, f.stranger.Token), s.Client(t, "")
	p, _, err := f.ownerC.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Code"),
		InitializeWithReadme: gitlab.Ptr(true), DefaultBranch: gitlab.Ptr("main"), Visibility: gitlab.Ptr(vis)})
	if err != nil {
		t.Fatal(err)
	}
	f.p, f.pid = p, fmt.Sprint(p.ID)
	f.path = "/projects/" + f.pid + "/repository"
	for u, l := range map[*labtest.User]gitlab.AccessLevelValue{f.dev: gitlab.DeveloperPermissions,
		f.reporter: gitlab.ReporterPermissions, f.guest: gitlab.GuestPermissions} {
		if _, _, err := f.ownerC.ProjectMembers.AddProjectMember(p.ID, &gitlab.AddProjectMemberOptions{UserID: u.ID,
			AccessLevel: gitlab.Ptr(l)}); err != nil {
			t.Fatal(err)
		}
	}
	head, err := f.repo().ResolveRef(context.Background(), "main")
	if err != nil {
		t.Fatal(err)
	}
	f.readmeCommit = head
	return f
}

func (f *refsFixture) repo() *repo.Repo { return f.s.Srv.Repos.Open(int64(f.p.ID)) }

// commit puts files on branch (created from main if new) and returns the commit.
func (f *refsFixture) commit(t *testing.T, branch string, files map[string]string) *repo.Commit {
	t.Helper()
	req := repo.CommitRequest{Branch: branch, Message: "edit " + branch, Author: repo.Signature{Name: "Alice", Email: "alice@example.com"}}
	if v, err := f.repo().RefValue("refs/heads/" + branch); err == nil && v == "" {
		req.StartBranch = "main"
	}
	for p, content := range files {
		kind := repo.ActionCreate
		if _, err := f.repo().Blob(context.Background(), branch, p); err == nil {
			kind = repo.ActionUpdate
		}
		req.Actions = append(req.Actions, repo.Action{Kind: kind, Path: p, Content: []byte(content)})
	}
	c, err := f.repo().CommitFiles(context.Background(), req)
	if err != nil {
		t.Fatalf("CommitFiles: %v", err)
	}
	return c
}

// refsSnapshot is every ref and its value, to check a refused request left
// the repository untouched.
func (f *refsFixture) refsSnapshot(t *testing.T) string {
	t.Helper()
	bs, err := f.repo().Branches(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ts, err := f.repo().Tags(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(bs, ts)
}

func wantStatus(t *testing.T, resp *gitlab.Response, err error, status int) {
	t.Helper()
	if resp == nil {
		t.Fatalf("no response: %v", err)
	}
	if resp.StatusCode != status {
		t.Fatalf("status = %d, want %d (%v)", resp.StatusCode, status, err)
	}
}

func TestBranchesLifecycle(t *testing.T) {
	t.Parallel()
	f := newRefsFixture(t, gitlab.PrivateVisibility)
	feature := f.commit(t, "feature/x", map[string]string{"a.txt": "a\n"})
	ctx := context.Background()
	if _, err := f.repo().CreateBranch(ctx, "merged-one", f.readmeCommit); err != nil {
		t.Fatal(err)
	}

	// List: sorted by name, with merged/default/commit.
	bs, resp, err := f.devC.Branches.ListBranches(f.p.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range bs {
		names = append(names, b.Name)
	}
	if strings.Join(names, ",") != "feature/x,main,merged-one" {
		t.Fatalf("branches = %v", names)
	}
	if resp.TotalItems != 3 || resp.TotalPages != 1 {
		t.Fatalf("pagination = %d items %d pages", resp.TotalItems, resp.TotalPages)
	}
	byName := map[string]*gitlab.Branch{}
	for _, b := range bs {
		byName[b.Name] = b
	}
	if m := byName["main"]; !m.Default || m.Merged || m.Commit == nil || m.Commit.ID != f.readmeCommit {
		t.Fatalf("main = %+v", m)
	}
	if fx := byName["feature/x"]; !fx.CanPush || fx.Protected || !fx.DevelopersCanPush {
		t.Fatalf("feature/x access for developer = %+v", fx)
	}
	if m, _, err := f.ownerC.Branches.GetBranch(f.p.ID, "main"); err != nil || !m.CanPush {
		t.Fatalf("main for owner = %+v, %v", m, err)
	}
	if fx := byName["feature/x"]; fx.Merged || fx.Default || fx.Commit.ID != feature.ID || fx.Commit.Title != "edit feature/x" ||
		fx.WebURL != f.s.URL+"/"+f.p.PathWithNamespace+"/-/tree/feature/x" {
		t.Fatalf("feature/x = %+v", fx)
	}
	// Pointing at main's head is not "merged", as in GitLab.
	if byName["merged-one"].Merged {
		t.Fatal("branch at the default head reported merged")
	}
	f.commit(t, "main", map[string]string{"m.txt": "m\n"})
	b, _, err := f.devC.Branches.GetBranch(f.p.ID, "merged-one")
	if err != nil || !b.Merged {
		t.Fatalf("merged-one after main moved = %+v, %v", b, err)
	}

	// Pagination and search.
	bs, resp, err = f.devC.Branches.ListBranches(f.p.ID, &gitlab.ListBranchesOptions{ListOptions: gitlab.ListOptions{PerPage: 2, Page: 2}})
	if err != nil || len(bs) != 1 || bs[0].Name != "merged-one" || resp.TotalPages != 2 || resp.PreviousPage != 1 {
		t.Fatalf("page 2 = %v, %+v, %v", bs, resp, err)
	}
	for search, want := range map[string]string{"ERGE": "merged-one", "^feat": "feature/x", "n$": "main", "^main$": "main", "zzz": ""} {
		bs, _, err := f.devC.Branches.ListBranches(f.p.ID, &gitlab.ListBranchesOptions{Search: gitlab.Ptr(search)})
		var got []string
		for _, b := range bs {
			got = append(got, b.Name)
		}
		if err != nil || strings.Join(got, ",") != want {
			t.Fatalf("search %q = %v, %v", search, got, err)
		}
	}
	bs, _, err = f.devC.Branches.ListBranches(f.p.ID, &gitlab.ListBranchesOptions{Regex: gitlab.Ptr("^(main|feature/.*)$")})
	if err != nil || len(bs) != 2 {
		t.Fatalf("regex = %v, %v", bs, err)
	}
	r := f.s.Do(t, labtest.Request{Path: f.path + "/branches?regex=(", Token: f.dev.Token})
	r.ExpectError(t, 400, `{"message":"Regex is invalid"}`)

	// Get, escaped and unescaped slash.
	for _, p := range []string{"/branches/feature%2Fx", "/branches/feature/x"} {
		r := f.s.Do(t, labtest.Request{Path: f.path + p, Token: f.reporter.Token})
		if r.Status != 200 || r.Map(t)["name"] != "feature/x" {
			t.Fatalf("GET %s = %d %s", p, r.Status, r.Body)
		}
	}
	f.s.Do(t, labtest.Request{Path: f.path + "/branches/nope", Token: f.dev.Token}).
		ExpectError(t, 404, `{"message":"404 Branch Not Found"}`)
	if r := f.s.Do(t, labtest.Request{Method: "HEAD", Path: f.path + "/branches/main", Token: f.dev.Token}); r.Status != 204 {
		t.Fatalf("HEAD = %d", r.Status)
	}

	// Create from a branch, a tag, a SHA.
	if _, err := f.repo().CreateTag(ctx, repo.TagRequest{Name: "v1", Rev: feature.ID}); err != nil {
		t.Fatal(err)
	}
	for name, ref := range map[string]string{"from-branch": "feature/x", "from-tag": "v1", "from-sha": feature.ID, "from-short": feature.ID[:8]} {
		b, resp, err := f.devC.Branches.CreateBranch(f.p.ID, &gitlab.CreateBranchOptions{Branch: gitlab.Ptr(name), Ref: gitlab.Ptr(ref)})
		wantStatus(t, resp, err, 201)
		if b.Name != name || b.Commit.ID != feature.ID || b.Default {
			t.Fatalf("created %s = %+v", name, b)
		}
	}

	// Delete.
	resp, err = f.devC.Branches.DeleteBranch(f.p.ID, "from-sha")
	wantStatus(t, resp, err, 204)
	if v, _ := f.repo().RefValue("refs/heads/from-sha"); v != "" {
		t.Fatal("branch still there after delete")
	}
	f.s.Do(t, labtest.Request{Method: "DELETE", Path: f.path + "/branches/from-sha", Token: f.dev.Token}).
		ExpectError(t, 404, `{"message":"404 Branch Not Found"}`)
	f.s.Do(t, labtest.Request{Method: "DELETE", Path: f.path + "/branches/main", Token: f.owner.Token}).
		ExpectError(t, 400, `{"message":"The default branch of a project cannot be deleted."}`)

	// Delete merged: merged-one and from-* are not merged into main, except
	// after we point one at an ancestor of main.
	if _, err := f.repo().CreateBranch(ctx, "old", f.readmeCommit); err != nil {
		t.Fatal(err)
	}
	r = f.s.Do(t, labtest.Request{Method: "DELETE", Path: f.path + "/merged_branches", Token: f.dev.Token})
	if r.Status != 202 || r.Map(t)["message"] != "202 Accepted" {
		t.Fatalf("merged_branches = %d %s", r.Status, r.Body)
	}
	bs, _, err = f.devC.Branches.ListBranches(f.p.ID, nil)
	names = nil
	for _, b := range bs {
		names = append(names, b.Name)
	}
	if err != nil || strings.Join(names, ",") != "feature/x,from-branch,from-short,from-tag,main" {
		t.Fatalf("after delete merged = %v, %v", names, err)
	}
}

func TestBranchesProtected(t *testing.T) {
	t.Parallel()
	f := newRefsFixture(t, gitlab.PrivateVisibility)
	ctx := context.Background()
	for _, n := range []string{"release", "gone"} {
		if _, err := f.repo().CreateBranch(ctx, n, f.readmeCommit); err != nil {
			t.Fatal(err)
		}
	}
	f.commit(t, "main", map[string]string{"x": "x"}) // release and gone are now merged
	if _, _, err := f.ownerC.ProtectedBranches.ProtectRepositoryBranches(f.p.ID, &gitlab.ProtectRepositoryBranchesOptions{
		Name: gitlab.Ptr("release"), PushAccessLevel: gitlab.Ptr(gitlab.MaintainerPermissions),
		MergeAccessLevel: gitlab.Ptr(gitlab.MaintainerPermissions)}); err != nil {
		t.Fatalf("protect release: %v", err)
	}
	b, _, err := f.devC.Branches.GetBranch(f.p.ID, "release")
	if err != nil || !b.Protected || b.DevelopersCanPush || b.DevelopersCanMerge || b.CanPush {
		t.Fatalf("release for developer = %+v, %v", b, err)
	}
	if b, _, err := f.ownerC.Branches.GetBranch(f.p.ID, "release"); err != nil || !b.CanPush {
		t.Fatalf("release for owner = %+v, %v", b, err)
	}
	before := f.refsSnapshot(t)
	f.s.Do(t, labtest.Request{Method: "DELETE", Path: f.path + "/branches/release", Token: f.dev.Token}).
		ExpectError(t, 400, `{"message":"You are not allowed to delete protected branches from this project. Only a project maintainer or owner can delete a protected branch."}`)
	if f.refsSnapshot(t) != before {
		t.Fatal("refused delete changed refs")
	}
	// Merged-branch cleanup keeps protected branches.
	if resp, err := f.devC.Branches.DeleteMergedBranches(f.p.ID); err != nil || resp.StatusCode != 202 {
		t.Fatalf("delete merged: %v", err)
	}
	if v, _ := f.repo().RefValue("refs/heads/release"); v == "" {
		t.Fatal("protected branch deleted as merged")
	}
	if v, _ := f.repo().RefValue("refs/heads/gone"); v != "" {
		t.Fatal("merged branch kept")
	}
	// Maintainers may delete protected branches, as through GitLab's web.
	if resp, err := f.ownerC.Branches.DeleteBranch(f.p.ID, "release"); err != nil || resp.StatusCode != 204 {
		t.Fatalf("owner delete protected: %v", err)
	}
}

func TestBranchesPermissions(t *testing.T) {
	t.Parallel()
	priv := newRefsFixture(t, gitlab.PrivateVisibility)
	read := func(c *gitlab.Client) int {
		_, resp, _ := c.Branches.ListBranches(priv.p.ID, nil)
		return resp.StatusCode
	}
	for name, tc := range map[string]struct {
		c    *gitlab.Client
		want int
	}{"owner": {priv.ownerC, 200}, "developer": {priv.devC, 200}, "reporter": {priv.reporterC, 200},
		"guest": {priv.guestC, 403}, "stranger": {priv.strangerC, 404}, "anonymous": {priv.anonC, 404}} {
		if got := read(tc.c); got != tc.want {
			t.Errorf("%s list private = %d, want %d", name, got, tc.want)
		}
	}
	before := priv.refsSnapshot(t)
	for name, tc := range map[string]struct {
		c    *gitlab.Client
		want int
	}{"reporter": {priv.reporterC, 403}, "guest": {priv.guestC, 403}, "stranger": {priv.strangerC, 404}, "anonymous": {priv.anonC, 401}} {
		_, resp, _ := tc.c.Branches.CreateBranch(priv.p.ID, &gitlab.CreateBranchOptions{Branch: gitlab.Ptr("x"), Ref: gitlab.Ptr("main")})
		if resp.StatusCode != tc.want {
			t.Errorf("%s create = %d, want %d", name, resp.StatusCode, tc.want)
		}
		resp, _ = tc.c.Branches.DeleteBranch(priv.p.ID, "main")
		if resp.StatusCode != tc.want {
			t.Errorf("%s delete = %d, want %d", name, resp.StatusCode, tc.want)
		}
		resp, _ = tc.c.Branches.DeleteMergedBranches(priv.p.ID)
		if resp.StatusCode != tc.want {
			t.Errorf("%s delete merged = %d, want %d", name, resp.StatusCode, tc.want)
		}
	}
	if priv.refsSnapshot(t) != before {
		t.Fatal("refused writes changed refs")
	}

	pub := newRefsFixture(t, gitlab.PublicVisibility)
	if bs, _, err := pub.anonC.Branches.ListBranches(pub.p.ID, nil); err != nil || len(bs) != 1 || bs[0].CanPush {
		t.Fatalf("anonymous list public = %+v, %v", bs, err)
	}
	if b, _, err := pub.guestC.Branches.GetBranch(pub.p.ID, "main"); err != nil || b.CanPush {
		t.Fatalf("guest get public = %+v, %v", b, err)
	}
	if _, resp, _ := pub.strangerC.Branches.CreateBranch(pub.p.ID, &gitlab.CreateBranchOptions{Branch: gitlab.Ptr("x"), Ref: gitlab.Ptr("main")}); resp.StatusCode != 403 {
		t.Fatalf("stranger create on public = %d", resp.StatusCode)
	}
}

func TestBranchesBadInput(t *testing.T) {
	t.Parallel()
	f := newRefsFixture(t, gitlab.PrivateVisibility)
	before := f.refsSnapshot(t)
	create := func(branch, ref string) *labtest.Response {
		return f.s.Do(t, labtest.Request{Method: "POST", Path: f.path + "/branches", Token: f.dev.Token,
			JSON: map[string]string{"branch": branch, "ref": ref}})
	}
	for _, name := range []string{"a..b", "-x", "refs/heads/x", "HEAD", "x.lock", "a b", "x~1", "a:b", "/x", "x/",
		"@", "a@{1}", "x\\y", strings.Repeat("a", 2000), "0123456789012345678901234567890123456789"} {
		r := create(name, "main")
		if r.Status != 400 {
			t.Fatalf("create %q = %d %s", name, r.Status, r.Body)
		}
	}
	create("a..b", "main").ExpectError(t, 400, `{"message":"Branch name is invalid"}`)
	create("main", "main").ExpectError(t, 400, `{"message":"Branch already exists"}`)
	for _, ref := range []string{"nope", "a..b", "-x", "refs/heads/nope", "deadbeef", "main^", "main~1", "HEAD:README.md"} {
		create("new", ref).ExpectError(t, 400, `{"message":"Failed to create branch 'new': invalid reference name '`+ref+`'"}`)
	}
	r := f.s.Do(t, labtest.Request{Method: "POST", Path: f.path + "/branches", Token: f.dev.Token, JSON: map[string]string{"ref": "main"}})
	r.ExpectError(t, 400, `{"error":"branch is missing"}`)
	r = f.s.Do(t, labtest.Request{Method: "POST", Path: f.path + "/branches", Token: f.dev.Token, JSON: map[string]string{"branch": "x"}})
	r.ExpectError(t, 400, `{"error":"ref is missing"}`)
	r = f.s.Do(t, labtest.Request{Method: "POST", Path: f.path + "/branches", Token: f.dev.Token, RawBody: `{"branch":"x\u0000y","ref":"main"}`})
	if r.Status != 400 {
		t.Fatalf("NUL branch = %d %s", r.Status, r.Body)
	}
	// GitLab's find_branch!: a name no branch can have is a 400.
	for _, p := range []string{"/branches/a..b", "/branches/" + url.PathEscape("-x"), "/branches/refs%2Fheads%2Fmain", "/branches/%00"} {
		f.s.Do(t, labtest.Request{Path: f.path + p, Token: f.dev.Token}).
			ExpectError(t, 400, `{"message":"The branch refname is invalid"}`)
		f.s.Do(t, labtest.Request{Method: "DELETE", Path: f.path + p, Token: f.dev.Token}).
			ExpectError(t, 400, `{"message":"The branch refname is invalid"}`)
		if r := f.s.Do(t, labtest.Request{Method: "HEAD", Path: f.path + p, Token: f.dev.Token}); r.Status != 404 {
			t.Fatalf("HEAD %s = %d", p, r.Status)
		}
	}
	f.s.Do(t, labtest.Request{Path: f.path + "/branches?sort=bogus", Token: f.dev.Token}).
		ExpectError(t, 400, `{"error":"sort does not have a valid value"}`)
	if f.refsSnapshot(t) != before {
		t.Fatal("bad input changed refs")
	}

	// A branch name that clashes with an existing one as a directory.
	create("main/sub", "main").ExpectError(t, 400, `{"message":"Branch already exists"}`)
}

// TestBranchesEmptyRepository creates a branch in an empty repository:
// as GitLab's Branches::CreateService, lablet first gives the repository
// its default branch (an empty README.md, "Add README.md", by the
// caller), so branching from it works.
func TestBranchesEmptyRepository(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice, bob := s.NewUser(t, "alice"), s.NewUser(t, "bob")
	c := s.Client(t, alice.Token)
	p, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Empty")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.ProjectMembers.AddProjectMember(p.ID, &gitlab.AddProjectMemberOptions{UserID: bob.ID,
		AccessLevel: gitlab.Ptr(gitlab.DeveloperPermissions)}); err != nil {
		t.Fatal(err)
	}
	branches := fmt.Sprintf("/projects/%d/repository/branches", p.ID)
	r := s.Do(t, labtest.Request{Path: branches, Token: alice.Token})
	if r.Status != 200 || strings.TrimSpace(string(r.Body)) != "[]" || r.Header.Get("X-Total") != "0" {
		t.Fatalf("empty list = %d %s %v", r.Status, r.Body, r.Header)
	}
	if resp, err := c.Branches.DeleteMergedBranches(p.ID); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("delete merged on empty: %v", err)
	}
	// A bad name changes nothing; a developer may not write the protected
	// default branch, so may not branch from an empty repository either.
	s.Do(t, labtest.Request{Method: "POST", Path: branches, Token: alice.Token,
		JSON: map[string]string{"branch": "a..b", "ref": "main"}}).ExpectError(t, 400, `{"message":"Branch name is invalid"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: branches, Token: bob.Token,
		JSON: map[string]string{"branch": "x", "ref": "main"}}).
		ExpectError(t, 403, `{"message":"403 Forbidden - You are not allowed to push into this branch"}`)
	if got, _, err := c.Projects.GetProject(p.ID, nil); err != nil || !got.EmptyRepo {
		t.Fatalf("after refused creates: empty_repo = %v, %v", got.EmptyRepo, err)
	}

	b, _, err := c.Branches.CreateBranch(p.ID, &gitlab.CreateBranchOptions{Branch: gitlab.Ptr("x"), Ref: gitlab.Ptr("main")})
	if err != nil {
		t.Fatalf("create x from main in an empty repository: %v", err)
	}
	main, _, err := c.Branches.GetBranch(p.ID, "main")
	if err != nil {
		t.Fatal(err)
	}
	if b.Commit.ID != main.Commit.ID || main.Commit.Title != "Add README.md" || main.Commit.AuthorName != alice.Name ||
		len(main.Commit.ParentIDs) != 0 || !main.Default {
		t.Fatalf("x = %+v, main = %+v", b.Commit, main.Commit)
	}
	readme, _, err := c.RepositoryFiles.GetRawFile(p.ID, "README.md", &gitlab.GetRawFileOptions{Ref: gitlab.Ptr("main")})
	if err != nil || len(readme) != 0 {
		t.Fatalf("README.md = %q, %v", readme, err)
	}
	if got, _, err := c.Projects.GetProject(p.ID, nil); err != nil || got.EmptyRepo || got.DefaultBranch != "main" {
		t.Fatalf("project = empty_repo %v, default_branch %q, %v", got.EmptyRepo, got.DefaultBranch, err)
	}
}

// BenchmarkBranchesList lists 100 branches: one for-each-ref, one
// for-each-ref --merged, commits through the warm cat-file reader.
func BenchmarkBranchesList(b *testing.B) {
	s := labtest.Start(b)
	alice := s.NewUser(b, "alice")
	c := s.Client(b, alice.Token)
	p, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Bench"), InitializeWithReadme: gitlab.Ptr(true)})
	if err != nil {
		b.Fatal(err)
	}
	rp := s.Srv.Repos.Open(int64(p.ID))
	for i := range 100 {
		if _, err := rp.CreateBranch(context.Background(), fmt.Sprintf("b%03d", i), "main"); err != nil {
			b.Fatal(err)
		}
	}
	opts := &gitlab.ListBranchesOptions{ListOptions: gitlab.ListOptions{PerPage: 100}}
	b.ResetTimer()
	for b.Loop() {
		bs, _, err := c.Branches.ListBranches(p.ID, opts)
		if err != nil || len(bs) != 100 {
			b.Fatalf("%d, %v", len(bs), err)
		}
	}
}
