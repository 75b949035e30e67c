package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestServeRunner: `serve --runner` (here through LABLET_RUNNER) runs a
// pushed pipeline to success with no other runner, and keeps the same
// instance runner, its token in the data dir, across a restart.
func TestServeRunner(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	env := baseEnv(append(storageEnv(t), "LABLET_DATA_DIR="+dataDir, "LABLET_RUNNER=true")...)
	p := startServe(t, t.TempDir(), env)
	token := createToken(t, t.TempDir(), env, "api")
	cloneURL := createProject(t, p.base, token, "ci")
	home := t.TempDir()
	w := filepath.Join(t.TempDir(), "w")
	mustGit(t, home, "", "clone", "-q", cloneURL, w)
	yml := "job:\n  script:\n    - echo \"hello from $CI_JOB_NAME in $PWD\"\n"
	if err := os.WriteFile(filepath.Join(w, ".gitlab-ci.yml"), []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	mustGit(t, home, w, "add", ".gitlab-ci.yml")
	mustGit(t, home, w, "commit", "-q", "-m", "ci")
	mustGit(t, home, w, "push", "-q", "origin", "HEAD:main")

	api := p.base + "/api/v4/projects/root%2Fci"
	var jobs []struct {
		ID     int64
		Status string
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		code, body := do(t, http.MethodGet, api+"/jobs", token, "")
		if code != http.StatusOK || json.Unmarshal([]byte(body), &jobs) != nil {
			t.Fatalf("jobs: %d %s", code, body)
		}
		if len(jobs) == 1 && (jobs[0].Status == "success" || jobs[0].Status == "failed") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("jobs %+v after 60s; serve's log:\n%s", jobs, p.output())
		}
		time.Sleep(200 * time.Millisecond)
	}
	_, trace := do(t, http.MethodGet, api+"/jobs/"+strconv.FormatInt(jobs[0].ID, 10)+"/trace", token, "")
	if jobs[0].Status != "success" || !strings.Contains(trace, "hello from job in "+filepath.Join(dataDir, "builds")) {
		t.Fatalf("job %s, trace:\n%s", jobs[0].Status, trace)
	}

	tokenFile := filepath.Join(dataDir, "runner-token")
	first, err := os.ReadFile(tokenFile)
	if err != nil || !strings.HasPrefix(string(first), "glrt-") {
		t.Fatalf("runner token file: %q %v", first, err)
	}
	if fi, _ := os.Stat(tokenFile); fi.Mode().Perm() != 0o600 {
		t.Errorf("runner token file mode %v, want 0600", fi.Mode().Perm())
	}
	if code := p.stop(t, os.Interrupt); code != 0 {
		t.Fatalf("serve exited %d:\n%s", code, p.output())
	}
	p = startServe(t, t.TempDir(), env)
	again, _ := os.ReadFile(tokenFile)
	code, body := do(t, http.MethodGet, p.base+"/api/v4/runners/all", token, "")
	var runners []struct{ ID int64 }
	if code != http.StatusOK || json.Unmarshal([]byte(body), &runners) != nil || len(runners) != 1 || string(again) != string(first) {
		t.Errorf("after a restart: token kept %v, runners %d %s; want the same one runner", string(again) == string(first), code, body)
	}
}
