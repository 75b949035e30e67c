package v4_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

type shareFixture struct {
	s                        *labtest.Server
	owner, maint, bob, carol *labtest.User
	src, team, hidden        *gitlab.Group
	app                      *gitlab.Project
}

// shareSetup: owner owns group src and its private project app (maint is
// its Maintainer); team is a private group where bob is a Developer and
// carol a Guest, and which owner sees as a Guest; hidden is a private
// group owner cannot see.
func shareSetup(t *testing.T) *shareFixture {
	s := labtest.Start(t)
	f := &shareFixture{s: s, owner: s.NewUser(t, "shareowner"), maint: s.NewUser(t, "sharemaint"),
		bob: s.NewUser(t, "bob"), carol: s.NewUser(t, "carol")}
	root, oc := s.Client(t, s.RootToken), s.Client(t, f.owner.Token)
	var err error
	newGroup := func(c *gitlab.Client, name string) *gitlab.Group {
		g, _, err := c.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr(name), Path: gitlab.Ptr(name),
			Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
		if err != nil {
			t.Fatalf("create group %s: %v", name, err)
		}
		return g
	}
	addMember := func(g int64, u *labtest.User, level gitlab.AccessLevelValue) {
		if _, _, err := root.GroupMembers.AddGroupMember(g, &gitlab.AddGroupMemberOptions{UserID: gitlab.Ptr(u.ID),
			AccessLevel: gitlab.Ptr(level)}); err != nil {
			t.Fatalf("add member: %v", err)
		}
	}
	f.src, f.team, f.hidden = newGroup(oc, "src"), newGroup(root, "team"), newGroup(root, "hidden")
	addMember(f.team.ID, f.bob, gitlab.DeveloperPermissions)
	addMember(f.team.ID, f.carol, gitlab.GuestPermissions)
	addMember(f.team.ID, f.owner, gitlab.GuestPermissions)
	if f.app, _, err = oc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("app"),
		NamespaceID: gitlab.Ptr(f.src.ID), InitializeWithReadme: gitlab.Ptr(true),
		Visibility: gitlab.Ptr(gitlab.PrivateVisibility)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := oc.ProjectMembers.AddProjectMember(f.app.ID, &gitlab.AddProjectMemberOptions{UserID: f.maint.ID,
		AccessLevel: gitlab.Ptr(gitlab.MaintainerPermissions)}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *shareFixture) share(t *testing.T, token string, groupID int64, level gitlab.AccessLevelValue) *labtest.Response {
	t.Helper()
	return f.s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + itoa(f.app.ID) + "/share", Token: token,
		JSON: map[string]any{"group_id": groupID, "group_access": int(level)}})
}

// TestShareProjectWithGroup: members of the group a project is shared
// with reach it at min(their level, group_access), are listed among its
// users and lose it when the share goes; the sharing rules are GitLab's.
func TestShareProjectWithGroup(t *testing.T) {
	t.Parallel()
	f := shareSetup(t)
	s := f.s
	oc, bc := s.Client(t, f.owner.Token), s.Client(t, f.bob.Token)
	if _, resp, _ := bc.Projects.GetProject(f.app.ID, nil); resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("before the share bob gets %v", resp)
	}
	resp, err := oc.Projects.ShareProjectWithGroup(f.app.ID, &gitlab.ShareWithGroupOptions{GroupID: gitlab.Ptr(f.team.ID),
		GroupAccess: gitlab.Ptr(gitlab.ReporterPermissions)})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("share: %v", err)
	}

	// bob, a Developer of team, is a Reporter on app: he reads it and
	// its code, and may not create a branch.
	p, _, err := bc.Projects.GetProject(f.app.ID, nil)
	if err != nil {
		t.Fatalf("bob reads the shared project: %v", err)
	}
	if p.Permissions == nil || p.Permissions.ProjectAccess == nil || p.Permissions.ProjectAccess.AccessLevel != gitlab.ReporterPermissions {
		t.Fatalf("bob's permissions = %+v", p.Permissions)
	}
	if _, _, err := bc.Repositories.ListTree(f.app.ID, nil); err != nil {
		t.Fatalf("bob reads the code: %v", err)
	}
	if _, resp, _ := bc.Branches.CreateBranch(f.app.ID, &gitlab.CreateBranchOptions{Branch: gitlab.Ptr("b"),
		Ref: gitlab.Ptr("main")}); resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("bob creates a branch: %v", resp)
	}
	// Lists see it too: bob's projects, git over HTTP.
	mine, _, err := bc.Projects.ListProjects(&gitlab.ListProjectsOptions{Membership: gitlab.Ptr(true)})
	if err != nil || !slices.ContainsFunc(mine, func(p *gitlab.Project) bool { return p.ID == f.app.ID }) {
		t.Fatalf("bob's projects = %v, %v", mine, err)
	}
	// The project shows its share.
	op, _, err := oc.Projects.GetProject(f.app.ID, nil)
	if err != nil || len(op.SharedWithGroups) != 1 || op.SharedWithGroups[0].GroupID != f.team.ID ||
		op.SharedWithGroups[0].GroupAccessLevel != int64(gitlab.ReporterPermissions) || op.SharedWithGroups[0].GroupFullPath != "team" {
		t.Fatalf("shared_with_groups = %+v, %v", op.SharedWithGroups, err)
	}

	// Refusals.
	f.share(t, f.owner.Token, f.team.ID, gitlab.GuestPermissions).
		ExpectError(t, http.StatusConflict, `{"message":"Group already shared with this group"}`)
	f.share(t, f.owner.Token, f.hidden.ID, gitlab.GuestPermissions).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Not Found"}`)
	f.share(t, f.owner.Token, 999999, gitlab.GuestPermissions).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Not Found"}`)
	f.share(t, f.owner.Token, f.src.ID, gitlab.GuestPermissions).
		ExpectError(t, http.StatusConflict, `{"message":"Project cannot be shared with the group it is in or one of its ancestors."}`)
	other, _, err := s.Client(t, s.RootToken).Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("other"),
		Path: gitlab.Ptr("other"), Visibility: gitlab.Ptr(gitlab.PublicVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	f.share(t, f.maint.Token, other.ID, gitlab.OwnerPermissions).ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	f.share(t, f.bob.Token, other.ID, gitlab.GuestPermissions).ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	f.share(t, f.owner.Token, other.ID, 31).ExpectError(t, http.StatusBadRequest, `{"error":"group_access does not have a valid value"}`)
	expectStatus(t, s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + itoa(f.app.ID) + "/share", Token: f.owner.Token,
		JSON: map[string]any{"group_id": "x", "group_access": 10}}), http.StatusBadRequest)
	expectStatus(t, s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + itoa(f.app.ID) + "/share", Token: f.owner.Token,
		JSON: map[string]any{"group_id": other.ID, "group_access": 10, "expires_at": "2001-01-01"}}), http.StatusBadRequest)

	// Users and groups of the project.
	users, _, err := oc.Projects.ListProjectsUsers(f.app.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range users {
		names = append(names, u.Username)
	}
	for _, want := range []string{"shareowner", "sharemaint", "bob", "carol"} {
		if !slices.Contains(names, want) {
			t.Errorf("project users %v lack %s", names, want)
		}
	}
	if found, _, _ := oc.Projects.ListProjectsUsers(f.app.ID, &gitlab.ListProjectUserOptions{Search: gitlab.Ptr("bo")}); len(found) != 1 || found[0].Username != "bob" {
		t.Errorf("search bo = %v", found)
	}
	groups, _, err := oc.Projects.ListProjectsGroups(f.app.ID, &gitlab.ListProjectGroupOptions{WithShared: gitlab.Ptr(true)})
	if err != nil || len(groups) != 2 || groups[0].FullPath != "src" || groups[1].FullPath != "team" {
		t.Fatalf("groups with shared = %+v, %v", groups, err)
	}
	groups, _, _ = oc.Projects.ListProjectsGroups(f.app.ID, &gitlab.ListProjectGroupOptions{WithShared: gitlab.Ptr(true),
		SharedMinAccessLevel: gitlab.Ptr(gitlab.DeveloperPermissions)})
	if len(groups) != 1 || groups[0].FullPath != "src" {
		t.Fatalf("groups shared at Developer = %+v", groups)
	}

	// Unsharing takes the access away.
	if resp, err := oc.Projects.DeleteSharedProjectFromGroup(f.app.ID, f.team.ID); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("unshare: %v", err)
	}
	if _, resp, _ := bc.Projects.GetProject(f.app.ID, nil); resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("after unsharing bob gets %v", resp)
	}
	s.Do(t, labtest.Request{Method: "DELETE", Path: "/projects/" + itoa(f.app.ID) + "/share/" + itoa(f.team.ID),
		Token: f.owner.Token}).ExpectError(t, http.StatusNotFound, `{"message":"404 Group Link Not Found"}`)
}

// TestShareGroupWithGroup: a group shared with another gives the other's
// members min(their level, group_access) on it and its projects.
func TestShareGroupWithGroup(t *testing.T) {
	t.Parallel()
	f := shareSetup(t)
	s := f.s
	oc, bc := s.Client(t, f.owner.Token), s.Client(t, f.bob.Token)
	g, resp, err := oc.Groups.ShareGroupWithGroup(f.src.ID, &gitlab.ShareGroupWithGroupOptions{GroupID: gitlab.Ptr(f.team.ID),
		GroupAccess: gitlab.Ptr(gitlab.GuestPermissions)})
	if err != nil || resp.StatusCode != http.StatusCreated || len(g.SharedWithGroups) != 1 || g.SharedWithGroups[0].GroupID != f.team.ID {
		t.Fatalf("share group = %+v, %v", g, err)
	}
	p, _, err := bc.Projects.GetProject(f.app.ID, nil)
	if err != nil || p.Permissions.GroupAccess == nil || p.Permissions.GroupAccess.AccessLevel != gitlab.GuestPermissions {
		t.Fatalf("bob on the shared group's project = %+v, %v", p, err)
	}
	if _, _, err := bc.Groups.GetGroup(f.src.ID, nil); err != nil {
		t.Fatalf("bob reads the shared group: %v", err)
	}
	expectStatus(t, s.Do(t, labtest.Request{Method: "POST", Path: "/groups/" + itoa(f.src.ID) + "/share", Token: f.owner.Token,
		JSON: map[string]any{"group_id": f.team.ID, "group_access": 10}}), http.StatusConflict)
	expectStatus(t, s.Do(t, labtest.Request{Method: "POST", Path: "/groups/" + itoa(f.src.ID) + "/share", Token: f.owner.Token,
		JSON: map[string]any{"group_id": f.hidden.ID, "group_access": 10}}), http.StatusNotFound)
	s.Do(t, labtest.Request{Method: "POST", Path: "/groups/" + itoa(f.team.ID) + "/share", Token: f.bob.Token,
		JSON: map[string]any{"group_id": f.src.ID, "group_access": 10}}).ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	if resp, err := oc.Groups.UnshareGroupFromGroup(f.src.ID, f.team.ID); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("unshare group: %v", err)
	}
	if _, resp, _ := bc.Projects.GetProject(f.app.ID, nil); resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("after unsharing bob gets %v", resp)
	}
}

// TestTransferProject: the Owner moves a project to a group where they
// may create projects; its old path (API and git) still reaches it.
func TestTransferProject(t *testing.T) {
	t.Parallel()
	f := shareSetup(t)
	s := f.s
	oc := s.Client(t, f.owner.Token)
	dest, _, err := oc.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("dest"), Path: gitlab.Ptr("dest")})
	if err != nil {
		t.Fatal(err)
	}
	taken, _, err := oc.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("taken"), Path: gitlab.Ptr("taken")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := oc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("app"), NamespaceID: gitlab.Ptr(taken.ID)}); err != nil {
		t.Fatal(err)
	}
	path := "/projects/" + itoa(f.app.ID) + "/transfer"
	s.Do(t, labtest.Request{Method: "PUT", Path: path, Token: f.owner.Token, JSON: map[string]any{"namespace": "taken"}}).
		ExpectError(t, http.StatusBadRequest, `{"message":"Failed to transfer project {:new_namespace=>[\"Project with same name or path in target namespace already exists\"]}"}`)
	s.Do(t, labtest.Request{Method: "PUT", Path: path, Token: f.maint.Token, JSON: map[string]any{"namespace": dest.ID}}).
		ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	s.Do(t, labtest.Request{Method: "PUT", Path: path, Token: f.owner.Token, JSON: map[string]any{"namespace": "hidden"}}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Namespace Not Found"}`)
	// A Guest of team creates no project there.
	expectStatus(t, s.Do(t, labtest.Request{Method: "PUT", Path: path, Token: f.owner.Token, JSON: map[string]any{"namespace": "team"}}),
		http.StatusBadRequest)
	expectStatus(t, s.Do(t, labtest.Request{Method: "PUT", Path: path, Token: f.owner.Token, JSON: map[string]any{}}),
		http.StatusBadRequest)

	// GitLab's client has no call for transfer_locations.
	var locs []struct {
		FullPath string `json:"full_path"`
	}
	s.Do(t, labtest.Request{Path: "/projects/" + itoa(f.app.ID) + "/transfer_locations", Token: f.owner.Token}).JSON(t, &locs)
	var locPaths []string
	for _, l := range locs {
		locPaths = append(locPaths, l.FullPath)
	}
	if !slices.Contains(locPaths, "dest") || slices.Contains(locPaths, "src") || slices.Contains(locPaths, "team") {
		t.Fatalf("transfer locations = %v", locPaths)
	}
	expectStatus(t, s.Do(t, labtest.Request{Path: "/projects/" + itoa(f.app.ID) + "/transfer_locations", Token: f.maint.Token}),
		http.StatusForbidden)

	moved, _, err := oc.Projects.TransferProject(f.app.ID, &gitlab.TransferProjectOptions{Namespace: "dest"})
	if err != nil || moved.PathWithNamespace != "dest/app" || moved.Namespace.ID != dest.ID {
		t.Fatalf("transfer = %+v, %v", moved, err)
	}
	old, _, err := oc.Projects.GetProject("src/app", nil)
	if err != nil || old.ID != f.app.ID || old.PathWithNamespace != "dest/app" {
		t.Fatalf("old path = %+v, %v", old, err)
	}
	// git follows the old path too.
	refs := s.Do(t, labtest.Request{Path: s.URL + "/src/app.git/info/refs?service=git-upload-pack", Header: map[string]string{
		"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("shareowner:"+f.owner.Token))}})
	if refs.Status != http.StatusOK || !strings.Contains(string(refs.Body), "refs/heads/main") {
		t.Fatalf("git info/refs at the old path = %d %.200s", refs.Status, refs.Body)
	}
	// A public project moved into a private group becomes private.
	pub, _, err := oc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("pub"),
		Visibility: gitlab.Ptr(gitlab.PublicVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	if moved, _, err := oc.Projects.TransferProject(pub.ID, &gitlab.TransferProjectOptions{Namespace: dest.ID}); err != nil ||
		moved.Visibility != gitlab.PrivateVisibility || moved.PathWithNamespace != "dest/pub" {
		t.Fatalf("transfer public = %+v, %v", moved, err)
	}
	// The old group no longer holds it; anyone else's view is unchanged.
	if _, resp, _ := s.Client(t, f.bob.Token).Projects.GetProject(url.PathEscape("src/app"), nil); resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("bob at the old path = %v", resp)
	}
}

// expectStatus fails t unless r answered status.
func expectStatus(t *testing.T, r *labtest.Response, status int) {
	t.Helper()
	if r.Status != status {
		t.Errorf("status %d, want %d: %.300s", r.Status, status, r.Body)
	}
}
