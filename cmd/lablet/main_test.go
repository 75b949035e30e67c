package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lablet/lablet/internal/labtest"
)

// buildBinary compiles lablet once per test binary run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "lablet")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("build: %v", err)
	}
	return bin
}

// startServe runs `lablet serve` on a random port and returns its base URL.
func startServe(t *testing.T, bin string, env []string) string {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var line struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "lablet listening" {
				addr <- line.Addr
			}
		}
	}()
	select {
	case a := <-addr:
		return "http://" + a
	case <-time.After(30 * time.Second):
		t.Fatal("server did not report its address")
	}
	return ""
}

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
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

// TestServeAndTokenCreate follows the README: start the server, create a
// token for root while it runs, and use it.
func TestServeAndTokenCreate(t *testing.T) {
	bin := buildBinary(t)
	dataDir := t.TempDir()
	env := []string{"LABLET_DATA_DIR=" + dataDir, "LABLET_DATABASE_URL=" + labtest.DatabaseURL(t), "LABLET_ROOT_PASSWORD="}
	base := startServe(t, bin, env)

	if code, body := get(t, base+"/-/readiness", ""); code != http.StatusOK || !strings.Contains(body, `"ok"`) {
		t.Fatalf("readiness = %d %s", code, body)
	}
	cmd := exec.CommandContext(context.Background(), bin, "token", "create", "--user", "root", "--name", "admin",
		"--scopes", "api,sudo,admin_mode")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	token := strings.TrimSpace(string(out))
	if !strings.HasPrefix(token, "glpat-") || strings.Contains(token, "\n") {
		t.Fatalf("token create printed %q, want one glpat- token", out)
	}
	if code, body := get(t, base+"/api/v4/version", token); code != http.StatusOK {
		t.Fatalf("GET /version with new token = %d %s", code, body)
	}
	if code, _ := get(t, base+"/api/v4/version", token+"x"); code != http.StatusUnauthorized {
		t.Fatalf("GET /version with wrong token = %d, want 401", code)
	}
	if os.Getenv("LABLET_TEST_DATABASE_URL") == "" {
		pw, err := os.ReadFile(filepath.Join(dataDir, "initial_root_password"))
		if err != nil || !strings.HasPrefix(string(pw), "Password: ") {
			t.Fatalf("initial_root_password = %q, %v", pw, err)
		}
	}
}

func TestTokenCreateErrors(t *testing.T) {
	bin := buildBinary(t)
	dataDir := t.TempDir()
	for name, args := range map[string][]string{
		"NoName":      {"token", "create", "--user", "root"},
		"UnknownUser": {"token", "create", "--user", "nobody", "--name", "x"},
		"BadScope":    {"token", "create", "--user", "root", "--name", "x", "--scopes", "everything"},
		"PastExpiry":  {"token", "create", "--user", "root", "--name", "x", "--expires-at", "2001-01-01"},
	} {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(bin, args...)
			cmd.Env = append(os.Environ(), "LABLET_DATA_DIR="+dataDir, "LABLET_DATABASE_URL=")
			out, err := cmd.Output()
			if err == nil {
				t.Fatalf("succeeded with %q", out)
			}
			if len(out) != 0 {
				t.Fatalf("printed %q on failure", out)
			}
		})
	}
}
