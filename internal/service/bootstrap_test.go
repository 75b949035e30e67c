package service_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/service"
	"github.com/lablet/lablet/internal/store"
)

// TestEnsureRootAtOnce: two instances started at once on one empty
// database (PostgreSQL when LABLET_TEST_DATABASE_URL is set) both start:
// one creates root and writes its generated password, the other finds
// root made meanwhile rather than failing on the unique username.
func TestEnsureRootAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url, dir := labtest.DatabaseURL(t), t.TempDir()
	const n = 2
	dbs := make([]*store.DB, n)
	for k := range n {
		db, err := store.Open(ctx, url, dir, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[k] = db
		if url == "" { // SQLite: one process owns the file; its requests still race
			dbs = []*store.DB{db, db}
			break
		}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dataDirs := []string{filepath.Join(dir, "a"), filepath.Join(dir, "b")}
	errs := labtest.AtOnce(n, func(k int) error {
		return service.New(service.Options{DB: dbs[k], Log: log}).EnsureRoot(ctx, "", dataDirs[k])
	})
	for k, err := range errs {
		if err != nil {
			t.Errorf("instance %d: %v", k, err)
		}
	}
	if users, err := dbs[0].Queries().CountUsers(ctx); err != nil || users != 1 {
		t.Fatalf("%d users, %v; want root alone", users, err)
	}
	written := 0
	for _, d := range dataDirs {
		if _, err := os.Stat(filepath.Join(d, "initial_root_password")); err == nil {
			written++
		}
	}
	if written != 1 {
		t.Errorf("the initial password written by %d instances, want the one that made root", written)
	}
}
