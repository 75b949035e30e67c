package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lablet/lablet/internal/model"
)

// The cached public rows answer every keyset page as the query does, after
// creations (patched in), visibility and archive changes and deletion
// marks (loaded again), on random filters.
func TestPublicIDsFollowChanges(t *testing.T) {
	fx := newListFixture(t)
	waitListening(t, fx.db)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 8))
	direct := &Queries{q: fx.db.SQL(), dialect: fx.db.dialect, now: fx.db.Queries().now} // no caches: the query
	var maxID int64
	for _, p := range fx.projects {
		maxID = max(maxID, p.ID)
	}
	randFilter := func() model.ProjectFilter {
		f := model.ProjectFilter{MinVisibility: []int{0, 10, 20}[rng.IntN(3)], Limit: 1 + rng.IntN(30), Desc: rng.IntN(2) == 0}
		if rng.IntN(2) == 0 {
			f.IDAfter = rng.Int64N(maxID + 2)
		}
		if rng.IntN(3) == 0 {
			f.IDBefore = rng.Int64N(maxID + 2)
		}
		if rng.IntN(4) == 0 {
			v := []int{0, 10, 20}[rng.IntN(3)]
			f.Visibility = &v
		}
		if rng.IntN(4) == 0 {
			a := rng.IntN(2) == 0
			f.Archived = &a
		}
		if rng.IntN(4) == 0 {
			f.Offset = rng.IntN(10)
		}
		return f
	}
	check := func(what string) {
		t.Helper()
		for range 50 {
			f := randFilter()
			got, err := fx.db.Queries().publicProjectIDs(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			want, err := direct.publicProjectIDs(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("after %s, filter %+v:\n got %v\nwant %v", what, f, got, want)
			}
		}
	}
	check("nothing")
	for step := range 30 {
		var what string
		switch rng.IntN(4) {
		case 0, 1:
			ns := fx.groups[rng.IntN(len(fx.groups))]
			p := &model.Project{NamespaceID: ns.ID, Name: fmt.Sprintf("N%d", step), Path: fmt.Sprintf("n%d", step),
				VisibilityLevel: []int{0, 10, 20}[rng.IntN(3)]}
			what = fmt.Sprintf("creating a project of visibility %d", p.VisibilityLevel)
			if err := fx.db.WithTx(ctx, func(q *Queries) error {
				return q.CreateNewProject(ctx, NewProject{Project: p, Namespace: ns})
			}); err != nil {
				t.Fatal(err)
			}
			fx.projects = append(fx.projects, p)
			maxID = max(maxID, p.ID)
		default:
			p := fx.projects[rng.IntN(len(fx.projects))]
			switch rng.IntN(3) {
			case 0:
				p.VisibilityLevel = []int{0, 10, 20}[rng.IntN(3)]
			case 1:
				p.Archived = !p.Archived
			default:
				if p.MarkedForDeletionOn == nil {
					day := "2026-02-02"
					p.MarkedForDeletionOn = &day
				} else {
					p.MarkedForDeletionOn = nil
				}
			}
			what = fmt.Sprintf("updating project %d", p.ID)
			if err := fx.db.Queries().UpdateProject(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		check(what)
	}
}

// On PostgreSQL another instance's cached public ids follow this one's
// creations (patched from the notification) and visibility changes.
func TestPublicIDsAcrossInstances(t *testing.T) {
	fx := newListFixture(t)
	other := secondInstance(t, fx.db, fx.dsn, "TestPublicIDsFollowChanges")
	ctx := context.Background()
	f := model.ProjectFilter{MinVisibility: 10, Limit: 1000}
	ids := func() string {
		t.Helper()
		got, err := other.Queries().publicProjectIDs(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(got)
	}
	direct := &Queries{q: fx.db.SQL(), dialect: fx.db.dialect, now: fx.db.Queries().now}
	want := func() string {
		t.Helper()
		w, err := direct.publicProjectIDs(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(w)
	}
	eventually := func(what string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for ids() != want() {
			if time.Now().After(deadline) {
				t.Fatalf("after %s the other instance lists\n%s\nwant\n%s", what, ids(), want())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	eventually("nothing")
	p := &model.Project{NamespaceID: fx.groups[0].ID, Name: "Remote", Path: "remote", VisibilityLevel: 20}
	if err := fx.db.WithTx(ctx, func(q *Queries) error {
		return q.CreateNewProject(ctx, NewProject{Project: p, Namespace: fx.groups[0]})
	}); err != nil {
		t.Fatal(err)
	}
	eventually("a creation")
	p.VisibilityLevel = 0
	if err := fx.db.Queries().UpdateProject(ctx, p); err != nil {
		t.Fatal(err)
	}
	eventually("making it private")
}
