package repo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// commitAll commits files on main (created with its first commit).
func commitAll(t *testing.T, r *Repo, msg string, files map[string]string) *Commit {
	t.Helper()
	req := CommitRequest{Branch: "main", Message: msg, Author: alice}
	for p, content := range files {
		kind := ActionCreate
		if _, err := r.Blob(context.Background(), "main", p); err == nil {
			kind = ActionUpdate
		}
		req.Actions = append(req.Actions, Action{Kind: kind, Path: p, Content: []byte(content)})
	}
	c, err := r.CommitFiles(context.Background(), req)
	if err != nil {
		t.Fatalf("CommitFiles: %v", err)
	}
	return c
}

func hitsString(hits []GrepHit) string {
	var b strings.Builder
	for _, h := range hits {
		fmt.Fprintf(&b, "%s@%d:%q;", h.Path, h.StartLine, h.Data)
	}
	return b.String()
}

// TestGrep: blocks of matching lines with two lines of context, matches on
// the first and the last line (one without a final newline), the query a
// fixed string that is never an option, binary files skipped.
func TestGrep(t *testing.T) {
	ctx := context.Background()
	r := newRepo(t, newStore(t), 1)
	commitAll(t, r, "files", map[string]string{
		"a.txt":       "First Foo line\nb\nc\nd\ne\nf\ng\nh\nlast foo",
		"dir/meta.md": "axbbc\na.b*c [x]\n",
		"dash.txt":    "-e\n--help\n",
		"bin.dat":     "foo\x00bar\n",
	})

	hits, err := r.Grep(ctx, "main", "FOO", 10)
	if err != nil {
		t.Fatal(err)
	}
	want := `a.txt@1:"First Foo line\nb\nc\n";a.txt@7:"g\nh\nlast foo\n";`
	if got := hitsString(hits); got != want {
		t.Fatalf("FOO:\n got %s\nwant %s", got, want)
	}

	for q, want := range map[string]string{
		"a.b*c":  `dir/meta.md@1:"axbbc\na.b*c [x]\n";`,
		"[x]":    `dir/meta.md@1:"axbbc\na.b*c [x]\n";`,
		"-e":     `dash.txt@1:"-e\n--help\n";`,
		"--help": `dash.txt@1:"-e\n--help\n";`,
		".*":     ``,
		"bar":    ``, // only in a binary file
	} {
		hits, err := r.Grep(ctx, "main", q, 10)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if got := hitsString(hits); got != want {
			t.Fatalf("%q:\n got %s\nwant %s", q, got, want)
		}
	}
	// As a pattern x.b would match "axbbc".
	if hits, err := r.Grep(ctx, "main", "x.b", 10); err != nil || len(hits) != 0 {
		t.Fatalf("x.b matched as a pattern: %s, %v", hitsString(hits), err)
	}
	if hits, err := r.Grep(ctx, "main", "foo", 1); err != nil || hitsString(hits) != `a.txt@1:"First Foo line\nb\nc\n";` {
		t.Fatalf("limit 1: %s, %v", hitsString(hits), err)
	}
	if _, err := r.Grep(ctx, "nope", "foo", 10); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown ref: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := r.Grep(cctx, "main", "foo", 10); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	for _, q := range []string{"", "a\nb", "a\x00b"} {
		if _, err := r.Grep(ctx, "main", q, 10); !errors.Is(err, ErrInvalid) {
			t.Fatalf("query %q: %v", q, err)
		}
	}
}

// TestGrepOutputCap: past its byte budget a search stops git and keeps
// the blocks complete by then.
func TestGrepOutputCap(t *testing.T) {
	ctx := context.Background()
	r := newRepo(t, newStore(t), 1)
	var b strings.Builder
	for i := range 200 {
		fmt.Fprintf(&b, "needle %d\nx\nx\nx\nx\nx\n", i)
	}
	commitAll(t, r, "many", map[string]string{"big.txt": b.String()})
	all, err := r.Grep(ctx, "main", "needle", 1000)
	if err != nil || len(all) != 200 {
		t.Fatalf("uncapped: %d hits, %v", len(all), err)
	}
	capped, err := r.grep(ctx, "main", "needle", 1000, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(capped) == 0 || len(capped) >= 20 {
		t.Fatalf("1000 bytes gave %d hits", len(capped))
	}
	for i, h := range capped {
		if h != all[i] {
			t.Fatalf("capped hit %d = %+v, want %+v", i, h, all[i])
		}
	}
	// One line longer than the budget finds nothing, without an error.
	commitAll(t, r, "long", map[string]string{"long.txt": "needle" + strings.Repeat("y", 5000) + "\n"})
	if hits, err := r.grep(ctx, "main", "yyyy", 10, 1000); err != nil || len(hits) != 0 {
		t.Fatalf("long line: %d hits, %v", len(hits), err)
	}
}

// TestFilesByName: a literal path or directory, as git ls-tree matches it.
func TestFilesByName(t *testing.T) {
	ctx := context.Background()
	r := newRepo(t, newStore(t), 1)
	commitAll(t, r, "files", map[string]string{"lib/a.go": "a", "lib/sub/b.go": "b", "lib2": "c", "README": "r", "x*": "s"})
	names := func(name string) string {
		t.Helper()
		es, err := r.FilesByName(ctx, "main", name, 100)
		if err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		var out []string
		for _, e := range es {
			if e.Type != "blob" || e.Name != e.Path[strings.LastIndexByte(e.Path, '/')+1:] || len(e.ID) != 40 {
				t.Fatalf("entry %+v", e)
			}
			out = append(out, e.Path)
		}
		return strings.Join(out, ",")
	}
	for name, want := range map[string]string{
		"lib": "lib/a.go,lib/sub/b.go", "lib/": "lib/a.go,lib/sub/b.go", "lib/sub/b.go": "lib/sub/b.go",
		"li": "", "README": "README", "readme": "", "*": "", "x*": "x*", "../x": "", "": "", "-r": "",
	} {
		if got := names(name); got != want {
			t.Fatalf("%q: %q, want %q", name, got, want)
		}
	}
	if es, err := r.FilesByName(ctx, "main", "lib", 1); err != nil || len(es) != 1 {
		t.Fatalf("limit 1: %v, %v", es, err)
	}
	if _, err := r.FilesByName(ctx, "nope", "lib", 10); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown ref: %v", err)
	}
}

// TestCommitsByMessage: a fixed string in any case, newest first, paged;
// a query that looks like an option is text.
func TestCommitsByMessage(t *testing.T) {
	ctx := context.Background()
	r := newRepo(t, newStore(t), 1)
	c1 := commitAll(t, r, "Fix the Bug", map[string]string{"a": "1"})
	c2 := commitAll(t, r, "fix.bug literally\n\nbody mentions --all", map[string]string{"a": "2"})
	commitAll(t, r, "unrelated", map[string]string{"a": "3"})
	ids := func(query string, offset, limit int) string {
		t.Helper()
		cs, err := r.CommitsByMessage(ctx, "main", query, offset, limit)
		if err != nil {
			t.Fatalf("%q: %v", query, err)
		}
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return strings.Join(out, ",")
	}
	for _, tc := range []struct {
		q             string
		offset, limit int
		want          string
	}{
		{"BUG", 0, 10, c2.ID + "," + c1.ID},
		{"bug", 1, 10, c1.ID},
		{"bug", 0, 1, c2.ID},
		{"fix.bug", 0, 10, c2.ID},
		{"fix.*", 0, 10, ""},
		{"--all", 0, 10, c2.ID},
		{"-v", 0, 10, ""},
	} {
		if got := ids(tc.q, tc.offset, tc.limit); got != tc.want {
			t.Fatalf("%q %d/%d: %s, want %s", tc.q, tc.offset, tc.limit, got, tc.want)
		}
	}
	if _, err := r.CommitsByMessage(ctx, "nope", "bug", 0, 10); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown ref: %v", err)
	}
	if _, err := r.CommitsByMessage(ctx, "main", "a\x00b", 0, 10); !errors.Is(err, ErrInvalid) {
		t.Fatalf("NUL: %v", err)
	}
}

// TestBlobHeads: the first bytes of small and large blobs; anything else
// is left out.
func TestBlobHeads(t *testing.T) {
	ctx := context.Background()
	r := newRepo(t, newStore(t), 1)
	large := strings.Repeat("0123456789", maxInlineBlob/10+10)
	commitAll(t, r, "files", map[string]string{"small": "tiny", "large": large})
	small, err := r.Blob(ctx, "main", "small")
	if err != nil {
		t.Fatal(err)
	}
	big, err := r.Blob(ctx, "main", "large")
	if err != nil {
		t.Fatal(err)
	}
	head, err := r.ResolveRef(ctx, "main")
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.BlobHeads(ctx, []string{small.ID, big.ID, head, strings.Repeat("0", 40), "main"}, 16)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || string(got[small.ID]) != "tiny" || !bytes.Equal(got[big.ID], []byte(large[:16])) {
		t.Fatalf("heads = %q", got)
	}
}
