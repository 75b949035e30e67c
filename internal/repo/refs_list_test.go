package repo

import (
	"context"
	"reflect"
	"testing"
)

// TestReadBranchRefsMatchesGit checks the process-free branch listing and
// the merged-branches cache against git, across loose, packed, nested and
// updated refs.
func TestReadBranchRefsMatchesGit(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRepo(t, s, 1)
	c1 := commit(t, r, "main", Action{Kind: ActionCreate, Path: "a", Content: []byte("1")})
	for _, b := range []string{"feature/x", "feature/y/z", "b", "Z"} {
		if _, err := r.CreateBranch(ctx, b, "main"); err != nil {
			t.Fatal(err)
		}
	}
	check := func(when string) {
		t.Helper()
		for _, sort := range []RefSort{SortNameAsc, SortNameDesc} {
			recs, err := r.forEachRefSorted(ctx, sort, "refs/heads/", "%(refname)", "%(objectname)")
			if err != nil {
				t.Fatal(err)
			}
			want := []Branch{}
			for _, f := range recs {
				want = append(want, Branch{Name: f[0][len("refs/heads/"):], Target: f[1]})
			}
			got, err := r.BranchesSorted(ctx, sort)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s %s: got %v, want %v", when, sort, got, want)
			}
		}
		head, err := r.Branch("main")
		if err != nil {
			t.Fatal(err)
		}
		want, err := r.mergedBranches(ctx, head.Target)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ { // miss, then hit
			got, err := r.MergedBranches(ctx, head.Target)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s merged (%d): got %v, want %v", when, i, got, want)
			}
		}
	}
	check("loose")
	gitOut(t, r, "pack-refs", "--all")
	check("packed")
	commit(t, r, "b", Action{Kind: ActionCreate, Path: "b", Content: []byte("2")})
	check("loose over packed")
	commit(t, r, "main", Action{Kind: ActionCreate, Path: "c", Content: []byte("3")})
	check("main moved")
	if err := r.DeleteBranch(ctx, "feature/x", ""); err != nil {
		t.Fatal(err)
	}
	check("deleted")
	if got, err := r.LastCommitForPath(ctx, c1.ID, "a"); err != nil || got.ID != c1.ID {
		t.Fatalf("LastCommitForPath: %v %v", got, err)
	}
	if got, err := r.LastCommitForPath(ctx, c1.ID, "a"); err != nil || got.ID != c1.ID {
		t.Fatalf("LastCommitForPath (cached): %v %v", got, err)
	}
}
