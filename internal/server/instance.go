package server

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// prepareSQLite creates the data dir (0700) and an empty SQLite database
// (0600) when they are missing: SQLite gives the -wal and -shm files the
// database's mode, so all three stay private.
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
	return nil
}
