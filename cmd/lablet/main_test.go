package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lablet/lablet/internal/labtest"
)

var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// buildBinary compiles lablet once per test binary run. Its directory is
// open to every user, so that tests may run it as another one.
func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if binDir, buildErr = os.MkdirTemp("", "lablet-bin-"); buildErr != nil {
			return
		}
		if buildErr = os.Chmod(binDir, 0o755); buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "lablet")
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		cmd.Stderr = os.Stderr
		buildErr = cmd.Run()
	})
	if buildErr != nil {
		t.Fatalf("build: %v", buildErr)
	}
	return binPath
}

// baseEnv is the test's environment without any lablet setting, so that
// the machine's own settings never leak into a test, plus extra.
func baseEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		setting := strings.HasPrefix(name, "LABLET_") && !strings.HasPrefix(name, "LABLET_TEST_")
		if !setting && name != "GOMEMLIMIT" {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// storageEnv names the test's database: SQLite in the data dir, or a
// fresh PostgreSQL database when LABLET_TEST_DATABASE_URL is set.
func storageEnv(t *testing.T) []string {
	if u := labtest.DatabaseURL(t); u != "" {
		return []string{"LABLET_DATABASE_URL=" + u}
	}
	return nil
}

// instanceEnv is the environment of an instance in dataDir: SQLite there,
// or a fresh PostgreSQL database, whose URL it returns, when
// LABLET_TEST_DATABASE_URL is set.
func instanceEnv(t *testing.T, dataDir string) (env []string, dbURL string) {
	dbURL = labtest.DatabaseURL(t)
	env = baseEnv("LABLET_DATA_DIR=" + dataDir)
	if dbURL != "" {
		env = append(env, "LABLET_DATABASE_URL="+dbURL)
	}
	return env, dbURL
}

// result is how a lablet command ended.
type result struct {
	code           int
	stdout, stderr string
}

// runLablet runs the binary to its end in dir with env.
func runLablet(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(buildBinary(t), args...)
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("lablet %v: %v", args, err)
	}
	return result{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
}

// serveProc is a running `lablet serve`.
type serveProc struct {
	cmd  *exec.Cmd
	base string // http://127.0.0.1:port
	addr string

	mu    sync.Mutex
	lines []string // stderr, line by line
	read  chan struct{}
	done  chan struct{}
}

// startServe runs `lablet serve --listen 127.0.0.1:0` in dir with env and
// waits for its address. It is stopped when t ends, if not before.
func startServe(t *testing.T, dir string, env []string) *serveProc {
	t.Helper()
	return startServeAs(t, dir, env, nil)
}

// startServeAs is startServe with the process attributes attr (a user).
func startServeAs(t *testing.T, dir string, env []string, attr *syscall.SysProcAttr) *serveProc {
	t.Helper()
	p := &serveProc{read: make(chan struct{}), done: make(chan struct{})}
	p.cmd = exec.Command(buildBinary(t), "serve", "--listen", "127.0.0.1:0")
	p.cmd.Dir, p.cmd.Env, p.cmd.SysProcAttr = dir, env, attr
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		defer close(p.read)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			p.mu.Unlock()
			var line struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "lablet listening" {
				addr <- line.Addr
			}
		}
	}()
	go func() {
		<-p.read
		_ = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { p.stop(t, os.Interrupt) })
	select {
	case p.addr = <-addr:
		p.base = "http://" + p.addr
		return p
	case <-p.done:
		t.Fatalf("lablet serve exited early:\n%s", p.output())
	case <-time.After(30 * time.Second):
		t.Fatalf("lablet serve did not report its address:\n%s", p.output())
	}
	return nil
}

func (p *serveProc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

// stop sends sig and waits for the process; it returns the exit status.
func (p *serveProc) stop(t *testing.T, sig os.Signal) int {
	select {
	case <-p.done:
	default:
		_ = p.cmd.Process.Signal(sig)
		select {
		case <-p.done:
		case <-time.After(20 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
			t.Errorf("lablet serve did not stop on %v", sig)
		}
	}
	return p.cmd.ProcessState.ExitCode()
}

// logLines decodes the server's JSON log lines after "lablet listening".
func (p *serveProc) logLinesAfterStart(t *testing.T) []map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []map[string]any
	started := false
	for _, l := range p.lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not a JSON log line: %q", l)
		}
		if started {
			out = append(out, m)
		}
		started = started || m["msg"] == "lablet listening"
	}
	return out
}

// do sends an API request with a token and returns the status and body.
func do(t *testing.T, method, url, token string, form string) (int, string) {
	t.Helper()
	var body io.Reader
	if form != "" {
		body = strings.NewReader(form)
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if token != "" {
		req.Header.Set("PRIVATE-TOKEN", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	return do(t, http.MethodGet, url, token, "")
}

// createToken runs `lablet token create` for root in dir.
func createToken(t *testing.T, dir string, env []string, scopes string) string {
	t.Helper()
	r := runLablet(t, dir, env, "token", "create", "--user", "root", "--name", "test", "--scopes", scopes)
	token := strings.TrimSpace(r.stdout)
	if r.code != 0 || !strings.HasPrefix(token, "glpat-") || strings.Contains(token, "\n") {
		t.Fatalf("token create: status %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	return token
}

// TestServeAndTokenCreate follows the README: start the server, create a
// token for root while it runs, and use it.
func TestServeAndTokenCreate(t *testing.T) {
	dataDir := t.TempDir()
	env := baseEnv(append(storageEnv(t), "LABLET_DATA_DIR="+dataDir)...)
	p := startServe(t, t.TempDir(), env)

	if code, body := get(t, p.base+"/-/readiness", ""); code != http.StatusOK || !strings.Contains(body, `"ok"`) {
		t.Fatalf("readiness = %d %s", code, body)
	}
	token := createToken(t, t.TempDir(), env, "api,sudo,admin_mode")
	if code, body := get(t, p.base+"/api/v4/version", token); code != http.StatusOK {
		t.Fatalf("GET /version with new token = %d %s", code, body)
	}
	if code, _ := get(t, p.base+"/api/v4/version", token+"x"); code != http.StatusUnauthorized {
		t.Fatalf("GET /version with wrong token = %d, want 401", code)
	}
	pw, err := os.ReadFile(filepath.Join(dataDir, "initial_root_password"))
	if err != nil || !strings.HasPrefix(string(pw), "Password: ") {
		t.Fatalf("initial_root_password = %q, %v", pw, err)
	}
}

// TestTokenCreateErrors: a bad command line exits 2 before anything is
// opened; what only the instance can refuse exits 1. Either way nothing
// is printed on stdout and one line on stderr.
func TestTokenCreateErrors(t *testing.T) {
	dataDir := t.TempDir()
	env := baseEnv(append(storageEnv(t), "LABLET_DATA_DIR="+dataDir)...)
	p := startServe(t, t.TempDir(), env)
	if p.stop(t, syscall.SIGTERM) != 0 {
		t.Fatalf("serve did not stop cleanly:\n%s", p.output())
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"NoName", []string{"--user", "root"}, 2, "--name is required"},
		{"BadScope", []string{"--name", "x", "--scopes", "api,everything"}, 2,
			`invalid --scopes "everything": want a comma-separated list of api, read_api,`},
		{"NoScope", []string{"--name", "x", "--scopes", ","}, 2, `invalid --scopes ",": want a comma-separated list`},
		{"BadDate", []string{"--name", "x", "--expires-at", "2001-02-30"}, 2,
			`invalid --expires-at "2001-02-30": want a date YYYY-MM-DD`},
		{"UnknownFlag", []string{"--name", "x", "--listen", ":1"}, 2, "flag provided but not defined: -listen"},
		{"UnknownUser", []string{"--user", "nobody", "--name", "x"}, 1, `no user "nobody"`},
		{"PastExpiry", []string{"--name", "x", "--expires-at", "2001-01-01"}, 1, "Expiration date must be in the future"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runLablet(t, t.TempDir(), env, append([]string{"token", "create"}, tc.args...)...)
			if r.code != tc.code || r.stdout != "" {
				t.Fatalf("status %d stdout %q, want status %d and nothing printed; stderr %q", r.code, r.stdout, tc.code, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
				t.Fatalf("stderr %q, want one line with %q", r.stderr, tc.want)
			}
		})
	}
}
