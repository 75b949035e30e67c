package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lablet/lablet/internal/model"
)

// Viewers' cached projects, patched after creations and computed again
// after other changes, always list what the SQL path lists.
func TestListsPatchedByCreations(t *testing.T) {
	fx := newListFixture(t)
	waitListening(t, fx.db) // connecting moves every version
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 4))
	filters := func(v *model.User) []model.ProjectFilter {
		return []model.ProjectFilter{
			{ViewerID: v.ID, MinVisibility: 10, Today: "2026-01-01", MinAccessLevel: 10, OrderBy: "id", Limit: 100, Count: true},
			{ViewerID: v.ID, MinVisibility: 10, Today: "2026-01-01", OrderBy: "id", Desc: true, Limit: 30},
		}
	}
	check := func(what string) {
		t.Helper()
		for _, v := range fx.viewers {
			for _, f := range filters(v) {
				if got, want := listIDs(t, fx.db.Queries(), f), slowList(t, fx.db, f); got != want {
					t.Fatalf("viewer %d after %s:\n got %s\nwant %s", v.ID, what, got, want)
				}
			}
		}
	}
	check("nothing")
	patched := 0
	for step := range 40 {
		before, _ := fx.db.Version(TopicListing)
		access, _ := fx.db.Version(TopicAccess)
		var what string
		switch rng.IntN(5) {
		case 0: // a membership: computed again
			v, g := fx.viewers[rng.IntN(len(fx.viewers))], fx.groups[rng.IntN(len(fx.groups))]
			what = fmt.Sprintf("viewer %d joining group %d", v.ID, g.ID)
			if err := fx.db.Queries().UpsertMember(ctx, &model.Member{SourceType: model.SourceNamespace, SourceID: g.ID, UserID: v.ID,
				AccessLevel: []int{10, 20, 30, 40, 50}[rng.IntN(5)]}); err != nil {
				t.Fatal(err)
			}
		default: // one or two creations, in a group or a personal namespace, some with an owner
			n := 1 + rng.IntN(2)
			what = fmt.Sprintf("%d creations", n)
			err := fx.db.WithTx(ctx, func(q *Queries) error {
				for i := range n {
					ns := fx.groups[rng.IntN(len(fx.groups))]
					if rng.IntN(4) == 0 {
						u := fx.viewers[rng.IntN(len(fx.viewers))]
						var err error
						if ns, err = q.NamespaceByID(ctx, u.NamespaceID); err != nil {
							return err
						}
					}
					p := &model.Project{NamespaceID: ns.ID, Name: fmt.Sprintf("C%d-%d", step, i), Path: fmt.Sprintf("c%d-%d", step, i),
						VisibilityLevel: []int{0, 10, 20}[rng.IntN(3)]}
					var owner *model.Member
					if rng.IntN(2) == 0 {
						owner = &model.Member{UserID: fx.viewers[rng.IntN(len(fx.viewers))].ID, AccessLevel: 50}
					}
					if err := q.CreateNewProject(ctx, NewProject{Project: p, Namespace: ns, Owner: owner}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			now, _ := fx.db.Version(TopicListing)
			if a, _ := fx.db.Version(TopicAccess); a != access {
				t.Fatal("a creation moved the access version")
			}
			if ids, ok := fx.db.versions.createdSince(before, now); !ok || len(ids) != n {
				t.Fatalf("created since %d: %v %v", before, ids, ok)
			}
			patched++
		}
		check(what)
	}
	if patched == 0 {
		t.Fatal("no creation was patched in")
	}
}

// On PostgreSQL another instance patches its viewers' lists with the
// projects the notification names.
func TestListsPatchedAcrossInstances(t *testing.T) {
	fx := newListFixture(t)
	other := secondInstance(t, fx.db, fx.dsn, "TestListsPatchedByCreations")
	ctx := context.Background()
	v := fx.viewers[0]
	f := model.ProjectFilter{ViewerID: v.ID, MinVisibility: 10, Today: "2026-01-01", MinAccessLevel: 10, OrderBy: "id",
		Desc: true, Limit: 3, Count: true}
	listed := func() string { t.Helper(); return listIDs(t, other.Queries(), f) }
	before := listed()
	from, _ := other.Version(TopicListing)
	p := &model.Project{NamespaceID: fx.groups[0].ID, Name: "Remote", Path: "remote"}
	if err := fx.db.WithTx(ctx, func(q *Queries) error {
		return q.CreateNewProject(ctx, NewProject{Project: p, Namespace: fx.groups[0]})
	}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for listed() == before {
		if time.Now().After(deadline) {
			t.Fatal("the other instance never listed the new project")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got, want := listed(), slowList(t, fx.db, f); got != want {
		t.Fatalf("other instance:\n got %s\nwant %s", got, want)
	}
	to, _ := other.Version(TopicListing)
	if ids, ok := other.versions.createdSince(from, to); !ok || len(ids) != 1 || ids[0] != p.ID {
		t.Fatalf("the other instance heard %v %v, want [%d]", ids, ok, p.ID)
	}
}
