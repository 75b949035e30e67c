package repo

import (
	"context"
	"testing"
)

// TestCommitChanges: the files each commit added, changed, moved and
// deleted against its first parent, the root commit against nothing, for
// several commits in one call.
func TestCommitChanges(t *testing.T) {
	s := newStore(t)
	r := newRepo(t, s, 1)
	root := commit(t, r, "main",
		Action{Kind: ActionCreate, Path: "a.txt", Content: []byte("a\n")},
		Action{Kind: ActionCreate, Path: "dir/b.txt", Content: []byte("b\nb\nb\nb\n")})
	second := commit(t, r, "main",
		Action{Kind: ActionUpdate, Path: "a.txt", Content: []byte("a2\n")},
		Action{Kind: ActionMove, PreviousPath: "dir/b.txt", Path: "c.txt"},
		Action{Kind: ActionCreate, Path: "0123456789012345678901234567890123456789", Content: []byte("hex name\n")})
	third := commit(t, r, "main", Action{Kind: ActionDelete, Path: "a.txt"})
	got, err := r.CommitChanges(context.Background(), []*Commit{third, second, root})
	if err != nil {
		t.Fatal(err)
	}
	type change struct {
		old, new              string
		added, removed, moved bool
	}
	simplify := func(ds []FileDiff) []change {
		var cs []change
		for _, d := range ds {
			cs = append(cs, change{d.OldPath, d.NewPath, d.NewFile, d.DeletedFile, d.RenamedFile})
		}
		return cs
	}
	want := map[string][]change{
		root.ID:   {{"a.txt", "a.txt", true, false, false}, {"dir/b.txt", "dir/b.txt", true, false, false}},
		second.ID: {{"0123456789012345678901234567890123456789", "0123456789012345678901234567890123456789", true, false, false}, {"a.txt", "a.txt", false, false, false}, {"dir/b.txt", "c.txt", false, false, true}},
		third.ID:  {{"a.txt", "a.txt", false, true, false}},
	}
	for id, w := range want {
		g := simplify(got[id])
		if len(g) != len(w) {
			t.Fatalf("commit %s: %+v, want %+v", id[:8], g, w)
		}
		for i := range w {
			if g[i] != w[i] {
				t.Fatalf("commit %s: %+v, want %+v", id[:8], g, w)
			}
		}
	}
	if len(got) != 3 {
		t.Fatalf("%d commits in the answer, want 3", len(got))
	}
}
