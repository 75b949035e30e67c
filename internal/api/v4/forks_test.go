package v4_test

import (
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/model"
)

// forkFixture is a private project of alice's with a README and a
// branch dev, and a public one, pub; bob reports on the private one and
// develops in the group team; carl is no member of anything; gail is a
// guest on src.
type forkFixture struct {
	s                      *labtest.Server
	alice, bob, carl, gail *labtest.User
	ac, bc, cc, gc         *gitlab.Client
	src, pub               *gitlab.Project
	team                   *model.Namespace
}

func newForkFixture(t *testing.T) *forkFixture {
	t.Helper()
	s := labtest.Start(t)
	f := &forkFixture{s: s, alice: s.NewUser(t, "alice"), bob: s.NewUser(t, "bob"), carl: s.NewUser(t, "carl"),
		gail: s.NewUser(t, "gail")}
	f.ac, f.bc, f.cc, f.gc = s.Client(t, f.alice.Token), s.Client(t, f.bob.Token), s.Client(t, f.carl.Token), s.Client(t, f.gail.Token)
	f.src = projMustCreate(t, f.ac, &gitlab.CreateProjectOptions{Name: gitlab.Ptr("Src"), Description: gitlab.Ptr("the source"),
		InitializeWithReadme: gitlab.Ptr(true)})
	f.pub = projMustCreate(t, f.ac, &gitlab.CreateProjectOptions{Name: gitlab.Ptr("Pub"), InitializeWithReadme: gitlab.Ptr(true),
		Visibility: gitlab.Ptr(gitlab.PublicVisibility)})
	for _, p := range []*gitlab.Project{f.src, f.pub} {
		if _, _, err := f.ac.Branches.CreateBranch(p.ID, &gitlab.CreateBranchOptions{Branch: gitlab.Ptr("dev"), Ref: gitlab.Ptr("main")}); err != nil {
			t.Fatal(err)
		}
	}
	projAddMember(t, s, model.SourceProject, f.src.ID, f.bob.ID, 20)
	projAddMember(t, s, model.SourceProject, f.src.ID, f.gail.ID, 10)
	f.team = projNewGroup(t, s, "team", nil, 20)
	projAddMember(t, s, model.SourceNamespace, f.team.ID, f.bob.ID, 30)
	return f
}

func (f *forkFixture) fork(t *testing.T, c *gitlab.Client, pid int64, opt *gitlab.ForkProjectOptions) *gitlab.Project {
	t.Helper()
	p, _, err := c.Projects.ForkProject(pid, opt)
	if err != nil {
		t.Fatalf("fork: %v", err)
	}
	return p
}

func (f *forkFixture) do(t *testing.T, u *labtest.User, method, path string, body any) *labtest.Response {
	t.Helper()
	return f.s.Do(t, labtest.Request{Method: method, Path: path, Token: u.Token, JSON: body})
}

func TestForkProject(t *testing.T) {
	t.Parallel()
	f := newForkFixture(t)

	// A Reporter forks a private project into their namespace: its path,
	// name and description, its visibility, forked before the answer.
	p := f.fork(t, f.bc, f.src.ID, nil)
	if p.PathWithNamespace != "bob/src" || p.Name != "Src" || p.Description != "the source" ||
		p.Visibility != gitlab.PrivateVisibility || p.DefaultBranch != "main" || p.EmptyRepo || p.ImportStatus != "finished" {
		t.Fatalf("fork = %+v", p)
	}
	if p.ForkedFromProject == nil || p.ForkedFromProject.ID != f.src.ID || p.ForkedFromProject.PathWithNamespace != "alice/src" {
		t.Fatalf("forked_from_project = %+v", p.ForkedFromProject)
	}
	if p.Owner == nil || p.Owner.ID != f.bob.ID || p.Permissions != nil {
		t.Fatalf("owner %+v, permissions %+v", p.Owner, p.Permissions)
	}
	bs, _, err := f.bc.Branches.ListBranches(p.ID, nil)
	if err != nil || len(bs) != 2 {
		t.Fatalf("fork branches = %v, %v", bs, err)
	}
	got, _, err := f.ac.Projects.GetProject(f.src.ID, nil)
	if err != nil || got.ForksCount != 1 {
		t.Fatalf("source forks_count = %v, %v", got, err)
	}

	// Non-members and guests may not fork a private project.
	f.do(t, f.carl, "POST", "/projects/"+itoa(f.src.ID)+"/fork", nil).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	f.do(t, f.gail, "POST", "/projects/"+itoa(f.src.ID)+"/fork", nil).ExpectError(t, 404, `{"message":"404 Not Found"}`)
	f.s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + itoa(f.pub.ID) + "/fork"}).ExpectError(t, 401, `{"message":"401 Unauthorized"}`)

	// The same name and path again: GitLab's 409 with the new project's errors.
	f.do(t, f.bob, "POST", "/projects/"+itoa(f.src.ID)+"/fork", nil).ExpectError(t, 409,
		`{"message":["Name has already been taken","Path has already been taken"]}`)

	// Into a group, by id or by path; a group the caller may not create
	// projects in is no target.
	g := f.fork(t, f.bc, f.src.ID, &gitlab.ForkProjectOptions{NamespaceID: gitlab.Ptr(f.team.ID)})
	if g.PathWithNamespace != "team/src" || g.Namespace.Kind != "group" {
		t.Fatalf("group fork = %s %+v", g.PathWithNamespace, g.Namespace)
	}
	g2 := f.fork(t, f.bc, f.pub.ID, &gitlab.ForkProjectOptions{NamespacePath: gitlab.Ptr("team"), Path: gitlab.Ptr("pub2"),
		Name: gitlab.Ptr("Pub 2")})
	if g2.PathWithNamespace != "team/pub2" || g2.Name != "Pub 2" || g2.Visibility != gitlab.PublicVisibility {
		t.Fatalf("group fork by path = %s %q %s", g2.PathWithNamespace, g2.Name, g2.Visibility)
	}
	f.do(t, f.carl, "POST", "/projects/"+itoa(f.pub.ID)+"/fork", map[string]any{"namespace_id": f.team.ID}).
		ExpectError(t, 404, `{"message":"404 Target Namespace Not Found"}`)
	f.do(t, f.carl, "POST", "/projects/"+itoa(f.pub.ID)+"/fork", map[string]any{"namespace_path": "alice"}).
		ExpectError(t, 404, `{"message":"404 Target Namespace Not Found"}`)

	// Never wider than the source, whatever is asked; narrower on demand.
	wide := f.fork(t, f.bc, f.src.ID, &gitlab.ForkProjectOptions{Path: gitlab.Ptr("wide"), Name: gitlab.Ptr("Wide"),
		Visibility: gitlab.Ptr(gitlab.PublicVisibility)})
	if wide.Visibility != gitlab.PrivateVisibility {
		t.Fatalf("fork of a private project asked public = %s", wide.Visibility)
	}
	narrow := f.fork(t, f.cc, f.pub.ID, &gitlab.ForkProjectOptions{Visibility: gitlab.Ptr(gitlab.InternalVisibility)})
	if narrow.Visibility != gitlab.InternalVisibility {
		t.Fatalf("fork asked internal = %s", narrow.Visibility)
	}

	// One branch only: the fork's default branch.
	dev := f.fork(t, f.cc, f.pub.ID, &gitlab.ForkProjectOptions{Branches: gitlab.Ptr("dev"), Path: gitlab.Ptr("pub-dev"),
		Name: gitlab.Ptr("Pub dev")})
	bs, _, err = f.cc.Branches.ListBranches(dev.ID, nil)
	if err != nil || len(bs) != 1 || bs[0].Name != "dev" || dev.DefaultBranch != "dev" {
		t.Fatalf("one-branch fork: default %q, branches %v, %v", dev.DefaultBranch, bs, err)
	}
	f.do(t, f.carl, "POST", "/projects/"+itoa(f.pub.ID)+"/fork", map[string]any{"branches": "nope", "path": "x", "name": "x"}).
		ExpectError(t, 404, `{"message":"404 Source Branch Not Found"}`)

	// Merge requests target the fork itself when asked, at the fork or
	// later; its creation is its one event.
	self := f.fork(t, f.cc, f.pub.ID, &gitlab.ForkProjectOptions{Path: gitlab.Ptr("self"), Name: gitlab.Ptr("Self"),
		MergeRequestDefaultTargetSelf: gitlab.Ptr(true)})
	if !self.MergeRequestDefaultTargetSelf {
		t.Fatal("mr_default_target_self not kept")
	}
	self, _, err = f.cc.Projects.EditProject(self.ID, &gitlab.EditProjectOptions{MergeRequestDefaultTargetSelf: gitlab.Ptr(false)})
	if err != nil || self.MergeRequestDefaultTargetSelf {
		t.Fatalf("mr_default_target_self after the edit: %v", err)
	}
	events, _, err := f.cc.Events.ListProjectVisibleEvents(self.ID, nil)
	if err != nil || len(events) != 1 || events[0].ActionName != "created" {
		t.Fatalf("the fork's events = %+v, %v", events, err)
	}

	// An empty project forks into an empty project.
	empty := projMustCreate(t, f.ac, &gitlab.CreateProjectOptions{Name: gitlab.Ptr("Empty"), Visibility: gitlab.Ptr(gitlab.PublicVisibility)})
	e := f.fork(t, f.cc, empty.ID, nil)
	if !e.EmptyRepo || e.DefaultBranch != "main" || e.ImportStatus != "finished" {
		t.Fatalf("fork of an empty project = empty %v, default %q", e.EmptyRepo, e.DefaultBranch)
	}

	// forks_count counts every fork, seen or not.
	got, _, err = f.ac.Projects.GetProject(f.src.ID, nil)
	if err != nil || got.ForksCount != 3 {
		t.Fatalf("source forks_count = %d, %v; want 3", got.ForksCount, err)
	}
}

func TestListForks(t *testing.T) {
	t.Parallel()
	f := newForkFixture(t)
	mine := f.fork(t, f.bc, f.src.ID, nil)
	shared := f.fork(t, f.bc, f.src.ID, &gitlab.ForkProjectOptions{NamespaceID: gitlab.Ptr(f.team.ID)})
	public := f.fork(t, f.cc, f.pub.ID, nil)

	// alice sees none of bob's private forks of her project; bob both.
	list, _, err := f.ac.Projects.ListProjectForks(f.src.ID, nil)
	if err != nil || len(list) != 0 {
		t.Fatalf("alice's view of the forks = %v, %v", projIDs(list), err)
	}
	list, resp, err := f.bc.Projects.ListProjectForks(f.src.ID, &gitlab.ListProjectsOptions{OrderBy: gitlab.Ptr("id"),
		Sort: gitlab.Ptr("asc")})
	if err != nil || len(list) != 2 || list[0].ID != mine.ID || list[1].ID != shared.ID || resp.TotalItems != 2 {
		t.Fatalf("bob's view of the forks = %v, %v", projIDs(list), err)
	}
	if list[0].ForkedFromProject == nil || list[0].ForkedFromProject.ID != f.src.ID || list[0].Permissions == nil {
		t.Fatalf("listed fork = %+v", list[0])
	}
	list, _, err = f.bc.Projects.ListProjectForks(f.src.ID, &gitlab.ListProjectsOptions{Owned: gitlab.Ptr(true)})
	if err != nil || len(list) != 1 || list[0].ID != mine.ID {
		t.Fatalf("owned forks = %v, %v", projIDs(list), err)
	}
	list, _, err = f.bc.Projects.ListProjectForks(f.src.ID, &gitlab.ListProjectsOptions{Search: gitlab.Ptr("team")})
	if err != nil || len(list) != 0 {
		t.Fatalf("forks searched = %v, %v", projIDs(list), err)
	}
	// Anonymous callers see the public forks of a public project.
	r := f.s.Do(t, labtest.Request{Method: "GET", Path: "/projects/" + itoa(f.pub.ID) + "/forks"})
	var anon []map[string]any
	r.JSON(t, &anon)
	if r.Status != 200 || len(anon) != 1 || anon[0]["id"] != float64(public.ID) || anon[0]["forked_from_project"] != nil {
		t.Fatalf("anonymous forks = %d %s", r.Status, r.Body)
	}
	f.do(t, f.carl, "GET", "/projects/"+itoa(f.src.ID)+"/forks", nil).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	list, _, err = f.cc.Projects.ListProjectForks(f.pub.ID, &gitlab.ListProjectsOptions{Simple: gitlab.Ptr(true)})
	if err != nil || len(list) != 1 || list[0].ID != public.ID {
		t.Fatalf("carl's forks of pub = %v, %v", projIDs(list), err)
	}

	// forked_from_project shows only to who may read the source.
	if _, err := f.ac.ProjectMembers.DeleteProjectMember(f.src.ID, f.bob.ID); err != nil {
		t.Fatal(err)
	}
	raw := f.do(t, f.bob, "GET", "/projects/"+itoa(mine.ID), nil).Map(t)
	if _, ok := raw["forked_from_project"]; ok || raw["mr_default_target_self"] != false {
		t.Fatalf("a source bob no longer sees: forked_from_project %v, mr_default_target_self %v",
			raw["forked_from_project"], raw["mr_default_target_self"])
	}
	rows := f.do(t, f.bob, "GET", "/projects?owned=true", nil)
	if strings.Contains(string(rows.Body), `"forked_from_project"`) {
		t.Fatalf("a list shows a hidden source: %s", rows.Body)
	}
	got, _, err := f.ac.Projects.GetProject(f.pub.ID, nil)
	if err != nil || got.ForksCount != 1 {
		t.Fatalf("pub forks_count = %v, %v", got, err)
	}
	plain, _, err := f.ac.Projects.GetProject(f.src.ID, nil)
	if err != nil || plain.ForkedFromProject != nil {
		t.Fatalf("a project that is no fork shows forked_from_project %+v", plain.ForkedFromProject)
	}

	// A deleted user's forks leave their sources' counts.
	root := f.s.Client(t, f.s.RootToken)
	if _, err := root.Users.DeleteUser(f.carl.ID); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, _, err = f.ac.Projects.GetProject(f.pub.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got.ForksCount == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pub forks_count after its fork's owner went = %d", got.ForksCount)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestForkRelation(t *testing.T) {
	t.Parallel()
	f := newForkFixture(t)
	own := projMustCreate(t, f.cc, &gitlab.CreateProjectOptions{Name: gitlab.Ptr("Own")})
	path := "/projects/" + itoa(own.ID) + "/fork"

	// Someone else's project: not found, then not the owner.
	f.do(t, f.bob, "POST", path+"/"+itoa(f.pub.ID), nil).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	projAddMember(t, f.s, model.SourceProject, own.ID, f.bob.ID, 40)
	f.do(t, f.bob, "POST", path+"/"+itoa(f.pub.ID), nil).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	// A source carl may not see, and the project itself.
	f.do(t, f.carl, "POST", path+"/"+itoa(f.src.ID), nil).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	f.do(t, f.carl, "POST", path+"/"+itoa(own.ID), nil).ExpectError(t, 400,
		`{"message":"Target project cannot be equal to source project"}`)

	p, resp, err := f.cc.Projects.CreateProjectForkRelation(own.ID, f.pub.ID)
	if err != nil || resp.StatusCode != 201 || p.ForkedFromProjectID != 0 && p.ForkedFromProjectID != f.pub.ID {
		t.Fatalf("link = %+v, %v", p, err)
	}
	got, _, err := f.cc.Projects.GetProject(own.ID, nil)
	if err != nil || got.ForkedFromProject == nil || got.ForkedFromProject.ID != f.pub.ID {
		t.Fatalf("linked project = %+v, %v", got, err)
	}
	f.do(t, f.carl, "POST", path+"/"+itoa(f.pub.ID), nil).ExpectError(t, 409, `{"message":"Project already forked"}`)
	if pub, _, _ := f.ac.Projects.GetProject(f.pub.ID, nil); pub.ForksCount != 1 {
		t.Fatalf("forks_count after the link = %d", pub.ForksCount)
	}
	// A project cannot become the fork of its own fork.
	projAddMember(t, f.s, model.SourceProject, own.ID, f.alice.ID, 20)
	f.do(t, f.alice, "POST", "/projects/"+itoa(f.pub.ID)+"/fork/"+itoa(own.ID), nil).ExpectError(t, 400,
		`{"message":"Target project cannot be a fork of the project"}`)

	// Only the owner removes it: 204, then 304.
	if r := f.do(t, f.bob, "DELETE", path, nil); r.Status != http.StatusForbidden {
		t.Fatalf("maintainer unlinks: %d %s", r.Status, r.Body)
	}
	if resp, err := f.cc.Projects.DeleteProjectForkRelation(own.ID); err != nil || resp.StatusCode != 204 {
		t.Fatalf("unlink: %v, %v", resp, err)
	}
	if r := f.do(t, f.carl, "DELETE", path, nil); r.Status != http.StatusNotModified {
		t.Fatalf("unlink again: %d %s", r.Status, r.Body)
	}
	if pub, _, _ := f.ac.Projects.GetProject(f.pub.ID, nil); pub.ForksCount != 0 {
		t.Fatalf("forks_count after the unlink = %d", pub.ForksCount)
	}

	// A real fork leaving its source keeps working without it.
	fork := f.fork(t, f.cc, f.pub.ID, nil)
	if !f.s.Srv.Repos.Borrows(fork.ID) {
		t.Fatal("a fork does not borrow its source's objects")
	}
	if _, err := f.cc.Projects.DeleteProjectForkRelation(fork.ID); err != nil {
		t.Fatal(err)
	}
	if f.s.Srv.Repos.Borrows(fork.ID) {
		t.Fatal("an unlinked fork still borrows")
	}
	labtest.Git(t, "", "-C", f.s.Srv.Repos.Path(fork.ID), "fsck", "--strict", "--full")
}

// A fork clones and takes pushes over HTTP while its source stays as it
// was, and outlives the source's deletion.
func TestForkGit(t *testing.T) {
	t.Parallel()
	f := newForkFixture(t)
	fork := f.fork(t, f.bc, f.src.ID, nil)
	grand := f.fork(t, f.cc, f.pub.ID, nil)
	before, _, err := f.ac.Branches.GetBranch(f.src.ID, "main")
	if err != nil {
		t.Fatal(err)
	}
	url := func(u *labtest.User, p *gitlab.Project) string {
		return strings.Replace(f.s.URL, "http://", "http://"+u.Username+":"+u.Token+"@", 1) + "/" + p.PathWithNamespace + ".git"
	}
	dir := t.TempDir()
	labtest.Git(t, dir, "clone", "-q", url(f.bob, fork), ".")
	if _, err := os.Stat(dir + "/README.md"); err != nil {
		t.Fatalf("the fork's clone has no README: %v", err)
	}
	if err := os.WriteFile(dir+"/fork.txt", []byte("fork\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	labtest.Git(t, dir, "add", "fork.txt")
	labtest.Git(t, dir, "commit", "-q", "-m", "in the fork")
	labtest.Git(t, dir, "push", "-q", "origin", "main")
	pushed := labtest.Git(t, dir, "rev-parse", "HEAD")
	after, _, err := f.ac.Branches.GetBranch(f.src.ID, "main")
	if err != nil || after.Commit.ID != before.Commit.ID {
		t.Fatalf("the source's main moved: %s -> %v (%v)", before.Commit.ID, after, err)
	}
	if b, _, err := f.bc.Branches.GetBranch(fork.ID, "main"); err != nil || b.Commit.ID != pushed {
		t.Fatalf("the fork's main = %v, %v; want %s", b, err, pushed)
	}
	if out, err := exec.Command("git", "-C", f.s.Srv.Repos.Path(f.src.ID), "cat-file", "-e", pushed).CombinedOutput(); err == nil {
		t.Fatalf("the fork's commit landed in the source: %s", out)
	}

	// The sources go; their forks clone and pass fsck.
	for _, p := range []*gitlab.Project{f.src, f.pub} {
		if _, err := f.ac.Projects.DeleteProject(p.ID, nil); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for _, p := range []*gitlab.Project{f.src, f.pub} {
		for {
			if _, err := os.Stat(f.s.Srv.Repos.Path(p.ID)); os.IsNotExist(err) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("project %d's repository was not purged", p.ID)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	for _, c := range []struct {
		u *labtest.User
		p *gitlab.Project
	}{{f.bob, fork}, {f.carl, grand}} {
		labtest.Git(t, "", "-C", f.s.Srv.Repos.Path(c.p.ID), "fsck", "--strict", "--full")
		labtest.Git(t, t.TempDir(), "clone", "-q", url(c.u, c.p), ".")
		raw := f.do(t, c.u, "GET", "/projects/"+itoa(c.p.ID), nil).Map(t)
		if _, ok := raw["forked_from_project"]; ok {
			t.Fatalf("a fork of a deleted project shows forked_from_project: %v", raw["forked_from_project"])
		}
	}
}

// Concurrent forks of one project are each a whole fork, and each counted.
func TestForkConcurrent(t *testing.T) {
	t.Parallel()
	f := newForkFixture(t)
	const n = 8
	errs := make(chan error, n)
	ids := make(chan int64, n)
	for i := range n {
		go func() {
			name := "par" + itoa(int64(i))
			p, _, err := f.cc.Projects.ForkProject(f.pub.ID, &gitlab.ForkProjectOptions{Name: gitlab.Ptr(name), Path: gitlab.Ptr(name)})
			if err == nil {
				ids <- p.ID
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	close(ids)
	for id := range ids {
		bs, _, err := f.cc.Branches.ListBranches(id, nil)
		if err != nil || len(bs) != 2 || !f.s.Srv.Repos.Borrows(id) {
			t.Fatalf("fork %d: branches %v, %v; borrows %v", id, bs, err, f.s.Srv.Repos.Borrows(id))
		}
	}
	if got, _, err := f.ac.Projects.GetProject(f.pub.ID, nil); err != nil || got.ForksCount != n {
		t.Fatalf("forks_count = %v, %v; want %d", got.ForksCount, err, n)
	}
}
