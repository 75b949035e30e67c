package server_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/server"
	"github.com/lablet/lablet/internal/service"
)

// TestOpenExisting: beside a running server, OpenExisting reaches the
// same instance; where none is, it fails with ErrNoInstance and creates
// nothing.
func TestOpenExisting(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s := labtest.Start(t)
	svc, closeDB, err := server.OpenExisting(ctx, s.Config, log)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	token, err := svc.CreateTokenForUsername(ctx, "root", service.NewTokenInput{Name: "cli", Scopes: []string{"read_api"}})
	if err != nil {
		t.Fatal(err)
	}
	if r := s.Do(t, labtest.Request{Method: "GET", Path: "/user", Token: token}); r.Status != http.StatusOK {
		t.Fatalf("GET /user with the token = %d %s", r.Status, r.Body)
	}
	var se *service.Error
	if _, err := svc.CreateTokenForUsername(ctx, "nobody", service.NewTokenInput{Name: "x", Scopes: []string{"api"}}); !errors.As(err, &se) || se.Kind != service.KindNotFound {
		t.Fatalf("unknown user: %v", err)
	}

	empty := t.TempDir()
	cfg := config.Default()
	cfg.DataDir = filepath.Join(empty, "data")
	cfg.DatabaseURL = labtest.DatabaseURL(t)
	if _, _, err := server.OpenExisting(ctx, cfg, log); !errors.Is(err, server.ErrNoInstance) {
		t.Fatalf("OpenExisting on nothing: %v, want ErrNoInstance", err)
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Fatalf("OpenExisting created %v", entries)
	}
}
