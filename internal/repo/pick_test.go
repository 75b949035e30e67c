package repo

import (
	"context"
	"errors"
	"testing"
)

func TestPickDiffBlameStats(t *testing.T) {
	ctx := context.Background()
	r := newRepo(t, newStore(t), 1)
	root := commit(t, r, "main", Action{Kind: ActionCreate, Path: "a.txt", Content: []byte("1\n2\n3\n")})
	if _, err := r.CreateBranch(ctx, "topic", "main"); err != nil {
		t.Fatal(err)
	}
	topic := commit(t, r, "topic", Action{Kind: ActionUpdate, Path: "a.txt", Content: []byte("1\n2\nthree\n")})
	commit(t, r, "main", Action{Kind: ActionCreate, Path: "b.txt", Content: []byte("b\n")})

	me := Signature{Name: "Me", Email: "me@example.com"}
	picked, err := r.Pick(ctx, PickRequest{Branch: "main", Commit: topic.ID, Committer: me})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := r.Blob(ctx, "main", "a.txt"); err != nil || string(b.Content) != "1\n2\nthree\n" {
		t.Fatalf("after pick a.txt = %v, %v", b, err)
	}
	if _, err := r.Pick(ctx, PickRequest{Branch: "main", Commit: topic.ID, Committer: me}); !errors.Is(err, ErrPickEmpty) {
		t.Fatalf("second pick err = %v, want ErrPickEmpty", err)
	}
	// Reverting the root commit conflicts with the later edit of a.txt.
	if _, err := r.Pick(ctx, PickRequest{Branch: "main", Commit: root.ID, Revert: true, Committer: me}); !errors.Is(err, ErrPickConflict) {
		t.Fatalf("revert root err = %v, want ErrPickConflict", err)
	}
	if head := gitOut(t, r, "rev-parse", "main"); head != picked.ID {
		t.Fatalf("failed picks moved main to %s", head)
	}

	diffs, err := r.CommitDiff(ctx, root.ID)
	if err != nil || len(diffs) != 1 || !diffs[0].NewFile || diffs[0].AMode != "0" || diffs[0].Diff != "@@ -0,0 +1,3 @@\n+1\n+2\n+3\n" {
		t.Fatalf("root diff = %+v, %v", diffs, err)
	}
	st, err := r.CommitStats(ctx, []*Commit{root, picked})
	if err != nil || st[root.ID] != (Stats{Additions: 3}) || st[picked.ID] != (Stats{Additions: 1, Deletions: 1}) {
		t.Fatalf("stats = %+v, %v", st, err)
	}
	ranges, err := r.Blame(ctx, picked.ID, "a.txt", 0, 0)
	if err != nil || len(ranges) != 2 || ranges[0].Commit.ID != root.ID || len(ranges[0].Lines) != 2 || ranges[1].Commit.ID != picked.ID {
		t.Fatalf("blame = %+v, %v", ranges, err)
	}
	if _, err := r.Blame(ctx, picked.ID, "a.txt", 5, 9); !errors.Is(err, ErrInvalid) {
		t.Fatalf("blame beyond end err = %v", err)
	}
	if out, err := r.git(ctx, "fsck", "--strict"); err != nil {
		t.Fatalf("fsck: %v %s", err, out)
	}
}
