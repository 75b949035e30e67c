package repo

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestRefCachesFollowRefWrites checks that the answers cached under the
// refs version (resolved revisions, ref values, branch lists, merged
// branches, history from every ref) change with every ref write made
// through lablet and with RefsChanged, and agree with git each time.
func TestRefCachesFollowRefWrites(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRepo(t, s, 1)
	c1 := commit(t, r, "main", Action{Kind: ActionCreate, Path: "a", Content: []byte("1")})
	check := func(when string, revs ...string) {
		t.Helper()
		for _, rev := range revs {
			want := ""
			if out, err := (gitCmd{dir: r.path, args: []string{"rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}"}}).run(ctx); err == nil {
				want = strings.TrimSpace(string(out))
			}
			for i := 0; i < 2; i++ { // miss, then hit
				got, err := r.ResolveRef(ctx, rev)
				if want == "" && !errors.Is(err, ErrNotFound) || want != "" && (err != nil || got != want) {
					t.Fatalf("%s: ResolveRef(%q) = %q, %v; git says %q", when, rev, got, err, want)
				}
			}
		}
		for i := 0; i < 2; i++ {
			got, err := r.BranchesSorted(ctx, SortNameAsc)
			if err != nil {
				t.Fatal(err)
			}
			want, err := r.Branches(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: branches %v, git says %v", when, got, want)
			}
			got[0].Name = "mutated by the caller" // must not reach the cache
		}
		all, err := r.History(ctx, HistoryOptions{All: true})
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.Fields(gitOut(t, r, "rev-list", "--branches", "--tags")); len(all) != len(want) {
			t.Fatalf("%s: history of all refs has %d commits, git says %d", when, len(all), len(want))
		}
	}
	check("start", "main", "HEAD", "refs/heads/main", "feature", "v1", c1.ID)
	c2 := commit(t, r, "main", Action{Kind: ActionCreate, Path: "b", Content: []byte("2")})
	check("main moved", "main", "HEAD", "refs/heads/main", c2.ID)
	if _, err := r.CreateBranch(ctx, "feature", c1.ID); err != nil {
		t.Fatal(err)
	}
	check("branch created", "feature", "refs/heads/feature")
	if b, err := r.Branch("feature"); err != nil || b.Target != c1.ID {
		t.Fatalf("Branch(feature) = %+v, %v", b, err)
	}
	if m, err := r.MergedBranches(ctx, c2.ID); err != nil || !m["feature"] {
		t.Fatalf("merged: %v, %v", m, err)
	}
	// A tag shadows a branch of the same name, as in git.
	if _, err := r.CreateTag(ctx, TagRequest{Name: "feature", Rev: c2.ID}); err != nil {
		t.Fatal(err)
	}
	check("tag created", "feature", "refs/tags/feature")
	if err := r.SetDefaultBranch(ctx, "feature"); err != nil {
		t.Fatal(err)
	}
	check("HEAD moved", "HEAD")
	if err := r.DeleteBranch(ctx, "feature", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Branch("feature"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted branch: %v", err)
	}
	if m, err := r.MergedBranches(ctx, c2.ID); err != nil || m["feature"] {
		t.Fatalf("merged after delete: %v, %v", m, err)
	}
	check("branch deleted", "refs/heads/feature", "feature")
	// A change outside lablet is seen once reported.
	gitOut(t, r, "update-ref", "refs/heads/outside", c1.ID)
	r.RefsChanged()
	check("pushed", "outside")
}

// TestTreeCacheIsPerCommit checks that cached tree listings are copies and
// follow the commit a branch name resolves to.
func TestTreeCacheIsPerCommit(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRepo(t, s, 1)
	c1 := commit(t, r, "main", Action{Kind: ActionCreate, Path: "d/a", Content: []byte("1")})
	first, err := r.Tree(ctx, c1.ID, "d", false)
	if err != nil || len(first) != 1 {
		t.Fatalf("tree: %v, %v", first, err)
	}
	first[0].Name = "mutated"
	again, err := r.Tree(ctx, c1.ID, "d", false)
	if err != nil || again[0].Name != "a" {
		t.Fatalf("cached tree: %v, %v", again, err)
	}
	commit(t, r, "main", Action{Kind: ActionCreate, Path: "d/b", Content: []byte("2")})
	if es, err := r.Tree(ctx, "main", "d", false); err != nil || len(es) != 2 {
		t.Fatalf("tree after commit: %v, %v", es, err)
	}
	if _, err := r.Tree(ctx, c1.ID, "d/a", false); !errors.Is(err, ErrNotFound) {
		t.Fatalf("tree of a file: %v", err)
	}
}
