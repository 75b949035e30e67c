package repo

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
)

// mergeFixture is main with a.txt, a topic branch that changes it, and a
// later commit on main that adds b.txt: a merge that applies cleanly.
func mergeFixture(t *testing.T) (r *Repo, base, topic, mainHead *Commit) {
	t.Helper()
	ctx := context.Background()
	r = newRepo(t, newStore(t), 1)
	base = commit(t, r, "main", Action{Kind: ActionCreate, Path: "a.txt", Content: []byte("1\n2\n3\n")})
	if _, err := r.CreateBranch(ctx, "topic", "main"); err != nil {
		t.Fatal(err)
	}
	commit(t, r, "topic", Action{Kind: ActionUpdate, Path: "a.txt", Content: []byte("1\n2\nthree\n")})
	topic = commit(t, r, "topic", Action{Kind: ActionCreate, Path: "c.txt", Content: []byte("c\n")})
	mainHead = commit(t, r, "main", Action{Kind: ActionCreate, Path: "b.txt", Content: []byte("b\n")})
	return r, base, topic, mainHead
}

func fsck(t *testing.T, r *Repo) {
	t.Helper()
	if out, err := r.git(context.Background(), "fsck", "--strict"); err != nil {
		t.Fatalf("fsck: %v %s", err, out)
	}
}

var me = Signature{Name: "Me", Email: "me@example.com"}

func TestMergeCommit(t *testing.T) {
	ctx := context.Background()
	r, _, topic, mainHead := mergeFixture(t)
	if c, err := r.HasConflicts(ctx, mainHead.ID, topic.ID); err != nil || c {
		t.Fatalf("HasConflicts = %v, %v", c, err)
	}
	res, err := r.Merge(ctx, MergeSpec{Target: "main", Source: topic.ID, Message: "Merge branch 'topic' into 'main'", Committer: me})
	if err != nil {
		t.Fatal(err)
	}
	if head := gitOut(t, r, "rev-parse", "main"); head != res.Commit || res.Squash != "" {
		t.Fatalf("main = %s, result %+v", head, res)
	}
	if parents := gitOut(t, r, "log", "-1", "--format=%P", "main"); parents != mainHead.ID+" "+topic.ID {
		t.Fatalf("merge parents %q", parents)
	}
	if msg := gitOut(t, r, "log", "-1", "--format=%B", "main"); msg != "Merge branch 'topic' into 'main'" {
		t.Fatalf("message %q", msg)
	}
	for path, want := range map[string]string{"a.txt": "1\n2\nthree\n", "b.txt": "b\n", "c.txt": "c\n"} {
		if b, err := r.Blob(ctx, "main", path); err != nil || string(b.Content) != want {
			t.Fatalf("%s = %v, %v", path, b, err)
		}
	}
	fsck(t, r)
}

func TestMergeConflictWritesNothing(t *testing.T) {
	ctx := context.Background()
	r, _, topic, _ := mergeFixture(t)
	head := commit(t, r, "main", Action{Kind: ActionUpdate, Path: "a.txt", Content: []byte("1\n2\nTHREE\n")})
	if c, err := r.HasConflicts(ctx, head.ID, topic.ID); err != nil || !c {
		t.Fatalf("HasConflicts = %v, %v", c, err)
	}
	for _, spec := range []MergeSpec{
		{Target: "main", Source: topic.ID, Message: "m", Committer: me},
		{Target: "main", Source: topic.ID, Message: "m", Committer: me, Squash: true, SquashAuthor: me, SquashMessage: "s"},
	} {
		if _, err := r.Merge(ctx, spec); !errors.Is(err, ErrMergeConflict) {
			t.Fatalf("merge err = %v, want ErrMergeConflict", err)
		}
		if got := gitOut(t, r, "rev-parse", "main"); got != head.ID {
			t.Fatalf("a conflicting merge moved main to %s", got)
		}
	}
	fsck(t, r)
}

func TestMergeFastForwardAndSquash(t *testing.T) {
	ctx := context.Background()
	r, _, topic, mainHead := mergeFixture(t)
	// main has a commit topic lacks: no fast-forward.
	if _, err := r.Merge(ctx, MergeSpec{Target: "main", Source: topic.ID, FastForward: true, Committer: me}); !errors.Is(err, ErrNotFastForward) {
		t.Fatalf("ff err = %v", err)
	}
	// Squashed, it fast-forwards: one commit on main's head with both of
	// topic's changes, authored by the squash author.
	author := Signature{Name: "Author", Email: "author@example.com"}
	res, err := r.Merge(ctx, MergeSpec{Target: "main", Source: topic.ID, FastForward: true, Committer: me,
		Squash: true, SquashAuthor: author, SquashMessage: "Topic, squashed"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Commit != res.Squash || gitOut(t, r, "rev-parse", "main") != res.Squash {
		t.Fatalf("result %+v", res)
	}
	if got := gitOut(t, r, "log", "-1", "--format=%P|%an|%cn|%B", "main"); got != mainHead.ID+"|Author|Me|Topic, squashed" {
		t.Fatalf("squash commit %q", got)
	}
	if got := gitOut(t, r, "diff", "--name-only", mainHead.ID, "main"); got != "a.txt\nc.txt" {
		t.Fatalf("squash changes %q", got)
	}
	// A branch that contains the target fast-forwards as it is.
	if _, err := r.CreateBranch(ctx, "next", "main"); err != nil {
		t.Fatal(err)
	}
	next := commit(t, r, "next", Action{Kind: ActionCreate, Path: "d.txt", Content: []byte("d\n")})
	res, err = r.Merge(ctx, MergeSpec{Target: "main", Source: next.ID, FastForward: true, Committer: me})
	if err != nil || res.Commit != next.ID || gitOut(t, r, "rev-parse", "main") != next.ID {
		t.Fatalf("ff = %+v, %v", res, err)
	}
	fsck(t, r)
}

func TestMergeExpectTargetAndRef(t *testing.T) {
	ctx := context.Background()
	r, base, topic, mainHead := mergeFixture(t)
	if _, err := r.Merge(ctx, MergeSpec{Target: "main", Source: topic.ID, ExpectTarget: base.ID, Message: "m", Committer: me}); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale target err = %v, want ErrConflict", err)
	}
	// Into a ref of its own: main stays.
	res, err := r.Merge(ctx, MergeSpec{Target: "main", Source: topic.ID, Ref: "refs/merge-requests/1/merge", Message: "m", Committer: me})
	if err != nil {
		t.Fatal(err)
	}
	if gitOut(t, r, "rev-parse", "main") != mainHead.ID || gitOut(t, r, "rev-parse", "refs/merge-requests/1/merge") != res.Commit {
		t.Fatalf("merge ref: %+v", res)
	}
	if _, err := r.Merge(ctx, MergeSpec{Target: "main", Source: strings.Repeat("0", 40), Message: "m", Committer: me}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown source err = %v", err)
	}
	if _, err := r.Merge(ctx, MergeSpec{Target: "nope", Source: topic.ID, Message: "m", Committer: me}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown target err = %v", err)
	}
}

// Concurrent merges of different branches into one target all land: each
// lost race is merged again on the new head, and no merge is lost.
func TestConcurrentMerges(t *testing.T) {
	ctx := context.Background()
	r := newRepo(t, newStore(t), 1)
	commit(t, r, "main", Action{Kind: ActionCreate, Path: "a.txt", Content: []byte("a\n")})
	const n = 6
	var heads []string
	for i := 0; i < n; i++ {
		b := "b" + string(rune('0'+i))
		if _, err := r.CreateBranch(ctx, b, "main"); err != nil {
			t.Fatal(err)
		}
		heads = append(heads, commit(t, r, b, Action{Kind: ActionCreate, Path: b + ".txt", Content: []byte(b)}).ID)
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range heads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = r.Merge(ctx, MergeSpec{Target: "main", Source: heads[i], Message: "m", Committer: me})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("merge %d: %v", i, err)
		}
		if ok, err := r.IsAncestor(ctx, heads[i], "main"); err != nil || !ok {
			t.Fatalf("branch %d not merged: %v", i, err)
		}
	}
	fsck(t, r)
}

func TestRebase(t *testing.T) {
	ctx := context.Background()
	r, base, topic, mainHead := mergeFixture(t)
	newHead, err := r.Rebase(ctx, RebaseSpec{Branch: "topic", Onto: mainHead.ID, Committer: me})
	if err != nil {
		t.Fatal(err)
	}
	if gitOut(t, r, "rev-parse", "topic") != newHead {
		t.Fatal("topic not moved")
	}
	if got := gitOut(t, r, "rev-list", "--count", mainHead.ID+".."+newHead); got != "2" {
		t.Fatalf("%s commits replayed, want 2", got)
	}
	if ok, _ := r.IsAncestor(ctx, mainHead.ID, newHead); !ok {
		t.Fatal("rebased topic does not contain main")
	}
	if got := gitOut(t, r, "log", "-2", "--format=%an|%cn|%s", "topic"); !strings.HasPrefix(got, commitAuthorLine(t, r, topic.ID)) {
		t.Fatalf("rebased commits %q keep neither author nor message of %s", got, topic.ID)
	}
	// Again: nothing to do, the head stays.
	again, err := r.Rebase(ctx, RebaseSpec{Branch: "topic", Onto: mainHead.ID, Committer: me})
	if err != nil || again != newHead {
		t.Fatalf("second rebase = %s, %v", again, err)
	}
	// A conflicting rebase leaves the branch where it was.
	if _, err := r.CreateBranch(ctx, "clash", base.ID); err != nil {
		t.Fatal(err)
	}
	clash := commit(t, r, "clash", Action{Kind: ActionUpdate, Path: "a.txt", Content: []byte("1\n2\nTRES\n")})
	if _, err := r.Rebase(ctx, RebaseSpec{Branch: "clash", Onto: newHead, Committer: me}); !errors.Is(err, ErrMergeConflict) {
		t.Fatalf("conflicting rebase err = %v", err)
	}
	if gitOut(t, r, "rev-parse", "clash") != clash.ID {
		t.Fatal("a conflicting rebase moved the branch")
	}
	if _, err := r.Rebase(ctx, RebaseSpec{Branch: "clash", Onto: newHead, ExpectHead: base.ID, Committer: me}); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale head err = %v", err)
	}
	fsck(t, r)
}

// commitAuthorLine is "author|Me|subject" of a commit, as the rebased copy
// of it shows (committer: the one who rebased).
func commitAuthorLine(t *testing.T, r *Repo, id string) string {
	return gitOut(t, r, "log", "-1", "--format=%an|", id) + "Me|" + gitOut(t, r, "log", "-1", "--format=%s", id)
}
