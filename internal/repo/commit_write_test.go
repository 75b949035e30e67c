package repo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCommitObjectMatchesGit writes commits without git and checks each id
// against the one `git commit-tree` gives the same tree, parents,
// signatures (through GIT_AUTHOR_* / GIT_COMMITTER_*, as before) and
// message; then the repository must be fsck --strict clean.
func TestCommitObjectMatchesGit(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRepo(t, s, 1)
	c1 := commit(t, r, "main", Action{Kind: ActionCreate, Path: "a", Content: []byte("1\n")})
	c2 := commit(t, r, "main", Action{Kind: ActionCreate, Path: "b", Content: []byte("2\n")})

	gitCommitTree := func(tree string, parents []string, a, c Signature, msg string) string {
		t.Helper()
		args := []string{"commit-tree", tree}
		for _, p := range parents {
			args = append(args, "-p", p)
		}
		out, err := gitCmd{dir: r.Path(), args: args, stdin: strings.NewReader(msg), env: []string{
			"GIT_AUTHOR_NAME=" + a.Name, "GIT_AUTHOR_EMAIL=" + a.Email, "GIT_AUTHOR_DATE=" + formatSignatureDate(a.Date),
			"GIT_COMMITTER_NAME=" + c.Name, "GIT_COMMITTER_EMAIL=" + c.Email, "GIT_COMMITTER_DATE=" + formatSignatureDate(c.Date),
		}}.run(ctx)
		if err != nil {
			return "error"
		}
		return strings.TrimSpace(string(out))
	}
	goCommit := func(tree string, parents []string, a, c Signature, msg string) string {
		t.Helper()
		data, ok := commitObject(tree, parents, a, c, msg)
		if !ok {
			return "fallback"
		}
		oid, _, err := r.writeLooseObject("commit", data)
		if err != nil {
			t.Fatal(err)
		}
		return oid
	}
	now := time.Now()
	type tc struct {
		name       string
		parents    []string
		a, c       Signature
		msg        string
		wantGitish bool // git handles it (fallback)
	}
	cases := []tc{
		{name: "root", a: alice, c: alice, msg: "first\n"},
		{name: "one parent", parents: []string{c2.ID}, a: alice, c: Signature{Name: "Bob", Email: "bob@x"}, msg: "second\n"},
		{name: "merge", parents: []string{c2.ID, c1.ID}, a: alice, c: alice, msg: "merge\n"},
		{name: "message kept verbatim", a: alice, c: alice, msg: "  # not a comment\n\n\n\tbody   \r\n\nend\n\n"},
		{name: "empty line message", a: alice, c: alice, msg: "\n"},
		{name: "unicode", a: Signature{Name: "Zoë Ünïcödé 日本", Email: "zoë@例え.jp"}, c: alice, msg: "ça marche ✓ 🎉\n"},
		{name: "inner punctuation kept", a: Signature{Name: "Dr. J. O'Neil, Jr", Email: "j.o'neil@x.org"}, c: alice, msg: "m\n"},
		{name: "crud trimmed", a: Signature{Name: ` ."'Ann;:,\ `, Email: ` <ann@x.org>. `}, c: alice, msg: "m\n"},
		{name: "delimiters dropped", a: Signature{Name: "a<b>c", Email: "d<e>f"}, c: alice, msg: "m\n"},
		{name: "crud-only email", a: Signature{Name: "Ann", Email: "..."}, c: alice, msg: "m\n"},
		{name: "latin-1 name", a: Signature{Name: "Ren\xe9", Email: "r@x"}, c: alice, msg: "m\n", wantGitish: true},
		{name: "latin-1 message", a: alice, c: alice, msg: "caf\xe9\n", wantGitish: true},
		{name: "non-character", a: alice, c: alice, msg: "x\ufdd0\n", wantGitish: true},
		{name: "non-character FFFE", a: alice, c: alice, msg: "x\U0001fffe\n", wantGitish: true},
		{name: "NUL in message", a: alice, c: alice, msg: "a\x00b\n", wantGitish: true},
		{name: "crud-only name", a: Signature{Name: "...", Email: "a@b"}, c: alice, msg: "m\n", wantGitish: true},
		{name: "before 1970", a: Signature{Name: "Old", Email: "o@x", Date: time.Unix(-5, 0)}, c: alice, msg: "m\n", wantGitish: true},
	}
	zones := []int{0, 5*3600 + 1800, -(3*3600 + 1800), -12 * 3600, 14 * 3600, -30, -(17*60 + 30), 45 * 60}
	for i, off := range zones {
		d := now.In(time.FixedZone("z", off))
		cases = append(cases, tc{name: fmt.Sprintf("zone %d", off), a: Signature{Name: "Z", Email: "z@x", Date: d},
			c: Signature{Name: "Y", Email: "y@x", Date: time.Unix(int64(i), 0).In(time.FixedZone("w", off))}, msg: "tz\n"})
	}
	// Every ASCII byte git might trim or drop, at either end of a name and
	// of an email.
	for ch := 1; ch < 128; ch++ {
		c := string(rune(ch))
		if ch == '\n' {
			continue // refused by validation before it gets here
		}
		cases = append(cases,
			tc{name: fmt.Sprintf("name byte %d", ch), a: Signature{Name: c + "N" + c + "M" + c, Email: "e@x"}, c: alice, msg: "b\n"},
			tc{name: fmt.Sprintf("email byte %d", ch), a: Signature{Name: "N", Email: c + "e" + c + "x" + c}, c: alice, msg: "b\n"})
	}
	for _, k := range cases {
		for _, sig := range []*Signature{&k.a, &k.c} {
			if sig.Date.IsZero() {
				sig.Date = now
			}
		}
		got := goCommit(c2.Tree, k.parents, k.a, k.c, k.msg)
		want := gitCommitTree(c2.Tree, k.parents, k.a, k.c, k.msg)
		if k.wantGitish {
			if got != "fallback" {
				t.Errorf("%s: written without git (%s, git says %s); want git to handle it", k.name, got, want)
			}
			continue
		}
		if got != want {
			t.Errorf("%s: id %s, git commit-tree says %s", k.name, got, want)
		}
	}
	// writeCommit's fallback is git itself.
	if got, err := r.writeCommit(ctx, c2.Tree, nil, Signature{Name: "Ren\xe9", Email: "r@x", Date: now}, alice.withDate(now), "m\n"); err != nil ||
		got != gitCommitTree(c2.Tree, nil, Signature{Name: "Ren\xe9", Email: "r@x", Date: now}, alice.withDate(now), "m\n") {
		t.Errorf("fallback: %s, %v", got, err)
	}
	gitOut(t, r, "fsck", "--strict", "--no-dangling")
}

func (s Signature) withDate(d time.Time) Signature { s.Date = d; return s }

// TestRememberedStatsMatchGit checks the stats remembered for commits that
// only create files against what diff-tree --numstat computes for them.
func TestRememberedStatsMatchGit(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRepo(t, s, 1)
	nulLate := strings.Repeat("x\n", 4001) + "\x00\n"
	contents := []string{"", "a", "a\n", "a\nb", "a\nb\n", "\n\n\n", "\r\n\r\n", "no\rnewline\r", "bin\x00ary\n",
		strings.Repeat("y", 7999) + "\x00", nulLate, strings.Repeat("line\n", 5000) + "tail"}
	var commits []*Commit
	for i, c := range contents {
		commits = append(commits, commit(t, r, "main",
			Action{Kind: ActionCreate, Path: fmt.Sprintf("d%d/f", i), Content: []byte(c)}))
	}
	var all []Action
	for i, c := range contents {
		all = append(all, Action{Kind: ActionCreate, Path: fmt.Sprintf("all/%d", i), Content: []byte(c), ExecuteFilemode: ptr(i%2 == 0)})
	}
	commits = append(commits, commit(t, r, "main", all...))
	commits = append(commits, commit(t, r, "main", Action{Kind: ActionCreate, Path: "x", Content: []byte("1\n2\n")}))
	// The first commit of a repository has no parent (--root).
	r2 := newRepo(t, s, 2)
	first, err := r2.CommitFiles(ctx, CommitRequest{Branch: "main", Message: "m", Author: alice,
		Actions: []Action{{Kind: ActionCreate, Path: "x", Content: []byte("1\n2\n")}}})
	if err != nil {
		t.Fatal(err)
	}
	known, ok := r.KnownCommitStats(commits)
	if !ok {
		t.Fatal("stats of create-only commits not remembered")
	}
	want, err := r.CommitStats(ctx, commits)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range commits {
		if known[c.ID] != want[c.ID] {
			t.Errorf("%s %q: remembered %+v, git says %+v", c.ID, c.Title, known[c.ID], want[c.ID])
		}
	}
	k2, ok := r2.KnownCommitStats([]*Commit{first})
	w2, err := r2.CommitStats(ctx, []*Commit{first})
	if !ok || err != nil || k2[first.ID] != w2[first.ID] {
		t.Errorf("root commit: remembered %+v (%v), git says %+v (%v)", k2, ok, w2, err)
	}
	// Anything but creates is left to git.
	upd := commit(t, r, "main", Action{Kind: ActionUpdate, Path: "x", Content: []byte("3\n")})
	if _, ok := r.KnownCommitStats([]*Commit{upd}); ok {
		t.Error("stats of an update remembered")
	}
}

// TestPooledRefUpdates checks ref updates through pooled "update-ref
// --stdin" processes against one-off git update-ref: the same reflog
// entries, old values checked against loose and packed refs, lost races
// and clashes reported as before, a failed process replaced, and an idle
// process never used for another repository at the same path.
func TestPooledRefUpdates(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRepo(t, s, 1)
	c1 := commit(t, r, "main", Action{Kind: ActionCreate, Path: "a", Content: []byte("1")})
	c2 := commit(t, r, "main", Action{Kind: ActionCreate, Path: "b", Content: []byte("2")})
	starts := r.updaters.starts.Load()
	for i := 0; i < 5; i++ {
		if _, err := r.CreateBranch(ctx, fmt.Sprintf("b%d", i), c1.ID); err != nil {
			t.Fatal(err)
		}
	}
	if n := r.updaters.starts.Load() - starts; n > 1 {
		t.Errorf("%d update-ref processes for 5 sequential updates", n)
	}
	// The reflog entry is the one git update-ref -m lablet writes.
	gitOut(t, r, "update-ref", "-m", "lablet", "refs/heads/byhand", c1.ID, zeroID)
	strip := func(ref string) string {
		b, err := os.ReadFile(filepath.Join(r.Path(), "logs", filepath.FromSlash(ref)))
		if err != nil {
			t.Fatal(err)
		}
		// "<old> <new> <ident> <seconds> <tz>\t<message>": drop the time.
		line := strings.TrimSuffix(string(b), "\n")
		head, msg, _ := strings.Cut(line, "\t")
		f := strings.Fields(head)
		return strings.Join(f[:len(f)-2], " ") + " " + f[len(f)-1] + "\t" + msg
	}
	if got, want := strip("refs/heads/b0"), strip("refs/heads/byhand"); got != want {
		t.Errorf("reflog entry %q, git update-ref writes %q", got, want)
	}
	// Stale old value, loose and packed: a lost race, nothing moved.
	if err := r.updateRef(ctx, "refs/heads/b1", c2.ID, c2.ID); !errors.Is(err, errRaced) {
		t.Errorf("stale old value: %v", err)
	}
	gitOut(t, r, "pack-refs", "--all", "--prune")
	if err := r.updateRef(ctx, "refs/heads/b2", c2.ID, c2.ID); !errors.Is(err, errRaced) {
		t.Errorf("stale old value of a packed ref: %v", err)
	}
	if err := r.updateRef(ctx, "refs/heads/b2", c2.ID, c1.ID); err != nil {
		t.Errorf("update of a packed ref: %v", err)
	}
	if err := r.updateRef(ctx, "refs/heads/b3", c2.ID, ""); !errors.Is(err, errRaced) {
		t.Errorf("create of an existing packed ref: %v", err)
	}
	if err := r.updateRef(ctx, "refs/heads/b3/x", c2.ID, ""); !errors.Is(err, ErrExists) {
		t.Errorf("clash with a packed ref: %v", err)
	}
	// A held lock is a lost race; the next update gets a working process.
	lock := filepath.Join(r.Path(), "refs", "heads", "b4.lock")
	if err := os.WriteFile(lock, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := r.updateRef(ctx, "refs/heads/b4", c2.ID, c1.ID); !errors.Is(err, errRaced) {
		t.Errorf("locked ref: %v", err)
	}
	os.Remove(lock)
	if err := r.updateRef(ctx, "refs/heads/b4", c2.ID, c1.ID); err != nil {
		t.Errorf("after the lock went: %v", err)
	}
	if err := r.updateRef(ctx, "refs/heads/b4", "", c2.ID); err != nil {
		t.Errorf("delete: %v", err)
	}
	for ref, want := range map[string]string{"b0": c1.ID, "b1": c1.ID, "b2": c2.ID, "b3": c1.ID, "b4": "", "b3/x": ""} {
		if got, _ := r.RefValue("refs/heads/" + ref); got != want {
			t.Errorf("%s = %q, want %q", ref, got, want)
		}
	}
	// A repository replaced at the same path gets its own process.
	if err := s.Delete(ctx, 1); err != nil {
		t.Fatal(err)
	}
	r = newRepo(t, s, 1)
	c3 := commit(t, r, "main", Action{Kind: ActionCreate, Path: "new", Content: []byte("3")})
	if got, _ := r.RefValue("refs/heads/main"); got != c3.ID {
		t.Errorf("main of the new repository = %s, want %s", got, c3.ID)
	}
	gitOut(t, r, "fsck", "--strict")
}
