package repo

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// twoHookedInstances is twoInstances with the refs stamp hook installed in
// each store, as lablet serve does on PostgreSQL.
func twoHookedInstances(t *testing.T) (a, b *Store) {
	t.Helper()
	a, b = twoInstances(t)
	for _, s := range []*Store{a, b} {
		if err := s.InstallRefsHook(t.TempDir()); err != nil {
			t.Fatal(err)
		}
	}
	return a, b
}

// TestSharedStampMovesWithTheRefTransaction: an instance killed right
// after git committed one of its ref transactions, before lablet itself
// rewrote the refs stamp, leaves no other instance answering from the
// refs before it. The kill point is simulated by running only the git
// step of each API ref write — the pooled update-ref transaction, the
// one-off update-ref, HEAD's symbolic-ref — and never RefsChanged: the
// stamp moves with the refs all the same, in git's own process.
func TestSharedStampMovesWithTheRefTransaction(t *testing.T) {
	ctx := context.Background()
	a, b := twoHookedInstances(t)
	ra := newRepo(t, a, 1)
	rb := b.Open(1)
	if _, err := os.Stat(filepath.Join(ra.Path(), RefsStampName)); err != nil {
		t.Fatalf("a new shared repository has no refs stamp: %v", err)
	}
	c1 := commit(t, ra, "main", Action{Kind: ActionCreate, Path: "a", Content: []byte("1")})
	c2 := commit(t, ra, "main", Action{Kind: ActionCreate, Path: "b", Content: []byte("2")})

	// b caches main, its branch list and a tree at main.
	if got, err := rb.ResolveRef(ctx, "main"); err != nil || got != c2.ID {
		t.Fatalf("b resolves main to %q, %v; want %s", got, err, c2.ID)
	}
	if got := branchNames(t, rb); !slices.Equal(got, []string{"main@" + c2.ID}) {
		t.Fatalf("b's branches: %v", got)
	}

	// 1. The pooled update-ref (API commits, merges, branch and tag
	// creation and deletion all end in updateRef → refTransaction).
	if err := ra.refTransaction(ctx, "update refs/heads/main "+c1.ID+" "+c2.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := rb.ResolveRef(ctx, "main"); err != nil || got != c1.ID {
		t.Fatalf("after a's unstamped update b resolves main to %q, %v; want %s", got, err, c1.ID)
	}
	if tree, err := rb.Tree(ctx, "main", "", false); err != nil || len(tree) != 1 {
		t.Fatalf("b's tree of main after a's unstamped update: %v, %v; want only a", tree, err)
	}
	if err := ra.refTransaction(ctx, "update refs/heads/feature "+c2.ID+" "+zeroID); err != nil {
		t.Fatal(err)
	}
	want := []string{"feature@" + c2.ID, "main@" + c1.ID}
	if got := branchNames(t, rb); !slices.Equal(got, want) {
		t.Fatalf("b's branches after a's unstamped branch creation: %v; want %v", got, want)
	}
	if err := ra.refTransaction(ctx, "delete refs/heads/feature "+c2.ID); err != nil {
		t.Fatal(err)
	}
	if got := branchNames(t, rb); !slices.Equal(got, want[1:]) {
		t.Fatalf("b's branches after a's unstamped branch deletion: %v; want %v", got, want[1:])
	}

	// 2. The one-off git update-ref, when no pooled process can be used.
	gitOut(t, ra, append(ra.hookArgs(), "update-ref", "-m", "lablet", "refs/heads/main", c2.ID, c1.ID)...)
	if got, err := rb.ResolveRef(ctx, "main"); err != nil || got != c2.ID {
		t.Fatalf("after a's unstamped one-off update b resolves main to %q, %v; want %s", got, err, c2.ID)
	}

	// 3. HEAD (the default branch), which git moves outside a ref
	// transaction: the same child rewrites the stamp.
	if err := ra.refTransaction(ctx, "update refs/heads/other "+c1.ID+" "+zeroID); err != nil {
		t.Fatal(err)
	}
	if head, err := rb.ResolveRef(ctx, "HEAD"); err != nil || head != c2.ID {
		t.Fatalf("b resolves HEAD to %q, %v; want main's %s", head, err, c2.ID)
	}
	if err := ra.symbolicRefStamped(ctx, "refs/heads/other"); err != nil {
		t.Fatal(err)
	}
	if head, err := rb.ResolveRef(ctx, "HEAD"); err != nil || head != c1.ID {
		t.Fatalf("after a's unstamped HEAD change b resolves HEAD to %q, %v; want other's %s", head, err, c1.ID)
	}
}

// TestSharedRefsHookOnlyWhenShared: a store that is not shared installs
// no hook and runs its ref transactions without one.
func TestSharedRefsHookOnlyWhenShared(t *testing.T) {
	s := newStore(t)
	dir := filepath.Join(t.TempDir(), "hooks")
	if err := s.InstallRefsHook(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("hook dir of a store that is not shared: %v", err)
	}
	r := newRepo(t, s, 1)
	if args := r.hookArgs(); args != nil {
		t.Fatalf("hook args without a hook: %v", args)
	}
	commit(t, r, "main", Action{Kind: ActionCreate, Path: "a", Content: []byte("1")})
	if _, err := os.Stat(filepath.Join(r.Path(), RefsStampName)); !os.IsNotExist(err) {
		t.Fatalf("refs stamp in a repository that is not shared: %v", err)
	}
}
