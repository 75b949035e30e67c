package repo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// forkOf prepares and places a fork of source as project id.
func forkOf(t testing.TB, s *Store, source, id int64, head, branch string) *Repo {
	t.Helper()
	tmp, err := s.PrepareFork(context.Background(), source, head, branch)
	if err != nil {
		t.Fatalf("PrepareFork: %v", err)
	}
	r, err := s.Place(tmp, id)
	if err != nil {
		s.Discard(tmp)
		t.Fatalf("Place: %v", err)
	}
	return r
}

// objectFiles counts the files under a repository's objects directory
// other than its info files: what it stores of its own.
func objectFiles(t testing.TB, r *Repo) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(filepath.Join(r.Path(), "objects"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Base(filepath.Dir(p)) != "info" {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestForkBorrowsObjectsAndCopiesRefs(t *testing.T) {
	s := newStore(t)
	src := newRepo(t, s, 1)
	commit(t, src, "main", Action{Kind: ActionCreate, Path: "a.txt", Content: []byte("a\n")})
	gitOut(t, src, "branch", "dev", "main")
	commit(t, src, "dev", Action{Kind: ActionCreate, Path: "b.txt", Content: []byte("b\n")})
	gitOut(t, src, "-c", "user.name=A", "-c", "user.email=a@example.com", "tag", "-a", "-m", "release", "v1", "main")
	gitOut(t, src, "tag", "light", "dev")

	fork := forkOf(t, s, 1, 2, "main", "")
	alt, err := os.ReadFile(filepath.Join(fork.Path(), "objects", "info", "alternates"))
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(src.Path(), "objects") + "\n"
	if string(alt) != want || !filepath.IsAbs(strings.TrimSpace(string(alt))) {
		t.Fatalf("alternates = %q, want %q", alt, want)
	}
	if n := objectFiles(t, fork); n != 0 {
		t.Fatalf("fork stores %d object files, want none", n)
	}
	refs := "for-each-ref --format=%(objectname) %(refname) %(*objectname)"
	if got, want := gitOut(t, fork, strings.Fields(refs)...), gitOut(t, src, strings.Fields(refs)...); got != want {
		t.Fatalf("fork refs:\n%s\nwant:\n%s", got, want)
	}
	if head := gitOut(t, fork, "symbolic-ref", "HEAD"); head != "refs/heads/main" {
		t.Fatalf("HEAD = %s", head)
	}
	gitOut(t, fork, "fsck", "--strict")
	bs, err := fork.readBranchRefs()
	if err != nil || len(bs) != 2 {
		t.Fatalf("fork branches = %v, %v", bs, err)
	}

	// A commit to the fork leaves the source as it was.
	before := gitOut(t, src, "rev-parse", "main")
	commit(t, fork, "main", Action{Kind: ActionCreate, Path: "c.txt", Content: []byte("c\n")})
	if after := gitOut(t, src, "rev-parse", "main"); after != before {
		t.Fatalf("source main moved: %s -> %s", before, after)
	}
	if out, err := (gitCmd{dir: src.Path(), args: []string{"cat-file", "-e", gitOut(t, fork, "rev-parse", "main")}}).run(context.Background()); err == nil {
		t.Fatalf("the fork's commit is in the source: %s", out)
	}
}

func TestForkOneBranch(t *testing.T) {
	s := newStore(t)
	src := newRepo(t, s, 1)
	commit(t, src, "main", Action{Kind: ActionCreate, Path: "a.txt", Content: []byte("a\n")})
	gitOut(t, src, "branch", "dev", "main")
	commit(t, src, "dev", Action{Kind: ActionCreate, Path: "b.txt", Content: []byte("b\n")})
	gitOut(t, src, "tag", "v1", "main")

	fork := forkOf(t, s, 1, 2, "dev", "dev")
	if got := gitOut(t, fork, "for-each-ref", "--format=%(refname)"); got != "refs/heads/dev" {
		t.Fatalf("fork refs = %q, want refs/heads/dev only", got)
	}
	if head := gitOut(t, fork, "symbolic-ref", "HEAD"); head != "refs/heads/dev" {
		t.Fatalf("HEAD = %s", head)
	}
	if _, err := s.PrepareFork(context.Background(), 1, "nope", "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("fork of a missing branch: %v, want ErrNotFound", err)
	}
	if _, err := s.PrepareFork(context.Background(), 9, "main", ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("fork of a missing repository: %v, want ErrNotFound", err)
	}
}

// Deleting a source first gives its forks, and their forks, their own
// objects: they pass fsck and clone once it is gone.
func TestForkOutlivesItsSource(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	src := newRepo(t, s, 1)
	commit(t, src, "main", Action{Kind: ActionCreate, Path: "a.txt", Content: []byte("a\n")})
	commit(t, src, "main", Action{Kind: ActionCreate, Path: "b.txt", Content: []byte("b\n")})
	fork := forkOf(t, s, 1, 2, "main", "")
	grand := forkOf(t, s, 2, 3, "main", "")
	commit(t, grand, "main", Action{Kind: ActionCreate, Path: "g.txt", Content: []byte("g\n")})
	// The fork drops a branch its own fork still has.
	gitOut(t, fork, "update-ref", "-d", "refs/heads/main")

	if err := s.Delete(ctx, 1); err != nil {
		t.Fatal(err)
	}
	for id, r := range map[int64]*Repo{2: fork, 3: grand} {
		if s.Borrows(id) {
			t.Fatalf("repository %d still borrows", id)
		}
		gitOut(t, r, "fsck", "--strict", "--full")
		dst := filepath.Join(t.TempDir(), "clone")
		if out, err := exec.Command("git", "clone", "--quiet", r.Path(), dst).CombinedOutput(); err != nil {
			t.Fatalf("clone of %d after the source's deletion: %v: %s", id, err, out)
		}
	}
}

// A fork leaving its source (Detach) takes its own forks' needs along, and
// a deleted fork is no longer listed by its source.
func TestForkDetach(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	src := newRepo(t, s, 1)
	commit(t, src, "main", Action{Kind: ActionCreate, Path: "a.txt", Content: []byte("a\n")})
	fork := forkOf(t, s, 1, 2, "main", "")
	grand := forkOf(t, s, 2, 3, "main", "")
	gitOut(t, fork, "update-ref", "-d", "refs/heads/main")
	forkOf(t, s, 1, 4, "main", "")
	marks := func(id int64) int {
		es, _ := os.ReadDir(borrowersDir(s.Path(id)))
		return len(es)
	}
	if marks(1) != 2 || marks(2) != 1 {
		t.Fatalf("borrowers: source %d, fork %d; want 2, 1", marks(1), marks(2))
	}
	gitOut(t, src, "fsck", "--strict", "--full") // the list is nothing git minds
	gitOut(t, src, "count-objects", "-v")
	if err := s.Detach(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if s.Borrows(2) || s.Borrows(3) || !s.Borrows(4) || marks(1) != 1 || marks(2) != 0 {
		t.Fatalf("after detaching 2: borrows %v %v %v, marks %d %d", s.Borrows(2), s.Borrows(3), s.Borrows(4), marks(1), marks(2))
	}
	if err := s.Delete(ctx, 4); err != nil {
		t.Fatal(err)
	}
	if marks(1) != 0 {
		t.Fatalf("a deleted fork is still listed by its source")
	}
	if err := s.Delete(ctx, 1); err != nil {
		t.Fatal(err)
	}
	gitOut(t, grand, "fsck", "--strict", "--full")
}

// Git follows alternates five deep at most: a fork deeper than
// maxAlternateDepth gets its own objects at once.
func TestForkChainDepth(t *testing.T) {
	s := newStore(t)
	src := newRepo(t, s, 1)
	commit(t, src, "main", Action{Kind: ActionCreate, Path: "a.txt", Content: []byte("a\n")})
	for id := int64(2); id <= 8; id++ {
		r := forkOf(t, s, id-1, id, "main", "")
		gitOut(t, r, "fsck", "--strict")
		if depth := alternateDepth(filepath.Join(r.Path(), "objects"), 0); depth > maxAlternateDepth {
			t.Fatalf("fork %d borrows %d deep", id, depth)
		}
	}
}

// A user's path never reaches an alternates file: only ids do, and the
// directory they name is checked to lie inside the root.
func TestForkObjectsDirInsideRoot(t *testing.T) {
	s := &Store{Root: "relative/root"}
	if _, err := s.objectsDir(1); !errors.Is(err, ErrInvalidPath) {
		t.Fatalf("relative root: %v, want ErrInvalidPath", err)
	}
	s = &Store{Root: "/data/repos\n/etc"}
	if _, err := s.objectsDir(1); !errors.Is(err, ErrInvalidPath) {
		t.Fatalf("root with a newline: %v, want ErrInvalidPath", err)
	}
	s = &Store{Root: "/data/repos"}
	dir, err := s.objectsDir(1)
	if err != nil || dir != filepath.Join("/data/repos", HashedPath(1), "objects") {
		t.Fatalf("objectsDir = %q, %v", dir, err)
	}
}

// TestForkCost measures a fork of a repository the size of the bench's
// largest (300 commits, 300 files, 20 branches, 10 tags): under 1 MB of
// new disk, which shows that no object is copied. Its time is logged; the
// 100 ms target is the bench's row (POST /projects/:id/fork), measured on
// a quiet machine rather than beside the rest of the suite.
func TestForkCost(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a repository")
	}
	s := newStore(t)
	src := newRepo(t, s, 1)
	var buf bytes.Buffer
	const commits, files = 300, 300
	for c := 1; c <= commits; c++ {
		fmt.Fprintf(&buf, "commit refs/heads/main\nmark :%d\ncommitter Dev <dev@example.com> %d +0000\ndata 8\ncommit %d\n",
			c, 1700000000+c, c%10)
		if c > 1 {
			fmt.Fprintf(&buf, "from :%d\n", c-1)
		}
		for i := 0; i < files; i++ {
			if c == 1 || (i*7+c)%100 == 0 {
				data := strings.Repeat(fmt.Sprintf("line %d of file %d, version %d\n", i, i, c), 60)
				fmt.Fprintf(&buf, "M 100644 inline src/f%03d.go\ndata %d\n%s\n", i, len(data), data)
			}
		}
		buf.WriteByte('\n')
	}
	for b := 0; b < 20; b++ {
		fmt.Fprintf(&buf, "reset refs/heads/feature/%02d\nfrom :%d\n\n", b, 1+b*commits/20)
	}
	for tg := 0; tg < 10; tg++ {
		fmt.Fprintf(&buf, "reset refs/tags/v1.%d.0\nfrom :%d\n\n", tg, 1+tg*commits/10)
	}
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir, cmd.Stdin = src.Path(), &buf
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("fast-import: %v: %s", err, out)
	}
	gitOut(t, src, "repack", "-adq")
	srcSize := dirSize(t, src.Path())

	best := time.Hour
	var fork *Repo
	for i := int64(0); i < 3; i++ {
		start := time.Now()
		fork = forkOf(t, s, 1, 10+i, "main", "")
		best = min(best, time.Since(start))
	}
	size := dirSize(t, fork.Path())
	t.Logf("source %d kB; fork in %v, %d kB of new files", srcSize>>10, best, size>>10)
	if best > 2*time.Second { // only a gross regression; see above
		t.Errorf("fork took %v", best)
	}
	if size > 1<<20 {
		t.Errorf("fork wrote %d bytes, want < 1 MB", size)
	}
	gitOut(t, fork, "fsck", "--connectivity-only")
}

// dirSize sums the allocated size of the files under dir.
func dirSize(t testing.TB, dir string) int64 {
	t.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		// Whole blocks, as the disk counts them.
		n += (fi.Size() + 4095) / 4096 * 4096
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A fork whose source is deleted before it is placed is not placed, and
// leaves nothing where the source was.
func TestForkOfDeletedSource(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	src := newRepo(t, s, 1)
	commit(t, src, "main", Action{Kind: ActionCreate, Path: "a.txt", Content: []byte("a\n")})
	tmp, err := s.PrepareFork(ctx, 1, "main", "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Discard(tmp)
	if err := s.Delete(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Place(tmp, 2); err == nil {
		t.Fatal("a fork of a deleted source was placed")
	}
	for _, id := range []int64{1, 2} {
		if _, err := os.Stat(s.Path(id)); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("repository %d: %v", id, err)
		}
	}
}
