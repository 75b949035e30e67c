package repo

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func newStore(t testing.TB) *Store {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	s := &Store{Root: t.TempDir()}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func newRepo(t testing.TB, s *Store, id int64) *Repo {
	t.Helper()
	r, err := s.Create(context.Background(), id, "main")
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return r
}

// gitOut runs the real git binary against the repository for assertions.
func gitOut(t testing.TB, r *Repo, args ...string) string {
	t.Helper()
	out, err := gitCmd{dir: r.Path(), args: args}.run(context.Background())
	if err != nil {
		t.Fatalf("git %v: %v", args, err)
	}
	return strings.TrimSpace(string(out))
}

var alice = Signature{Name: "Alice", Email: "alice@example.com"}

func commit(t testing.TB, r *Repo, branch string, actions ...Action) *Commit {
	t.Helper()
	c, err := r.CommitFiles(context.Background(), CommitRequest{Branch: branch, Message: "change " + actions[0].Path, Author: alice, Actions: actions})
	if err != nil {
		t.Fatalf("CommitFiles: %v", err)
	}
	return c
}

func ptr[T any](v T) *T { return &v }

func TestHashedPath(t *testing.T) {
	want := filepath.Join("@hashed", "6b", "86", "6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b.git")
	if got := HashedPath(1); got != want {
		t.Fatalf("HashedPath(1) = %s, want %s", got, want)
	}
	s := &Store{Root: "/srv/repos"}
	if got := s.Path(1); got != filepath.Join("/srv/repos", want) {
		t.Fatalf("Path = %s", got)
	}
}

func TestCreateDelete(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRepo(t, s, 42)
	if _, err := s.Create(ctx, 42, "main"); !errors.Is(err, ErrExists) {
		t.Fatalf("second Create: %v, want ErrExists", err)
	}
	if _, err := s.Create(ctx, 43, "-x"); !errors.Is(err, ErrInvalidRef) {
		t.Fatalf("Create with bad branch: %v", err)
	}
	if got := gitOut(t, r, "rev-parse", "--is-bare-repository"); got != "true" {
		t.Fatalf("bare = %s", got)
	}
	for _, kv := range repoConfig {
		if got := gitOut(t, r, "config", kv[0]); got != kv[1] {
			t.Errorf("config %s = %q, want %q", kv[0], got, kv[1])
		}
	}
	empty, err := r.IsEmpty(ctx)
	if err != nil || !empty {
		t.Fatalf("IsEmpty = %v, %v", empty, err)
	}
	if b, err := r.DefaultBranch(ctx); err != nil || b != "main" {
		t.Fatalf("DefaultBranch = %q, %v", b, err)
	}
	if _, err := r.ResolveRef(ctx, "main"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("ResolveRef in empty repo: %v", err)
	}
	if err := s.Delete(ctx, 42); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := s.Delete(ctx, 42); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second Delete: %v", err)
	}
	if _, err := r.Branches(ctx); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Branches after delete: %v", err)
	}
	if _, err := r.Blob(ctx, "main", "x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Blob after delete: %v", err)
	}
}

func TestCommitFilesAndRead(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRepo(t, s, 1)

	c1 := commit(t, r, "main",
		Action{Kind: ActionCreate, Path: "README.md", Content: []byte("# hello\n")},
		Action{Kind: ActionCreate, Path: "a/b/c/deep.txt", Content: []byte("deep\n")},
		Action{Kind: ActionCreate, Path: "a/run.sh", Content: []byte("#!/bin/sh\n"), ExecuteFilemode: ptr(true)},
	)
	if len(c1.Parents) != 0 || c1.Title != "change README.md" || c1.Author.Email != alice.Email {
		t.Fatalf("first commit = %+v", c1)
	}
	if empty, _ := r.IsEmpty(ctx); empty {
		t.Fatal("repository still empty")
	}
	// Cross-check with git itself.
	if got := gitOut(t, r, "ls-tree", "-r", "--name-only", "main"); got != "README.md\na/b/c/deep.txt\na/run.sh" {
		t.Fatalf("ls-tree = %q", got)
	}
	b, err := r.Blob(ctx, "main", "a/b/c/deep.txt")
	if err != nil || string(b.Content) != "deep\n" || b.Mode != "100644" || b.Size != 5 || b.Name != "deep.txt" {
		t.Fatalf("Blob = %+v, %v", b, err)
	}
	if b.ID != gitOut(t, r, "rev-parse", "main:a/b/c/deep.txt") {
		t.Fatalf("blob id mismatch")
	}
	if b, _ := r.Blob(ctx, "main", "a/run.sh"); b.Mode != "100755" {
		t.Fatalf("run.sh mode = %s", b.Mode)
	}
	if _, err := r.Blob(ctx, "main", "a/b"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Blob of dir: %v", err)
	}
	if _, err := r.Blob(ctx, "main", "nope/x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Blob missing: %v", err)
	}
	tree, err := r.Tree(ctx, "main", "", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(tree) != 2 || tree[0].Name != "README.md" || tree[1].Type != "tree" || tree[1].Mode != "040000" {
		t.Fatalf("Tree = %+v", tree)
	}
	rec, err := r.Tree(ctx, "main", "a", true)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, e := range rec {
		paths = append(paths, e.Type+":"+e.Path)
	}
	if want := "tree:a/b tree:a/b/c blob:a/b/c/deep.txt blob:a/run.sh"; strings.Join(paths, " ") != want {
		t.Fatalf("recursive Tree = %v", paths)
	}

	// update, delete, move, chmod in one commit
	c2 := commit(t, r, "main",
		Action{Kind: ActionUpdate, Path: "README.md", Content: []byte("# hello again\n")},
		Action{Kind: ActionDelete, Path: "a/b/c/deep.txt"},
		Action{Kind: ActionMove, PreviousPath: "a/run.sh", Path: "bin/run.sh"},
		Action{Kind: ActionCreate, Path: "bin/tool", Content: []byte("x")},
	)
	c3 := commit(t, r, "main", Action{Kind: ActionChmod, Path: "bin/tool", ExecuteFilemode: ptr(true)})
	if c3.Parents[0] != c2.ID || c2.Parents[0] != c1.ID {
		t.Fatal("history not linear")
	}
	if got := gitOut(t, r, "ls-tree", "-r", "main"); !strings.Contains(got, "100755 blob") || strings.Contains(got, "a/") {
		t.Fatalf("after edits ls-tree = %s", got)
	}
	if got := gitOut(t, r, "ls-tree", "-r", "--name-only", "main"); got != "README.md\nbin/run.sh\nbin/tool" {
		t.Fatalf("empty dirs not pruned / wrong files: %q", got)
	}
	if b, _ := r.Blob(ctx, "main", "bin/run.sh"); string(b.Content) != "#!/bin/sh\n" || b.Mode != "100755" {
		t.Fatalf("moved file = %+v", b)
	}
	if b, _ := r.Blob(ctx, c1.ID, "README.md"); string(b.Content) != "# hello\n" {
		t.Fatal("old revision content changed")
	}

	// Action errors are typed.
	for _, tc := range []struct {
		a    Action
		want error
	}{
		{Action{Kind: ActionCreate, Path: "README.md", Content: []byte("x")}, ErrExists},
		{Action{Kind: ActionCreate, Path: "README.md/x", Content: []byte("x")}, ErrExists},
		{Action{Kind: ActionUpdate, Path: "missing", Content: []byte("x")}, ErrNotFound},
		{Action{Kind: ActionDelete, Path: "bin"}, ErrNotFound},
		{Action{Kind: ActionMove, PreviousPath: "missing", Path: "x"}, ErrNotFound},
		{Action{Kind: ActionMove, PreviousPath: "bin/tool", Path: "README.md"}, ErrExists},
		{Action{Kind: ActionChmod, Path: "README.md"}, ErrInvalid},
		{Action{Kind: "rename", Path: "README.md"}, ErrInvalid},
	} {
		_, err := r.CommitFiles(ctx, CommitRequest{Branch: "main", Message: "m", Author: alice, Actions: []Action{tc.a}})
		if !errors.Is(err, tc.want) {
			t.Errorf("%+v: err = %v, want %v", tc.a, err, tc.want)
		}
	}

	// Log, Commit, LastCommitForPath, ResolveRef.
	log, err := r.Log(ctx, LogOptions{Ref: "main"})
	if err != nil || len(log) != 3 || log[0].ID != c3.ID || log[2].ID != c1.ID {
		t.Fatalf("Log = %d commits, %v", len(log), err)
	}
	if log, _ := r.Log(ctx, LogOptions{Ref: "main", Offset: 1, Limit: 1}); len(log) != 1 || log[0].ID != c2.ID {
		t.Fatal("Log offset/limit")
	}
	if log, _ := r.Log(ctx, LogOptions{Path: "README.md"}); len(log) != 2 {
		t.Fatalf("Log path = %d", len(log))
	}
	if log, _ := r.Log(ctx, LogOptions{All: true, Until: time.Unix(1, 0)}); len(log) != 0 {
		t.Fatalf("Log until = %d", len(log))
	}
	lc, err := r.LastCommitForPath(ctx, "main", "README.md")
	if err != nil || lc.ID != c2.ID {
		t.Fatalf("LastCommitForPath = %v, %v", lc, err)
	}
	cm, err := r.Commit(ctx, c2.ID[:10])
	if err != nil || cm.ID != c2.ID || cm.Tree != gitOut(t, r, "rev-parse", c2.ID+"^{tree}") {
		t.Fatalf("Commit(abbrev) = %+v, %v", cm, err)
	}
	for _, rev := range []string{"main", "refs/heads/main", "HEAD", c3.ID} {
		if got, err := r.ResolveRef(ctx, rev); err != nil || got != c3.ID {
			t.Errorf("ResolveRef(%q) = %s, %v", rev, got, err)
		}
	}
	for _, rev := range []string{"nope", "refs/heads/nope", strings.Repeat("a", 40), "main~1", ":/change", "--all"} {
		if _, err := r.ResolveRef(ctx, rev); err == nil {
			t.Errorf("ResolveRef(%q) succeeded", rev)
		}
	}
	// Spoofing: a pushed "refs/tags/refs/heads/x" must not make refs/heads/x resolve.
	gitOut(t, r, "update-ref", "refs/tags/refs/heads/ghost", c1.ID)
	if _, err := r.ResolveRef(ctx, "refs/heads/ghost"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("DWIM spoof resolved: %v", err)
	}
	out := gitOut(t, r, "fsck", "--strict", "--no-dangling")
	if out != "" {
		t.Fatalf("fsck: %s", out)
	}
}

func TestStartBranchAndExpectedHead(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRepo(t, s, 2)
	c1 := commit(t, r, "main", Action{Kind: ActionCreate, Path: "f", Content: []byte("1")})
	// New branch without a start point in a non-empty repo.
	_, err := r.CommitFiles(ctx, CommitRequest{Branch: "feature", Message: "m", Author: alice, Actions: []Action{{Kind: ActionCreate, Path: "g"}}})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("no start: %v", err)
	}
	c2, err := r.CommitFiles(ctx, CommitRequest{Branch: "feature", StartBranch: "main", Message: "m", Author: alice, Actions: []Action{{Kind: ActionCreate, Path: "g"}}})
	if err != nil || c2.Parents[0] != c1.ID {
		t.Fatalf("start branch: %v", err)
	}
	_, err = r.CommitFiles(ctx, CommitRequest{Branch: "feature", StartBranch: "main", Message: "m", Author: alice, Actions: []Action{{Kind: ActionCreate, Path: "h"}}})
	if !errors.Is(err, ErrExists) {
		t.Fatalf("start on existing branch: %v", err)
	}
	c3, err := r.CommitFiles(ctx, CommitRequest{Branch: "other", StartSHA: c1.ID, Message: "m", Author: alice, Actions: []Action{{Kind: ActionCreate, Path: "h"}}})
	if err != nil || c3.Parents[0] != c1.ID {
		t.Fatalf("start sha: %v", err)
	}
	_, err = r.CommitFiles(ctx, CommitRequest{Branch: "main", ExpectedHead: c2.ID, Message: "m", Author: alice, Actions: []Action{{Kind: ActionCreate, Path: "i"}}})
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("stale ExpectedHead: %v", err)
	}
	if _, err := r.CommitFiles(ctx, CommitRequest{Branch: "main", ExpectedHead: c1.ID, Message: "m", Author: alice, Actions: []Action{{Kind: ActionCreate, Path: "i"}}}); err != nil {
		t.Fatalf("fresh ExpectedHead: %v", err)
	}
	_, err = r.CommitFiles(ctx, CommitRequest{Branch: "main", Message: "m", Author: Signature{Name: "x <y>", Email: "e"}, Actions: []Action{{Kind: ActionCreate, Path: "j"}}})
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad author: %v", err)
	}
}

func TestInvalidPaths(t *testing.T) {
	s := newStore(t)
	r := newRepo(t, s, 3)
	for _, p := range []string{"", "/etc/passwd", "../x", "a/../b", "a//b", "a/", "./a", ".git/config", "a/.GIT/hooks", "a\x00b", "a\nb"} {
		_, err := r.CommitFiles(context.Background(), CommitRequest{Branch: "main", Message: "m", Author: alice,
			Actions: []Action{{Kind: ActionCreate, Path: p, Content: []byte("x")}}})
		if !errors.Is(err, ErrInvalidPath) {
			t.Errorf("path %q: err = %v, want ErrInvalidPath", p, err)
		}
	}
	for _, b := range []string{"-f", "a..b", "a b", "x.lock", "HEAD", "a~1", "a^", "a:b", "@", "a@{1}", "/a", "a/", "refs/heads/x"} {
		_, err := r.CommitFiles(context.Background(), CommitRequest{Branch: b, Message: "m", Author: alice,
			Actions: []Action{{Kind: ActionCreate, Path: "f", Content: []byte("x")}}})
		if !errors.Is(err, ErrInvalidRef) {
			t.Errorf("branch %q: err = %v, want ErrInvalidRef", b, err)
		}
	}
}

// TestCheckRefFormat compares the Go implementation with git itself.
func TestCheckRefFormat(t *testing.T) {
	newStore(t) // skips without git
	names := []string{"refs/heads/main", "refs/heads/feature/x", "refs/heads/a..b", "refs/heads/.hidden",
		"refs/heads/x.lock", "refs/heads/x.", "refs/heads/a b", "refs/heads/a~b", "refs/heads/a^b",
		"refs/heads/a:b", "refs/heads/a?b", "refs/heads/a*b", "refs/heads/a[b", "refs/heads/a\\b",
		"refs/heads/a@{b", "refs/heads/@", "refs/heads//a", "refs/heads/a/", "main", "refs/heads/a\tb",
		"refs/heads/ünï", "refs/heads/a.lock/b", "refs/heads/-x", "refs/heads/a@b", "refs/heads/a/.b"}
	for _, n := range names {
		err := exec.Command("git", "check-ref-format", n).Run()
		if got, want := checkRefFormat(n) == nil, err == nil; got != want {
			t.Errorf("%q: Go valid=%v, git valid=%v", n, got, want)
		}
	}
}

func TestBranchesAndTags(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRepo(t, s, 4)
	c1 := commit(t, r, "main", Action{Kind: ActionCreate, Path: "f", Content: []byte("1")})
	c2 := commit(t, r, "main", Action{Kind: ActionUpdate, Path: "f", Content: []byte("2")})

	if _, err := r.CreateBranch(ctx, "old", c1.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := r.CreateBranch(ctx, "old", "main"); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate branch: %v", err)
	}
	if _, err := r.CreateBranch(ctx, "old/sub", "main"); !errors.Is(err, ErrExists) {
		t.Fatalf("D/F clash: %v", err)
	}
	if _, err := r.CreateBranch(ctx, "x", "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("branch from unknown rev: %v", err)
	}
	bs, err := r.Branches(ctx)
	if err != nil || len(bs) != 2 || bs[0] != (Branch{"main", c2.ID}) || bs[1] != (Branch{"old", c1.ID}) {
		t.Fatalf("Branches = %+v, %v", bs, err)
	}
	if err := r.SetDefaultBranch(ctx, "old"); err != nil {
		t.Fatal(err)
	}
	if d, _ := r.DefaultBranch(ctx); d != "old" {
		t.Fatalf("default = %s", d)
	}
	if err := r.SetDefaultBranch(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("SetDefaultBranch(nope): %v", err)
	}
	_ = r.SetDefaultBranch(ctx, "main")

	if _, err := r.CreateTag(ctx, TagRequest{Name: "v1", Rev: c1.ID}); err != nil {
		t.Fatal(err)
	}
	at, err := r.CreateTag(ctx, TagRequest{Name: "v2", Rev: "main", Message: "Release 2\n\nNotes.", Tagger: alice})
	if err != nil || !at.Annotated {
		t.Fatalf("annotated tag: %+v %v", at, err)
	}
	if _, err := r.CreateTag(ctx, TagRequest{Name: "v2", Rev: "main"}); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate tag: %v", err)
	}
	if got := gitOut(t, r, "cat-file", "-t", "v2"); got != "tag" {
		t.Fatalf("v2 type = %s", got)
	}
	tags, err := r.Tags(ctx)
	if err != nil || len(tags) != 2 {
		t.Fatalf("Tags = %+v, %v", tags, err)
	}
	if tags[0].Name != "v1" || tags[0].Annotated || tags[0].Commit != c1.ID {
		t.Fatalf("v1 = %+v", tags[0])
	}
	if tg := tags[1]; tg.Name != "v2" || !tg.Annotated || tg.Commit != c2.ID || tg.Target != at.Target ||
		!strings.HasPrefix(tg.Message, "Release 2\n\nNotes.") || tg.Tagger.Email != alice.Email || tg.Tagger.Date.IsZero() {
		t.Fatalf("v2 = %+v", tg)
	}
	if sha, err := r.ResolveRef(ctx, "v2"); err != nil || sha != c2.ID {
		t.Fatalf("ResolveRef(tag) = %s, %v", sha, err)
	}
	if mb, err := r.MergeBase(ctx, "main", "old"); err != nil || mb != c1.ID {
		t.Fatalf("MergeBase = %s, %v", mb, err)
	}
	if ok, err := r.IsAncestor(ctx, "old", "main"); err != nil || !ok {
		t.Fatalf("IsAncestor(old, main) = %v, %v", ok, err)
	}
	if ok, err := r.IsAncestor(ctx, "main", "old"); err != nil || ok {
		t.Fatalf("IsAncestor(main, old) = %v, %v", ok, err)
	}

	if err := r.DeleteBranch(ctx, "old", c2.ID); !errors.Is(err, ErrConflict) {
		t.Fatalf("delete with stale expected: %v", err)
	}
	if err := r.DeleteBranch(ctx, "old", ""); err != nil {
		t.Fatal(err)
	}
	if err := r.DeleteBranch(ctx, "old", ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete missing branch: %v", err)
	}
	if err := r.DeleteTag(ctx, "v2", ""); err != nil {
		t.Fatal(err)
	}
	if err := r.DeleteTag(ctx, "v2", ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete missing tag: %v", err)
	}
	if out := gitOut(t, r, "fsck", "--strict", "--no-dangling"); out != "" {
		t.Fatalf("fsck: %s", out)
	}
}

// TestConcurrentCommits: writers racing on one branch never lose a commit.
func TestConcurrentCommits(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRepo(t, s, 5)
	commit(t, r, "main", Action{Kind: ActionCreate, Path: "base", Content: []byte("0")})

	const writers = 20
	var wg sync.WaitGroup
	ids := make([]string, writers)
	errs := make([]error, writers)
	start := make(chan struct{})
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			c, err := s.Open(5).CommitFiles(ctx, CommitRequest{Branch: "main", Message: fmt.Sprintf("writer %d", i), Author: alice,
				Actions: []Action{{Kind: ActionCreate, Path: fmt.Sprintf("w/%02d.txt", i), Content: []byte(fmt.Sprint(i))}}})
			errs[i] = err
			if err == nil {
				ids[i] = c.ID
			}
		}()
	}
	close(start)
	wg.Wait()
	logged := strings.Fields(gitOut(t, r, "rev-list", "main"))
	ok := 0
	for i := range writers {
		if errs[i] != nil {
			if !errors.Is(errs[i], ErrConflict) {
				t.Errorf("writer %d: %v", i, errs[i])
			}
			continue
		}
		ok++
		if !slices.Contains(logged, ids[i]) {
			t.Errorf("writer %d's commit %s lost", i, ids[i])
		}
	}
	if ok != writers {
		t.Errorf("%d/%d writers succeeded (retries should absorb the races)", ok, writers)
	}
	if len(logged) != ok+1 {
		t.Errorf("log has %d commits, want %d", len(logged), ok+1)
	}
	files := gitOut(t, r, "ls-tree", "-r", "--name-only", "main")
	if n := strings.Count(files, "w/"); n != ok {
		t.Errorf("tree has %d writer files, want %d", n, ok)
	}
	if out := gitOut(t, r, "fsck", "--strict", "--no-dangling"); out != "" {
		t.Fatalf("fsck: %s", out)
	}
}

// TestCatFileRestart: a pooled process that died is replaced transparently,
// and a cancelled read does not poison the pool.
func TestCatFileRestart(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRepo(t, s, 6)
	commit(t, r, "main", Action{Kind: ActionCreate, Path: "f", Content: []byte("1")})
	if _, err := r.Blob(ctx, "main", "f"); err != nil {
		t.Fatal(err)
	}
	s.pool.mu.Lock()
	for _, c := range s.pool.idle {
		_ = c.cmd.Process.Kill()
		_ = c.cmd.Wait()
	}
	s.pool.mu.Unlock()
	if b, err := r.Blob(ctx, "main", "f"); err != nil || string(b.Content) != "1" {
		t.Fatalf("Blob after kill: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := r.Blob(cctx, "main", "f"); err == nil {
		t.Fatal("cancelled read succeeded")
	}
	if _, err := r.BlobByID(cctx, gitOut(t, r, "rev-parse", "main:f")); err == nil {
		t.Fatal("cancelled uncached read succeeded")
	}
	if b, err := r.Blob(ctx, "main", "f"); err != nil || string(b.Content) != "1" {
		t.Fatalf("Blob after cancel: %v", err)
	}
	// Reads see refs moved and objects written by other processes.
	c2 := commit(t, r, "main", Action{Kind: ActionUpdate, Path: "f", Content: []byte("2")})
	gitOut(t, r, "pack-refs", "--all")
	if b, err := r.Blob(ctx, "main", "f"); err != nil || string(b.Content) != "2" {
		t.Fatalf("Blob after update: %v", err)
	}
	if sha, _ := r.ResolveRef(ctx, "main"); sha != c2.ID {
		t.Fatal("stale ref after pack-refs")
	}
}

// BenchmarkBlob: a warm read goes through the pooled cat-file process and
// spawns nothing (spawns/op must be 0).
func BenchmarkBlob(b *testing.B) {
	ctx := context.Background()
	s := newStore(b)
	r := newRepo(b, s, 7)
	commit(b, r, "main", Action{Kind: ActionCreate, Path: "src/pkg/file.go", Content: []byte(strings.Repeat("package x\n", 400))})
	if _, err := r.Blob(ctx, "main", "src/pkg/file.go"); err != nil {
		b.Fatal(err)
	}
	before := s.pool.starts.Load()
	b.ResetTimer()
	for b.Loop() {
		if _, err := r.Blob(ctx, "main", "src/pkg/file.go"); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	spawned := s.pool.starts.Load() - before
	b.ReportMetric(float64(spawned)/float64(b.N), "spawns/op")
	if spawned != 0 {
		b.Fatalf("hot reads spawned %d processes", spawned)
	}
}

// BenchmarkBlobSpawn is the baseline BenchmarkBlob avoids: one git process
// per read.
func BenchmarkBlobSpawn(b *testing.B) {
	ctx := context.Background()
	s := newStore(b)
	r := newRepo(b, s, 8)
	commit(b, r, "main", Action{Kind: ActionCreate, Path: "src/pkg/file.go", Content: []byte(strings.Repeat("package x\n", 400))})
	for b.Loop() {
		if _, err := (gitCmd{dir: r.Path(), args: []string{"cat-file", "blob", "main:src/pkg/file.go"}}).run(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
