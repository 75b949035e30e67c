package v4_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// grpNew creates a group through the API as token's user.
func grpNew(t *testing.T, s *labtest.Server, token, path string, parent *gitlab.Group, vis gitlab.VisibilityValue) *gitlab.Group {
	t.Helper()
	opt := &gitlab.CreateGroupOptions{Name: gitlab.Ptr(strings.ToUpper(path[:1]) + path[1:]), Path: gitlab.Ptr(path),
		Visibility: gitlab.Ptr(vis)}
	if parent != nil {
		opt.ParentID = gitlab.Ptr(parent.ID)
	}
	g, _, err := s.Client(t, token).Groups.CreateGroup(opt)
	if err != nil {
		t.Fatalf("create group %s: %v", path, err)
	}
	return g
}

// grpAddMember makes u a direct member of group g at level.
func grpAddMember(t *testing.T, s *labtest.Server, g *gitlab.Group, u *labtest.User, level gitlab.AccessLevelValue) {
	t.Helper()
	_, _, err := s.Client(t, s.RootToken).GroupMembers.AddGroupMember(g.ID, &gitlab.AddGroupMemberOptions{
		UserID: gitlab.Ptr(u.ID), AccessLevel: gitlab.Ptr(level)})
	if err != nil {
		t.Fatalf("add member %s: %v", u.Username, err)
	}
}

func TestGroupCreateAndGet(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	c := s.Client(t, alice.Token)

	g, resp, err := c.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Top Group"), Path: gitlab.Ptr("top"),
		Description: gitlab.Ptr("the top"), Visibility: gitlab.Ptr(gitlab.InternalVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated || g.FullPath != "top" || g.FullName != "Top Group" || g.ParentID != 0 ||
		g.Visibility != gitlab.InternalVisibility || g.Description != "the top" || g.CreatedAt == nil ||
		!strings.HasSuffix(g.WebURL, "/groups/top") {
		t.Fatalf("group = %+v", g)
	}
	sub := grpNew(t, s, alice.Token, "sub", g, gitlab.PrivateVisibility)
	if sub.FullPath != "top/sub" || sub.FullName != "Top Group / Sub" || sub.ParentID != g.ID {
		t.Fatalf("sub = %+v", sub)
	}
	// The creator is the Owner.
	m, _, err := c.GroupMembers.GetGroupMember(g.ID, alice.ID)
	if err != nil || m.AccessLevel != gitlab.OwnerPermissions {
		t.Fatalf("creator membership = %+v, %v", m, err)
	}
	t.Run("GetByPath", func(t *testing.T) {
		got, _, err := c.Groups.GetGroup("top/sub", nil)
		if err != nil || got.ID != sub.ID {
			t.Fatalf("get = %+v, %v", got, err)
		}
		r := s.Do(t, labtest.Request{Path: "/groups/top%2Fsub", Token: alice.Token})
		m := r.Map(t)
		if r.Status != 200 || m["projects"] == nil || m["shared_projects"] == nil || m["full_path"] != "top/sub" {
			t.Fatalf("raw get = %d %s", r.Status, r.Body)
		}
	})
	t.Run("ErrDuplicatePath", func(t *testing.T) {
		r := s.Do(t, labtest.Request{Method: "POST", Path: "/groups", Token: alice.Token,
			JSON: map[string]any{"name": "Other", "path": "TOP"}})
		r.ExpectError(t, 400, `{"message":"Failed to save group {:path=>[\"has already been taken\"]}"}`)
	})
	t.Run("ErrUserNamespacePath", func(t *testing.T) {
		r := s.Do(t, labtest.Request{Method: "POST", Path: "/groups", Token: alice.Token,
			JSON: map[string]any{"name": "Alice", "path": "alice"}})
		r.ExpectError(t, 400, `{"message":"Failed to save group {:path=>[\"has already been taken\"]}"}`)
	})
	t.Run("ErrMissing", func(t *testing.T) {
		s.Do(t, labtest.Request{Method: "POST", Path: "/groups", Token: alice.Token, JSON: map[string]any{"path": "x"}}).
			ExpectError(t, 400, `{"error":"name is missing"}`)
		s.Do(t, labtest.Request{Method: "POST", Path: "/groups", Token: alice.Token, JSON: map[string]any{"name": "x"}}).
			ExpectError(t, 400, `{"error":"path is missing"}`)
	})
	t.Run("ErrReservedAndInvalidPaths", func(t *testing.T) {
		for path, msg := range map[string]string{
			"admin":   "is a reserved name",
			"-x":      "can contain only letters, digits, '_', '-' and '.'. Cannot start with '-', end in '.git' or end in '.atom'",
			"a/b":     "can contain only letters, digits, '_', '-' and '.'. Cannot start with '-', end in '.git' or end in '.atom'",
			"x.git":   "can contain only letters, digits, '_', '-' and '.'. Cannot start with '-', end in '.git' or end in '.atom'",
			"..":      "can contain only letters, digits, '_', '-' and '.'. Cannot start with '-', end in '.git' or end in '.atom'",
			"a\x00b":  "",
			"":        "can't be blank",
			"groups":  "is a reserved name",
			"api":     "is a reserved name",
			"a b":     "can contain only letters, digits, '_', '-' and '.'. Cannot start with '-', end in '.git' or end in '.atom'",
			"élan":    "can contain only letters, digits, '_', '-' and '.'. Cannot start with '-', end in '.git' or end in '.atom'",
			"new-one": "-",
		} {
			r := s.Do(t, labtest.Request{Method: "POST", Path: "/groups", Token: alice.Token,
				JSON: map[string]any{"name": "Fine", "path": path}})
			switch msg {
			case "":
				r.ExpectError(t, 400, `{"error":"path is invalid"}`)
			case "-":
				if r.Status != 201 {
					t.Fatalf("path %q: %d %s", path, r.Status, r.Body)
				}
			default:
				r.ExpectError(t, 400, `{"message":"Failed to save group {:path=>[`+grpQuote(msg)+`]}"}`)
			}
		}
		// A reserved top-level name is fine for a subgroup.
		r := s.Do(t, labtest.Request{Method: "POST", Path: "/groups", Token: alice.Token,
			JSON: map[string]any{"name": "Admin", "path": "admin", "parent_id": g.ID}})
		if r.Status != 201 {
			t.Fatalf("subgroup admin: %d %s", r.Status, r.Body)
		}
	})
	t.Run("ErrOverlongName", func(t *testing.T) {
		r := s.Do(t, labtest.Request{Method: "POST", Path: "/groups", Token: alice.Token,
			JSON: map[string]any{"name": strings.Repeat("n", 256), "path": "long-name"}})
		r.ExpectError(t, 400, `{"message":"Failed to save group {:name=>[\"is too long (maximum is 255 characters)\"]}"}`)
		r = s.Do(t, labtest.Request{Method: "POST", Path: "/groups", Token: alice.Token,
			JSON: map[string]any{"name": "x", "path": strings.Repeat("p", 300)}})
		r.ExpectError(t, 400, `{"message":"Failed to save group {:path=>[\"is too long (maximum is 255 characters)\"]}"}`)
	})
	t.Run("ErrBadInput", func(t *testing.T) {
		s.Do(t, labtest.Request{Method: "POST", Path: "/groups", Token: alice.Token, RawBody: `{"name":`}).
			ExpectError(t, 400, `{"error":"The provided content-type 'application/json' is not valid JSON"}`)
		s.Do(t, labtest.Request{Method: "POST", Path: "/groups", Token: alice.Token, JSON: map[string]any{"name": "x", "path": "x", "visibility": "secret"}}).
			ExpectError(t, 400, `{"error":"visibility does not have a valid value"}`)
		s.Do(t, labtest.Request{Method: "POST", Path: "/groups", Token: alice.Token, JSON: map[string]any{"name": "x", "path": "x", "parent_id": "abc"}}).
			ExpectError(t, 400, `{"error":"parent_id is invalid"}`)
		s.Do(t, labtest.Request{Method: "POST", Path: "/groups", Token: alice.Token, JSON: map[string]any{"name": []int{1}, "path": "x"}}).
			ExpectError(t, 400, `{"error":"name is invalid"}`)
		s.Do(t, labtest.Request{Method: "POST", Path: "/groups", Token: alice.Token, JSON: map[string]any{"name": "x", "path": "x", "lfs_enabled": "maybe"}}).
			ExpectError(t, 400, `{"error":"lfs_enabled is invalid"}`)
		s.Do(t, labtest.Request{Method: "POST", Path: "/groups", Token: alice.Token, JSON: map[string]any{"name": "x", "path": "x", "subgroup_creation_level": "guest"}}).
			ExpectError(t, 400, `{"error":"subgroup_creation_level does not have a valid value"}`)
		s.Do(t, labtest.Request{Method: "POST", Path: "/groups", Token: alice.Token, JSON: map[string]any{"name": "x", "path": "x", "parent_id": 999999}}).
			ExpectError(t, 404, `{"message":"404 Group Not Found"}`)
		s.Do(t, labtest.Request{Method: "POST", Path: "/groups", Token: alice.Token, JSON: map[string]any{"name": "x", "path": "x", "parent_id": alice.NamespaceID}}).
			ExpectError(t, 404, `{"message":"404 Group Not Found"}`)
	})
	t.Run("ErrVisibilityAboveParent", func(t *testing.T) {
		r := s.Do(t, labtest.Request{Method: "POST", Path: "/groups", Token: alice.Token,
			JSON: map[string]any{"name": "Pub", "path": "pub", "parent_id": sub.ID, "visibility": "public"}})
		r.ExpectError(t, 400, `{"message":"Failed to save group {:visibility_level=>[\"public is not allowed since the parent group has a private visibility.\"]}"}`)
	})
	t.Run("ErrAnonymous", func(t *testing.T) {
		s.Do(t, labtest.Request{Method: "POST", Path: "/groups", JSON: map[string]any{"name": "x", "path": "x"}}).
			ExpectError(t, 401, `{"message":"401 Unauthorized"}`)
	})
	t.Run("ErrCannotCreateGroup", func(t *testing.T) {
		bob := s.NewUser(t, "bob")
		ctx := context.Background()
		bob.CanCreateGroup = false
		if err := s.Srv.DB.WithTx(ctx, func(q *store.Queries) error { return q.UpdateUser(ctx, bob.User) }); err != nil {
			t.Fatal(err)
		}
		s.Do(t, labtest.Request{Method: "POST", Path: "/groups", Token: bob.Token, JSON: map[string]any{"name": "x", "path": "bobs"}}).
			ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	})
	t.Run("HostileRefs", func(t *testing.T) {
		for _, ref := range []string{"..%2F..", "%00", "top%00", "top%2F..%2Ftop", "%E2%28%A1", "0", "-1", "99999999999999999999999"} {
			r := s.Do(t, labtest.Request{Path: "/groups/" + ref, Token: alice.Token})
			if r.Status != 404 {
				t.Fatalf("ref %q: %d %s", ref, r.Status, r.Body)
			}
		}
	})
}

// grpQuote renders a Ruby-inspected string as it appears inside JSON.
func grpQuote(s string) string { return `\"` + s + `\"` }

func TestGroupNestingLimit(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	parent := grpNew(t, s, s.RootToken, "g0", nil, gitlab.PrivateVisibility)
	for i := 1; i <= 20; i++ {
		parent = grpNew(t, s, s.RootToken, "g"+strconv.Itoa(i), parent, gitlab.PrivateVisibility)
	}
	r := s.Do(t, labtest.Request{Method: "POST", Path: "/groups", Token: s.RootToken,
		JSON: map[string]any{"name": "Deep", "path": "deep", "parent_id": parent.ID}})
	r.ExpectError(t, 400, `{"message":"Failed to save group {:parent_id=>[\"has too deep level of nesting\"]}"}`)
}

// grpRoles is a private group tree with one user per role on top, and
// an inherited maintainer.
type grpRoles struct {
	s                                        *labtest.Server
	top, sub                                 *gitlab.Group
	owner, maint, dev, guest, outsider, sub2 *labtest.User
}

func grpSetupRoles(t *testing.T) *grpRoles {
	s := labtest.Start(t)
	r := &grpRoles{s: s, owner: s.NewUser(t, "owner"), maint: s.NewUser(t, "maint"), dev: s.NewUser(t, "dev"),
		guest: s.NewUser(t, "guest"), outsider: s.NewUser(t, "outsider"), sub2: s.NewUser(t, "submaint")}
	r.top = grpNew(t, s, r.owner.Token, "top", nil, gitlab.PrivateVisibility)
	r.sub = grpNew(t, s, r.owner.Token, "sub", r.top, gitlab.PrivateVisibility)
	grpAddMember(t, s, r.top, r.maint, gitlab.MaintainerPermissions)
	grpAddMember(t, s, r.top, r.dev, gitlab.DeveloperPermissions)
	grpAddMember(t, s, r.top, r.guest, gitlab.GuestPermissions)
	grpAddMember(t, s, r.sub, r.sub2, gitlab.MaintainerPermissions)
	return r
}

func TestGroupPermissions(t *testing.T) {
	t.Parallel()
	r := grpSetupRoles(t)
	s := r.s
	t.Run("Visibility", func(t *testing.T) {
		for _, u := range []*labtest.User{r.owner, r.maint, r.dev, r.guest} {
			if _, _, err := s.Client(t, u.Token).Groups.GetGroup("top/sub", nil); err != nil {
				t.Fatalf("%s: inherited read: %v", u.Username, err)
			}
		}
		s.Do(t, labtest.Request{Path: "/groups/top", Token: r.outsider.Token}).ExpectError(t, 404, `{"message":"404 Group Not Found"}`)
		s.Do(t, labtest.Request{Path: "/groups/top"}).ExpectError(t, 404, `{"message":"404 Group Not Found"}`)
		// A member of the subgroup does not see the private parent.
		s.Do(t, labtest.Request{Path: "/groups/top", Token: r.sub2.Token}).ExpectError(t, 404, `{"message":"404 Group Not Found"}`)
	})
	t.Run("Subgroups", func(t *testing.T) {
		// Maintainers may create subgroups, developers may not.
		grpNew(t, s, r.maint.Token, "bymaint", r.top, gitlab.PrivateVisibility)
		grpNew(t, s, r.sub2.Token, "bysub2", r.sub, gitlab.PrivateVisibility)
		s.Do(t, labtest.Request{Method: "POST", Path: "/groups", Token: r.dev.Token, JSON: map[string]any{"name": "x", "path": "x", "parent_id": r.top.ID}}).
			ExpectError(t, 403, `{"message":"403 Forbidden"}`)
		s.Do(t, labtest.Request{Method: "POST", Path: "/groups", Token: r.outsider.Token, JSON: map[string]any{"name": "x", "path": "x", "parent_id": r.top.ID}}).
			ExpectError(t, 404, `{"message":"404 Group Not Found"}`)
	})
	t.Run("Update", func(t *testing.T) {
		for _, u := range []*labtest.User{r.maint, r.dev, r.guest} {
			s.Do(t, labtest.Request{Method: "PUT", Path: "/groups/top", Token: u.Token, JSON: map[string]any{"description": "x"}}).
				ExpectError(t, 403, `{"message":"403 Forbidden"}`)
		}
		s.Do(t, labtest.Request{Method: "PUT", Path: "/groups/top", Token: r.outsider.Token, JSON: map[string]any{"description": "x"}}).
			ExpectError(t, 404, `{"message":"404 Group Not Found"}`)
		s.Do(t, labtest.Request{Method: "PUT", Path: "/groups/top", JSON: map[string]any{"description": "x"}}).
			ExpectError(t, 401, `{"message":"401 Unauthorized"}`)
		g, _, err := s.Client(t, r.owner.Token).Groups.UpdateGroup(r.top.ID, &gitlab.UpdateGroupOptions{
			Name: gitlab.Ptr("Renamed"), Path: gitlab.Ptr("renamed"), Description: gitlab.Ptr("new")})
		if err != nil || g.FullPath != "renamed" || g.Description != "new" {
			t.Fatalf("update = %+v, %v", g, err)
		}
		sub, _, err := s.Client(t, r.owner.Token).Groups.GetGroup(r.sub.ID, nil)
		if err != nil || sub.FullPath != "renamed/sub" || sub.FullName != "Renamed / Sub" {
			t.Fatalf("sub after rename = %+v, %v", sub, err)
		}
		// Admins may update any group.
		if _, _, err := s.Client(t, s.RootToken).Groups.UpdateGroup(r.sub.ID, &gitlab.UpdateGroupOptions{Description: gitlab.Ptr("root")}); err != nil {
			t.Fatal(err)
		}
		// Inherited owners may update subgroups.
		if _, _, err := s.Client(t, r.owner.Token).Groups.UpdateGroup(r.sub.ID, &gitlab.UpdateGroupOptions{Name: gitlab.Ptr("Sub 2")}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("UpdateErrors", func(t *testing.T) {
		other := grpNew(t, s, r.owner.Token, "other", nil, gitlab.PrivateVisibility)
		s.Do(t, labtest.Request{Method: "PUT", Path: "/groups/" + grpID(other.ID), Token: r.owner.Token, JSON: map[string]any{"path": "renamed"}}).
			ExpectError(t, 400, `{"message":{"path":["has already been taken"]}}`)
		s.Do(t, labtest.Request{Method: "PUT", Path: "/groups/" + grpID(other.ID), Token: r.owner.Token, JSON: map[string]any{"path": "api"}}).
			ExpectError(t, 400, `{"message":{"path":["is a reserved name"]}}`)
		s.Do(t, labtest.Request{Method: "PUT", Path: "/groups/" + grpID(other.ID), Token: r.owner.Token, JSON: map[string]any{"name": ""}}).
			ExpectError(t, 400, `{"message":{"name":["can't be blank"]}}`)
		s.Do(t, labtest.Request{Method: "PUT", Path: "/groups/" + grpID(r.sub.ID), Token: r.owner.Token, JSON: map[string]any{"visibility": "internal"}}).
			ExpectError(t, 400, `{"message":{"visibility_level":["internal is not allowed since the parent group has a private visibility."]}}`)
		// Lowering a parent below its subgroups is refused too.
		pub := grpNew(t, s, r.owner.Token, "pub", nil, gitlab.PublicVisibility)
		grpNew(t, s, r.owner.Token, "pubsub", pub, gitlab.PublicVisibility)
		s.Do(t, labtest.Request{Method: "PUT", Path: "/groups/pub", Token: r.owner.Token, JSON: map[string]any{"visibility": "private"}}).
			ExpectError(t, 400, `{"message":{"visibility_level":["private is not allowed since there are sub-groups with higher visibility."]}}`)
		// Nothing was half-written.
		g, _, err := s.Client(t, r.owner.Token).Groups.GetGroup("pub", nil)
		if err != nil || g.Visibility != gitlab.PublicVisibility {
			t.Fatalf("pub = %+v, %v", g, err)
		}
	})
}

func grpID(n int64) string { return strconv.FormatInt(n, 10) }

func TestGroupList(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice, bob := s.NewUser(t, "alice"), s.NewUser(t, "bob")
	pub := grpNew(t, s, alice.Token, "apub", nil, gitlab.PublicVisibility)
	internal := grpNew(t, s, alice.Token, "binternal", nil, gitlab.InternalVisibility)
	priv := grpNew(t, s, alice.Token, "cpriv", nil, gitlab.PrivateVisibility)
	privSub := grpNew(t, s, alice.Token, "dsub", priv, gitlab.PrivateVisibility)
	bobs := grpNew(t, s, bob.Token, "ebob", nil, gitlab.PrivateVisibility)
	grpAddMember(t, s, priv, bob, gitlab.ReporterPermissions)

	ids := func(gs []*gitlab.Group) []int64 {
		out := []int64{}
		for _, g := range gs {
			out = append(out, g.ID)
		}
		return out
	}
	check := func(t *testing.T, token string, opt *gitlab.ListGroupsOptions, want ...*gitlab.Group) {
		t.Helper()
		gs, _, err := s.Client(t, token).Groups.ListGroups(opt)
		if err != nil {
			t.Fatal(err)
		}
		got, exp := ids(gs), ids(want)
		if len(got) != len(exp) {
			t.Fatalf("got %v, want %v", got, exp)
		}
		for i := range got {
			if got[i] != exp[i] {
				t.Fatalf("got %v, want %v", got, exp)
			}
		}
	}
	t.Run("Anonymous", func(t *testing.T) { check(t, "", nil, pub) })
	t.Run("MemberDefault", func(t *testing.T) { check(t, bob.Token, nil, priv, privSub, bobs) })
	t.Run("AllAvailable", func(t *testing.T) {
		check(t, bob.Token, &gitlab.ListGroupsOptions{AllAvailable: gitlab.Ptr(true)}, pub, internal, priv, privSub, bobs)
	})
	t.Run("Admin", func(t *testing.T) { check(t, s.RootToken, nil, pub, internal, priv, privSub, bobs) })
	t.Run("AdminNotAllAvailable", func(t *testing.T) {
		check(t, s.RootToken, &gitlab.ListGroupsOptions{AllAvailable: gitlab.Ptr(false)})
	})
	t.Run("Owned", func(t *testing.T) { check(t, bob.Token, &gitlab.ListGroupsOptions{Owned: gitlab.Ptr(true)}, bobs) })
	t.Run("MinAccessLevel", func(t *testing.T) {
		check(t, bob.Token, &gitlab.ListGroupsOptions{MinAccessLevel: gitlab.Ptr(gitlab.DeveloperPermissions)}, bobs)
		check(t, bob.Token, &gitlab.ListGroupsOptions{MinAccessLevel: gitlab.Ptr(gitlab.ReporterPermissions)}, priv, privSub, bobs)
	})
	t.Run("TopLevelSearchOrder", func(t *testing.T) {
		check(t, alice.Token, &gitlab.ListGroupsOptions{TopLevelOnly: gitlab.Ptr(true), OrderBy: gitlab.Ptr("id"), Sort: gitlab.Ptr("desc")},
			priv, internal, pub)
		check(t, alice.Token, &gitlab.ListGroupsOptions{Search: gitlab.Ptr("PRIV")}, priv)
		check(t, alice.Token, &gitlab.ListGroupsOptions{Search: gitlab.Ptr("%")})
		check(t, alice.Token, &gitlab.ListGroupsOptions{OrderBy: gitlab.Ptr("path"), Sort: gitlab.Ptr("desc")}, privSub, priv, internal, pub)
	})
	t.Run("Pagination", func(t *testing.T) {
		gs, resp, err := s.Client(t, s.RootToken).Groups.ListGroups(&gitlab.ListGroupsOptions{ListOptions: gitlab.ListOptions{Page: 2, PerPage: 2}})
		if err != nil || len(gs) != 2 || resp.TotalItems != 5 || resp.TotalPages != 3 || resp.NextPage != 3 {
			t.Fatalf("page 2 = %v %+v %v", ids(gs), resp, err)
		}
	})
	t.Run("ErrBadParams", func(t *testing.T) {
		s.Do(t, labtest.Request{Path: "/groups?order_by=evil", Token: bob.Token}).ExpectError(t, 400, `{"error":"order_by does not have a valid value"}`)
		s.Do(t, labtest.Request{Path: "/groups?min_access_level=31", Token: bob.Token}).ExpectError(t, 400, `{"error":"min_access_level does not have a valid value"}`)
		s.Do(t, labtest.Request{Path: "/groups?owned=perhaps", Token: bob.Token}).ExpectError(t, 400, `{"error":"owned is invalid"}`)
	})
	t.Run("SubgroupsAndDescendants", func(t *testing.T) {
		deep := grpNew(t, s, alice.Token, "deep", privSub, gitlab.PrivateVisibility)
		c := s.Client(t, alice.Token)
		subs, _, err := c.Groups.ListSubGroups(priv.ID, nil)
		if err != nil || len(subs) != 1 || subs[0].ID != privSub.ID {
			t.Fatalf("subgroups = %v, %v", ids(subs), err)
		}
		desc, _, err := c.Groups.ListDescendantGroups("cpriv", nil)
		if err != nil || len(desc) != 2 {
			t.Fatalf("descendants = %v, %v", ids(desc), err)
		}
		desc, _, err = c.Groups.ListDescendantGroups("cpriv", &gitlab.ListDescendantGroupsOptions{Search: gitlab.Ptr("deep")})
		if err != nil || len(desc) != 1 || desc[0].ID != deep.ID {
			t.Fatalf("descendants search = %v, %v", ids(desc), err)
		}
		s.Do(t, labtest.Request{Path: "/groups/cpriv/subgroups"}).ExpectError(t, 404, `{"message":"404 Group Not Found"}`)
		other := s.NewUser(t, "carol")
		s.Do(t, labtest.Request{Path: "/groups/cpriv/descendant_groups", Token: other.Token}).ExpectError(t, 404, `{"message":"404 Group Not Found"}`)
		// Anonymous callers see a public group's public subgroups only.
		grpNew(t, s, alice.Token, "pubsub", pub, gitlab.PublicVisibility)
		grpNew(t, s, alice.Token, "privsub", pub, gitlab.PrivateVisibility)
		gs, _, err := s.Client(t, "").Groups.ListSubGroups(pub.ID, nil)
		if err != nil || len(gs) != 1 || gs[0].Path != "pubsub" {
			t.Fatalf("anonymous subgroups = %v, %v", ids(gs), err)
		}
	})
}

func TestGroupDelete(t *testing.T) {
	t.Parallel()
	r := grpSetupRoles(t)
	s := r.s
	ctx := context.Background()
	deep := grpNew(t, s, r.owner.Token, "deep", r.sub, gitlab.PrivateVisibility)
	var proj model.Project
	err := s.Srv.DB.WithTx(ctx, func(q *store.Queries) error {
		proj = model.Project{NamespaceID: deep.ID, Name: "P", Path: "p"}
		if err := q.CreateProject(ctx, &proj); err != nil {
			return err
		}
		return q.UpsertMember(ctx, &model.Member{SourceType: model.SourceProject, SourceID: proj.ID, UserID: r.outsider.ID, AccessLevel: 30})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []*labtest.User{r.maint, r.dev, r.guest} {
		s.Do(t, labtest.Request{Method: "DELETE", Path: "/groups/top", Token: u.Token}).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	}
	s.Do(t, labtest.Request{Method: "DELETE", Path: "/groups/top"}).ExpectError(t, 401, `{"message":"401 Unauthorized"}`)
	s.Do(t, labtest.Request{Method: "DELETE", Path: "/groups/top", Token: r.owner.Token}).ExpectError(t, 202, `{"message":"202 Accepted"}`)
	// Gone for members at once; administrators still see it, marked.
	s.Do(t, labtest.Request{Path: "/groups/top%2Fsub", Token: r.owner.Token}).ExpectError(t, 404, `{"message":"404 Group Not Found"}`)
	if g, _, err := s.Client(t, s.RootToken).Groups.GetGroup(r.sub.ID, nil); err == nil && g.MarkedForDeletionOn == nil {
		t.Fatalf("admin sees %+v unmarked", g) // (unless already purged, which is fine)
	}
	gs, _, err := s.Client(t, r.dev.Token).Groups.ListGroups(nil)
	if err != nil || len(gs) != 0 {
		t.Fatalf("dev still lists %d groups, %v", len(gs), err)
	}
	// The background purge removes the tree, projects and memberships.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		err := s.Srv.DB.SQL().QueryRow(`SELECT (SELECT count(*) FROM namespaces WHERE kind = 'group') +
			(SELECT count(*) FROM projects) + (SELECT count(*) FROM members WHERE source_type = 'Project')`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d rows left after purge", n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.Do(t, labtest.Request{Path: "/groups/" + grpID(r.top.ID), Token: s.RootToken}).ExpectError(t, 404, `{"message":"404 Group Not Found"}`)
	// The path is free again.
	grpNew(t, s, r.owner.Token, "top", nil, gitlab.PrivateVisibility)
}

// A member of a project in a private group may read the group (GitLab's
// has_projects), and the groups above it, but not its members; other
// private groups stay hidden.
func TestGroupReadableThroughItsProjects(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	owner := s.NewUser(t, "owner")
	dev := s.NewUser(t, "dev")
	top := grpNew(t, s, owner.Token, "top", nil, gitlab.PrivateVisibility)
	sub := grpNew(t, s, owner.Token, "sub", top, gitlab.PrivateVisibility)
	other := grpNew(t, s, owner.Token, "other", nil, gitlab.PrivateVisibility)
	p, _, err := s.Client(t, owner.Token).Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("app"),
		NamespaceID: gitlab.Ptr(sub.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Client(t, owner.Token).ProjectMembers.AddProjectMember(p.ID, &gitlab.AddProjectMemberOptions{
		UserID: gitlab.Ptr(dev.ID), AccessLevel: gitlab.Ptr(gitlab.DeveloperPermissions)}); err != nil {
		t.Fatal(err)
	}
	for _, g := range []*gitlab.Group{top, sub} {
		if r := s.Do(t, labtest.Request{Path: "/groups/" + strconv.FormatInt(g.ID, 10), Token: dev.Token}); r.Status != http.StatusOK {
			t.Errorf("GET group %s = %d %s", g.FullPath, r.Status, r.Body)
		}
		s.Do(t, labtest.Request{Path: "/groups/" + strconv.FormatInt(g.ID, 10) + "/members", Token: dev.Token}).
			ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
		s.Do(t, labtest.Request{Method: "PUT", Path: "/groups/" + strconv.FormatInt(g.ID, 10), Token: dev.Token,
			JSON: map[string]any{"description": "x"}}).ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	}
	s.Do(t, labtest.Request{Path: "/groups/" + strconv.FormatInt(other.ID, 10), Token: dev.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Group Not Found"}`)
}
