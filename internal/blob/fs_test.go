package blob

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFSPutOpenDelete(t *testing.T) {
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), "blobs")
	s, err := NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.Put(ctx, "uploads/1/abc", strings.NewReader("hello"))
	if err != nil || n != 5 {
		t.Fatalf("Put = %d, %v", n, err)
	}
	r, info, err := s.Open(ctx, "uploads/1/abc")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	r.Close()
	if string(b) != "hello" || info.Size != 5 || info.ModTime.IsZero() {
		t.Fatalf("Open = %q %+v", b, info)
	}
	for path, want := range map[string]os.FileMode{
		root: 0o700, filepath.Join(root, "uploads"): 0o700, filepath.Join(root, "uploads", "1"): 0o700,
		filepath.Join(root, "uploads", "1", "abc"): 0o600,
	} {
		st, err := os.Stat(path)
		if err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, %v; want %v", path, st.Mode().Perm(), err, want)
		}
	}
	// Replacing is whole.
	if _, err := s.Put(ctx, "uploads/1/abc", strings.NewReader("bye")); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "uploads/1/abc"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Open(ctx, "uploads/1/abc"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Open after Delete: %v", err)
	}
	if err := s.Delete(ctx, "uploads/1/abc"); err != nil {
		t.Fatalf("Delete of a missing blob: %v", err)
	}
	// DeleteAll takes a prefix's blobs and nothing else.
	for _, k := range []string{"uploads/1/a", "uploads/1/b", "uploads/12/c"} {
		if _, err := s.Put(ctx, k, strings.NewReader(k)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteAll(ctx, "uploads/1"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Open(ctx, "uploads/1/a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after DeleteAll: %v", err)
	}
	if r, _, err := s.Open(ctx, "uploads/12/c"); err != nil {
		t.Fatalf("DeleteAll took a sibling: %v", err)
	} else {
		r.Close()
	}
	if err := s.DeleteAll(ctx, "uploads/99"); err != nil {
		t.Fatalf("DeleteAll of nothing: %v", err)
	}
	if err := s.DeleteAll(ctx, "../x"); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("DeleteAll(../x) = %v", err)
	}
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n > 0 {
		f.n--
		return copy(p, "partial"), nil
	}
	return 0, errors.New("boom")
}

func TestFSPutFailureLeavesNothing(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s, _ := NewFS(root)
	if _, err := s.Put(ctx, "a/b", &failingReader{n: 3}); err == nil {
		t.Fatal("Put of a failing reader succeeded")
	}
	entries, _ := os.ReadDir(filepath.Join(root, "a"))
	if len(entries) != 0 {
		t.Fatalf("left behind: %v", entries)
	}
	if _, _, err := s.Open(ctx, "a/b"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Open: %v", err)
	}
}

func TestFSRefusesUncleanKeys(t *testing.T) {
	ctx := context.Background()
	outer := t.TempDir()
	s, _ := NewFS(filepath.Join(outer, "blobs"))
	for _, key := range []string{"", "/etc/passwd", "../x", "a/../../x", "a/./b", "a//b", "a/", "a\\b", "a\x00b",
		"a\nb", "..", ".", strings.Repeat("a", MaxKeyLen+1)} {
		if _, err := s.Put(ctx, key, strings.NewReader("x")); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Put(%q) = %v, want ErrInvalidKey", key, err)
		}
		if _, _, err := s.Open(ctx, key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Open(%q) = %v, want ErrInvalidKey", key, err)
		}
		if err := s.Delete(ctx, key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Delete(%q) = %v, want ErrInvalidKey", key, err)
		}
	}
	if _, err := os.Stat(filepath.Join(outer, "x")); err == nil {
		t.Fatal("a key escaped the root")
	}
}
