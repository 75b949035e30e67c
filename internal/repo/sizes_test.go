package repo

import (
	"context"
	"testing"
)

// DiskSize and CommitCount are what project statistics store: a missing
// repository measures 0 and counts nothing, a branch counts its own
// history only.
func TestDiskSizeAndCommitCount(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	if n, err := s.Open(99).DiskSize(); err != nil || n != 0 {
		t.Fatalf("missing repository: %d, %v", n, err)
	}
	if n, err := s.Open(99).CommitCount(ctx, "main"); err != nil || n != 0 {
		t.Fatalf("missing repository's commits: %d, %v", n, err)
	}
	r := newRepo(t, s, 1)
	empty, err := r.DiskSize()
	if err != nil || empty == 0 {
		t.Fatalf("empty repository: %d, %v", empty, err)
	}
	if n, err := r.CommitCount(ctx, "main"); err != nil || n != 0 {
		t.Fatalf("unborn branch: %d, %v", n, err)
	}
	commit(t, r, "main", Action{Kind: ActionCreate, Path: "a.txt", Content: []byte("a\n")})
	commit(t, r, "main", Action{Kind: ActionUpdate, Path: "a.txt", Content: []byte("b\n")})
	if _, err := r.CommitFiles(ctx, CommitRequest{Branch: "side", StartBranch: "main", Message: "side", Author: alice,
		Actions: []Action{{Kind: ActionCreate, Path: "b.txt", Content: []byte("c\n")}}}); err != nil {
		t.Fatal(err)
	}
	if n, err := r.CommitCount(ctx, "main"); err != nil || n != 2 {
		t.Fatalf("main: %d, %v", n, err)
	}
	if n, err := r.DiskSize(); err != nil || n <= empty {
		t.Fatalf("after commits: %d (empty %d), %v", n, empty, err)
	}
}
