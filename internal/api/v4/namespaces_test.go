package v4_test

import (
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

func TestNamespaces(t *testing.T) {
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
