package service_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// benchWorld is a server with a group tree g/sub, projects in it and
// alice, a Developer of g (so her level on g/sub/p is inherited).
type benchWorld struct {
	s            *labtest.Server
	svc          *service.Service
	root, alice  *auth.Identity
	bob          *auth.Identity // no membership
	private      *model.Project // g/sub/p0, private
	public       *model.Project // g/sub/p1, public
	privatePath  string
	privateIDStr string
}

func newBenchWorld(b *testing.B) *benchWorld {
	b.Helper()
	s := labtest.Start(b)
	ctx := context.Background()
	a := auth.NewAuthenticator(s.Srv.DB, true, false)
	ident := func(tok string) *auth.Identity {
		id, err := a.Token(ctx, tok, "")
		if err != nil {
			b.Fatal(err)
		}
		return id
	}
	w := &benchWorld{s: s, svc: s.Srv.Service, root: ident(s.RootToken)}
	alice, bob := s.NewUser(b, "alice"), s.NewUser(b, "bob")
	w.alice, w.bob = ident(alice.Token), ident(bob.Token)
	str := func(v string) *string { return &v }
	pub := access.Public
	g, err := w.svc.CreateGroup(ctx, w.root, service.GroupInput{Name: str("g"), Path: str("g"), Visibility: &pub})
	if err != nil {
		b.Fatal(err)
	}
	sub, err := w.svc.CreateGroup(ctx, w.root, service.GroupInput{Name: str("sub"), Path: str("sub"), ParentID: &g.ID, Visibility: &pub})
	if err != nil {
		b.Fatal(err)
	}
	src, err := w.svc.GroupMemberSource(ctx, w.root, fmt.Sprint(g.ID))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := w.svc.AddMember(ctx, w.root, src, alice.ID, service.MemberInput{AccessLevel: int(access.Developer)}); err != nil {
		b.Fatal(err)
	}
	ns := fmt.Sprint(sub.ID)
	// Some neighbours, so that lookups are not on a one-row table.
	for i := 0; i < 200; i++ {
		vis := access.Private
		if i == 1 {
			vis = access.Public
		}
		name := fmt.Sprintf("p%d", i)
		p, err := w.svc.CreateProject(ctx, w.root, service.ProjectInput{Name: &name, Path: &name, Namespace: &ns, Visibility: &vis}, nil)
		if err != nil {
			b.Fatal(err)
		}
		switch i {
		case 0:
			w.private = p
		case 1:
			w.public = p
		}
	}
	w.privatePath = w.private.FullPath()
	w.privateIDStr = fmt.Sprint(w.private.ID)
	return w
}

// BenchmarkVisibleProject measures the permission check in front of every
// project route: load by id or path, effective level through the
// namespace closure, visibility decision.
//
//	go test -run '^$' -bench VisibleProject -benchmem ./internal/service
func BenchmarkVisibleProject(b *testing.B) {
	w := newBenchWorld(b)
	ctx := context.Background()
	cases := []struct {
		name string
		id   *auth.Identity
		ref  string
	}{
		{"member/id", w.alice, w.privateIDStr},
		{"member/path", w.alice, w.privatePath},
		{"admin/id", w.root, w.privateIDStr},
		{"nonmember-public/id", w.bob, fmt.Sprint(w.public.ID)},
		{"anonymous-public/path", nil, w.public.FullPath()},
		{"nonmember-private/id (404)", w.bob, w.privateIDStr},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _, err := w.svc.VisibleProject(ctx, c.id, c.ref)
				if err != nil && c.id != w.bob {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("member/id/parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, _, err := w.svc.VisibleProject(ctx, w.alice, w.privateIDStr); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkProjectLookup measures the store's project loads alone.
func BenchmarkProjectLookup(b *testing.B) {
	w := newBenchWorld(b)
	ctx := context.Background()
	q := w.s.Srv.DB.Queries()
	b.Run("ProjectByID", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := q.ProjectByID(ctx, w.private.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ProjectByFullPath", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := q.ProjectByFullPath(ctx, w.privatePath); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ProjectAccessLevel", func(b *testing.B) {
		b.ReportAllocs()
		today := w.svc.Today()
		for b.Loop() {
			if _, err := q.ProjectAccessLevel(ctx, w.alice.User.ID, w.private.ID, w.private.NamespaceID, today); err != nil {
				b.Fatal(err)
			}
		}
	})
}
