package repo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// twoInstances is two Stores on one repositories directory, as two
// lablet instances sharing it have, with their own caches and pools.
func twoInstances(t *testing.T) (a, b *Store) {
	t.Helper()
	a = newStore(t)
	a.Shared = true
	b = &Store{Root: a.Root, Shared: true}
	t.Cleanup(func() { _ = b.Close() })
	return a, b
}

func branchNames(t *testing.T, r *Repo) []string {
	t.Helper()
	bs, err := r.BranchesSorted(context.Background(), SortNameAsc)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range bs {
		names = append(names, b.Name+"@"+b.Target)
	}
	return names
}

// TestSharedStoresSeeEachOthersRefs: with shared repositories, a ref
// change made through one store is seen by the other's next read of its
// ref caches (resolved revisions, branch lists, trees read at a branch),
// while without a change the caches hit.
func TestSharedStoresSeeEachOthersRefs(t *testing.T) {
	ctx := context.Background()
	a, b := twoInstances(t)
	ra := newRepo(t, a, 1)
	rb := b.Open(1)
	c1 := commit(t, ra, "main", Action{Kind: ActionCreate, Path: "a", Content: []byte("1")})
	if got, err := rb.ResolveRef(ctx, "main"); err != nil || got != c1.ID {
		t.Fatalf("b resolves main to %q, %v; want %s", got, err, c1.ID)
	}
	v := rb.RefsVersion()
	if rb.RefsVersion() != v {
		t.Fatal("the refs version moved without a change")
	}
	before := branchNames(t, rb)

	c2 := commit(t, ra, "main", Action{Kind: ActionCreate, Path: "b", Content: []byte("2")})
	if rb.RefsVersion() == v {
		t.Fatal("b's refs version did not move with a's commit")
	}
	if got, err := rb.ResolveRef(ctx, "main"); err != nil || got != c2.ID {
		t.Fatalf("after a's commit b resolves main to %q, %v; want %s", got, err, c2.ID)
	}
	tree, err := rb.Tree(ctx, "main", "", false)
	if err != nil || len(tree) != 2 {
		t.Fatalf("b's tree of main: %v, %v; want a and b", tree, err)
	}
	if _, err := ra.CreateBranch(ctx, "feature", c1.ID); err != nil {
		t.Fatal(err)
	}
	after := branchNames(t, rb)
	want := []string{"feature@" + c1.ID, "main@" + c2.ID}
	if !slices.Equal(after, want) || slices.Equal(before, after) {
		t.Fatalf("b's branches after a's changes: %v; want %v (before: %v)", after, want, before)
	}
	// b's own writes are seen by a the same way.
	if err := rb.DeleteBranch(ctx, "feature", ""); err != nil {
		t.Fatal(err)
	}
	if got := branchNames(t, ra); !slices.Equal(got, want[1:]) {
		t.Fatalf("a's branches after b deleted feature: %v", got)
	}
	// A push (git outside lablet) that reports RefsChanged on one
	// instance is seen by the other.
	gitOut(t, ra, "update-ref", "refs/heads/pushed", c1.ID)
	ra.RefsChanged()
	if got, err := rb.ResolveRef(ctx, "pushed"); err != nil || got != c1.ID {
		t.Fatalf("b resolves the pushed branch to %q, %v", got, err)
	}
	if _, err := os.Stat(filepath.Join(ra.Path(), RefsStampName)); err != nil {
		t.Fatalf("no refs stamp: %v", err)
	}
}

// TestSharedStoresRacingCommits: commits racing on one branch through two
// stores (two instances) all land: git's ref lock and old-value check
// order them, and the loser retries on the new tip.
func TestSharedStoresRacingCommits(t *testing.T) {
	ctx := context.Background()
	a, b := twoInstances(t)
	r := newRepo(t, a, 2)
	commit(t, r, "main", Action{Kind: ActionCreate, Path: "base", Content: []byte("0")})
	const writers = 16
	var wg sync.WaitGroup
	ids := make([]string, writers)
	errs := make([]error, writers)
	for i := range writers {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := s.Open(2).CommitFiles(ctx, CommitRequest{Branch: "main", Message: fmt.Sprintf("writer %d", i),
				Author: alice, Actions: []Action{{Kind: ActionCreate, Path: fmt.Sprintf("w/%02d", i), Content: []byte("x")}}})
			if err == nil {
				ids[i] = c.ID
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	history, err := b.Open(2).History(ctx, HistoryOptions{Ref: "main"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range writers {
		if errs[i] != nil {
			t.Errorf("writer %d: %v", i, errs[i])
		} else if !slices.ContainsFunc(history, func(c *Commit) bool { return c.ID == ids[i] }) {
			t.Errorf("writer %d's acknowledged commit %s is not in main's history", i, ids[i])
		}
	}
}

// BenchmarkCachedRefReads is what the refs stamp costs a cached read:
// resolving a branch and listing branches, answered from the caches,
// alone and with shared repositories (a stamp file read per version).
func BenchmarkCachedRefReads(b *testing.B) {
	for _, shared := range []bool{false, true} {
		b.Run(fmt.Sprintf("shared=%v", shared), func(b *testing.B) {
			ctx := context.Background()
			s := newStore(b)
			s.Shared = shared
			r := newRepo(b, s, 1)
			commit(b, r, "main", Action{Kind: ActionCreate, Path: "a", Content: []byte("1")})
			b.ResetTimer()
			for range b.N {
				if _, err := r.ResolveRef(ctx, "main"); err != nil {
					b.Fatal(err)
				}
				if _, err := r.BranchesSorted(ctx, SortNameAsc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
