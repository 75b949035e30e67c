package server_test

import (
	"context"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/server"
)

// TestBackgroundStopsWithServer: Serve starts the background work on
// River (its periodic runs complete) and ends it with the server: no
// River goroutine is left and nothing was logged as a warning or error.
func TestBackgroundStopsWithServer(t *testing.T) {
	var logs lockedBuffer
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.DatabaseURL = labtest.DatabaseURL(t)
	srv, err := server.New(context.Background(), cfg,
		slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	t0 := time.Now()
	go func() { served <- srv.Serve(ctx, ln) }()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var n int
		if err := srv.DB.SQL().QueryRow("SELECT count(*) FROM river_job WHERE state = 'completed'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no background run completed")
		}
	}
	t.Logf("first run after %v", time.Since(t0))
	t0 = time.Now()
	cancel()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("stopped in %v", time.Since(t0))
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		if !strings.Contains(stacks, "github.com/riverqueue/") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("River goroutines left after Close:\n%s", stacks)
		}
	}
	if out := logs.String(); out != "" {
		t.Errorf("logged while running and stopping:\n%s", out)
	}
}
