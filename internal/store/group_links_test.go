package store

import (
	"context"
	"errors"
	"testing"

	"github.com/lablet/lablet/internal/model"
)

// TestGroupLinkLevels: a share gives the members of the group shared with
// (inherited members too) min(their level, group_access), in every level
// query, and goes with its expiry.
func TestGroupLinkLevels(t *testing.T) {
	db, _, _ := mustOpen(t)
	ctx := context.Background()
	const today = "2026-01-01"
	var alice model.User
	var org, team, src model.Namespace
	var proj model.Project
	err := db.WithTx(ctx, func(q *Queries) error {
		alice = model.User{Username: "alice", Email: "a@example.com", Name: "Alice"}
		if err := q.CreateUser(ctx, &alice); err != nil {
			return err
		}
		org = model.Namespace{Kind: model.KindGroup, Name: "Org", Path: "org"}
		if err := q.CreateNamespace(ctx, &org); err != nil {
			return err
		}
		team = model.Namespace{Kind: model.KindGroup, Name: "Team", Path: "team", ParentID: &org.ID}
		if err := q.CreateNamespace(ctx, &team); err != nil {
			return err
		}
		src = model.Namespace{Kind: model.KindGroup, Name: "Src", Path: "src"}
		if err := q.CreateNamespace(ctx, &src); err != nil {
			return err
		}
		proj = model.Project{NamespaceID: src.ID, Name: "P", Path: "p"}
		if err := q.CreateProject(ctx, &proj); err != nil {
			return err
		}
		// alice is a Developer of org, so of team by inheritance.
		return q.UpsertMember(ctx, &model.Member{SourceType: model.SourceNamespace, SourceID: org.ID, UserID: alice.ID, AccessLevel: 30})
	})
	if err != nil {
		t.Fatal(err)
	}
	q := db.Queries()
	level := func() (project, ns int, a model.ProjectAccess) {
		t.Helper()
		var err error
		if project, err = q.ProjectAccessLevel(ctx, alice.ID, proj.ID, src.ID, today); err != nil {
			t.Fatal(err)
		}
		if ns, err = q.NamespaceAccessLevel(ctx, alice.ID, src.ID, today); err != nil {
			t.Fatal(err)
		}
		if _, a, err = q.ProjectWithAccessByID(ctx, proj.ID, alice.ID, today); err != nil {
			t.Fatal(err)
		}
		return project, ns, a
	}
	if p, n, _ := level(); p != 0 || n != 0 {
		t.Fatalf("before sharing: project %d, group %d", p, n)
	}

	expired := "2025-12-31"
	if err := q.InsertGroupLink(ctx, &model.GroupLink{ProjectID: proj.ID, GroupID: team.ID, GroupAccess: 20, ExpiresAt: &expired}); err != nil {
		t.Fatal(err)
	}
	if p, _, a := level(); p != 20 || a.Project != 20 {
		t.Fatalf("project shared at Reporter: %d, %+v", p, a)
	}
	if err := q.InsertGroupLink(ctx, &model.GroupLink{ProjectID: proj.ID, GroupID: team.ID, GroupAccess: 40}); !errors.Is(err, ErrConflict) {
		t.Fatalf("second share of the same pair: %v", err)
	}
	if err := q.InsertGroupLink(ctx, &model.GroupLink{SharedGroupID: src.ID, GroupID: team.ID, GroupAccess: 40}); err != nil {
		t.Fatal(err)
	}
	// min(Developer, Maintainer) through the group share.
	if p, n, a := level(); p != 30 || n != 30 || a.Group != 30 || a.Level() != 30 {
		t.Fatalf("group shared at Maintainer: project %d, group %d, %+v", p, n, a)
	}
	users, total, err := q.ListProjectUsers(ctx, proj.ID, src.ID, today, model.ProjectUserFilter{Limit: 20})
	if err != nil || total != 1 || len(users) != 1 || users[0].ID != alice.ID {
		t.Fatalf("project users = %v (%d), %v", users, total, err)
	}

	// Housekeeping deletes the expired project share only.
	if err := q.DeleteExpiredGroupLinks(ctx, today); err != nil {
		t.Fatal(err)
	}
	if links, _ := q.ProjectGroupLinks(ctx, proj.ID); len(links) != 0 {
		t.Fatalf("project links after expiry = %v", links)
	}
	if err := q.DeleteGroupGroupLink(ctx, src.ID, team.ID); err != nil {
		t.Fatal(err)
	}
	if p, n, a := level(); p != 0 || n != 0 || a.Level() != 0 {
		t.Fatalf("after unsharing: project %d, group %d, %+v", p, n, a)
	}
	if err := q.DeleteGroupGroupLink(ctx, src.ID, team.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second unshare: %v", err)
	}
}
