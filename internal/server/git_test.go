package server_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/service"
	"github.com/lablet/lablet/internal/store"
)

// gitEnv drives the real git client against a labtest server.
type gitEnv struct {
	t    *testing.T
	s    *labtest.Server
	home string
	// env is added to git's environment (GIT_SSH_COMMAND for SSH).
	env []string
}

func newGitEnv(t *testing.T, opts ...labtest.Option) *gitEnv {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	return &gitEnv{t: t, s: labtest.Start(t, opts...), home: t.TempDir()}
}

// url is the clone URL of path with user:password (none when user is "").
func (e *gitEnv) url(user, password, path string) string {
	host := strings.TrimPrefix(e.s.URL, "http://")
	if user == "" {
		return "http://" + host + "/" + path
	}
	return "http://" + user + ":" + password + "@" + host + "/" + path
}

// git runs git in dir with a clean, prompt-free environment.
func (e *gitEnv) git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = []string{"HOME=" + e.home, "PATH=" + os.Getenv("PATH"), "GIT_CONFIG_NOSYSTEM=1",
		"GIT_TERMINAL_PROMPT=0", "LC_ALL=C", "GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.com"}
	cmd.Env = append(cmd.Env, e.env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (e *gitEnv) mustGit(dir string, args ...string) string {
	e.t.Helper()
	out, err := e.git(dir, args...)
	if err != nil {
		e.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return out
}

// failGit runs git expecting failure with want in its output.
func (e *gitEnv) failGit(want, dir string, args ...string) {
	e.t.Helper()
	out, err := e.git(dir, args...)
	if err == nil {
		e.t.Fatalf("git %v succeeded, want failure with %q\n%s", args, want, out)
	}
	if !strings.Contains(out, want) {
		e.t.Fatalf("git %v output lacks %q:\n%s", args, want, out)
	}
}

// clone clones url into a fresh directory.
func (e *gitEnv) clone(url string, args ...string) string {
	e.t.Helper()
	dir := filepath.Join(e.t.TempDir(), "w")
	e.mustGit("", append(append([]string{"clone", "-q"}, args...), url, dir)...)
	return dir
}

func (e *gitEnv) commit(dir, name, content string) {
	e.t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
	e.mustGit(dir, "add", name)
	e.mustGit(dir, "commit", "-q", "-m", "change "+name)
}

// status answers GET info/refs with optional basic credentials.
func (e *gitEnv) status(path, svc, user, password string) *http.Response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.s.URL+"/"+path+"/info/refs?service="+svc, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

type gitFixture struct {
	*gitEnv
	project                               *gitlab.Project
	maint, dev, reporter, guest, stranger *labtest.User
}

// newGitFixture: private project team/app with a README on main (protected
// at creation) and a member per role.
func newGitFixture(t *testing.T, opts ...labtest.Option) *gitFixture {
	t.Helper()
	e := newGitEnv(t, opts...)
	f := &gitFixture{gitEnv: e, maint: e.s.NewUser(t, "mia"), dev: e.s.NewUser(t, "dev"),
		reporter: e.s.NewUser(t, "rita"), guest: e.s.NewUser(t, "gina"), stranger: e.s.NewUser(t, "stan")}
	root := e.s.Client(t, e.s.RootToken)
	g, _, err := root.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Team"), Path: gitlab.Ptr("team"),
		Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	f.project, _, err = root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("App"),
		NamespaceID: gitlab.Ptr(g.ID), InitializeWithReadme: gitlab.Ptr(true),
		Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	for u, l := range map[*labtest.User]gitlab.AccessLevelValue{f.maint: gitlab.MaintainerPermissions,
		f.dev: gitlab.DeveloperPermissions, f.reporter: gitlab.ReporterPermissions, f.guest: gitlab.GuestPermissions} {
		if _, _, err := root.ProjectMembers.AddProjectMember(f.project.ID, &gitlab.AddProjectMemberOptions{
			UserID: u.ID, AccessLevel: gitlab.Ptr(l)}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func TestGitCloneAndAuth(t *testing.T) {
	f := newGitFixture(t)
	const path = "team/app.git"

	// Token as password with any username, with and without .git.
	dir := f.clone(f.url("anything", f.reporter.Token, path))
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
		t.Fatalf("clone has no README: %v", err)
	}
	f.clone(f.url("oauth2", f.reporter.Token, "team/app"))
	f.clone(f.url("oauth2", f.reporter.Token, "TEAM/App.git")) // paths are case-insensitive

	// Protocol v2, checked in git's packet trace.
	cmd := exec.Command("git", "-c", "protocol.version=2", "ls-remote", f.url("x", f.reporter.Token, path))
	cmd.Env = []string{"HOME=" + f.home, "PATH=" + os.Getenv("PATH"), "GIT_CONFIG_NOSYSTEM=1",
		"GIT_TERMINAL_PROMPT=0", "GIT_TRACE_PACKET=1"}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "version 2") || !strings.Contains(string(out), "refs/heads/main") {
		t.Fatalf("v2 ls-remote: %v\n%s", err, out)
	}
	f.clone(f.url("x", f.reporter.Token, path), "-c", "protocol.version=2")

	// Shallow clone after a second commit.
	w := f.clone(f.url("x", f.maint.Token, path))
	f.commit(w, "two.txt", "2\n")
	f.mustGit(w, "push", "-q", "origin", "main")
	shallow := f.clone(f.url("x", f.reporter.Token, path), "--depth", "1")
	if n := strings.TrimSpace(f.mustGit(shallow, "rev-list", "--count", "HEAD")); n != "1" {
		t.Fatalf("shallow clone has %s commits", n)
	}

	// Anonymous: 401 with a Basic challenge so git prompts; git itself
	// fails without a terminal.
	for _, p := range []string{path, "team/missing.git"} {
		resp := f.status(p, "git-upload-pack", "", "")
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != `Basic realm="GitLab"` {
			t.Fatalf("anonymous %s = %d %q", p, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
	}
	f.failGit("could not read Username", "", "clone", f.url("", "", path), filepath.Join(t.TempDir(), "a"))

	// Who gets what.
	for _, tc := range []struct {
		name, token, svc string
		status           int
	}{
		{"wrong token", "glpat-nope", "git-upload-pack", http.StatusUnauthorized},
		{"read_api token", f.s.NewToken(t, f.reporter.ID, "read_api"), "git-upload-pack", http.StatusUnauthorized},
		{"read_repository token", f.s.NewToken(t, f.reporter.ID, "read_repository"), "git-upload-pack", http.StatusOK},
		{"write_repository token", f.s.NewToken(t, f.dev.ID, "write_repository"), "git-receive-pack", http.StatusOK},
		{"read_repository push", f.s.NewToken(t, f.dev.ID, "read_repository"), "git-receive-pack", http.StatusForbidden},
		{"guest fetch", f.guest.Token, "git-upload-pack", http.StatusForbidden},
		{"reporter push", f.reporter.Token, "git-receive-pack", http.StatusForbidden},
		{"stranger fetch", f.stranger.Token, "git-upload-pack", http.StatusNotFound},
		{"job token", "anything", "git-upload-pack", http.StatusUnauthorized},
	} {
		user := "u"
		if tc.name == "job token" {
			user = "gitlab-ci-token"
		}
		if resp := f.status(path, tc.svc, user, tc.token); resp.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, resp.StatusCode, tc.status)
		}
	}
	roPush := f.clone(f.url("x", f.s.NewToken(t, f.dev.ID, "read_repository"), path))
	f.commit(roPush, "ro.txt", "x\n")
	f.failGit(service.MsgGitPushNotAllowed, roPush, "push", "origin", "HEAD:refs/heads/ro")
	f.failGit(service.MsgGitDownloadNotAllowed, "", "clone", f.url("x", f.guest.Token, path), filepath.Join(t.TempDir(), "g"))

	// Other paths stay 404; numeric ids are no git paths.
	if r := f.s.Do(t, labtest.Request{Path: f.s.URL + "/team/app"}); r.Status != http.StatusNotFound {
		t.Fatalf("/team/app = %d", r.Status)
	}
	if resp := f.status("1.git", "git-upload-pack", "u", f.s.RootToken); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("numeric path = %d", resp.StatusCode)
	}

	// A blocked user's token stops working.
	ctx := context.Background()
	err = f.s.Srv.DB.WithTx(ctx, func(q *store.Queries) error {
		u, err := q.UserByID(ctx, f.reporter.ID)
		if err != nil {
			return err
		}
		u.State = "blocked"
		return q.UpdateUser(ctx, u)
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp := f.status(path, "git-upload-pack", "u", f.reporter.Token); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("blocked user = %d", resp.StatusCode)
	}
}

func TestGitPublicAndInternal(t *testing.T) {
	e := newGitEnv(t)
	root := e.s.Client(t, e.s.RootToken)
	for _, vis := range []gitlab.VisibilityValue{gitlab.PublicVisibility, gitlab.InternalVisibility} {
		if _, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr(string(vis)),
			InitializeWithReadme: gitlab.Ptr(true), Visibility: gitlab.Ptr(vis)}); err != nil {
			t.Fatal(err)
		}
	}
	e.clone(e.url("", "", "root/public.git"))
	if resp := e.status("root/internal.git", "git-upload-pack", "", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous internal = %d", resp.StatusCode)
	}
	u := e.s.NewUser(t, "someone")
	e.clone(e.url("u", u.Token, "root/internal.git"))
	// Anonymous push to a public project asks for credentials; a signed-in
	// non-member may read but not push.
	if resp := e.status("root/public.git", "git-receive-pack", "", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous push = %d", resp.StatusCode)
	}
	if resp := e.status("root/public.git", "git-receive-pack", "u", u.Token); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("non-member push = %d", resp.StatusCode)
	}
}

// TestGitExternalGuestInternalProject: git over HTTP refuses an external
// Guest the code of an internal project it sees, with GitLab's 403 message,
// and lets an external Reporter fetch.
func TestGitExternalGuestInternalProject(t *testing.T) {
	e := newGitEnv(t)
	root := e.s.Client(t, e.s.RootToken)
	p, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("inside"),
		InitializeWithReadme: gitlab.Ptr(true), Visibility: gitlab.Ptr(gitlab.InternalVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	guest, reporter := e.s.NewUser(t, "eguest"), e.s.NewUser(t, "ereporter")
	for u, l := range map[*labtest.User]gitlab.AccessLevelValue{guest: gitlab.GuestPermissions, reporter: gitlab.ReporterPermissions} {
		if _, _, err := root.ProjectMembers.AddProjectMember(p.ID, &gitlab.AddProjectMemberOptions{UserID: u.ID,
			AccessLevel: gitlab.Ptr(l)}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := root.Users.ModifyUser(u.ID, &gitlab.ModifyUserOptions{External: gitlab.Ptr(true)}); err != nil {
			t.Fatal(err)
		}
	}
	if resp := e.status("root/inside.git", "git-upload-pack", "u", guest.Token); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("external guest info/refs = %d", resp.StatusCode)
	}
	e.failGit(service.MsgGitDownloadNotAllowed, "", "clone", e.url("u", guest.Token, "root/inside.git"), filepath.Join(t.TempDir(), "g"))
	e.clone(e.url("u", reporter.Token, "root/inside.git"))
}

func TestGitProtectedBranches(t *testing.T) {
	f := newGitFixture(t)
	const path = "team/app.git"
	maint := f.s.Client(t, f.maint.Token)
	if _, _, err := maint.ProtectedBranches.ProtectRepositoryBranches(f.project.ID,
		&gitlab.ProtectRepositoryBranchesOptions{Name: gitlab.Ptr("release/*"),
			PushAccessLevel: gitlab.Ptr(gitlab.MaintainerPermissions)}); err != nil {
		t.Fatal(err)
	}

	dev := f.clone(f.url("dev", f.dev.Token, path))
	f.commit(dev, "feature.txt", "f\n")
	f.mustGit(dev, "push", "-q", "origin", "HEAD:refs/heads/feature")
	f.failGit("GitLab: "+service.MsgGitPushProtectedBranch, dev, "push", "origin", "HEAD:refs/heads/main")
	f.failGit("GitLab: "+service.MsgGitCreateProtectedBranch, dev, "push", "origin", "HEAD:refs/heads/release/1")

	// The maintainer may push main and create release branches.
	m := f.clone(f.url("mia", f.maint.Token, path))
	f.commit(m, "m.txt", "m\n")
	f.mustGit(m, "push", "-q", "origin", "HEAD:refs/heads/main", "HEAD:refs/heads/release/1")

	// Force push: refused on protected main, allowed on the feature branch.
	f.mustGit(m, "reset", "-q", "--hard", "HEAD~1")
	f.commit(m, "other.txt", "o\n")
	f.failGit("GitLab: "+service.MsgGitForcePushProtected, m, "push", "--force", "origin", "HEAD:refs/heads/main")
	f.mustGit(m, "push", "-q", "--force", "origin", "HEAD:refs/heads/feature")

	// Allowing force push on a matching rule lets it through.
	if _, _, err := maint.ProtectedBranches.UpdateProtectedBranch(f.project.ID, "release/*",
		&gitlab.UpdateProtectedBranchOptions{AllowForcePush: gitlab.Ptr(true)}); err != nil {
		t.Fatal(err)
	}
	f.mustGit(m, "push", "-q", "--force", "origin", "HEAD:refs/heads/release/1")

	// Deleting: the default branch never, protected ones not with git.
	f.failGit("GitLab: "+service.MsgGitDeleteDefaultBranch, m, "push", "origin", ":main")
	f.failGit("GitLab: "+service.MsgGitDeleteProtectedNonWeb, m, "push", "origin", ":release/1")
	f.failGit("GitLab: "+service.MsgGitDeleteProtectedBranch, dev, "push", "origin", ":release/1")
	f.mustGit(dev, "push", "-q", "origin", ":feature")

	// Checked in the repository itself, independent of the branches API.
	r := f.s.Srv.Repos.Open(int64(f.project.ID))
	for ref, want := range map[string]bool{"refs/heads/main": true, "refs/heads/release/1": true, "refs/heads/feature": false} {
		v, err := r.RefValue(ref)
		if err != nil || (v != "") != want {
			t.Fatalf("%s = %q, %v; want exists=%v", ref, v, err, want)
		}
	}

	// An archived project takes no pushes but still serves clones.
	if _, _, err := f.s.Client(t, f.s.RootToken).Projects.ArchiveProject(f.project.ID); err != nil {
		t.Fatal(err)
	}
	f.failGit(service.MsgGitPushArchived, m, "push", "origin", "HEAD:refs/heads/late")
	f.clone(f.url("x", f.reporter.Token, path))
}

func TestGitFirstPush(t *testing.T) {
	e := newGitEnv(t)
	owner := e.s.NewUser(t, "olive")
	c := e.s.Client(t, owner.Token)
	p, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Fresh")})
	if err != nil {
		t.Fatal(err)
	}
	if !p.EmptyRepo || p.DefaultBranch != "main" || p.ReadmeURL != "" {
		t.Fatalf("new project: empty=%v default=%q readme=%q", p.EmptyRepo, p.DefaultBranch, p.ReadmeURL)
	}
	// Cloning an empty repository works (with git's warning).
	e.clone(e.url("o", owner.Token, "olive/fresh.git"))

	w := filepath.Join(t.TempDir(), "w")
	e.mustGit("", "init", "-q", "-b", "master", w)
	e.commit(w, "README.md", "# Fresh\n")
	e.mustGit(w, "remote", "add", "origin", e.url("o", owner.Token, "olive/fresh.git"))
	e.mustGit(w, "push", "-q", "-u", "origin", "master")

	p, _, err = c.Projects.GetProject(p.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.EmptyRepo || p.DefaultBranch != "master" {
		t.Fatalf("after first push: empty=%v default=%q", p.EmptyRepo, p.DefaultBranch)
	}
	if want := p.WebURL + "/-/blob/master/README.md"; p.ReadmeURL != want {
		t.Fatalf("readme_url = %q, want %q", p.ReadmeURL, want)
	}
	if head, err := e.s.Srv.Repos.Open(int64(p.ID)).DefaultBranch(context.Background()); err != nil || head != "master" {
		t.Fatalf("HEAD = %q, %v", head, err)
	}
	// The default branch's protection followed it.
	list, _, err := c.ProtectedBranches.ListProtectedBranches(p.ID, nil)
	if err != nil || len(list) != 1 || list[0].Name != "master" {
		t.Fatalf("protected = %+v, %v", list, err)
	}
	if p.LastActivityAt == nil || p.LastActivityAt.Before(*p.CreatedAt) {
		t.Fatalf("last_activity_at = %v", p.LastActivityAt)
	}
	// A second clone sees master checked out.
	d := e.clone(e.url("o", owner.Token, "olive/fresh"))
	if b := strings.TrimSpace(e.mustGit(d, "rev-parse", "--abbrev-ref", "HEAD")); b != "master" {
		t.Fatalf("clone checked out %q", b)
	}
}

// TestGitReservedRefs pushes to the refs GitLab keeps for itself: each is
// refused as Gitaly's receive-pack refuses it, the push's branch lands,
// and an existing reserved ref can be neither moved nor deleted.
func TestGitReservedRefs(t *testing.T) {
	f := newGitFixture(t)
	const path = "team/app.git"
	r := f.s.Srv.Repos.Open(int64(f.project.ID))
	head, err := r.RefValue("refs/heads/main")
	if err != nil || head == "" {
		t.Fatalf("main = %q, %v", head, err)
	}
	f.mustGit("", "--git-dir", r.Path(), "update-ref", "refs/merge-requests/1/head", head)

	dev := f.clone(f.url("dev", f.dev.Token, path))
	f.commit(dev, "x.txt", "x\n")
	args := []string{"push", "--porcelain", "origin", "HEAD:refs/heads/topic"}
	for _, p := range service.ReservedRefPrefixes() {
		args = append(args, "HEAD:"+p+"lablet/x")
	}
	args = append(args, "HEAD:refs/merge-requests/1/head")
	out, err := f.git(dev, args...)
	if err == nil {
		t.Fatalf("push to reserved refs succeeded:\n%s", out)
	}
	for _, p := range service.ReservedRefPrefixes() {
		if !strings.Contains(out, "!\tHEAD:"+p+"lablet/x\t[remote rejected] (deny updating a hidden ref)") {
			t.Fatalf("push to %slablet/x not refused as hidden:\n%s", p, out)
		}
		if v, _ := r.RefValue(p + "lablet/x"); v != "" {
			t.Fatalf("%slablet/x was created", p)
		}
	}
	if !strings.Contains(out, "*\tHEAD:refs/heads/topic\t[new branch]") {
		t.Fatalf("the branch of the same push did not land:\n%s", out)
	}
	if !strings.Contains(out, "!\tHEAD:refs/merge-requests/1/head\t[remote rejected] (deny updating a hidden ref)") {
		t.Fatalf("update of an existing merge request ref not refused as hidden:\n%s", out)
	}
	if _, err := f.git(dev, "push", "origin", ":refs/merge-requests/1/head"); err == nil {
		t.Fatal("deleting a merge request ref succeeded")
	}
	if v, _ := r.RefValue("refs/merge-requests/1/head"); v != head {
		t.Fatalf("refs/merge-requests/1/head = %q, want it left at %s", v, head)
	}
	// Reserved refs are not in the push advertisement, so mirrors leave them be.
	if out := f.mustGit(dev, "push", "--dry-run", "--porcelain", "--prune", "origin", "refs/heads/*:refs/merge-requests/*"); strings.Contains(out, "1/head") {
		t.Fatalf("a pruning push sees reserved refs:\n%s", out)
	}
}
