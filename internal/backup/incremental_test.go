package backup

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/store"
)

// instance makes a data dir with a database (SQLite, or PostgreSQL when
// the tests have one) and one bare repository, and returns the options
// naming it and the repository's path.
func instance(t *testing.T) (Options, string) {
	t.Helper()
	o := Options{DataDir: filepath.Join(t.TempDir(), "data"), DatabaseURL: labtest.DatabaseURL(t)}
	db, err := store.Open(context.Background(), o.DatabaseURL, o.DataDir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	bare := filepath.Join(o.DataDir, "repositories", "@hashed", "aa", "bb", "x.git")
	git(t, "", "init", "-q", "--bare", "-b", "main", bare)
	return o, bare
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+t.TempDir(), "GIT_AUTHOR_NAME=T",
		"GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// commitAndPush adds a commit with a file to the work tree and pushes it.
func commitAndPush(t *testing.T, work, bare, file, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(work, file), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, work, "add", file)
	git(t, work, "commit", "-q", "-m", file)
	git(t, work, "push", "-q", bare, "HEAD:refs/heads/main")
}

// TestIncrementalBackup: a backup made on an earlier one refers to the
// objects that one holds instead of copying them; restored with the
// earlier one beside it, the repository is whole at its newest state.
// Without the earlier backup, or with another file under its name, it
// is refused.
func TestIncrementalBackup(t *testing.T) {
	ctx := context.Background()
	o, bare := instance(t)
	work := t.TempDir()
	git(t, work, "init", "-q", "-b", "main")
	commitAndPush(t, work, bare, "one.txt", strings.Repeat("one\n", 5000))
	dir := t.TempDir()
	full := filepath.Join(dir, "full.tar")
	fm, err := CreateFile(ctx, o, full)
	if err != nil {
		t.Fatal(err)
	}
	commitAndPush(t, work, bare, "two.txt", "two\n")
	head := git(t, bare, "rev-parse", "refs/heads/main")

	o.Previous = full
	inc := filepath.Join(dir, "inc.tar")
	im, err := CreateFile(ctx, o, inc)
	if err != nil {
		t.Fatal(err)
	}
	objects := func(m *Manifest) (all int) {
		for _, e := range m.Entries {
			if strings.Contains(e.Name, "/objects/") {
				all++
			}
		}
		return all
	}
	if im.Previous == nil || im.Previous.File != "full.tar" || im.Referenced() != objects(fm) || objects(im) <= objects(fm) {
		t.Fatalf("incremental: previous %+v, %d referred to; the full backup has %d objects, the incremental %d",
			im.Previous, im.Referenced(), objects(fm), objects(im))
	}
	fi, _ := os.Stat(full)
	ii, _ := os.Stat(inc)
	t.Logf("full backup %d bytes, incremental %d bytes", fi.Size(), ii.Size())
	if _, err := Verify(ctx, inc); err != nil {
		t.Fatal(err)
	}

	target := Options{DataDir: filepath.Join(t.TempDir(), "restored"), DatabaseURL: labtest.DatabaseURL(t)}
	if o.DatabaseURL == "" {
		target.DatabaseURL = ""
	}
	if _, err := Restore(ctx, target, inc); err != nil {
		t.Fatal(err)
	}
	restored := filepath.Join(target.DataDir, "repositories", "@hashed", "aa", "bb", "x.git")
	git(t, restored, "fsck", "--strict", "--no-dangling")
	if got := git(t, restored, "rev-parse", "refs/heads/main"); got != head {
		t.Fatalf("restored main at %s, want %s", got, head)
	}
	if got := git(t, restored, "show", "refs/heads/main:one.txt"); got != strings.TrimSpace(strings.Repeat("one\n", 5000)) {
		t.Fatalf("one.txt, from the full backup's objects: %.40q", got)
	}

	// Without its previous backup, or with another one under its name.
	os.Rename(full, full+".away")
	if _, err := Verify(ctx, inc); err == nil || !strings.Contains(err.Error(), "full.tar") {
		t.Fatalf("verify without the previous backup: %v", err)
	}
	o.Previous = ""
	if _, err := CreateFile(ctx, o, full); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(ctx, inc); err == nil || !strings.Contains(err.Error(), "another backup") {
		t.Fatalf("verify with another previous backup: %v", err)
	}
}
