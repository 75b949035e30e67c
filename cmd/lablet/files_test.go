package main

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitIn runs the real git client in dir with a clean, prompt-free
// environment whose HOME is home.
func gitIn(t *testing.T, home, dir string, args ...string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatalf("git is needed (.ci/run installs it): %v", err)
	}
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = gitEnv(home)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func gitEnv(home string) []string {
	return []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "GIT_CONFIG_NOSYSTEM=1",
		"GIT_TERMINAL_PROMPT=0", "LC_ALL=C", "GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.com"}
}

func mustGit(t *testing.T, home, dir string, args ...string) string {
	t.Helper()
	out, err := gitIn(t, home, dir, args...)
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return out
}

// createProject creates a project of root with a README on main, which is
// protected at creation, and returns its clone URL with the token in it.
func createProject(t *testing.T, base, token, name string) string {
	t.Helper()
	code, body := do(t, http.MethodPost, base+"/api/v4/projects", token,
		url.Values{"name": {name}, "initialize_with_readme": {"true"}}.Encode())
	var p struct {
		HTTPURLToRepo string `json:"http_url_to_repo"`
		DefaultBranch string `json:"default_branch"`
	}
	if code != http.StatusCreated || json.Unmarshal([]byte(body), &p) != nil || p.DefaultBranch != "main" {
		t.Fatalf("create project = %d %s", code, body)
	}
	return strings.Replace(p.HTTPURLToRepo, "http://", "http://oauth2:"+token+"@", 1)
}

// pushThenForcePush pushes a commit to the protected main of the clone
// URL, then tries to rewrite it with a force push, which must be refused
// and leave main where it was.
func pushThenForcePush(t *testing.T, cloneURL string) {
	t.Helper()
	home := t.TempDir()
	w := filepath.Join(t.TempDir(), "w")
	mustGit(t, home, "", "clone", "-q", cloneURL, w)
	if err := os.WriteFile(filepath.Join(w, "a.txt"), []byte("a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustGit(t, home, w, "add", "a.txt")
	mustGit(t, home, w, "commit", "-q", "-m", "a")
	mustGit(t, home, w, "push", "-q", "origin", "HEAD:main")
	pushed := strings.TrimSpace(mustGit(t, home, w, "rev-parse", "HEAD"))

	mustGit(t, home, w, "reset", "-q", "--hard", "HEAD~1")
	mustGit(t, home, w, "commit", "-q", "--allow-empty", "-m", "rewritten")
	out, err := gitIn(t, home, w, "push", "--force", "origin", "HEAD:main")
	if err == nil || !strings.Contains(out, "You are not allowed to force push code to a protected branch") {
		t.Fatalf("force push to protected main: err %v\n%s", err, out)
	}
	remote := mustGit(t, home, w, "ls-remote", "origin", "refs/heads/main")
	if !strings.HasPrefix(remote, pushed) {
		t.Fatalf("main is %q after the refused force push, want %s", remote, pushed)
	}
}

// TestRelativeDataDirKeepsProtectedBranches: with the README's default
// data dir, ./lablet-data, the git hooks path reached git relative to the
// server's working directory; git, running inside the repository, found
// no hook and let a force push rewrite a protected branch.
func TestRelativeDataDirKeepsProtectedBranches(t *testing.T) {
	work := t.TempDir()
	env := baseEnv(storageEnv(t)...) // no LABLET_DATA_DIR: ./lablet-data
	p := startServe(t, work, env)
	token := createToken(t, work, env, "api")
	pushThenForcePush(t, createProject(t, p.base, token, "Guarded"))
	if _, err := os.Stat(filepath.Join(work, "lablet-data", "git-hooks", "pre-receive")); err != nil {
		t.Fatalf("the data dir is not in the working directory: %v", err)
	}
}

// TestDataFilesPrivate: everything lablet (and the git it runs) creates in
// the data dir is its user's only: directories 0700, files 0600 (0400 for
// git's read-only objects, 0700 for the hook git executes).
func TestDataFilesPrivate(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	env := baseEnv(append(storageEnv(t), "LABLET_DATA_DIR="+dataDir)...)
	p := startServe(t, t.TempDir(), env)
	token := createToken(t, t.TempDir(), env, "api")
	// A project with a README written by the API and a commit pushed by git.
	cloneURL := createProject(t, p.base, token, "Private")
	home := t.TempDir()
	w := filepath.Join(t.TempDir(), "w")
	mustGit(t, home, "", "clone", "-q", cloneURL, w)
	mustGit(t, home, w, "commit", "-q", "--allow-empty", "-m", "pushed")
	mustGit(t, home, w, "push", "-q", "origin", "HEAD:main")

	want := []string{"initial_root_password", "oauth/id_token_rsa.pem", "git-hooks/pre-receive", "git-hooks/post-receive", "repositories"}
	if len(storageEnv(t)) == 0 {
		want = append(want, "lablet.db", "lablet.db-wal", "lablet.db-shm")
	}
	checkPrivate(t, dataDir, want) // while the server runs: -wal and -shm exist
	if code := p.stop(t, os.Interrupt); code != 0 {
		t.Fatalf("serve exited %d", code)
	}
	checkPrivate(t, dataDir, nil)
}

func checkPrivate(t *testing.T, dataDir string, want []string) {
	t.Helper()
	for _, w := range want {
		if _, err := os.Stat(filepath.Join(dataDir, w)); err != nil {
			t.Errorf("expected %s: %v", w, err)
		}
	}
	n := 0
	err := filepath.WalkDir(dataDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		n++
		rel, _ := filepath.Rel(dataDir, p)
		mode := info.Mode().Perm()
		switch {
		case d.IsDir():
			if mode != 0o700 {
				t.Errorf("directory %s is %04o, want 0700", rel, mode)
			}
		case rel == filepath.Join("git-hooks", "pre-receive"), rel == filepath.Join("git-hooks", "post-receive"),
			rel == filepath.Join("git-hooks", "reference-transaction"): // on PostgreSQL (shared repositories)
			if mode != 0o700 {
				t.Errorf("hook %s is %04o, want 0700", rel, mode)
			}
		case strings.Contains(rel, string(filepath.Separator)+"objects"+string(filepath.Separator)):
			if mode != 0o400 && mode != 0o600 {
				t.Errorf("object file %s is %04o, want 0400 or 0600", rel, mode)
			}
		default:
			if mode != 0o600 {
				t.Errorf("file %s is %04o, want 0600", rel, mode)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Fatalf("only %d entries in the data dir", n)
	}
}
