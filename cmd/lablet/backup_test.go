package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestBackupRestore backs up a serving instance — a project with pushed
// code, an issue, an upload and a fork that borrows its objects — while
// one client commits to another project and others keep reading, then
// restores the backup into an empty data dir and database and serves it.
// The restored instance answers the API as the original did when the
// backup began (URLs aside: it listens elsewhere), clones alike, knows
// nothing written after the backup, and every repository passes git fsck.
func TestBackupRestore(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	env, _ := instanceEnv(t, dataDir)
	p := startServe(t, t.TempDir(), env)
	token := createToken(t, t.TempDir(), env, "api")
	api := func(p *serveProc, method, path, form string, want int) map[string]any {
		t.Helper()
		code, body := do(t, method, p.base+"/api/v4/"+path, token, form)
		if code != want {
			t.Fatalf("%s %s = %d %s, want %d", method, path, code, body, want)
		}
		var m map[string]any
		_ = json.Unmarshal([]byte(body), &m)
		return m
	}

	cloneURL := createProject(t, p.base, token, "kept")
	pushThenForcePush(t, cloneURL)
	api(p, http.MethodPost, "projects/root%2Fkept/issues", "title=Kept&description=with+%23body", http.StatusCreated)
	upload := uploadFile(t, p.base, token, "root%2Fkept", "notes.txt", "uploaded bytes\n")
	secret := filepath.Base(filepath.Dir(upload)) // full_path is /-/project/ID/uploads/SECRET/notes.txt
	api(p, http.MethodPost, "projects/root%2Fkept/fork", "path=kept-fork&name=kept-fork", http.StatusCreated)
	createProject(t, p.base, token, "busy")

	reads := []string{
		"projects?order_by=id&sort=asc", "projects/root%2Fkept", "projects/root%2Fkept-fork",
		"projects/root%2Fkept/issues", "projects/root%2Fkept/repository/tree?recursive=true",
		"projects/root%2Fkept/repository/files/a.txt/raw?ref=main", "projects/root%2Fkept/repository/commits",
		"projects/root%2Fkept/repository/branches", "projects/root%2Fkept-fork/repository/commits", "users",
		"projects/root%2Fkept/events", "projects/root%2Fkept/uploads/" + secret + "/notes.txt",
	}
	answers := func(p *serveProc) map[string]string {
		t.Helper()
		got := map[string]string{}
		for _, path := range reads {
			code, body := get(t, p.base+"/api/v4/"+path, token)
			got[path] = fmt.Sprintf("%d %s", code, strings.ReplaceAll(body, p.base, "BASE"))
		}
		home := t.TempDir()
		for _, name := range []string{"kept", "kept-fork"} {
			got["ls-remote "+name] = mustGit(t, home, "", "ls-remote",
				strings.Replace(p.base, "http://", "http://oauth2:"+token+"@", 1)+"/root/"+name+".git")
		}
		return got
	}
	before := answers(p)
	for key, answer := range before {
		if !strings.HasPrefix(key, "ls-remote") && !strings.HasPrefix(answer, "200 ") {
			t.Fatalf("%s before the backup: %.300s", key, answer)
		}
	}

	// Writers and readers run through the whole backup.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var commits, readErrs atomic.Int64
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			body := fmt.Sprintf(`{"branch":"main","commit_message":"busy","actions":[{"action":"create","file_path":"f%d.txt","content":"x"}]}`, i)
			req, _ := http.NewRequest(http.MethodPost, p.base+"/api/v4/projects/root%2Fbusy/repository/commits", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("PRIVATE-TOKEN", token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				continue
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusCreated {
				commits.Add(1)
			}
		}
	}()
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if code, _ := get(t, p.base+"/api/v4/projects/root%2Fkept", token); code != http.StatusOK {
				readErrs.Add(1)
			}
		}
	}()
	time.Sleep(200 * time.Millisecond)
	file := filepath.Join(t.TempDir(), "lablet.tar")
	r := runLablet(t, t.TempDir(), env, "backup", "create", "--to", file)
	time.Sleep(200 * time.Millisecond)
	close(stop)
	wg.Wait()
	if r.code != 0 || !strings.Contains(r.stdout, file) {
		t.Fatalf("backup create = %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if commits.Load() == 0 || readErrs.Load() != 0 {
		t.Fatalf("during the backup: %d commits, %d failed reads", commits.Load(), readErrs.Load())
	}
	api(p, http.MethodPost, "projects/root%2Fkept/issues", "title=After+the+backup", http.StatusCreated)
	if r := runLablet(t, t.TempDir(), env, "backup", "verify", file); r.code != 0 || !strings.Contains(r.stdout, "intact") {
		t.Fatalf("backup verify = %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}

	// Restore into an empty data dir and database, and serve that.
	restored := filepath.Join(t.TempDir(), "restored")
	renv, _ := instanceEnv(t, restored) // a fresh database of the same kind
	if r := runLablet(t, t.TempDir(), renv, "backup", "restore", file); r.code != 0 {
		t.Fatalf("backup restore = %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	// A second restore into the now full target is refused and changes nothing.
	if r := runLablet(t, t.TempDir(), renv, "backup", "restore", file); r.code != 1 || !strings.Contains(r.stderr, "not empty") {
		t.Fatalf("restore into a restored data dir = %d\n%s", r.code, r.stderr)
	}
	q := startServe(t, t.TempDir(), renv)
	after := answers(q)
	for key, want := range before {
		if after[key] != want {
			t.Errorf("%s after restore:\n%.600s\nbefore the backup:\n%.600s", key, after[key], want)
		}
	}
	if code, body := get(t, q.base+"/api/v4/projects/root%2Fkept/issues?search=After", token); code != http.StatusOK || strings.TrimSpace(body) != "[]" {
		t.Errorf("an issue made after the backup, on the restored instance: %d %s", code, body)
	}
	// The busy project: its restored commits list answers, its
	// repositories are whole.
	if code, body := get(t, q.base+"/api/v4/projects/root%2Fbusy/repository/commits", token); code != http.StatusOK {
		t.Errorf("busy project's commits after restore: %d %s", code, body)
	}
	repos, _ := filepath.Glob(filepath.Join(restored, "repositories", "@hashed", "*", "*", "*.git"))
	if len(repos) != 3 {
		t.Fatalf("restored repositories: %v, want 3", repos)
	}
	for _, repoPath := range repos {
		if out, err := exec.Command("git", "-C", repoPath, "fsck", "--strict", "--no-dangling").CombinedOutput(); err != nil {
			t.Errorf("git fsck %s: %v\n%s", repoPath, err, out)
		}
	}
	home := t.TempDir()
	clone := filepath.Join(t.TempDir(), "clone")
	mustGit(t, home, "", "clone", "-q", strings.Replace(q.base, "http://", "http://oauth2:"+token+"@", 1)+"/root/kept-fork.git", clone)
	if b, err := os.ReadFile(filepath.Join(clone, "a.txt")); err != nil || string(b) != "a\n" {
		t.Errorf("a.txt in a clone of the restored fork: %q, %v", b, err)
	}
}

// uploadFile uploads a file to a project and returns its URL path.
func uploadFile(t *testing.T, base, token, project, name, content string) string {
	t.Helper()
	code, body := tryUpload(t, base, token, project, name, content)
	var u struct {
		FullPath string `json:"full_path"`
	}
	if code != http.StatusCreated || json.Unmarshal([]byte(body), &u) != nil || u.FullPath == "" {
		t.Fatalf("upload = %d %s", code, body)
	}
	return u.FullPath
}
