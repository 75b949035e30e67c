package repo

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func TestRefsExtra(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRepo(t, s, 1)
	first := commit(t, r, "main", Action{Kind: ActionCreate, Path: "a", Content: []byte("a")})
	if _, err := r.CreateBranch(ctx, "old", first.ID); err != nil {
		t.Fatal(err)
	}
	second := commit(t, r, "main", Action{Kind: ActionCreate, Path: "b", Content: []byte("b")})
	if _, err := r.CreateBranch(ctx, "same", second.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := r.CommitFiles(ctx, CommitRequest{Branch: "ahead", StartBranch: "main", Message: "x", Author: alice,
		Actions: []Action{{Kind: ActionCreate, Path: "c", Content: []byte("c")}}}); err != nil {
		t.Fatal(err)
	}

	if h, err := r.HeadBranch(); err != nil || h != "main" {
		t.Fatalf("HeadBranch = %q, %v", h, err)
	}
	// Moving HEAD shows at once, though the answer is cached.
	if err := r.SetDefaultBranch(ctx, "same"); err != nil {
		t.Fatal(err)
	}
	if h, err := r.HeadBranch(); err != nil || h != "same" {
		t.Fatalf("HeadBranch after SetDefaultBranch = %q, %v", h, err)
	}
	if err := r.SetDefaultBranch(ctx, "main"); err != nil {
		t.Fatal(err)
	}
	if h, err := r.HeadBranch(); err != nil || h != "main" {
		t.Fatalf("HeadBranch after moving back = %q, %v", h, err)
	}
	merged, err := r.MergedBranches(ctx, second.ID)
	if err != nil || !merged["old"] || merged["same"] || merged["main"] || merged["ahead"] {
		t.Fatalf("MergedBranches = %v, %v", merged, err)
	}
	bs, err := r.BranchesSorted(ctx, SortNameDesc)
	if err != nil || len(bs) != 4 || bs[0].Name != "same" || bs[3].Name != "ahead" {
		t.Fatalf("BranchesSorted = %v, %v", bs, err)
	}
	if _, err := r.Branch("main/sub"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Branch under a file = %v", err)
	}
	if _, err := r.Branch(strings.Repeat("x", 300)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Branch with an overlong name = %v", err)
	}

	// Annotated tag details, one tag and in lists.
	tagger := Signature{Name: "T", Email: "t@example.com", Date: time.Unix(1700000000, 0)}
	if _, err := r.CreateTag(ctx, TagRequest{Name: "v2", Rev: "main", Message: "two", Tagger: tagger}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.CreateTag(ctx, TagRequest{Name: "v10", Rev: first.ID}); err != nil {
		t.Fatal(err)
	}
	tg, err := r.Tag(ctx, "v2")
	if err != nil || !tg.Annotated || tg.Commit != second.ID || tg.Message != "two\n" || tg.Tagger.Email != "t@example.com" ||
		!tg.Tagger.Date.Equal(tagger.Date) || tg.Target == second.ID {
		t.Fatalf("Tag = %+v, %v", tg, err)
	}
	ts, err := r.TagsSorted(ctx, SortVersionDesc)
	if err != nil || len(ts) != 2 || ts[0].Name != "v10" || ts[1].Target != tg.Target {
		t.Fatalf("TagsSorted = %+v, %v", ts, err)
	}

	// Commits and blobs by id through the warm reader: no new process.
	if _, err := r.CommitsByID(ctx, []string{first.ID}); err != nil {
		t.Fatal(err)
	}
	before := r.pool.starts.Load()
	cs, err := r.CommitsByID(ctx, []string{first.ID, second.ID, first.ID, strings.Repeat("0", 40)})
	if err != nil || len(cs) != 2 || cs[second.ID].Title != "change b" {
		t.Fatalf("CommitsByID = %v, %v", cs, err)
	}
	if _, err := r.BlobByID(ctx, first.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("BlobByID of a commit = %v", err)
	}
	if n := r.pool.starts.Load() - before; n != 0 {
		t.Fatalf("warm reads started %d processes", n)
	}

	// Several revisions: git's (and Gitaly's) merge base of the first with
	// a hypothetical merge of the others.
	if mb, err := r.MergeBaseOf(ctx, "ahead", "old", "same"); err != nil || mb != second.ID {
		t.Fatalf("MergeBaseOf = %s, %v", mb, err)
	}

	// Contributors.
	bob := Signature{Name: "Bob", Email: "bob@example.com"}
	if _, err := r.CommitFiles(ctx, CommitRequest{Branch: "main", Message: "bob", Author: bob,
		Actions: []Action{{Kind: ActionCreate, Path: "d", Content: []byte("d")}}}); err != nil {
		t.Fatal(err)
	}
	head, _ := r.ResolveRef(ctx, "main")
	cons, err := r.Contributors(ctx, head, 0)
	if err != nil || len(cons) != 2 || cons[0].Email != "bob@example.com" || cons[1].Commits != 2 {
		t.Fatalf("Contributors = %+v, %v", cons, err)
	}
	if cons, err := r.Contributors(ctx, head, 1); err != nil || len(cons) != 1 {
		t.Fatalf("Contributors limit = %+v, %v", cons, err)
	}
}

func TestArchiveStream(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := newRepo(t, s, 1)
	c := commit(t, r, "main", Action{Kind: ActionCreate, Path: "dir/f", Content: []byte("hello")})
	rc, err := r.Archive(ctx, ArchiveRequest{Commit: c.ID, Format: "tar", Prefix: "p/", Path: "dir"})
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(rc)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			names = append(names, h.Name)
		}
	}
	if _, err := io.Copy(io.Discard, rc); err != nil {
		t.Fatalf("stream end: %v", err)
	}
	_ = rc.Close()
	if strings.Join(names, ",") != "p/dir/f" {
		t.Fatalf("entries = %v", names)
	}
	for _, req := range []ArchiveRequest{
		{Commit: c.ID, Format: "tar", Path: "nope"},
		{Commit: c.ID, Format: "tar", Path: "../x"},
		{Commit: c.ID, Format: "rar"},
		{Commit: "main", Format: "tar"},
		{Commit: c.ID, Format: "tar", Prefix: "../"},
		{Commit: c.ID, Format: "tar", Prefix: "/abs/"},
	} {
		if rc, err := r.Archive(ctx, req); err == nil {
			rc.Close()
			t.Fatalf("Archive(%+v) succeeded", req)
		}
	}
	// Closing early stops git without hanging.
	rc, err = r.Archive(ctx, ArchiveRequest{Commit: c.ID, Format: "zip", Prefix: "p/"})
	if err != nil {
		t.Fatal(err)
	}
	if err := rc.Close(); err != nil {
		t.Fatal(err)
	}
}
