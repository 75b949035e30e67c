package store

import (
	"context"
	"errors"
	"testing"

	"github.com/lablet/lablet/internal/model"
)

// TestCreateNewProject checks the creation statements: what CheckNewProject
// reports (case-insensitive names and paths, a subgroup's URL, a namespace
// gone or marked for deletion) and the rows CreateNewProject writes.
func TestCreateNewProject(t *testing.T) {
	db, _, _ := mustOpen(t)
	ctx := context.Background()
	var alice model.User
	var top, sub model.Namespace
	err := db.WithTx(ctx, func(q *Queries) error {
		alice = model.User{Username: "alice", Email: "a@example.com", Name: "Alice"}
		if err := q.CreateUser(ctx, &alice); err != nil {
			return err
		}
		top = model.Namespace{Kind: model.KindGroup, Name: "Top", Path: "top"}
		if err := q.CreateNamespace(ctx, &top); err != nil {
			return err
		}
		sub = model.Namespace{Kind: model.KindGroup, Name: "Sub", Path: "Sub", ParentID: &top.ID}
		return q.CreateNamespace(ctx, &sub)
	})
	if err != nil {
		t.Fatal(err)
	}
	branch := "main"
	p := &model.Project{NamespaceID: top.ID, Name: "Proj", Path: "proj", DefaultBranch: &branch, Topics: []string{}}
	owner := &model.Member{UserID: alice.ID, AccessLevel: 50, CreatedByID: &alice.ID}
	rule := &model.ProtectedBranch{Name: branch, PushAccessLevel: 40, MergeAccessLevel: 40, UnprotectAccessLevel: 40}
	err = db.WithTx(ctx, func(q *Queries) error {
		return q.CreateNewProject(ctx, NewProject{Project: p, Namespace: &top, Owner: owner, Rule: rule})
	})
	if err != nil {
		t.Fatal(err)
	}
	q := db.Queries()
	got, err := q.ProjectByID(ctx, p.ID)
	if err != nil || got.FullPath() != "top/proj" || p.Namespace != &top || got.CreatedAt.IsZero() {
		t.Fatalf("project = %+v, %v", got, err)
	}
	if m, err := q.MemberOf(ctx, model.SourceProject, p.ID, alice.ID); err != nil || m.AccessLevel != 50 {
		t.Fatalf("owner member = %+v, %v", m, err)
	}
	if b, err := q.ProtectedBranchByName(ctx, p.ID, "main"); err != nil || b.PushAccessLevel != 40 {
		t.Fatalf("rule = %+v, %v", b, err)
	}

	for _, c := range []struct {
		name, path string
		ns         int64
		marked     bool
		want       NewProjectCheck
	}{
		{"Other", "other", top.ID, false, NewProjectCheck{}},
		{"PROJ", "other", top.ID, false, NewProjectCheck{NameTaken: true}},
		{"Other", "PROJ", top.ID, false, NewProjectCheck{PathTaken: true}},
		{"proj", "proj", top.ID, false, NewProjectCheck{NameTaken: true, PathTaken: true}},
		{"Proj", "proj", sub.ID, false, NewProjectCheck{}},
		{"Sub", "sUB", top.ID, false, NewProjectCheck{PathTaken: true}}, // the subgroup's URL
		{"x", "x", 999999, false, NewProjectCheck{NamespaceGone: true}},
	} {
		chk, err := q.CheckNewProject(ctx, c.ns, c.name, c.path, c.marked)
		if err != nil || chk != c.want || chk.OK() != (c.want == NewProjectCheck{}) {
			t.Errorf("CheckNewProject(%d, %q, %q) = %+v, %v; want %+v", c.ns, c.name, c.path, chk, err, c.want)
		}
	}
	if err := db.WithTx(ctx, func(q *Queries) error { return q.MarkNamespaceTreeForDeletion(ctx, sub.ID, "2026-01-01") }); err != nil {
		t.Fatal(err)
	}
	for _, allow := range []bool{false, true} {
		chk, err := q.CheckNewProject(ctx, sub.ID, "x", "x", allow)
		if err != nil || chk.NamespaceGone == allow {
			t.Errorf("marked namespace, allowMarked %v: %+v, %v", allow, chk, err)
		}
	}

	// A name taken concurrently is a conflict.
	dup := &model.Project{NamespaceID: top.ID, Name: "proj", Path: "other", Topics: []string{}}
	err = db.WithTx(ctx, func(q *Queries) error { return q.CreateNewProject(ctx, NewProject{Project: dup, Namespace: &top}) })
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("duplicate name: %v", err)
	}
}

// The namespace project counts follow every way projects come and go, and
// equal what counting the rows gives.
func TestNamespaceProjectCounts(t *testing.T) {
	db, _, _ := mustOpen(t)
	ctx := context.Background()
	u := model.User{Username: "carol", Email: "c@example.com", Name: "Carol"}
	if err := db.WithTx(ctx, func(q *Queries) error { return q.CreateUser(ctx, &u) }); err != nil {
		t.Fatal(err)
	}
	want := func(n int) {
		t.Helper()
		got, err := db.Queries().CountNamespaceProjects(ctx, u.NamespaceID)
		if err != nil {
			t.Fatal(err)
		}
		var rows int
		if err := db.SQL().QueryRow(db.Queries().rebind("SELECT count(*) FROM projects WHERE namespace_id = ?"), u.NamespaceID).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if got != n || rows != n {
			t.Fatalf("count = %d, rows = %d; want %d", got, rows, n)
		}
	}
	want(0)
	var ids []int64
	for _, name := range []string{"a", "b", "c"} {
		p := &model.Project{NamespaceID: u.NamespaceID, Name: name, Path: name, Topics: []string{}}
		if err := db.WithTx(ctx, func(q *Queries) error { return q.CreateProject(ctx, p) }); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	want(3)
	// A creation that fails leaves the count as it was.
	dup := &model.Project{NamespaceID: u.NamespaceID, Name: "a", Path: "a", Topics: []string{}}
	if err := db.WithTx(ctx, func(q *Queries) error { return q.CreateProject(ctx, dup) }); !errors.Is(err, ErrConflict) {
		t.Fatalf("duplicate project: %v", err)
	}
	want(3)
	if err := db.WithTx(ctx, func(q *Queries) error { return q.DeleteProject(ctx, ids[0]) }); err != nil {
		t.Fatal(err)
	}
	want(2)
	if err := db.WithTx(ctx, func(q *Queries) error { return q.DeleteNamespaceProjects(ctx, u.NamespaceID) }); err != nil {
		t.Fatal(err)
	}
	want(0)
}
