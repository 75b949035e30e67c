package githttp

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lablet/lablet/internal/repo"
)

// TestRefTransactionHookStamps: with shared repositories the hooks dir
// holds a reference-transaction hook that rewrites the repository's refs
// stamp when git commits a ref transaction (as receive-pack's do, in git's
// own process); without them the hook is removed again.
func TestRefTransactionHookStamps(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	hooks, bare := t.TempDir(), filepath.Join(t.TempDir(), "r.git")
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "core.hooksPath=" + hooks}, args...)...)
		cmd.Dir = bare
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com",
			"GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.com")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	if out, err := exec.Command("git", "init", "-q", "--bare", bare).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	if err := writeHook(hooks, true); err != nil {
		t.Fatal(err)
	}
	stampPath := filepath.Join(bare, repo.RefsStampName)
	stamp := func() []byte { b, _ := os.ReadFile(stampPath); return b }
	c1 := git("commit-tree", "-m", "1", "4b825dc642cb6eb9a060e54bf8d69288fbee4904") // the empty tree
	c2 := git("commit-tree", "-m", "2", "4b825dc642cb6eb9a060e54bf8d69288fbee4904")
	if s := stamp(); s != nil {
		t.Fatalf("a stamp %x before any ref transaction", s)
	}
	git("update-ref", "refs/heads/main", c1)
	s1 := stamp()
	if len(s1) < 8 {
		t.Fatalf("after a ref transaction the stamp is %x, want 8 bytes or more", s1)
	}
	git("update-ref", "refs/heads/main", c2, c1)
	s2 := stamp()
	if len(s2) < 8 || bytes.Equal(s1, s2) {
		t.Fatalf("the stamp went from %x to %x with the next ref transaction", s1, s2)
	}
	if err := writeHook(hooks, false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(hooks, repo.RefsStampHookName)); err == nil {
		t.Fatal("the reference-transaction hook is still there without shared repositories")
	}
	git("update-ref", "refs/heads/main", c1, c2)
	if s := stamp(); !bytes.Equal(s, s2) {
		t.Fatalf("the stamp moved (%x to %x) without the hook", s2, s)
	}
}
