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

	objects := filepath.Join(r.Path(), "objects")
	if err := os.Rename(objects, objects+".away"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Rename(objects+".away", objects) })
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
	objects := filepath.Join(r.Path(), "objects")
	if err := os.Rename(objects, objects+".away"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Rename(objects+".away", objects) })
	if n, err := r.ChangedFiles(ctx, c1.ID, c2.ID); err != nil || n != 2 {
		t.Fatalf("second ChangedFiles = %d, %v", n, err)
	}
}
