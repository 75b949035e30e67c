package main

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// readmeCommands returns the commands the README shows before its
// "## Pages" section: its indented lines.
func readmeCommands(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text, _, ok := strings.Cut(string(b), "\n## Pages")
	if !ok {
		t.Fatal("README.md has no Pages section")
	}
	var cmds []string
	for _, l := range strings.Split(text, "\n") {
		if c, ok := strings.CutPrefix(l, "    "); ok && strings.TrimSpace(c) != "" {
			cmds = append(cmds, c)
		}
	}
	return cmds
}

// TestReadmeFirstSteps runs the README's commands as written, in a fresh
// working directory: `go run ./cmd/lablet` stands for the built binary
// and 127.0.0.1:8080 for the test server's address. Then it pushes to the
// cloned project as the README says one may.
func TestReadmeFirstSteps(t *testing.T) {
	for _, tool := range []string{"sh", "curl", "git"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed (.ci/run installs it): %v", tool, err)
		}
	}
	cmds := readmeCommands(t)
	if len(cmds) < 4 || cmds[0] != "go run ./cmd/lablet serve" || cmds[1] != "bash .ci/run" {
		t.Fatalf("README's commands start %q; this test knows serve, then the tests", cmds)
	}
	work := t.TempDir()
	env := baseEnv(storageEnv(t)...) // the README's defaults: ./lablet-data
	p := startServe(t, work, env)

	bin := buildBinary(t)
	script := []string{"set -e"}
	for _, c := range cmds[2:] {
		c = strings.ReplaceAll(c, "go run ./cmd/lablet ", bin+" ")
		c = strings.ReplaceAll(c, "127.0.0.1:8080", p.addr)
		script = append(script, c)
	}
	script = append(script, `echo "token=$TOKEN"`)
	home := t.TempDir()
	sh := exec.Command("sh", "-c", strings.Join(script, "\n"))
	sh.Dir, sh.Env = work, append(env, gitEnv(home)...)
	outb, err := sh.CombinedOutput()
	out := string(outb)
	if err != nil {
		t.Fatalf("README commands: %v\n%s\n%s", err, strings.Join(script, "\n"), out)
	}
	_, token, _ := strings.Cut(out, "token=")
	token = strings.TrimSpace(token)
	if !strings.HasPrefix(token, "glpat-") {
		t.Fatalf("no token from the README's token create:\n%s", out)
	}
	if !strings.Contains(out, `"username":"root"`) {
		t.Fatalf("GET /user did not answer root:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(work, "lablet-data", "initial_root_password")); err != nil {
		t.Fatalf("root's password is not where the README says: %v", err)
	}

	// What the curl lines made.
	if code, body := get(t, p.base+"/api/v4/groups/demo", token); code != http.StatusOK || !strings.Contains(body, `"name":"Demo"`) {
		t.Fatalf("group demo = %d %s", code, body)
	}
	var project struct {
		ID            int    `json:"id"`
		EmptyRepo     bool   `json:"empty_repo"`
		DefaultBranch string `json:"default_branch"`
		HTTPURL       string `json:"http_url_to_repo"`
	}
	code, body := get(t, p.base+"/api/v4/projects/demo%2Fhello", token)
	if code != http.StatusOK || json.Unmarshal([]byte(body), &project) != nil || !project.EmptyRepo ||
		project.HTTPURL != p.base+"/demo/hello.git" {
		t.Fatalf("project demo/hello = %d %s", code, body)
	}

	// The clone is empty; its first pushed branch becomes the default
	// one, and protected: no force push.
	clone := filepath.Join(work, "hello")
	mustGit(t, home, clone, "commit", "-q", "--allow-empty", "-m", "first")
	mustGit(t, home, clone, "push", "-q", "origin", "HEAD")
	branch := strings.TrimSpace(mustGit(t, home, clone, "rev-parse", "--abbrev-ref", "HEAD"))
	code, body = get(t, p.base+"/api/v4/projects/demo%2Fhello", token)
	if json.Unmarshal([]byte(body), &project) != nil || project.EmptyRepo || project.DefaultBranch != branch {
		t.Fatalf("after the first push of %s: %d %s", branch, code, body)
	}
	mustGit(t, home, clone, "commit", "-q", "--amend", "--allow-empty", "-m", "rewritten")
	if out, err := gitIn(t, home, clone, "push", "--force", "origin", "HEAD"); err == nil ||
		!strings.Contains(out, "You are not allowed to force push code to a protected branch") {
		t.Fatalf("force push to the default branch: %v\n%s", err, out)
	}
}
