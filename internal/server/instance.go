package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/service"
	"github.com/lablet/lablet/internal/store"
)

// ErrNoInstance says that the configured database holds no lablet
// instance: "lablet serve" never started on it.
var ErrNoInstance = store.ErrNoInstance

// DescribeDatabase names the database cfg points at, for messages (never
// with a password).
func DescribeDatabase(cfg config.Config) string { return store.Describe(cfg.DatabaseURL, cfg.DataDir) }

// OpenExisting opens the instance cfg names, for commands that work on it
// beside a running server or instead of one (token create). Unlike New it
// creates nothing — no data dir, no database, no root: without an instance
// it fails with an error wrapping ErrNoInstance. close releases it.
func OpenExisting(ctx context.Context, cfg config.Config, log *slog.Logger) (svc *service.Service, close func() error, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	if p := store.SQLitePath(cfg.DatabaseURL, cfg.DataDir); p != "" {
		if err := checkSQLiteWritable(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, nil, err
		}
	}
	db, err := store.OpenExisting(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, nil, err
	}
	// New creates root right after the tables; without users the first
	// start did not finish.
	n, err := db.Queries().CountUsers(ctx)
	if err == nil && n == 0 {
		err = fmt.Errorf("%w: %s has no users", ErrNoInstance, DescribeDatabase(cfg))
	}
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return service.New(service.Options{DB: db, Log: log, ImpersonationEnabled: cfg.ImpersonationEnabled}), db.Close, nil
}

// prepareSQLite creates the data dir (0700) and an empty SQLite database
// (0600) when they are missing — SQLite gives the -wal and -shm files the
// database's mode, so all three stay private — and checks that SQLite may
// write them, so that a read-only database fails at start naming the file
// rather than at the first write.
func prepareSQLite(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("server: create the SQLite database's directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		if err := f.Close(); err != nil {
			return fmt.Errorf("server: create SQLite database %s: %w", path, err)
		}
	case !errors.Is(err, fs.ErrExist):
		return fmt.Errorf("server: create SQLite database %s: %w", path, err)
	}
	return checkSQLiteWritable(path)
}

// checkSQLiteWritable reports, naming it, the first of the database, its
// -wal and -shm files and their directory that SQLite could not write. It
// wraps fs.ErrNotExist when the database does not exist.
func checkSQLiteWritable(path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		f, err := os.OpenFile(p, os.O_RDWR, 0)
		if errors.Is(err, fs.ErrNotExist) {
			if p == path {
				return fmt.Errorf("server: SQLite database %s: %w", path, err)
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("server: SQLite database file %s is not writable: %w", p, errors.Unwrap(err))
		}
		f.Close()
	}
	dir := filepath.Dir(path)
	if err := dirWritable(dir); err != nil {
		return fmt.Errorf("server: directory %s is not writable (SQLite keeps %s's -wal and -shm files there): %w",
			dir, filepath.Base(path), err)
	}
	return nil
}
