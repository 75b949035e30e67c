package v4_test

import (
	"slices"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

func TestNamespaces(t *testing.T) {
	t.Parallel()
	r := grpSetupRoles(t)
	s := r.s
	pub := grpNew(t, s, r.outsider.Token, "pubgroup", nil, gitlab.PublicVisibility)

	t.Run("ListOwn", func(t *testing.T) {
		ns, resp, err := s.Client(t, r.dev.Token).Namespaces.ListNamespaces(nil)
		if err != nil || resp.TotalItems != 3 || len(ns) != 3 {
			t.Fatalf("namespaces = %+v, %v", ns, err)
		}
		if ns[0].Kind != "user" || ns[0].Path != "dev" || ns[0].FullPath != "dev" {
			t.Fatalf("own namespace = %+v", ns[0])
		}
		if ns[1].Kind != "group" || ns[1].ID != r.top.ID || ns[2].ParentID != r.top.ID || ns[2].FullPath != "top/sub" {
			t.Fatalf("groups = %+v %+v", ns[1], ns[2])
		}
	})
	t.Run("OwnedOnlyAndSearch", func(t *testing.T) {
		ns, _, err := s.Client(t, r.dev.Token).Namespaces.ListNamespaces(&gitlab.ListNamespacesOptions{OwnedOnly: gitlab.Ptr(true)})
		if err != nil || len(ns) != 1 || ns[0].Kind != "user" {
			t.Fatalf("owned_only = %+v, %v", ns, err)
		}
		ns, _, err = s.Client(t, r.owner.Token).Namespaces.SearchNamespace("sub")
		if err != nil || len(ns) != 1 || ns[0].ID != r.sub.ID {
			t.Fatalf("search = %+v, %v", ns, err)
		}
	})
	t.Run("Admin", func(t *testing.T) {
		_, resp, err := s.Client(t, s.RootToken).Namespaces.ListNamespaces(nil)
		// root, owner, maint, dev, guest, outsider, submaint + top, sub, pubgroup
		if err != nil || resp.TotalItems != 10 {
			t.Fatalf("admin total = %d, %v", resp.TotalItems, err)
		}
	})
	t.Run("Get", func(t *testing.T) {
		n, _, err := s.Client(t, r.guest.Token).Namespaces.GetNamespace("top/sub")
		if err != nil || n.ID != r.sub.ID || n.Kind != "group" || n.WebURL == "" {
			t.Fatalf("get = %+v, %v", n, err)
		}
		n, _, err = s.Client(t, r.dev.Token).Namespaces.GetNamespace(r.dev.NamespaceID)
		if err != nil || n.Path != "dev" {
			t.Fatalf("own = %+v, %v", n, err)
		}
		if _, _, err := s.Client(t, s.RootToken).Namespaces.GetNamespace("dev"); err != nil {
			t.Fatal(err)
		}
		// Membership is needed: public groups and other users' namespaces
		// are not enough.
		s.Do(t, labtest.Request{Path: "/namespaces/top", Token: r.outsider.Token}).ExpectError(t, 404, `{"message":"404 Namespace Not Found"}`)
		for _, ref := range []string{"dev", grpID(pub.ID), "nope", "..%2F..", "%00", "99999"} {
			s.Do(t, labtest.Request{Path: "/namespaces/" + ref, Token: r.guest.Token}).
				ExpectError(t, 404, `{"message":"404 Namespace Not Found"}`)
		}
	})
	t.Run("ErrAnonymous", func(t *testing.T) {
		s.Do(t, labtest.Request{Path: "/namespaces"}).ExpectError(t, 401, `{"message":"401 Unauthorized"}`)
		s.Do(t, labtest.Request{Path: "/namespaces/top"}).ExpectError(t, 401, `{"message":"401 Unauthorized"}`)
	})
}

// TestNamespaceExists checks GET /namespaces/:id/exists as GitLab answers
// it: any signed-in user learns whether a sibling has the path (whoever
// sees it), and gets a suggestion no sibling has as path or name.
func TestNamespaceExists(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice, bob := s.NewUser(t, "alice"), s.NewUser(t, "bob")
	root := s.Client(t, s.RootToken)
	team, _, err := root.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Team"), Path: gitlab.Ptr("team"),
		Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := root.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Web"), Path: gitlab.Ptr("web"),
		ParentID: gitlab.Ptr(team.ID)}); err != nil {
		t.Fatal(err)
	}
	// "alice1" is taken as a name, so the suggestion for alice skips it.
	if _, _, err := root.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("alice1"), Path: gitlab.Ptr("other")}); err != nil {
		t.Fatal(err)
	}
	c := s.Client(t, bob.Token)
	for _, tc := range []struct {
		path     string
		parent   *int64
		exists   bool
		suggests []string
	}{
		{"alice", nil, true, []string{"alice2"}},
		{"ALICE", nil, true, []string{"ALICE2"}},
		{"team", nil, true, []string{"team1"}}, // private, bob is no member: still taken
		{"web", &team.ID, true, []string{"web1"}},
		{"web", nil, false, []string{}},
		{"team", &team.ID, false, []string{}},
		{"web", gitlab.Ptr(int64(999999)), false, []string{}},
		{"nobody", nil, false, []string{}},
		{"team/web", nil, false, []string{}},
	} {
		got, _, err := c.Namespaces.NamespaceExists(tc.path, &gitlab.NamespaceExistsOptions{ParentID: tc.parent})
		if err != nil {
			t.Fatalf("exists %q under %v: %v", tc.path, tc.parent, err)
		}
		if got.Exists != tc.exists || !slices.Equal(got.Suggests, tc.suggests) {
			t.Fatalf("exists %q under %v = %+v, want %v %v", tc.path, tc.parent, got, tc.exists, tc.suggests)
		}
	}
	r := s.Do(t, labtest.Request{Path: "/namespaces/alice/exists", Token: alice.Token})
	if r.Status != 200 || string(r.Body) != `{"exists":true,"suggests":["alice2"]}`+"\n" {
		t.Fatalf("raw answer = %d %s", r.Status, r.Body)
	}
	s.Do(t, labtest.Request{Path: "/namespaces/alice/exists?parent_id=x", Token: alice.Token}).
		ExpectError(t, 400, `{"error":"parent_id is invalid"}`)
	s.Do(t, labtest.Request{Path: "/namespaces/alice/exists"}).ExpectError(t, 401, `{"message":"401 Unauthorized"}`)
}
