package repo

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestWikiRepositories: a project's wiki lives beside its repository and a
// group's in the group area, both made on demand (twice is once) and gone
// with DeleteWiki, which leaves the project's own repository alone.
func TestWikiRepositories(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	project := newRepo(t, s, 7)
	if got := WikiRelPath(ProjectWiki, 7); got != strings.TrimSuffix(HashedPath(7), ".git")+".wiki.git" {
		t.Fatalf("project wiki path = %s", got)
	}
	if got := WikiRelPath(GroupWiki, 7); !strings.HasPrefix(got, "@groups"+string(filepath.Separator)) || !strings.HasSuffix(got, ".wiki.git") {
		t.Fatalf("group wiki path = %s", got)
	}
	if s.OpenWiki(ProjectWiki, 7).Exists() {
		t.Fatal("wiki exists before its first write")
	}
	for _, kind := range []WikiKind{ProjectWiki, GroupWiki} {
		w, err := s.EnsureWiki(ctx, kind, 7, "main")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.EnsureWiki(ctx, kind, 7, "main"); err != nil {
			t.Fatalf("second EnsureWiki: %v", err)
		}
		if head, err := w.DefaultBranch(ctx); err != nil || head != "main" {
			t.Fatalf("head = %q, %v", head, err)
		}
		if _, err := w.CommitFiles(ctx, CommitRequest{Branch: "main", Message: "m", Author: Signature{Name: "a", Email: "a@x"},
			Actions: []Action{{Kind: ActionCreate, Path: "Home.md", Content: []byte("hi")}}}); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteWiki(ctx, kind, 7); err != nil {
			t.Fatal(err)
		}
		if s.OpenWiki(kind, 7).Exists() {
			t.Fatal("wiki left after DeleteWiki")
		}
		if err := s.DeleteWiki(ctx, kind, 7); err != nil {
			t.Fatalf("deleting a missing wiki: %v", err)
		}
	}
	if !project.Exists() {
		t.Fatal("the project's repository went with its wiki")
	}
}
