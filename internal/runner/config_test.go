package runner

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lablet/lablet/internal/ci/protocol"
)

// verifyServer answers POST /api/v4/runners/verify: 200 with the runner's
// id for good, 403 for any other token, as GitLab does.
func verifyServer(t *testing.T, good string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/api/v4/runners/verify" {
			http.NotFound(w, r)
			return
		}
		var req protocol.VerifyRunnerRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Token != good {
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"message":"403 Forbidden"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id":42,"token":"` + good + `","token_expires_at":null}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestRegisterWritesConfig(t *testing.T) {
	srv := verifyServer(t, "glrt-good")
	path := filepath.Join(t.TempDir(), "runner.toml")
	if err := Register(context.Background(), srv.URL, "glrt-good", path, WithName("ci-box")); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", info.Mode().Perm())
	}
	text, _ := os.ReadFile(path)
	for _, want := range []string{"concurrent = 1", "check_interval = 3", "[[runners]]", `name = "ci-box"`,
		`url = "` + srv.URL + `"`, `token = "glrt-good"`, `executor = "shell"`, "id = 42", "builds_dir = ", "cache_dir = "} {
		if !strings.Contains(string(text), want) {
			t.Errorf("config lacks %q:\n%s", want, text)
		}
	}
	c, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	r := c.Runners[0]
	if r.BuildsDir != filepath.Join(filepath.Dir(path), "builds") || r.ID != 42 || r.Shell != "bash" {
		t.Errorf("runner %+v", r)
	}

	// Registering again with the same token replaces the entry.
	if err := Register(context.Background(), srv.URL, "glrt-good", path, WithName("renamed")); err != nil {
		t.Fatal(err)
	}
	c, _ = LoadConfig(path)
	if len(c.Runners) != 1 || c.Runners[0].Name != "renamed" {
		t.Errorf("runners after a second register: %+v", c.Runners)
	}
}

func TestRegisterRefusedWritesNothing(t *testing.T) {
	srv := verifyServer(t, "glrt-good")
	path := filepath.Join(t.TempDir(), "runner.toml")
	err := Register(context.Background(), srv.URL, "glrt-bad", path)
	if !errors.Is(err, errForbidden) || !strings.Contains(err.Error(), "not a valid runner authentication token") {
		t.Errorf("err = %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("config written after a refusal: %v", err)
	}
	if err := Register(context.Background(), "ftp://x", "glrt-good", path); err == nil {
		t.Error("a non-http URL was accepted")
	}
}

func TestConfigDefaultsAndChecks(t *testing.T) {
	c, err := Config{Runners: []RunnerConfig{{URL: "http://x", Token: "t"}}}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if c.Concurrent != 1 || c.PollInterval.Seconds() != 3 || c.Runners[0].Executor != "shell" || !filepath.IsAbs(c.Runners[0].BuildsDir) {
		t.Errorf("defaults %+v", c)
	}
	if _, err := (Config{Runners: []RunnerConfig{{URL: "http://x", Token: "t", Executor: "docker"}}}).withDefaults(); err == nil {
		t.Error("docker executor accepted")
	}
	if _, err := (Config{}).withDefaults(); err == nil {
		t.Error("a config without runners accepted")
	}
}
