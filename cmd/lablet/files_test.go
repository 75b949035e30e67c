package main

import (
	"encoding/json"
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
