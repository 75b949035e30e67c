package store

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/lablet/lablet/internal/model"
)

// TestVisibleUserMemberships: a user's direct memberships listed for a
// viewer keep only the groups and projects the viewer may read (members,
// open enough, or for a group one holding a project of theirs), and leave
// out expired ones and groups below Guest.
func TestVisibleUserMemberships(t *testing.T) {
	db, _, _ := mustOpen(t)
	ctx := context.Background()
	const today = "2026-01-01"
	var alice, bob model.User
	var priv, pub, old, minimal model.Namespace
	var app model.Project
	err := db.WithTx(ctx, func(q *Queries) error {
		for _, u := range []*model.User{&alice, &bob} {
			u.Username, u.Email, u.Name = fmt.Sprintf("u%p", u), fmt.Sprintf("u%p@example.com", u), "U"
			if err := q.CreateUser(ctx, u); err != nil {
				return err
			}
		}
		for _, g := range []struct {
			ns   *model.Namespace
			path string
			vis  int
		}{{&priv, "priv", 0}, {&pub, "pub", 20}, {&old, "old", 20}, {&minimal, "minimal", 20}} {
			*g.ns = model.Namespace{Kind: model.KindGroup, Name: g.path, Path: g.path, VisibilityLevel: g.vis}
			if err := q.CreateNamespace(ctx, g.ns); err != nil {
				return err
			}
		}
		app = model.Project{NamespaceID: priv.ID, Name: "App", Path: "app"}
		if err := q.CreateProject(ctx, &app); err != nil {
			return err
		}
		expired := "2025-12-31"
		for _, m := range []*model.Member{
			{SourceType: model.SourceNamespace, SourceID: priv.ID, UserID: alice.ID, AccessLevel: 20},
			{SourceType: model.SourceNamespace, SourceID: pub.ID, UserID: alice.ID, AccessLevel: 30},
			{SourceType: model.SourceNamespace, SourceID: old.ID, UserID: alice.ID, AccessLevel: 30, ExpiresAt: &expired},
			{SourceType: model.SourceNamespace, SourceID: minimal.ID, UserID: alice.ID, AccessLevel: 5},
			{SourceType: model.SourceProject, SourceID: app.ID, UserID: alice.ID, AccessLevel: 40},
		} {
			if err := q.UpsertMember(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	q := db.Queries()
	// list is alice's sources and bob's, read together.
	list := func(sourceType string, v MembershipsViewer) (a, b []int64) {
		t.Helper()
		v.Today = today
		ms, err := q.VisibleUserMemberships(ctx, []int64{alice.ID, bob.ID}, sourceType, v)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.UserID == alice.ID {
				a = append(a, m.SourceID)
			} else {
				b = append(b, m.SourceID)
			}
		}
		return a, b
	}
	groups, projects := model.SourceNamespace, model.SourceProject
	for _, c := range []struct {
		name     string
		v        MembershipsViewer
		groups   []int64
		projects []int64
	}{
		{"self", MembershipsViewer{ID: alice.ID, MinVisibility: 10}, []int64{priv.ID, pub.ID}, []int64{app.ID}},
		{"admin", MembershipsViewer{ID: bob.ID, Admin: true, MinVisibility: 10}, []int64{priv.ID, pub.ID}, []int64{app.ID}},
		{"other", MembershipsViewer{ID: bob.ID, MinVisibility: 10}, []int64{pub.ID}, nil},
		{"anonymous", MembershipsViewer{MinVisibility: 20}, []int64{pub.ID}, nil},
	} {
		if got, _ := list(groups, c.v); !slices.Equal(got, c.groups) {
			t.Errorf("%s: groups %v, want %v", c.name, got, c.groups)
		}
		if got, _ := list(projects, c.v); !slices.Equal(got, c.projects) {
			t.Errorf("%s: projects %v, want %v", c.name, got, c.projects)
		}
	}
	// bob, made a member of App, reads it and its group (has_projects).
	if err := q.UpsertMember(ctx, &model.Member{SourceType: model.SourceProject, SourceID: app.ID, UserID: bob.ID,
		AccessLevel: 10}); err != nil {
		t.Fatal(err)
	}
	bobView := MembershipsViewer{ID: bob.ID, MinVisibility: 10}
	if got, _ := list(groups, bobView); !slices.Equal(got, []int64{priv.ID, pub.ID}) {
		t.Errorf("project member: groups %v", got)
	}
	if a, b := list(projects, bobView); !slices.Equal(a, []int64{app.ID}) || !slices.Equal(b, []int64{app.ID}) {
		t.Errorf("project member: alice's projects %v, bob's %v", a, b)
	}
	if _, err := q.VisibleUserMemberships(ctx, []int64{alice.ID}, "Other", bobView); err == nil {
		t.Error("unknown source type: no error")
	}
}
