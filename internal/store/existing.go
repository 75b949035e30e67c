package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// ErrNoInstance says that a database holds no lablet instance.
var ErrNoInstance = errors.New("no lablet instance")

// Describe names the database Open uses for url and dataDir, for messages:
// "SQLite database /srv/lablet/lablet.db", "PostgreSQL database
// postgres://lablet@db/lablet" (never with a password).
func Describe(dbURL, dataDir string) string {
	if p := SQLitePath(dbURL, dataDir); p != "" {
		return "SQLite database " + p
	}
	if u, err := url.Parse(dbURL); err == nil {
		return "PostgreSQL database " + u.Redacted()
	}
	return "database (unparsable URL)"
}

// OpenExisting opens, as Open does, a database in which lablet has already
// set up an instance. Otherwise it fails with an error wrapping
// ErrNoInstance, having created nothing: no data dir, no SQLite file, no
// tables.
func OpenExisting(ctx context.Context, url, dataDir string) (*DB, error) {
	if err := checkInstance(ctx, url, dataDir); err != nil {
		return nil, err
	}
	return Open(ctx, url, dataDir, Options{})
}

// checkInstance looks, without writing, for the migrations Open records.
func checkInstance(ctx context.Context, url, dataDir string) error {
	where := Describe(url, dataDir)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var (
		s     *sql.DB
		err   error
		table string // counts 1 when schema_migrations exists
	)
	if path := SQLitePath(url, dataDir); path != "" {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w: %s does not exist", ErrNoInstance, where)
		} else if err != nil {
			return fmt.Errorf("store: %s: %w", where, err)
		}
		// Read-only, without Open's pragmas: looking must not change a
		// file that is not lablet's.
		s, err = sql.Open("sqlite", "file:"+path+"?mode=ro")
		table = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
	} else {
		s, err = sql.Open("pgx", url)
		table = "SELECT COUNT(*) FROM (SELECT to_regclass('schema_migrations') AS t) r WHERE t IS NOT NULL"
	}
	if err != nil {
		return fmt.Errorf("store: open %s: %w", where, err)
	}
	defer s.Close()
	var n int
	if err := s.QueryRowContext(ctx, table).Scan(&n); err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "3D000" { // invalid_catalog_name
			return fmt.Errorf("%w: %s does not exist", ErrNoInstance, where)
		}
		return fmt.Errorf("store: %s: %w", where, err)
	}
	if n == 1 {
		if err := s.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil {
			return fmt.Errorf("store: %s: %w", where, err)
		}
	}
	if n == 0 {
		return fmt.Errorf("%w: %s holds no lablet tables", ErrNoInstance, where)
	}
	return nil
}
