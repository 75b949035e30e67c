package v4_test

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/repo"
)

func TestRepositoryTree(t *testing.T) {
	t.Parallel()
	f := newRefsFixture(t, gitlab.PrivateVisibility)
	f.commit(t, "main", map[string]string{"src/a.go": "package a\n", "src/b.go": "package b\n", "src/sub/c.go": "package c\n",
		"docs/x.md": "same\n", "docs/y.md": "same\n"})

	tree, resp, err := f.reporterC.Repositories.ListTree(f.p.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range tree {
		got = append(got, n.Type+":"+n.Path+":"+n.Mode)
	}
	if strings.Join(got, ",") != "blob:README.md:100644,tree:docs:040000,tree:src:040000" || resp.TotalItems != 3 {
		t.Fatalf("root = %v (%d)", got, resp.TotalItems)
	}
	tree, _, err = f.reporterC.Repositories.ListTree(f.p.ID, &gitlab.ListTreeOptions{Path: gitlab.Ptr("src"), Ref: gitlab.Ptr(f.readmeCommit)})
	if resp := f.s.Do(t, labtest.Request{Path: f.path + "/tree?path=src&ref=" + f.readmeCommit, Token: f.dev.Token}); resp.Status != 404 {
		t.Fatalf("src at the first commit = %d %s (%v %v)", resp.Status, resp.Body, tree, err)
	}
	tree, _, err = f.reporterC.Repositories.ListTree(f.p.ID, &gitlab.ListTreeOptions{Path: gitlab.Ptr("src/"), Recursive: gitlab.Ptr(true)})
	got = nil
	for _, n := range tree {
		got = append(got, n.Path)
	}
	if err != nil || strings.Join(got, ",") != "src/a.go,src/b.go,src/sub,src/sub/c.go" {
		t.Fatalf("recursive src = %v, %v", got, err)
	}
	if tree[0].Name != "a.go" || len(tree[0].ID) != 40 {
		t.Fatalf("entry = %+v", tree[0])
	}

	// Offset pagination.
	tree, resp, err = f.reporterC.Repositories.ListTree(f.p.ID, &gitlab.ListTreeOptions{Recursive: gitlab.Ptr(true),
		ListOptions: gitlab.ListOptions{PerPage: 3, Page: 2}})
	if err != nil || len(tree) != 3 || resp.TotalItems != 9 || resp.TotalPages != 3 || resp.NextPage != 3 {
		t.Fatalf("page 2 = %d entries, %+v, %v", len(tree), resp, err)
	}

	// Keyset pagination follows the Link header to the end; identical
	// files (docs/x.md, docs/y.md) must not loop.
	var all []string
	next := f.path + "/tree?recursive=true&pagination=keyset&per_page=2"
	for pages := 0; next != ""; pages++ {
		if pages > 10 {
			t.Fatal("keyset pagination does not end")
		}
		r := f.s.Do(t, labtest.Request{Path: next, Token: f.dev.Token})
		if r.Status != 200 || r.Header.Get("X-Total") != "" {
			t.Fatalf("keyset page = %d %s %v", r.Status, r.Body, r.Header)
		}
		var page []map[string]any
		r.JSON(t, &page)
		for _, e := range page {
			all = append(all, e["path"].(string))
		}
		next = ""
		if link := r.Header.Get("Link"); link != "" {
			u, err := url.Parse(strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`))
			if err != nil {
				t.Fatal(err)
			}
			next = u.String()
		}
	}
	if len(all) != 9 || all[0] != "README.md" || all[8] != "src/sub/c.go" {
		t.Fatalf("keyset walk = %v", all)
	}
	f.s.Do(t, labtest.Request{Path: f.path + "/tree?pagination=keyset&page_token=nope", Token: f.dev.Token}).
		ExpectError(t, 400, `{"error":"page_token is invalid"}`)

	// Missing refs and paths, and paths that cannot exist.
	for _, q := range []string{"ref=nope", "ref=a..b", "ref=-x", "path=nope", "path=README.md", "path=..", "path=src/../src",
		"path=.git", "ref=" + strings.Repeat("a", 1000)} {
		f.s.Do(t, labtest.Request{Path: f.path + "/tree?" + q, Token: f.dev.Token}).ExpectError(t, 404, `{"message":"404 Tree Not Found"}`)
	}
	if r := f.s.Do(t, labtest.Request{Path: f.path + "/tree?path=a%00b", Token: f.dev.Token}); r.Status != 400 {
		t.Fatalf("NUL path = %d %s", r.Status, r.Body)
	}
	if r := f.s.Do(t, labtest.Request{Path: f.path + "/tree?path=" + strings.Repeat("a", 5000), Token: f.dev.Token}); r.Status != 400 {
		t.Fatalf("long path = %d %s", r.Status, r.Body)
	}
}

func TestRepositoryBlobs(t *testing.T) {
	t.Parallel()
	f := newRefsFixture(t, gitlab.PublicVisibility)
	f.commit(t, "main", map[string]string{"bin.dat": "a\x00b", "t.txt": "hello\n"})
	tree, _, err := f.anonC.Repositories.ListTree(f.p.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, n := range tree {
		ids[n.Name] = n.ID
	}
	r := f.s.Do(t, labtest.Request{Path: f.path + "/blobs/" + ids["t.txt"]})
	m := r.Map(t)
	if r.Status != 200 || m["encoding"] != "base64" || m["sha"] != ids["t.txt"] || m["size"] != float64(6) ||
		m["content"] != base64.StdEncoding.EncodeToString([]byte("hello\n")) {
		t.Fatalf("blob = %d %v", r.Status, m)
	}
	raw, _, err := f.anonC.Repositories.RawBlobContent(f.p.ID, ids["t.txt"][:10])
	if err != nil || string(raw) != "hello\n" {
		t.Fatalf("raw = %q, %v", raw, err)
	}
	r = f.s.Do(t, labtest.Request{Path: f.path + "/blobs/" + ids["t.txt"] + "/raw"})
	if ct := r.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("raw text headers = %v", r.Header)
	}
	r = f.s.Do(t, labtest.Request{Path: f.path + "/blobs/" + ids["bin.dat"] + "/raw"})
	if r.Header.Get("Content-Type") != "application/octet-stream" || string(r.Body) != "a\x00b" {
		t.Fatalf("raw binary = %v %q", r.Header, r.Body)
	}
	for _, sha := range []string{f.readmeCommit, "0000000000000000000000000000000000000000", "main", "abc", "zzzzzzzz",
		"HEAD:README.md", url.PathEscape("a\x00b"), strings.Repeat("a", 200)} {
		f.s.Do(t, labtest.Request{Path: f.path + "/blobs/" + sha}).ExpectError(t, 404, `{"message":"404 Blob Not Found"}`)
		f.s.Do(t, labtest.Request{Path: f.path + "/blobs/" + sha + "/raw"}).ExpectError(t, 404, `{"message":"404 Blob Not Found"}`)
	}
}

func TestRepositoryArchive(t *testing.T) {
	t.Parallel()
	f := newRefsFixture(t, gitlab.PrivateVisibility)
	head := f.commit(t, "main", map[string]string{"src/a.go": "package a\n", "docs/x.md": "x\n"})
	files := func(format string, body []byte) []string {
		t.Helper()
		var names []string
		switch format {
		case "zip":
			zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
			if err != nil {
				t.Fatal(err)
			}
			for _, zf := range zr.File {
				if !strings.HasSuffix(zf.Name, "/") {
					names = append(names, zf.Name)
				}
			}
		default:
			var rd io.Reader = bytes.NewReader(body)
			switch format {
			case "tar.gz":
				gz, err := gzip.NewReader(rd)
				if err != nil {
					t.Fatal(err)
				}
				rd = gz
			case "tar.bz2":
				rd = bzip2.NewReader(rd)
			}
			tr := tar.NewReader(rd)
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
		}
		sort.Strings(names)
		return names
	}
	prefix := "code-main-" + head.ID
	for suffix, format := range map[string]string{"": "tar.gz", ".tar.gz": "tar.gz", ".zip": "zip", ".tar": "tar", ".tar.bz2": "tar.bz2", ".tbz2": "tar.bz2"} {
		r := f.s.Do(t, labtest.Request{Path: f.path + "/archive" + suffix, Token: f.reporter.Token})
		if r.Status != 200 {
			t.Fatalf("archive%s = %d %s", suffix, r.Status, r.Body)
		}
		if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename=`+prefix+"."+format {
			t.Fatalf("archive%s disposition = %q", suffix, cd)
		}
		want := prefix + "/README.md," + prefix + "/docs/x.md," + prefix + "/src/a.go"
		if got := strings.Join(files(format, r.Body), ","); got != want {
			t.Fatalf("archive%s files = %s", suffix, got)
		}
	}
	// Through the client, at a SHA, restricted to a path.
	body, _, err := f.reporterC.Repositories.Archive(f.p.ID, &gitlab.ArchiveOptions{Format: gitlab.Ptr("zip"),
		SHA: gitlab.Ptr(f.readmeCommit)})
	if err != nil || strings.Join(files("zip", body), ",") != "code-"+f.readmeCommit+"-"+f.readmeCommit+"/README.md" {
		t.Fatalf("archive at sha = %v, %v", files("zip", body), err)
	}
	r := f.s.Do(t, labtest.Request{Path: f.path + "/archive.tar?path=src", Token: f.reporter.Token})
	if r.Status != 200 || strings.Join(files("tar", r.Body), ",") != prefix+"-src/src/a.go" {
		t.Fatalf("archive of src = %d %v", r.Status, r.Body[:min(len(r.Body), 200)])
	}
	for _, q := range []string{"sha=nope", "sha=a..b", "sha=-x", "path=nope", "path=../x", "path=.git", "path=%00"} {
		r := f.s.Do(t, labtest.Request{Path: f.path + "/archive.zip?" + q, Token: f.reporter.Token})
		if r.Status != 404 && r.Status != 400 {
			t.Fatalf("archive?%s = %d %s", q, r.Status, r.Body)
		}
	}
	f.s.Do(t, labtest.Request{Path: f.path + "/archive.zip?sha=nope", Token: f.reporter.Token}).
		ExpectError(t, 404, `{"message":"404 File Not Found"}`)
	f.s.Do(t, labtest.Request{Path: f.path + "/archive.rar", Token: f.reporter.Token}).ExpectError(t, 404, `{"error":"404 Not Found"}`)
	for name, tc := range map[string]struct {
		c    *gitlab.Client
		want int
	}{"guest": {f.guestC, 403}, "stranger": {f.strangerC, 404}, "anonymous": {f.anonC, 404}} {
		if _, resp, _ := tc.c.Repositories.Archive(f.p.ID, nil); resp.StatusCode != tc.want {
			t.Errorf("%s archive of private = %d, want %d", name, resp.StatusCode, tc.want)
		}
	}
}

func TestRepositoryContributorsAndMergeBase(t *testing.T) {
	t.Parallel()
	f := newRefsFixture(t, gitlab.PublicVisibility)
	ctx := context.Background()
	bob := repo.Signature{Name: "Bob", Email: "bob@example.com"}
	for i := range 3 {
		if _, err := f.repo().CommitFiles(ctx, repo.CommitRequest{Branch: "main", Message: "bob", Author: bob,
			Actions: []repo.Action{{Kind: repo.ActionCreate, Path: fmt.Sprintf("b%d", i), Content: []byte("b")}}}); err != nil {
			t.Fatal(err)
		}
	}
	cs, resp, err := f.anonC.Repositories.Contributors(f.p.ID, nil)
	if err != nil || len(cs) != 2 || cs[0].Email != "alice@example.com" || cs[0].Commits != 1 || cs[1].Name != "Bob" ||
		cs[1].Commits != 3 || resp.TotalItems != 2 {
		t.Fatalf("contributors = %v, %v", cs, err)
	}
	cs, _, err = f.anonC.Repositories.Contributors(f.p.ID, &gitlab.ListContributorsOptions{OrderBy: gitlab.Ptr("name"), Sort: gitlab.Ptr("desc")})
	if err != nil || cs[0].Name != "Bob" {
		t.Fatalf("contributors by name desc = %v, %v", cs, err)
	}
	f.s.Do(t, labtest.Request{Path: f.path + "/contributors?order_by=size"}).
		ExpectError(t, 400, `{"error":"order_by does not have a valid value"}`)

	// merge_base: a branch off the first commit and main.
	side := f.commit(t, "side", map[string]string{"s": "s"})
	if _, err := f.repo().CommitFiles(ctx, repo.CommitRequest{Branch: "side", Message: "reset", Author: bob,
		Actions: []repo.Action{{Kind: repo.ActionDelete, Path: "b0"}}}); err != nil {
		t.Fatal(err)
	}
	mainHead, _ := f.repo().ResolveRef(ctx, "main")
	mb, _, err := f.anonC.Repositories.MergeBase(f.p.ID, &gitlab.MergeBaseOptions{Ref: &[]string{"main", "side"}})
	if err != nil || mb.ID != mainHead {
		t.Fatalf("merge base = %+v, %v (side %s)", mb, err, side.ID)
	}
	mb, _, err = f.anonC.Repositories.MergeBase(f.p.ID, &gitlab.MergeBaseOptions{Ref: &[]string{f.readmeCommit, "main", "side"}})
	if err != nil || mb.ID != f.readmeCommit {
		t.Fatalf("merge base of three = %+v, %v", mb, err)
	}
	f.s.Do(t, labtest.Request{Path: f.path + "/merge_base?refs[]=main"}).ExpectError(t, 400, `{"message":"Provide at least 2 refs"}`)
	f.s.Do(t, labtest.Request{Path: f.path + "/merge_base"}).ExpectError(t, 400, `{"error":"refs is missing"}`)
	f.s.Do(t, labtest.Request{Path: f.path + "/merge_base?refs[]=main&refs[]=nope"}).ExpectError(t, 400, `{"message":"Could not find ref: nope"}`)
	f.s.Do(t, labtest.Request{Path: f.path + "/merge_base?refs[]=a..b&refs[]=-x"}).ExpectError(t, 400, `{"message":"Could not find refs: a..b, -x"}`)

	// Unrelated history: an orphan commit has no merge base with main.
	readme, err := f.repo().Commit(ctx, f.readmeCommit)
	if err != nil {
		t.Fatal(err)
	}
	cmd := repo.Command(ctx, f.repo().Path(), []string{"GIT_AUTHOR_NAME=B", "GIT_AUTHOR_EMAIL=b@example.com",
		"GIT_COMMITTER_NAME=B", "GIT_COMMITTER_EMAIL=b@example.com"}, "commit-tree", "-m", "orphan", readme.Tree)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	orphan := strings.TrimSpace(string(out))
	f.s.Do(t, labtest.Request{Path: f.path + "/merge_base?refs[]=main&refs[]=" + orphan}).
		ExpectError(t, 404, `{"message":"404 Merge Base Not Found"}`)
}

func TestRepositoryEmptyAndPermissions(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	c := s.Client(t, alice.Token)
	p, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Empty")})
	if err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("/projects/%d/repository", p.ID)
	s.Do(t, labtest.Request{Path: base + "/tree", Token: alice.Token}).ExpectError(t, 404, `{"message":"404 Tree Not Found"}`)
	s.Do(t, labtest.Request{Path: base + "/archive", Token: alice.Token}).ExpectError(t, 404, `{"message":"404 File Not Found"}`)
	if r := s.Do(t, labtest.Request{Path: base + "/contributors", Token: alice.Token}); r.Status != 200 || strings.TrimSpace(string(r.Body)) != "[]" {
		t.Fatalf("contributors on empty = %d %s", r.Status, r.Body)
	}
	if r := s.Do(t, labtest.Request{Path: base + "/tags", Token: alice.Token}); r.Status != 200 || strings.TrimSpace(string(r.Body)) != "[]" {
		t.Fatalf("tags on empty = %d %s", r.Status, r.Body)
	}

	f := newRefsFixture(t, gitlab.PrivateVisibility)
	for name, tc := range map[string]struct {
		c    *gitlab.Client
		want int
	}{"owner": {f.ownerC, 200}, "developer": {f.devC, 200}, "reporter": {f.reporterC, 200}, "guest": {f.guestC, 403},
		"stranger": {f.strangerC, 404}, "anonymous": {f.anonC, 404}} {
		if _, resp, _ := tc.c.Repositories.ListTree(f.p.ID, nil); resp.StatusCode != tc.want {
			t.Errorf("%s tree = %d, want %d", name, resp.StatusCode, tc.want)
		}
		if _, resp, _ := tc.c.Repositories.Contributors(f.p.ID, nil); resp.StatusCode != tc.want {
			t.Errorf("%s contributors = %d, want %d", name, resp.StatusCode, tc.want)
		}
		if _, resp, _ := tc.c.Repositories.MergeBase(f.p.ID, &gitlab.MergeBaseOptions{Ref: &[]string{"main", "main"}}); resp.StatusCode != tc.want {
			t.Errorf("%s merge base = %d, want %d", name, resp.StatusCode, tc.want)
		}
	}
}

// BenchmarkRepositoryTree reads a 200-entry directory: no process per
// request, only warm cat-file round trips.
func BenchmarkRepositoryTree(b *testing.B) {
	s := labtest.Start(b)
	alice := s.NewUser(b, "alice")
	c := s.Client(b, alice.Token)
	p, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Bench"), InitializeWithReadme: gitlab.Ptr(true)})
	if err != nil {
		b.Fatal(err)
	}
	var actions []repo.Action
	for i := range 200 {
		actions = append(actions, repo.Action{Kind: repo.ActionCreate, Path: fmt.Sprintf("d/f%03d", i), Content: []byte{byte(i)}})
	}
	if _, err := s.Srv.Repos.Open(int64(p.ID)).CommitFiles(context.Background(), repo.CommitRequest{Branch: "main",
		Message: "many", Author: repo.Signature{Name: "A", Email: "a@example.com"}, Actions: actions}); err != nil {
		b.Fatal(err)
	}
	opts := &gitlab.ListTreeOptions{Path: gitlab.Ptr("d"), ListOptions: gitlab.ListOptions{PerPage: 100}}
	b.ResetTimer()
	for b.Loop() {
		if tree, _, err := c.Repositories.ListTree(p.ID, opts); err != nil || len(tree) != 100 {
			b.Fatalf("%d, %v", len(tree), err)
		}
	}
}
