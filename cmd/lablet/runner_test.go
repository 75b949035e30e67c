package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The runner subcommands from the command line: register writes the
// config only when the server takes the token; run stops, status 1, when
// the server refuses it.
func TestRunnerCommands(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v4/runners/verify":
			w.Write([]byte(`{"id":1,"token":"glrt-ok","token_expires_at":null}`))
		case "/api/v4/jobs/request":
			w.WriteHeader(http.StatusForbidden)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	work := t.TempDir()

	r := runLablet(t, work, baseEnv(), "runner", "register", "--url", srv.URL, "--token", "glrt-ok", "--name", "box")
	if r.code != 0 || !strings.Contains(r.stdout, "lablet runner run --config lablet-runner.toml") {
		t.Fatalf("register: status %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	info, err := os.Stat(filepath.Join(work, "lablet-runner.toml"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("config: %v %v", info, err)
	}

	r = runLablet(t, work, baseEnv(), "runner", "run")
	if r.code != 1 || !strings.Contains(r.stderr, "refused the runner's token") {
		t.Errorf("run with a refused token: status %d, stderr %q", r.code, r.stderr)
	}

	r = runLablet(t, work, baseEnv(), "runner", "start")
	if r.code != 2 || !strings.Contains(r.stderr, `unknown subcommand "start"`) {
		t.Errorf("unknown subcommand: status %d, stderr %q", r.code, r.stderr)
	}
}
