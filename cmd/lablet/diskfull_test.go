package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lablet/lablet/internal/labtest"
)

// TestDiskFull fills the data dir of a serving instance (a small tmpfs;
// on SQLite the database is on it too) and checks that writes then fail
// with 507 Insufficient Storage and a log line naming the cause, that
// reads and clones keep working, that nothing is half written, and that
// the same writes succeed once space returns, leaving the repository and
// the database intact. Then the same with a read-only data dir (serve
// runs as nobody when the test is root): 5xx, a log line, reads work.
func TestDiskFull(t *testing.T) {
	// A world-searchable place, as another user runs lablet when root does.
	top, err := os.MkdirTemp("", "lablet-full-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(top) })
	if err := os.Chmod(top, 0o755); err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(top, "data")
	if err := os.Mkdir(dataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	dbURL := labtest.DatabaseURL(t)
	sqlite := dbURL == ""
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=24m,mode=0700", "tmpfs", dataDir).CombinedOutput(); err != nil {
		t.Skipf("mounting a tmpfs as the data dir is not permitted here (needs root or CAP_SYS_ADMIN; CI runs as root): %v: %s",
			err, bytes.TrimSpace(out))
	}
	// Registered before startServe's, so it runs after the server stopped.
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dataDir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dataDir, err, out)
		}
	})
	env := baseEnv("LABLET_DATA_DIR=" + dataDir)
	if !sqlite {
		env = append(env, "LABLET_DATABASE_URL="+dbURL)
	}
	// As root, serve runs as nobody, so that the modes of the read-only
	// case below bind it; root's token create hands it back what it wrote.
	asUser := readOnlyUser(t, dataDir)
	p := startServeAs(t, top, env, asUser)
	token := createToken(t, t.TempDir(), env, "api")
	readOnlyUser(t, dataDir)
	api := func(method, path, body string) (int, string) {
		t.Helper()
		if path != "" {
			path = "/" + path
		}
		return apiCall(t, method, p.base+"/api/v4/projects/root%2Ffull"+path, token, body)
	}

	cloneURL := createProject(t, p.base, token, "full")
	home := t.TempDir()
	work := filepath.Join(t.TempDir(), "w")
	mustGit(t, home, "", "clone", "-q", cloneURL, work)
	if err := os.WriteFile(filepath.Join(work, "a.txt"), []byte("a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustGit(t, home, work, "add", "a.txt")
	mustGit(t, home, work, "commit", "-q", "-m", "a")
	mustGit(t, home, work, "push", "-q", "origin", "HEAD:main")
	uploadFile(t, p.base, token, "root%2Ffull", "before.txt", "before\n")
	commit := func(file string) string {
		return fmt.Sprintf(`{"branch":"main","commit_message":"%s","actions":[{"action":"create","file_path":"%s","content":"%s"}]}`,
			file, file, strings.Repeat("x", 64<<10))
	}
	if code, body := api(http.MethodPost, "repository/commits", commit("b.txt")); code != http.StatusCreated {
		t.Fatalf("commit before the disk fills = %d %s", code, body)
	}
	if code, body := api(http.MethodPost, "issues", `{"title":"Before"}`); code != http.StatusCreated {
		t.Fatalf("issue before the disk fills = %d %s", code, body)
	}
	mustGit(t, home, work, "pull", "-q", "--rebase", "origin", "main")
	head := remoteMain(t, home, work)

	// A commit to push while the disk is full, with enough new content to
	// need space for its objects whatever the server preallocated.
	if err := os.WriteFile(filepath.Join(work, "c.txt"), randomText(256<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	mustGit(t, home, work, "add", "c.txt")
	mustGit(t, home, work, "commit", "-q", "-m", "c")

	filler := filepath.Join(dataDir, "filler")
	fillDisk(t, filler)
	logged := len(p.output())

	// Writes fail with 507 (SQLite: the database is on the full disk too;
	// PostgreSQL keeps room for an issue, which is then created).
	if code, body := api(http.MethodPost, "repository/commits", commit("full.txt")); code != http.StatusInsufficientStorage ||
		body != `{"message":"507 Insufficient Storage"}`+"\n" {
		t.Errorf("commit on a full disk = %d %s, want 507", code, body)
	}
	code, body := api(http.MethodPost, "issues", `{"title":"Full"}`)
	switch {
	case sqlite && code != http.StatusInsufficientStorage:
		t.Errorf("issue on a full disk (SQLite) = %d %s, want 507", code, body)
	case !sqlite && code != http.StatusCreated:
		t.Errorf("issue on a full data dir (PostgreSQL) = %d %s, want 201", code, body)
	}
	if code, body := tryUpload(t, p.base, token, "root%2Ffull", "full.txt", string(randomText(64<<10))); code != http.StatusInsufficientStorage {
		t.Errorf("upload on a full disk = %d %s, want 507", code, body)
	}
	if out, err := gitTimeout(t, home, work, "push", "origin", "HEAD:main"); err == nil {
		t.Errorf("push on a full disk succeeded:\n%s", out)
	} else {
		t.Logf("push on a full disk: %v\n%s", err, out)
	}
	if got := remoteMain(t, home, work); got != head {
		t.Errorf("main moved to %s on a full disk, want %s", got, head)
	}
	// Each failed write has an error line naming the cause.
	const failed = `"request failed: no space left for the write".*"/api/v4/projects/root/full/`
	wants := []string{failed + `repository/commits".*no space left on device`, failed + `uploads".*no space left on device`,
		`"githttp: push not stored".*No space left on device`}
	if sqlite {
		wants = append(wants, failed+`issues".*database or disk is full`)
	}
	logs := strings.Split(p.output()[logged:], "\n")
	for _, want := range wants {
		if !slices.ContainsFunc(logs, func(l string) bool {
			return strings.Contains(l, `"level":"ERROR"`) && regexp.MustCompile(want).MatchString(l)
		}) {
			t.Errorf("no error line matches %s in the log of the full disk:\n%s", want, strings.Join(logs, "\n"))
		}
	}

	// Reads keep working.
	for _, path := range []string{"", "repository/files/a.txt/raw?ref=main", "repository/commits", "issues"} {
		if code, body := api(http.MethodGet, path, ""); code != http.StatusOK {
			t.Errorf("GET %s on a full disk = %d %s", path, code, body)
		}
	}
	clone := filepath.Join(t.TempDir(), "clone")
	if out, err := gitTimeout(t, home, "", "clone", "-q", cloneURL, clone); err != nil {
		t.Errorf("clone on a full disk: %v\n%s", err, out)
	}

	// Space returns: the same writes succeed.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if code, body := api(http.MethodPost, "repository/commits", commit("full.txt")); code != http.StatusCreated {
		t.Errorf("commit once space returned = %d %s", code, body)
	}
	if code, body := api(http.MethodPost, "issues", `{"title":"After"}`); code != http.StatusCreated {
		t.Errorf("issue once space returned = %d %s", code, body)
	}
	uploadFile(t, p.base, token, "root%2Ffull", "after.txt", "after\n")
	mustGit(t, home, work, "pull", "-q", "--rebase", "origin", "main")
	mustGit(t, home, work, "push", "-q", "origin", "HEAD:main")
	if code, body := api(http.MethodGet, "repository/files/c.txt/raw?ref=main", ""); code != http.StatusOK || len(body) != 256<<10 {
		t.Errorf("c.txt after the push = %d, %d bytes", code, len(body))
	}

	// The issue written on a full disk exists only if it was answered 201.
	wantIssues := `[{"title":"After"},{"title":"Before"}]`
	if !sqlite {
		wantIssues = `[{"title":"After"},{"title":"Full"},{"title":"Before"}]`
	}
	if code, body := api(http.MethodGet, "issues", ""); code != http.StatusOK || titles(body) != wantIssues {
		t.Errorf("issues once space returned = %d %s, want %s", code, titles(body), wantIssues)
	}

	// A read-only data dir: writes fail with a 5xx and an error line
	// naming the cause, reads keep working, and writes succeed again once
	// it is writable. (SQLite writes through the handles it has open.)
	modes := map[string]fs.FileMode{}
	_ = filepath.WalkDir(dataDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err == nil && d.Type()&fs.ModeSymlink == 0 {
			modes[path] = info.Mode().Perm()
			err = os.Chmod(path, info.Mode().Perm()&^0o222)
		}
		return err
	})
	logged = len(p.output())
	if code, body := api(http.MethodPost, "repository/commits", commit("ro.txt")); code < 500 {
		t.Errorf("commit on a read-only data dir = %d %s, want 5xx", code, body)
	}
	if code, body := api(http.MethodPost, "issues", `{"title":"Read-only"}`); code != http.StatusCreated {
		t.Errorf("issue on a read-only data dir = %d %s, want 201 (the database is open)", code, body)
	}
	if code, body := tryUpload(t, p.base, token, "root%2Ffull", "ro.txt", "ro\n"); code < 500 {
		t.Errorf("upload on a read-only data dir = %d %s, want 5xx", code, body)
	}
	head = remoteMain(t, home, work)
	mustGit(t, home, work, "commit", "-q", "--allow-empty", "-m", "ro")
	if out, err := gitTimeout(t, home, work, "push", "origin", "HEAD:main"); err == nil {
		t.Errorf("push to a read-only data dir succeeded:\n%s", out)
	} else {
		t.Logf("push to a read-only data dir: %v\n%s", err, out)
	}
	if got := remoteMain(t, home, work); got != head {
		t.Errorf("main moved to %s on a read-only data dir, want %s", got, head)
	}
	wants = []string{`"request failed".*"/api/v4/projects/root/full/repository/commits".*permission denied`,
		`"request failed".*"/api/v4/projects/root/full/uploads".*permission denied`, `"githttp: push not stored".*`}
	logs = strings.Split(p.output()[logged:], "\n")
	for _, want := range wants {
		if !slices.ContainsFunc(logs, func(l string) bool {
			return strings.Contains(l, `"level":"ERROR"`) && regexp.MustCompile(want).MatchString(l)
		}) {
			t.Errorf("no error line matches %s in the log of the read-only data dir:\n%s", want, strings.Join(logs, "\n"))
		}
	}
	if code, body := api(http.MethodGet, "repository/files/c.txt/raw?ref=main", ""); code != http.StatusOK {
		t.Errorf("read on a read-only data dir = %d %s", code, body)
	}
	for path, mode := range modes {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
	}
	if code, body := api(http.MethodPost, "repository/commits", commit("ro.txt")); code != http.StatusCreated {
		t.Errorf("commit once writable again = %d %s", code, body)
	}
	uploadFile(t, p.base, token, "root%2Ffull", "ro.txt", "ro\n")
	mustGit(t, home, work, "pull", "-q", "--rebase", "origin", "main")
	mustGit(t, home, work, "push", "-q", "origin", "HEAD:main")

	if code := p.stop(t, os.Interrupt); code != 0 {
		t.Errorf("serve exit status %d:\n%s", code, p.output())
	}
	// Every repository is sound and no failed write left a temporary file.
	repos := 0
	_ = filepath.WalkDir(dataDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if name := d.Name(); strings.HasPrefix(name, ".tmp-") || strings.HasPrefix(name, "tmp_obj_") ||
			strings.HasPrefix(name, "incoming-") || strings.HasPrefix(name, "tmp_pack_") {
			t.Errorf("left behind: %s", path)
		}
		if d.IsDir() && strings.HasSuffix(path, ".git") {
			repos++
			if out, err := gitIn(t, home, path, "-c", "safe.directory=*", "fsck", "--strict", "--no-dangling"); err != nil {
				t.Errorf("git fsck %s: %v\n%s", path, err, out)
			}
		}
		return nil
	})
	if repos == 0 {
		t.Errorf("no repository found in the data dir")
	}
	if sqlite {
		db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, "lablet.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var ok string
		if err := db.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
			t.Errorf("integrity_check = %q, %v", ok, err)
		}
	}
}

// titles is the titles of a JSON list, as JSON.
func titles(list string) string {
	var items []struct {
		Title string `json:"title"`
	}
	_ = json.Unmarshal([]byte(list), &items)
	b, _ := json.Marshal(items)
	return string(b)
}

// fillDisk writes path until the file system has no block left.
func fillDisk(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for _, n := range []int{1 << 20, 4 << 10, 512} {
		for {
			if _, err := f.Write(buf[:n]); err != nil {
				if !errors.Is(err, syscall.ENOSPC) {
					t.Fatal(err)
				}
				break
			}
		}
	}
}

// randomText is n bytes that do not compress.
func randomText(n int) []byte {
	b := make([]byte, n)
	x := uint64(time.Now().UnixNano()) | 1
	const hex = "0123456789abcdef"
	for i := range b {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i] = hex[x&15]
	}
	return b
}

// apiCall sends a JSON API request with a token, failing rather than
// waiting more than 30 seconds.
func apiCall(t *testing.T, method, url, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("PRIVATE-TOKEN", token)
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// tryUpload uploads a file to a project and returns the answer.
func tryUpload(t *testing.T, base, token, project, name, content string) (int, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte(content))
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v4/projects/"+project+"/uploads", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("PRIVATE-TOKEN", token)
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// gitTimeout is gitIn killed after 30 seconds.
func gitTimeout(t *testing.T, home, dir string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir, cmd.Env = dir, gitEnv(home)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Errorf("git %v did not end within 30s", args)
	}
	return string(out), err
}

// remoteMain is the commit main of the clone's origin points at.
func remoteMain(t *testing.T, home, work string) string {
	t.Helper()
	out, err := gitTimeout(t, home, work, "ls-remote", "origin", "refs/heads/main")
	if err != nil {
		t.Fatalf("ls-remote: %v\n%s", err, out)
	}
	sha, _, _ := strings.Cut(out, "\t")
	return sha
}
