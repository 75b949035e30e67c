package v4_test

import (
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestTransferGroup: an Owner moves a group with its subgroup and project
// below another group; paths, visibility and ancestry follow, the old
// project path still answers in the API and to git clone, and GitLab's
// refusals answer 400 with its messages.
func TestTransferGroup(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	owner, other := s.NewUser(t, "gtowner"), s.NewUser(t, "gtother")
	oc := s.Client(t, owner.Token)
	newGroup := func(name string, parent *int64, vis gitlab.VisibilityValue) *gitlab.Group {
		g, _, err := oc.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr(name), Path: gitlab.Ptr(name),
			ParentID: parent, Visibility: gitlab.Ptr(vis)})
		if err != nil {
			t.Fatalf("create group %s: %v", name, err)
		}
		return g
	}
	src := newGroup("src", nil, gitlab.PublicVisibility)
	mover := newGroup("mover", &src.ID, gitlab.PublicVisibility)
	inner := newGroup("inner", &mover.ID, gitlab.PublicVisibility)
	dest := newGroup("dest", nil, gitlab.InternalVisibility)
	clash := newGroup("clash", nil, gitlab.PrivateVisibility)
	newGroup("mover", &clash.ID, gitlab.PrivateVisibility)
	app, _, err := oc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("app"), NamespaceID: gitlab.Ptr(inner.ID),
		Visibility: gitlab.Ptr(gitlab.PublicVisibility), InitializeWithReadme: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}

	path := "/groups/" + itoa(mover.ID) + "/transfer"
	for _, c := range []struct {
		token string
		body  map[string]any
		code  int
		want  string
	}{
		{owner.Token, map[string]any{"group_id": src.ID}, 400, `{"message":"Transfer failed: Group is already associated to the parent group."}`},
		{owner.Token, map[string]any{"group_id": inner.ID}, 400, `{"message":"Transfer failed: Cannot transfer group to one of its subgroup."}`},
		{owner.Token, map[string]any{"group_id": clash.ID}, 400, `{"message":"Transfer failed: The parent group already has a subgroup or a project with the same path."}`},
		{other.Token, map[string]any{"group_id": dest.ID}, 403, `{"message":"403 Forbidden"}`},
		{owner.Token, map[string]any{"group_id": 999999}, 404, `{"message":"404 Group Not Found"}`},
	} {
		s.Do(t, labtest.Request{Method: "POST", Path: path, Token: c.token, JSON: c.body}).ExpectError(t, c.code, c.want)
	}
	s.Do(t, labtest.Request{Method: "POST", Path: "/groups/" + itoa(src.ID) + "/transfer", Token: owner.Token}).
		ExpectError(t, 400, `{"message":"Transfer failed: Group is already a root group."}`)

	// transfer_locations, by name: neither the group, its subgroups nor its parent.
	var locs []struct {
		FullPath string `json:"full_path"`
	}
	s.Do(t, labtest.Request{Path: "/groups/" + itoa(mover.ID) + "/transfer_locations", Token: owner.Token}).JSON(t, &locs)
	var got []string
	for _, l := range locs {
		got = append(got, l.FullPath)
	}
	if !slices.Equal(got, []string{"clash", "dest", "clash/mover"}) {
		t.Fatalf("transfer locations = %v", got)
	}
	s.Do(t, labtest.Request{Path: "/groups/" + itoa(mover.ID) + "/transfer_locations?search=de", Token: owner.Token}).JSON(t, &locs)
	if len(locs) != 1 || locs[0].FullPath != "dest" {
		t.Fatalf("transfer locations ?search=de = %+v", locs)
	}

	moved, _, err := oc.Groups.TransferSubGroup(mover.ID, &gitlab.TransferSubGroupOptions{GroupID: gitlab.Ptr(dest.ID)})
	if err != nil || moved.FullPath != "dest/mover" || moved.ParentID != dest.ID || moved.Visibility != gitlab.InternalVisibility {
		t.Fatalf("transfer = %+v, %v", moved, err)
	}
	sub, _, err := oc.Groups.GetGroup("dest/mover/inner", nil)
	if err != nil || sub.ID != inner.ID || sub.FullName != "dest / mover / inner" || sub.Visibility != gitlab.InternalVisibility {
		t.Fatalf("subgroup after the move = %+v, %v", sub, err)
	}
	p, _, err := oc.Projects.GetProject("src/mover/inner/app", nil)
	if err != nil || p.ID != app.ID || p.PathWithNamespace != "dest/mover/inner/app" || p.Visibility != gitlab.InternalVisibility {
		t.Fatalf("project at its old path = %+v, %v", p, err)
	}
	// The old ancestor's descendants no longer hold it; the new one's do.
	if ds, _, err := oc.Groups.ListDescendantGroups(src.ID, nil); err != nil || len(ds) != 0 {
		t.Fatalf("src's descendants = %d, %v", len(ds), err)
	}
	if ds, _, err := oc.Groups.ListDescendantGroups(dest.ID, nil); err != nil || len(ds) != 2 {
		t.Fatalf("dest's descendants = %d, %v", len(ds), err)
	}
	// git clone by the old path.
	dir := t.TempDir()
	url := strings.Replace(s.URL, "http://", "http://"+owner.Username+":"+owner.Token+"@", 1) + "/src/mover/inner/app.git"
	labtest.Git(t, dir, "clone", "-q", url, ".")
	if _, err := os.Stat(dir + "/README.md"); err != nil {
		t.Fatalf("clone by the old path: %v", err)
	}

	// No deeper than GitLab's 20 ancestors.
	deep := dest
	for i := range 20 {
		deep = newGroup("d"+itoa(int64(i)), &deep.ID, gitlab.PrivateVisibility)
	}
	s.Do(t, labtest.Request{Method: "POST", Path: path, Token: owner.Token, JSON: map[string]any{"group_id": deep.ID}}).
		ExpectError(t, 400, `{"message":"Transfer failed: Validation failed: Parent has too deep level of nesting"}`)

	// Back to the top level.
	top, _, err := oc.Groups.TransferSubGroup(mover.ID, &gitlab.TransferSubGroupOptions{})
	if err != nil || top.FullPath != "mover" || top.ParentID != 0 {
		t.Fatalf("transfer to top level = %+v, %v", top, err)
	}
	if p, _, err := oc.Projects.GetProject("dest/mover/inner/app", nil); err != nil || p.PathWithNamespace != "mover/inner/app" {
		t.Fatalf("project at its second old path = %+v, %v", p, err)
	}
	if members, _, err := oc.Groups.ListGroupMembers(mover.ID, nil); err != nil || len(members) != 1 || members[0].ID != owner.ID {
		t.Fatalf("members of the promoted group = %+v, %v", members, err)
	}
}

// TestTransferProjectToGroup: POST /groups/:id/projects/:project_id is an
// administrator's move (client-go's TransferGroup).
func TestTransferProjectToGroup(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	owner := s.NewUser(t, "ptgowner")
	oc, root := s.Client(t, owner.Token), s.Client(t, s.RootToken)
	g, _, err := oc.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("target"), Path: gitlab.Ptr("target")})
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := oc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("lone")})
	if err != nil {
		t.Fatal(err)
	}
	if _, resp, _ := oc.Groups.TransferGroup(g.ID, p.ID); resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("owner's transfer = %v", resp)
	}
	got, resp, err := root.Groups.TransferGroup(g.ID, p.ID)
	if err != nil || resp.StatusCode != http.StatusCreated || got.ID != g.ID {
		t.Fatalf("admin's transfer = %+v, %v", got, err)
	}
	if moved, _, err := oc.Projects.GetProject(p.ID, nil); err != nil || moved.PathWithNamespace != "target/lone" {
		t.Fatalf("moved = %+v, %v", moved, err)
	}
	s.Do(t, labtest.Request{Method: "POST", Path: "/groups/" + itoa(g.ID) + "/projects/" + itoa(p.ID), Token: s.RootToken}).
		ExpectError(t, http.StatusBadRequest, `{"message":"Failed to transfer project {:new_namespace=>[\"Project is already in this namespace.\"]}"}`)
}
