package repo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// histEntry is a file of a generated commit: mode and content.
type histEntry struct{ mode, data string }

// histPaths are the names generated histories use: nested directories,
// spaces, unicode, a name that is a file in some commits and a directory
// in others ("d" / "d/e"), and "x-y" next to "x/y", which sort apart from
// each other in git's tree order and byte order.
var histPaths = []string{"a", "b c", "dir/x", "dir/sub/y", "dir/sub/z é", "d", "d/e", "d/f/g",
	"ünï/cödé.txt", "x-y", "x/y", "x/z", "deep/1/2/3/4/f"}

// genHistory writes a random history with git fast-import into a new bare
// repository: single-parent commits that add, change, delete, re-add,
// chmod and turn files into symlinks or directories; merges of two or
// three parents (including unrelated roots) whose tree takes each path from
// some parent or from none (evil merges); empty commits; and, with skew,
// committer dates out of order. It returns the repository and every commit
// with its files.
func genHistory(t *testing.T, seed uint64, n int, skew bool) (string, []string, []map[string]histEntry) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, seed*7+1))
	dir := filepath.Join(t.TempDir(), "h.git")
	if out, err := exec.Command("git", "init", "--bare", "--quiet", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v %s", err, out)
	}
	var buf bytes.Buffer
	var states []map[string]histEntry
	conflicts := func(st map[string]histEntry, p string) {
		for q := range st { // a file cannot be a directory too
			if strings.HasPrefix(q, p+"/") || strings.HasPrefix(p, q+"/") {
				delete(st, q)
			}
		}
	}
	mutate := func(st map[string]histEntry, i int) {
		for k := rng.IntN(3); k >= 0; k-- {
			p := histPaths[rng.IntN(len(histPaths))]
			switch rng.IntN(6) {
			case 0:
				delete(st, p)
			case 1:
				if e, ok := st[p]; ok && e.mode == "100644" {
					e.mode = "100755"
					st[p] = e
					continue
				}
				fallthrough
			case 2:
				if rng.IntN(4) == 0 {
					conflicts(st, p)
					st[p] = histEntry{mode: "120000", data: "target"}
					continue
				}
				fallthrough
			default:
				conflicts(st, p)
				// Content from a small set, so a path sometimes gets an
				// older content back (same blob again).
				st[p] = histEntry{mode: "100644", data: fmt.Sprintf("v%d\n", rng.IntN(4))}
			}
		}
		_ = i
	}
	ts := int64(1700000000)
	for i := 0; i < n; i++ {
		var parents []int
		var st map[string]histEntry
		switch r := rng.IntN(10); {
		case i == 0 || r == 0 && i < n/2:
			st = map[string]histEntry{}
			mutate(st, i)
			mutate(st, i)
		case r < 4 && i > 2:
			k := 2 + rng.IntN(2)
			seen := map[int]bool{}
			for len(parents) < k && len(seen) < i {
				p := rng.IntN(i)
				if !seen[p] {
					seen[p] = true
					parents = append(parents, p)
				}
			}
			st = map[string]histEntry{}
			all := map[string]bool{}
			for _, p := range parents {
				for q := range states[p] {
					all[q] = true
				}
			}
			keys := make([]string, 0, len(all))
			for q := range all {
				keys = append(keys, q)
			}
			sort.Strings(keys)
			for _, q := range keys { // each path from some parent, or dropped
				from := rng.IntN(len(parents) + 1)
				if from == len(parents) {
					continue
				}
				if e, ok := states[parents[from]][q]; ok {
					conflicts(st, q)
					st[q] = e
				}
			}
			if rng.IntN(3) == 0 {
				mutate(st, i) // evil merge
			}
		default:
			p := i - 1
			if rng.IntN(3) == 0 {
				p = rng.IntN(i)
			}
			parents = []int{p}
			st = map[string]histEntry{}
			for q, e := range states[p] {
				st[q] = e
			}
			if rng.IntN(8) != 0 { // else an empty commit
				mutate(st, i)
			}
		}
		ts += 600
		when := ts
		if skew && rng.IntN(4) == 0 {
			when = ts - int64(rng.IntN(20))*600
		}
		fmt.Fprintf(&buf, "commit refs/heads/c%03d\nmark :%d\n", i, i+1)
		fmt.Fprintf(&buf, "committer C <c@example.com> %d +0000\ndata 3\nc%d\n", when, i%10)
		for j, p := range parents {
			if j == 0 {
				fmt.Fprintf(&buf, "from :%d\n", p+1)
			} else {
				fmt.Fprintf(&buf, "merge :%d\n", p+1)
			}
		}
		buf.WriteString("deleteall\n")
		keys := make([]string, 0, len(st))
		for q := range st {
			keys = append(keys, q)
		}
		sort.Strings(keys)
		for _, q := range keys {
			e := st[q]
			fmt.Fprintf(&buf, "M %s inline %s\ndata %d\n%s\n", e.mode, q, len(e.data), e.data)
		}
		buf.WriteString("\n")
		states = append(states, st)
	}
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir = dir
	cmd.Stdin = &buf
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("fast-import: %v %s", err, out)
	}
	ids := make([]string, n)
	for i := range ids {
		out, err := exec.Command("git", "-C", dir, "rev-parse", fmt.Sprintf("refs/heads/c%03d", i)).Output()
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = strings.TrimSpace(string(out))
	}
	return dir, ids, states
}

// gitLastCommit is git's own answer: git log -1 <commit> -- <path>.
func gitLastCommit(t *testing.T, dir, commit, p string) string {
	t.Helper()
	out, err := gitCmd{dir: dir, args: []string{"log", "-1", "--format=%H", commit, "--", p}}.run(context.Background())
	if err != nil {
		t.Fatalf("git log %s -- %s: %v", commit, p, err)
	}
	return strings.TrimSpace(string(out))
}

// TestLastCommitForPathMatchesGit compares LastCommitIDForPath with
// "git log -1 <commit> -- <path>" for every file (and some directories and
// removed paths) of every commit of generated histories with merges, evil
// merges, deletions and re-adds, mode and type changes, and clock skew,
// visiting commits in random order so later walks reuse earlier ones.
func TestLastCommitForPathMatchesGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	ctx := context.Background()
	for _, tc := range []struct {
		seed uint64
		skew bool
	}{{1, false}, {2, false}, {3, true}, {4, true}, {5, false}} {
		t.Run(fmt.Sprintf("seed%d", tc.seed), func(t *testing.T) {
			n := 36
			if testing.Short() {
				n = 16
			}
			dir, ids, states := genHistory(t, tc.seed, n, tc.skew)
			r := OpenPath(dir)
			t.Cleanup(func() { _ = r.Close() })
			rng := rand.New(rand.NewPCG(tc.seed, 99))
			merges := 0
			for _, i := range rng.Perm(len(ids)) {
				id := ids[i]
				if strings.Count(gitOutDir(t, dir, "cat-file", "-p", id), "\nparent ") > 1 {
					merges++
				}
				ask := []string{"dir", "d", "nope", "x"}
				for p := range states[i] {
					ask = append(ask, p)
				}
				for _, p := range histPaths {
					if _, ok := states[i][p]; !ok && rng.IntN(3) == 0 {
						ask = append(ask, p) // absent: maybe deleted earlier
					}
				}
				for _, p := range ask {
					want := gitLastCommit(t, dir, id, p)
					got, err := r.LastCommitIDForPath(ctx, id, p)
					if want == "" {
						if !errors.Is(err, ErrNotFound) {
							t.Fatalf("commit %d %s, %q: got %q, %v; git finds none", i, id, p, got, err)
						}
						continue
					}
					if err != nil || got != want {
						t.Fatalf("commit %d %s, %q: got %q, %v; git says %s", i, id, p, got, err, want)
					}
				}
				pc, ok := r.cache.pathCommits.Get(commitKey{repo: r.path, id: id})
				if !ok {
					t.Fatalf("commit %d: no walk cached", i)
				}
				if !tc.skew && len(pc.paths) != len(states[i]) {
					t.Errorf("commit %d: walk resolved %d of %d files", i, len(pc.paths), len(states[i]))
				}
			}
			if merges == 0 {
				t.Fatal("no merge generated")
			}
		})
	}
}

func gitOutDir(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := gitCmd{dir: dir, args: args}.run(context.Background())
	if err != nil {
		t.Fatalf("git %v: %v", args, err)
	}
	return string(out)
}

// TestLastCommitWalkReusesParent checks that the walk from a new commit
// stops at a parent whose walk is cached, and that it answers as git.
func TestLastCommitWalkReusesParent(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRepo(t, s, 1)
	c1 := commit(t, r, "main", Action{Kind: ActionCreate, Path: "a b/ü.txt", Content: []byte("1")},
		Action{Kind: ActionCreate, Path: "top", Content: []byte("t")})
	c2 := commit(t, r, "main", Action{Kind: ActionCreate, Path: "c", Content: []byte("2")})
	if got, err := r.LastCommitIDForPath(ctx, c2.ID, "a b/ü.txt"); err != nil || got != c1.ID {
		t.Fatalf("got %s, %v; want %s", got, err, c1.ID)
	}
	c3 := commit(t, r, "main", Action{Kind: ActionUpdate, Path: "top", Content: []byte("t2")})
	for p, want := range map[string]string{"a b/ü.txt": c1.ID, "c": c2.ID, "top": c3.ID} {
		if got, err := r.LastCommitIDForPath(ctx, c3.ID, p); err != nil || got != want || got != gitLastCommit(t, r.path, c3.ID, p) {
			t.Fatalf("%s: got %s, %v; want %s", p, got, err, want)
		}
	}
	if cm, err := r.LastCommitForPath(ctx, c3.ID, "c"); err != nil || cm.ID != c2.ID || cm.Title == "" {
		t.Fatalf("LastCommitForPath: %+v, %v", cm, err)
	}
	if _, err := r.LastCommitIDForPath(ctx, c3.ID, "missing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing path: %v", err)
	}
	if _, err := r.LastCommitIDForPath(ctx, strings.Repeat("0", 40), "c"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing commit: %v", err)
	}
}

// TestLastCommitConcurrent runs many readers of one commit at once (they
// share one walk) and checks every answer against git.
func TestLastCommitConcurrent(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir, ids, states := genHistory(t, 7, 24, false)
	r := OpenPath(dir)
	t.Cleanup(func() { _ = r.Close() })
	last := len(ids) - 1
	want := map[string]string{}
	for p := range states[last] {
		want[p] = gitLastCommit(t, dir, ids[last], p)
	}
	errs := make(chan error, 8*len(want))
	for g := 0; g < 8; g++ {
		go func() {
			for p, w := range want {
				got, err := r.LastCommitIDForPath(context.Background(), ids[last], p)
				if err == nil && got != w {
					err = fmt.Errorf("%q: got %s, git says %s", p, got, w)
				}
				errs <- err
			}
		}()
	}
	for i := 0; i < 8*len(want); i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
