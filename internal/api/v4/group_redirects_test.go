package v4_test

import (
	"net/url"
	"os"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestGroupRenameAndTransferRedirects: renaming or moving a group keeps
// the old full paths of everything below it as redirect routes, so
// projects answer by their old paths in the API and to git clone. The
// group itself does not answer by its old path in the API: GitLab's
// find_group does not follow redirects (only its web pages do). A new
// group at the old path takes the path and everything below it over.
func TestGroupRenameAndTransferRedirects(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	owner := s.NewUser(t, "redirector")
	oc := s.Client(t, owner.Token)
	top, _, err := oc.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("old"), Path: gitlab.Ptr("old")})
	if err != nil {
		t.Fatal(err)
	}
	sub, _, err := oc.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("sub"), Path: gitlab.Ptr("sub"), ParentID: gitlab.Ptr(top.ID)})
	if err != nil {
		t.Fatal(err)
	}
	app, _, err := oc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("app"), NamespaceID: gitlab.Ptr(sub.ID),
		InitializeWithReadme: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	projectAt := func(path string) (*gitlab.Project, error) {
		p, _, err := oc.Projects.GetProject(path, nil)
		return p, err
	}

	// Rename: the project answers at its old path, in the API and to git.
	if g, _, err := oc.Groups.UpdateGroup(top.ID, &gitlab.UpdateGroupOptions{Path: gitlab.Ptr("renamed")}); err != nil || g.FullPath != "renamed" {
		t.Fatalf("rename = %+v, %v", g, err)
	}
	if p, err := projectAt("old/sub/app"); err != nil || p.ID != app.ID || p.PathWithNamespace != "renamed/sub/app" {
		t.Fatalf("project at its path before the rename = %+v, %v", p, err)
	}
	dir := t.TempDir()
	clone := strings.Replace(s.URL, "http://", "http://"+owner.Username+":"+owner.Token+"@", 1) + "/old/sub/app.git"
	labtest.Git(t, dir, "clone", "-q", clone, ".")
	if _, err := os.Stat(dir + "/README.md"); err != nil {
		t.Fatalf("clone by the path before the rename: %v", err)
	}
	// The API finds groups by their path now only (GitLab's find_group).
	for _, old := range []string{"old", "old/sub"} {
		s.Do(t, labtest.Request{Path: "/groups/" + url.PathEscape(old), Token: owner.Token}).
			ExpectError(t, 404, `{"message":"404 Group Not Found"}`)
	}
	if g, _, err := oc.Groups.GetGroup("renamed/sub", nil); err != nil || g.ID != sub.ID {
		t.Fatalf("subgroup by its new path = %+v, %v", g, err)
	}

	// Transfer: the subgroup moves to the top level; both old paths of
	// the project lead to it.
	if g, _, err := oc.Groups.TransferSubGroup(sub.ID, &gitlab.TransferSubGroupOptions{}); err != nil || g.FullPath != "sub" {
		t.Fatalf("transfer = %+v, %v", g, err)
	}
	for _, old := range []string{"old/sub/app", "renamed/sub/app"} {
		if p, err := projectAt(old); err != nil || p.ID != app.ID || p.PathWithNamespace != "sub/app" {
			t.Fatalf("project at %s = %+v, %v", old, p, err)
		}
	}

	// A new group at the old path takes it over with what is below it.
	fresh, _, err := oc.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("old"), Path: gitlab.Ptr("old")})
	if err != nil {
		t.Fatal(err)
	}
	if g, _, err := oc.Groups.GetGroup("old", nil); err != nil || g.ID != fresh.ID {
		t.Fatalf("group at the reused path = %+v, %v", g, err)
	}
	s.Do(t, labtest.Request{Path: "/projects/" + url.PathEscape("old/sub/app"), Token: owner.Token}).
		ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	if p, err := projectAt("renamed/sub/app"); err != nil || p.ID != app.ID {
		t.Fatalf("project at its other old path = %+v, %v", p, err)
	}
}

// TestProjectRenameRedirect: a project whose path changes answers at its
// old path too, until a new project takes that path.
func TestProjectRenameRedirect(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	owner := s.NewUser(t, "renamer")
	oc := s.Client(t, owner.Token)
	p, _, err := oc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("tool")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := oc.Projects.EditProject(p.ID, &gitlab.EditProjectOptions{Path: gitlab.Ptr("tool2")}); err != nil {
		t.Fatal(err)
	}
	if got, _, err := oc.Projects.GetProject("renamer/tool", nil); err != nil || got.ID != p.ID || got.PathWithNamespace != "renamer/tool2" {
		t.Fatalf("project at its old path = %+v, %v", got, err)
	}
	fresh, _, err := oc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("other"), Path: gitlab.Ptr("tool")})
	if err != nil {
		t.Fatal(err)
	}
	if got, _, err := oc.Projects.GetProject("renamer/tool", nil); err != nil || got.ID != fresh.ID {
		t.Fatalf("project at the reused path = %+v, %v", got, err)
	}
	// The new project takes the path over for good: moving it away
	// leaves its own redirect, not the renamed project's.
	if _, _, err := oc.Projects.EditProject(fresh.ID, &gitlab.EditProjectOptions{Path: gitlab.Ptr("tool3")}); err != nil {
		t.Fatal(err)
	}
	if got, _, err := oc.Projects.GetProject("renamer/tool", nil); err != nil || got.ID != fresh.ID {
		t.Fatalf("project at the twice-used path = %+v, %v", got, err)
	}
}
