package githttp

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/lablet/lablet/internal/repo"
)

// testResolver: project "group/proj" is id 1, "group/empty" id 2. Token
// "good" may write, "read" may only read, anything else is 401.
// refs/heads/locked is protected against pushes, refs/heads/main against
// force pushes and deletion.
type testResolver struct {
	store *repo.Store
	mu    sync.Mutex
	after [][]RefUpdate
	proto []string // Git-Protocol headers seen
	gzip  int      // gzip bodies seen
}

func (tr *testResolver) Resolve(ctx context.Context, r *http.Request, path string, write bool) (*Target, error) {
	tr.mu.Lock()
	tr.proto = append(tr.proto, r.Header.Get("Git-Protocol"))
	if r.Header.Get("Content-Encoding") == "gzip" {
		tr.gzip++
	}
	tr.mu.Unlock()
	ids := map[string]int64{"group/proj": 1, "group/empty": 2}
	id, ok := ids[path]
	if !ok {
		return nil, ErrNotFound
	}
	c := ParseBasicAuth(r)
	switch {
	case c.Kind == CredNone || (c.Token != "good" && c.Token != "read"):
		return nil, ErrUnauthorized
	case write && c.Token != "good":
		return nil, Forbidden(MsgPushNotAllowed)
	}
	return &Target{
		Dir:  tr.store.Path(id),
		Repo: tr.store.Open(id),
		AuthorizePush: func(ctx context.Context, updates []RefUpdate) (PushPolicy, error) {
			for _, u := range updates {
				if u.Ref == "refs/heads/locked" {
					return PushPolicy{}, Refuse(MsgPushProtectedBranch)
				}
				if u.Ref == "refs/heads/main" && u.IsDelete() {
					return PushPolicy{}, Refuse(MsgDeleteProtected)
				}
			}
			return PushPolicy{NoForcePush: []string{"refs/heads/main"}}, nil
		},
		AfterPush: func(ctx context.Context, updates []RefUpdate, _ []string) {
			tr.mu.Lock()
			defer tr.mu.Unlock()
			tr.after = append(tr.after, updates)
		},
	}, nil
}

type env struct {
	t     *testing.T
	srv   *httptest.Server
	res   *testResolver
	store *repo.Store
	home  string
	h     *Handler
}

func setup(t *testing.T) *env {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	store := &repo.Store{Root: t.TempDir()}
	t.Cleanup(func() { _ = store.Close() })
	for _, id := range []int64{1, 2} {
		if _, err := store.Create(context.Background(), id, "main"); err != nil {
			t.Fatal(err)
		}
	}
	res := &testResolver{store: store}
	h, err := New(res, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, res: res, store: store, home: t.TempDir(), h: h}
}

// url returns the clone URL of path with a token ("" for none).
func (e *env) url(token, path string) string {
	u := strings.TrimPrefix(e.srv.URL, "http://")
	if token != "" {
		return "http://user:" + token + "@" + u + "/" + path
	}
	return "http://" + u + "/" + path
}

// git runs the real git client; it returns combined output and error.
func (e *env) git(dir string, extraEnv []string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append([]string{
		"HOME=" + e.home, "PATH=" + os.Getenv("PATH"), "GIT_CONFIG_NOSYSTEM=1",
		"GIT_TERMINAL_PROMPT=0", "LC_ALL=C",
		"GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.com",
	}, extraEnv...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (e *env) mustGit(dir string, args ...string) string {
	e.t.Helper()
	out, err := e.git(dir, nil, args...)
	if err != nil {
		e.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return out
}

// work clones path into a fresh directory with the write token.
func (e *env) work(path string, args ...string) string {
	e.t.Helper()
	dir := filepath.Join(e.t.TempDir(), "w")
	e.mustGit("", append(append([]string{"clone"}, args...), e.url("good", path), dir)...)
	return dir
}

func (e *env) commitFile(dir, name, content string) {
	e.t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
	e.mustGit(dir, "add", name)
	e.mustGit(dir, "commit", "-q", "-m", "add "+name)
}

func (e *env) serverRef(id int64, ref string) string {
	v, err := repo.OpenPath(e.store.Path(id)).RefValue(ref)
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

func TestCloneEmptyPushAndCloneAgain(t *testing.T) {
	e := setup(t)
	w := e.work("group/proj.git")
	e.commitFile(w, "README.md", "hello\n")
	e.mustGit(w, "push", "-q", "origin", "main")
	head := strings.TrimSpace(e.mustGit(w, "rev-parse", "HEAD"))
	if got := e.serverRef(1, "refs/heads/main"); got != head {
		t.Fatalf("server main = %q, want %s", got, head)
	}
	e.res.mu.Lock()
	after := e.res.after
	e.res.mu.Unlock()
	if len(after) != 1 || len(after[0]) != 1 || !after[0][0].IsCreate() || after[0][0].New != head {
		t.Fatalf("AfterPush saw %+v", after)
	}

	for _, proto := range []string{"0", "2"} {
		dir := filepath.Join(t.TempDir(), "c")
		// Path without ".git" works too.
		e.mustGit("", "-c", "protocol.version="+proto, "clone", "-q", e.url("read", "group/proj"), dir)
		if b, err := os.ReadFile(filepath.Join(dir, "README.md")); err != nil || string(b) != "hello\n" {
			t.Fatalf("v%s clone content = %q, %v", proto, b, err)
		}
		e.commitFile(w, "v"+proto, proto)
		e.mustGit(w, "push", "-q", "origin", "main")
		e.mustGit(dir, "-c", "protocol.version="+proto, "pull", "-q", "--ff-only")
		if _, err := os.Stat(filepath.Join(dir, "v"+proto)); err != nil {
			t.Fatalf("v%s fetch did not bring new commit", proto)
		}
	}
	e.res.mu.Lock()
	sawV2 := strings.Contains(strings.Join(e.res.proto, ","), "version=2")
	e.res.mu.Unlock()
	if !sawV2 {
		t.Fatal("no request carried Git-Protocol: version=2")
	}

	// Shallow clone.
	dir := filepath.Join(t.TempDir(), "s")
	e.mustGit("", "clone", "-q", "--depth", "1", e.url("read", "group/proj.git"), dir)
	if n := strings.TrimSpace(e.mustGit(dir, "rev-list", "--count", "HEAD")); n != "1" {
		t.Fatalf("shallow clone has %s commits", n)
	}
	// Partial clone (uploadpack.allowFilter).
	dir = filepath.Join(t.TempDir(), "p")
	e.mustGit("", "clone", "-q", "--filter=blob:none", e.url("read", "group/proj.git"), dir)
	if out, err := exec.Command("git", "-C", e.store.Path(1), "fsck", "--strict", "--no-dangling").CombinedOutput(); err != nil || len(out) != 0 {
		t.Fatalf("server fsck: %v %s", err, out)
	}
}

func TestAuth(t *testing.T) {
	e := setup(t)
	w := e.work("group/proj.git")
	e.commitFile(w, "f", "1")
	e.mustGit(w, "push", "-q", "origin", "main")

	// Read-only token: push refused with GitLab's message.
	e.mustGit(w, "remote", "set-url", "origin", e.url("read", "group/proj.git"))
	e.commitFile(w, "g", "2")
	out, err := e.git(w, nil, "push", "origin", "main")
	if err == nil || !strings.Contains(out, MsgPushNotAllowed) {
		t.Fatalf("read-only push: err=%v\n%s", err, out)
	}

	// No credentials and no way to ask: git reports the 401.
	dir := filepath.Join(t.TempDir(), "x")
	out, err = e.git("", nil, "clone", e.url("", "group/proj.git"), dir)
	if err == nil || !strings.Contains(out, "could not read Username") {
		t.Fatalf("anonymous clone: err=%v\n%s", err, out)
	}
	// Wrong token: authentication failed.
	out, err = e.git("", nil, "clone", e.url("bad", "group/proj.git"), dir)
	if err == nil || !strings.Contains(out, "Authentication failed") {
		t.Fatalf("bad token clone: err=%v\n%s", err, out)
	}
	// The 401 + WWW-Authenticate makes git ask GIT_ASKPASS, then retry.
	askpass := filepath.Join(t.TempDir(), "askpass.sh")
	if err := os.WriteFile(askpass, []byte("#!/bin/sh\ncase \"$1\" in Username*) echo oauth2;; *) echo good;; esac\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err = e.git("", []string{"GIT_ASKPASS=" + askpass}, "clone", e.url("", "group/proj.git"), dir)
	if err != nil {
		t.Fatalf("askpass clone: %v\n%s", err, out)
	}
	// Unknown project.
	out, err = e.git("", nil, "clone", e.url("good", "group/nope.git"), filepath.Join(t.TempDir(), "n"))
	if err == nil || !strings.Contains(out, "not found") {
		t.Fatalf("unknown project: err=%v\n%s", err, out)
	}
}

func TestProtectedBranches(t *testing.T) {
	e := setup(t)
	w := e.work("group/proj.git")
	e.commitFile(w, "f", "1")
	e.mustGit(w, "push", "-q", "origin", "main")
	before := e.serverRef(1, "refs/heads/main")

	// Push to a protected branch: refused before git runs.
	out, err := e.git(w, nil, "push", "origin", "main:locked")
	if err == nil || !strings.Contains(out, "remote: GitLab: "+MsgPushProtectedBranch) || !strings.Contains(out, "pre-receive hook declined") {
		t.Fatalf("protected push: err=%v\n%s", err, out)
	}
	if e.serverRef(1, "refs/heads/locked") != "" {
		t.Fatal("protected branch was created")
	}
	out, err = e.git(w, nil, "push", "origin", ":main")
	if err == nil || !strings.Contains(out, MsgDeleteProtected) {
		t.Fatalf("protected delete: err=%v\n%s", err, out)
	}

	// Force push to main: refused by the pre-receive hook, main unchanged.
	e.mustGit(w, "commit", "-q", "--amend", "-m", "rewritten")
	out, err = e.git(w, nil, "push", "--force", "origin", "main")
	if err == nil || !strings.Contains(out, "remote: GitLab: "+MsgForcePushProtected) {
		t.Fatalf("force push: err=%v\n%s", err, out)
	}
	if got := e.serverRef(1, "refs/heads/main"); got != before {
		t.Fatalf("main moved to %s by a refused force push", got)
	}
	// Force push to an unprotected branch in the same push is allowed,
	// and a normal push to main still works.
	e.mustGit(w, "push", "-q", "origin", "HEAD:feature")
	e.mustGit(w, "reset", "-q", "--hard", "origin/main")
	e.commitFile(w, "g", "2")
	e.mustGit(w, "push", "-q", "--force", "origin", "main", "main:feature")
	if got := e.serverRef(1, "refs/heads/feature"); got != strings.TrimSpace(e.mustGit(w, "rev-parse", "HEAD")) {
		t.Fatalf("feature = %s", got)
	}
	// Protected ref refusals leave AfterPush untouched; successful ones report.
	e.res.mu.Lock()
	defer e.res.mu.Unlock()
	if n := len(e.res.after); n != 3 {
		t.Fatalf("AfterPush called %d times: %+v", n, e.res.after)
	}
}

// TestGzipAndProtocol talks HTTP directly: gzip request body, v2 ls-refs,
// content types, dumb protocol refused.
func TestGzipAndProtocol(t *testing.T) {
	e := setup(t)
	w := e.work("group/proj.git")
	e.commitFile(w, "f", "1")
	e.mustGit(w, "push", "-q", "origin", "main")

	var body bytes.Buffer
	zw := gzip.NewWriter(&body)
	_, _ = zw.Write(append(append(pktLine("command=ls-refs\n"), "0001"...), append(pktLine("ref-prefix refs/heads/\n"), "0000"...)...))
	_ = zw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/group/proj.git/git-upload-pack", &body)
	req.SetBasicAuth("oauth2", "read")
	req.Header.Set("Content-Type", "application/x-git-upload-pack-request")
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("Git-Protocol", "version=2")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-git-upload-pack-result" ||
		!strings.Contains(string(got), " refs/heads/main\n") || !strings.HasPrefix(resp.Header.Get("Cache-Control"), "no-cache") {
		t.Fatalf("gzip ls-refs: %d %v %q", resp.StatusCode, resp.Header, got)
	}

	get := func(path, token string) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
		if token != "" {
			req.SetBasicAuth("u", token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, b := get("/group/proj.git/info/refs?service=git-upload-pack", "read")
	if resp.Header.Get("Content-Type") != "application/x-git-upload-pack-advertisement" || !strings.HasPrefix(b, "001e# service=git-upload-pack\n0000") {
		t.Fatalf("advertisement: %v %q", resp.Header, b)
	}
	if resp, _ := get("/group/proj.git/info/refs", "read"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("dumb protocol: %d", resp.StatusCode)
	}
	if resp, _ := get("/group/proj.git/info/refs?service=git-upload-pack", ""); resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != `Basic realm="GitLab"` {
		t.Fatalf("anonymous: %d %v", resp.StatusCode, resp.Header)
	}
	if resp, b := get("/group/proj.git/info/refs?service=git-receive-pack", "read"); resp.StatusCode != 403 || !strings.Contains(b, MsgPushNotAllowed) {
		t.Fatalf("read token receive-pack: %d %q", resp.StatusCode, b)
	}
	for _, p := range []string{"/../group/proj.git/info/refs?service=git-upload-pack", "/group/proj.git/objects/info/packs", "/group//proj/info/refs?service=git-upload-pack"} {
		if resp, _ := get(p, "good"); resp.StatusCode != 404 {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
	// A request with many wants (> 1 KiB) makes git itself gzip the body.
	e.res.mu.Lock()
	e.res.gzip = 0
	e.res.mu.Unlock()
	for i := range 40 {
		e.commitFile(w, "n", strings.Repeat("x", i+1))
		e.mustGit(w, "branch", fmt.Sprintf("b%02d", i))
	}
	e.mustGit(w, "push", "-q", "origin", "--all")
	dir := filepath.Join(t.TempDir(), "c")
	e.mustGit("", "-c", "protocol.version=0", "clone", "-q", "--no-single-branch", e.url("read", "group/proj.git"), dir)
	if n := strings.Count(e.mustGit(dir, "branch", "-r"), "origin/b"); n != 40 {
		t.Fatalf("clone has %d branches", n)
	}
	e.res.mu.Lock()
	defer e.res.mu.Unlock()
	if e.res.gzip == 0 {
		t.Fatal("git sent no gzip request body")
	}
}
