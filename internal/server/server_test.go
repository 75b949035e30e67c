package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/server"
)

func TestProbes(t *testing.T) {
	s := labtest.Start(t)
	for _, path := range []string{"/-/health", "/-/liveness", "/-/readiness"} {
		t.Run(path, func(t *testing.T) {
			r := s.Do(t, labtest.Request{Path: path})
			if r.Status != http.StatusOK {
				t.Fatalf("%s = %d %s", path, r.Status, r.Body)
			}
			if r.Header.Get("X-Request-Id") == "" {
				t.Fatalf("%s has no X-Request-Id", path)
			}
		})
	}
}

func TestRequestIDsDiffer(t *testing.T) {
	s := labtest.Start(t)
	seen := map[string]bool{}
	for i := 0; i < 5; i++ {
		r := s.Do(t, labtest.Request{Path: "/no-such-route"})
		id := r.Header.Get("X-Request-Id")
		if id == "" || seen[id] {
			t.Fatalf("request id %q missing or repeated", id)
		}
		seen[id] = true
	}
}

// lockedBuffer is a concurrency-safe log sink.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestOneLogLinePerRequestWithoutQuery(t *testing.T) {
	var logs lockedBuffer
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.DatabaseURL = labtest.DatabaseURL(t)
	srv, err := server.New(context.Background(), cfg, slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/api/v4/version?private_token=secret-value", nil))
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("status = %d", rec.Code)
	}
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "request" {
			lines = append(lines, m)
		}
	}
	if len(lines) != 1 {
		t.Fatalf("got %d request log lines, want 1:\n%s", len(lines), logs.String())
	}
	l := lines[0]
	if l["path"] != "/api/v4/version" || l["status"] != float64(401) || l["request_id"] == "" {
		t.Fatalf("log line = %v", l)
	}
	if strings.Contains(logs.String(), "secret-value") {
		t.Fatal("a token from the query string reached the log")
	}
}
