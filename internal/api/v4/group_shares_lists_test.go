package v4_test

import (
	"net/http"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/model"
)

// TestSharedMembersAndLists: members of a group a project or group is
// shared with are among its members/all, capped by the share's level and
// expiring with it; the group lists its shared projects, the groups it was
// invited to, and a group its invited groups (direct and inherited).
func TestSharedMembersAndLists(t *testing.T) {
	t.Parallel()
	f := shareSetup(t)
	s := f.s
	oc, bc, mc := s.Client(t, f.owner.Token), s.Client(t, f.bob.Token), s.Client(t, f.maint.Token)
	if _, err := oc.Projects.ShareProjectWithGroup(f.app.ID, &gitlab.ShareWithGroupOptions{GroupID: gitlab.Ptr(f.team.ID),
		GroupAccess: gitlab.Ptr(gitlab.ReporterPermissions), ExpiresAt: gitlab.Ptr("2999-01-02")}); err != nil {
		t.Fatal(err)
	}
	type want struct {
		level   gitlab.AccessLevelValue
		expires string
	}
	// root made team, so is its Owner: on a share, one capped like any.
	me, _, err := s.Client(t, s.RootToken).Users.CurrentUser()
	if err != nil {
		t.Fatal(err)
	}
	root := &labtest.User{User: &model.User{ID: me.ID, Username: me.Username}}
	check := func(what string, got map[int64]want, expect map[*labtest.User]want) {
		t.Helper()
		if len(got) != len(expect) {
			t.Errorf("%s: %d members %v, want %d", what, len(got), got, len(expect))
		}
		for u, w := range expect {
			if got[u.ID] != w {
				t.Errorf("%s: %s = %+v, want %+v", what, u.Username, got[u.ID], w)
			}
		}
	}
	pm, _, err := oc.ProjectMembers.ListAllProjectMembers(f.app.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]want{}
	for _, m := range pm {
		w := want{level: m.AccessLevel}
		if m.ExpiresAt != nil {
			w.expires = m.ExpiresAt.String()
		}
		got[m.ID] = w
	}
	check("project members/all", got, map[*labtest.User]want{f.owner: {gitlab.OwnerPermissions, ""},
		f.maint: {gitlab.MaintainerPermissions, ""}, f.bob: {gitlab.ReporterPermissions, "2999-01-02"},
		f.carol: {gitlab.GuestPermissions, "2999-01-02"}, root: {gitlab.ReporterPermissions, "2999-01-02"}})

	// The team's shared projects: bob sees app; the project's own
	// Maintainer does not see the private team.
	shared, _, err := bc.Groups.ListGroupSharedProjects(f.team.ID, nil)
	if err != nil || len(shared) != 1 || shared[0].ID != f.app.ID {
		t.Fatalf("shared projects = %v, %v", shared, err)
	}
	if _, resp, _ := mc.Groups.ListGroupSharedProjects(f.team.ID, nil); resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("shared projects as an outsider = %v", resp)
	}
	if shared, _, err := oc.Groups.ListGroupSharedProjects(f.src.ID, nil); err != nil || len(shared) != 0 {
		t.Fatalf("src's shared projects = %v, %v", shared, err)
	}

	// A group shared with team: its members/all has team's, at Developer.
	if _, _, err := oc.Groups.ShareGroupWithGroup(f.src.ID, &gitlab.ShareGroupWithGroupOptions{GroupID: gitlab.Ptr(f.team.ID),
		GroupAccess: gitlab.Ptr(gitlab.DeveloperPermissions)}); err != nil {
		t.Fatal(err)
	}
	child, _, err := oc.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("child"), Path: gitlab.Ptr("child"),
		ParentID: gitlab.Ptr(f.src.ID)})
	if err != nil {
		t.Fatal(err)
	}
	gm, _, err := oc.Groups.ListAllGroupMembers(child.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	got = map[int64]want{}
	for _, m := range gm {
		got[m.ID] = want{level: m.AccessLevel}
	}
	check("subgroup members/all", got, map[*labtest.User]want{f.owner: {gitlab.OwnerPermissions, ""},
		f.bob: {gitlab.DeveloperPermissions, ""}, f.carol: {gitlab.GuestPermissions, ""}, root: {gitlab.DeveloperPermissions, ""}})

	var groups []struct {
		FullPath string `json:"full_path"`
	}
	paths := func(path, token string) []string {
		t.Helper()
		s.Do(t, labtest.Request{Path: path, Token: token}).JSON(t, &groups)
		out := []string{}
		for _, g := range groups {
			out = append(out, g.FullPath)
		}
		return out
	}
	for _, c := range []struct {
		path, token string
		want        []string
	}{
		{"/groups/team/groups/shared", f.bob.Token, []string{"src"}},
		{"/groups/src/invited_groups", f.owner.Token, []string{"team"}},
		{"/groups/src%2Fchild/invited_groups", f.owner.Token, []string{"team"}},
		{"/groups/src%2Fchild/invited_groups?relation=direct", f.owner.Token, []string{}},
		{"/groups/src%2Fchild/invited_groups?relation[]=inherited", f.owner.Token, []string{"team"}},
		{"/groups/src/groups/shared", f.owner.Token, []string{}},
	} {
		if got := paths(c.path, c.token); len(got) != len(c.want) || len(got) > 0 && got[0] != c.want[0] {
			t.Errorf("%s = %v, want %v", c.path, got, c.want)
		}
	}
	s.Do(t, labtest.Request{Path: "/groups/src/invited_groups?relation=cousins", Token: f.owner.Token}).
		ExpectError(t, http.StatusBadRequest, `{"error":"relation does not have a valid value"}`)
}
