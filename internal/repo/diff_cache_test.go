package repo

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestDiffTreesCached: a diff of two object ids is answered from memory
// the second time (it still answers with the repository's objects moved
// away, so no git ran), and a caller changing its answer changes no one
// else's.
func TestDiffTreesCached(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRepo(t, s, 1)
	c1 := commit(t, r, "main", Action{Kind: ActionCreate, Path: "a.txt", Content: []byte("one\ntwo\n")})
	c2 := commit(t, r, "main", Action{Kind: ActionUpdate, Path: "a.txt", Content: []byte("one\nthree\n")},
		Action{Kind: ActionCreate, Path: "b.txt", Content: []byte("b\n")})
	first, err := r.DiffTrees(ctx, c1.ID, c2.ID)
	if err != nil || len(first) != 2 || first[0].NewPath != "a.txt" {
		t.Fatalf("DiffTrees = %+v, %v", first, err)
	}
	want := append([]FileDiff(nil), first...)
	first[0].Diff = "changed by a caller"

	moveObjectsAway(t, r)
	again, err := r.DiffTrees(ctx, c1.ID, c2.ID)
	if err != nil || !reflect.DeepEqual(again, want) {
		t.Fatalf("second DiffTrees = %+v, %v; want %+v", again, err, want)
	}
	if n, err := r.ChangedFiles(ctx, c1.ID, c2.ID); err != nil || n != 2 {
		t.Fatalf("ChangedFiles = %d, %v", n, err)
	}
}

// TestChangedFilesCached: a count of changed files is kept like a diff.
func TestChangedFilesCached(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRepo(t, s, 1)
	c1 := commit(t, r, "main", Action{Kind: ActionCreate, Path: "a.txt", Content: []byte("one\n")})
	c2 := commit(t, r, "main", Action{Kind: ActionCreate, Path: "b.txt", Content: []byte("b\n")},
		Action{Kind: ActionCreate, Path: "c.txt", Content: []byte("c\n")})
	if n, err := r.ChangedFiles(ctx, c1.ID, c2.ID); err != nil || n != 2 {
		t.Fatalf("ChangedFiles = %d, %v", n, err)
	}
	moveObjectsAway(t, r)
	if n, err := r.ChangedFiles(ctx, c1.ID, c2.ID); err != nil || n != 2 {
		t.Fatalf("second ChangedFiles = %d, %v", n, err)
	}
}

// TestMergeTreesCached: a merge of two commit ids is merge-tree's once:
// asked again it answers the same tree without git (still there with the
// merged commit's object gone), and a kept tree that housekeeping
// dropped is merged anew.
func TestMergeTreesCached(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRepo(t, s, 1)
	base := commit(t, r, "main", Action{Kind: ActionCreate, Path: "a.txt", Content: []byte("a\n")})
	if _, err := r.CreateBranch(ctx, "topic", base.ID); err != nil {
		t.Fatal(err)
	}
	ours := commit(t, r, "main", Action{Kind: ActionCreate, Path: "b.txt", Content: []byte("b\n")})
	theirs := commit(t, r, "topic", Action{Kind: ActionCreate, Path: "c.txt", Content: []byte("c\n")})
	tree, err := r.mergeTrees(ctx, ours.ID, theirs.ID)
	if err != nil {
		t.Fatal(err)
	}
	loose := func(id string) string { return filepath.Join(r.Path(), "objects", id[:2], id[2:]) }
	gone := loose(theirs.ID) + ".away"
	if err := os.Rename(loose(theirs.ID), gone); err != nil {
		t.Fatalf("commit object not loose: %v", err)
	}
	if again, err := r.mergeTrees(ctx, ours.ID, theirs.ID); err != nil || again != tree {
		t.Fatalf("second merge = %q, %v; want %q from memory", again, err, tree)
	}
	if err := os.Rename(gone, loose(theirs.ID)); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(loose(tree)); err != nil {
		t.Fatalf("merged tree not loose: %v", err)
	}
	again, err := r.mergeTrees(ctx, ours.ID, theirs.ID)
	if err != nil || again != tree {
		t.Fatalf("merge after the tree was dropped = %q, %v", again, err)
	}
	if got := gitOut(t, r, "cat-file", "-t", tree); got != "tree" {
		t.Fatalf("tree %s not written again: %q", tree, got)
	}
}

// moveObjectsAway hides r's object store until the test ends: whatever
// r still answers comes from memory.
func moveObjectsAway(t *testing.T, r *Repo) {
	t.Helper()
	objects := filepath.Join(r.Path(), "objects")
	if err := os.Rename(objects, objects+".away"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Rename(objects+".away", objects) })
}
