package store

import (
	"context"
	"slices"
	"testing"

	"github.com/lablet/lablet/internal/model"
)

// Fork links and unlinks count once each, however often they are asked
// for; a fork's deletion uncounts it, its source's unlinks it; the walk up
// a fork's sources ends.
func TestForkLinks(t *testing.T) {
	db, _, _ := mustOpen(t)
	ctx := context.Background()
	var top model.Namespace
	ps := make([]*model.Project, 4)
	err := db.WithTx(ctx, func(q *Queries) error {
		top = model.Namespace{Kind: model.KindGroup, Name: "Top", Path: "top"}
		if err := q.CreateNamespace(ctx, &top); err != nil {
			return err
		}
		for i := range ps {
			ps[i] = &model.Project{NamespaceID: top.ID, Name: "p" + string(rune('a'+i)), Path: "p" + string(rune('a'+i)), Topics: []string{}}
			if err := q.CreateProject(ctx, ps[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	src, a, b, c := ps[0].ID, ps[1].ID, ps[2].ID, ps[3].ID
	tx := func(fn func(q *Queries) (bool, error)) bool {
		t.Helper()
		var ok bool
		if err := db.WithTx(ctx, func(q *Queries) (err error) { ok, err = fn(q); return err }); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	count := func(id int64) int {
		t.Helper()
		p, err := db.Queries().ProjectByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return p.ForksCount
	}
	link := func(fork, from int64) bool {
		return tx(func(q *Queries) (bool, error) { return q.LinkFork(ctx, fork, from) })
	}
	if !link(a, src) || link(a, src) || !link(b, src) || !link(c, a) {
		t.Fatal("links: want the first of each to win, the repeat to lose")
	}
	if count(src) != 2 || count(a) != 1 {
		t.Fatalf("forks_count = %d, %d; want 2, 1", count(src), count(a))
	}
	if up, err := db.Queries().ForkAncestors(ctx, c); err != nil || !slices.Equal(up, []int64{a, src}) {
		t.Fatalf("ancestors of c = %v, %v", up, err)
	}
	unlink := func(fork, from int64) bool {
		return tx(func(q *Queries) (bool, error) { return q.UnlinkFork(ctx, fork, from) })
	}
	if !unlink(b, src) || unlink(b, src) || count(src) != 1 {
		t.Fatalf("unlink: forks_count %d", count(src))
	}
	// A fork deleted leaves its source's count; a source deleted unlinks
	// its forks.
	tx(func(q *Queries) (bool, error) { return true, q.DeleteProject(ctx, c) })
	if count(a) != 0 {
		t.Fatalf("forks_count after the fork's deletion = %d", count(a))
	}
	tx(func(q *Queries) (bool, error) { return true, q.DeleteProject(ctx, src) })
	if p, err := db.Queries().ProjectByID(ctx, a); err != nil || p.ForkedFromID != nil {
		t.Fatalf("fork of a deleted source = %v, %v", p.ForkedFromID, err)
	}
}
