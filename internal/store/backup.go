package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path"
	"strconv"
	"strings"
)

// SchemaVersion is the number of the newest migration this lablet knows:
// 67 for migrations/0067_….sql. A database (or a backup of one) at a
// higher version was written by a newer lablet.
func SchemaVersion() int {
	names, _ := fs.Glob(migrationFS, "migrations/*.sql")
	newest := 0
	for _, name := range names {
		if n := migrationNumber(path.Base(name)); n > newest {
			newest = n
		}
	}
	return newest
}

// migrationNumber is the leading number of a migration's version or file
// name ("0067_integration_pipeline_events" → 67), 0 when it has none.
func migrationNumber(version string) int {
	digits, _, _ := strings.Cut(version, "_")
	n, err := strconv.Atoi(digits)
	if err != nil {
		return 0
	}
	return n
}

// DatabaseDump is what DumpDatabase wrote.
type DatabaseDump struct {
	Dialect       Dialect
	SchemaVersion int // the newest migration applied in the dumped database
}

// DumpDatabase writes a consistent copy of the instance's database to the
// file dst while servers keep using it: SQLite's VACUUM INTO (a snapshot
// read in one transaction, written compact), or pg_dump's custom format
// (one repeatable-read snapshot) for PostgreSQL.
func DumpDatabase(ctx context.Context, dbURL, dataDir, dst string) (DatabaseDump, error) {
	if err := checkInstance(ctx, dbURL, dataDir); err != nil {
		return DatabaseDump{}, err
	}
	if p := SQLitePath(dbURL, dataDir); p != "" {
		s, err := sql.Open("sqlite", "file:"+p+"?_pragma=busy_timeout(15000)")
		if err != nil {
			return DatabaseDump{}, fmt.Errorf("store: dump: %w", err)
		}
		defer s.Close()
		if _, err := s.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
			return DatabaseDump{}, fmt.Errorf("store: dump %s: %w", p, err)
		}
		// The version as the copy has it, not as the live file has it now.
		v, err := schemaVersionOf(ctx, "sqlite", "file:"+dst+"?mode=ro")
		return DatabaseDump{Dialect: SQLite, SchemaVersion: v}, err
	}
	v, err := schemaVersionOf(ctx, "pgx", dbURL)
	if err != nil {
		return DatabaseDump{}, err
	}
	if err := runPG(ctx, "pg_dump", dbURL, "--format=custom", "--file="+dst); err != nil {
		return DatabaseDump{}, err
	}
	return DatabaseDump{Dialect: Postgres, SchemaVersion: v}, nil
}

// RestoreDatabase loads a PostgreSQL dump DumpDatabase wrote into the
// database dbURL names, in one transaction: on any error nothing of it
// stays. The database must exist and hold no lablet instance. (A SQLite
// dump is a database file: restoring it is placing the file.)
func RestoreDatabase(ctx context.Context, dbURL, src string) error {
	if err := RefuseInstance(ctx, dbURL, ""); err != nil {
		return err
	}
	return runPG(ctx, "pg_restore", dbURL, "--single-transaction", "--exit-on-error", "--no-owner",
		"--no-privileges", src)
}

// RefuseInstance fails when the database dbURL and dataDir name holds a
// lablet instance already, or cannot be read; a database that does not
// hold one (or, for SQLite, a file that does not exist) passes.
func RefuseInstance(ctx context.Context, dbURL, dataDir string) error {
	err := checkInstance(ctx, dbURL, dataDir)
	switch {
	case err == nil:
		return fmt.Errorf("%s holds a lablet instance already", Describe(dbURL, dataDir))
	case errors.Is(err, ErrNoInstance):
		if SQLitePath(dbURL, dataDir) == "" && strings.Contains(err.Error(), "does not exist") {
			return fmt.Errorf("%s does not exist: create it (empty) first", Describe(dbURL, dataDir))
		}
		return nil
	}
	return err
}

// schemaVersionOf reads the newest applied migration of a database.
func schemaVersionOf(ctx context.Context, driver, dsn string) (int, error) {
	s, err := sql.Open(driver, dsn)
	if err != nil {
		return 0, fmt.Errorf("store: schema version: %w", err)
	}
	defer s.Close()
	var v sql.NullString
	if err := s.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&v); err != nil {
		return 0, fmt.Errorf("store: schema version: %w", err)
	}
	return migrationNumber(v.String), nil
}

// runPG runs one of PostgreSQL's client programs against dbURL. The
// password goes through the environment (PGPASSWORD), never the command
// line other users of the machine can read.
func runPG(ctx context.Context, program, dbURL string, args ...string) error {
	u, err := url.Parse(dbURL)
	if err != nil {
		return fmt.Errorf("store: %s: database url: %w", program, err)
	}
	env := os.Environ()
	if pw, ok := u.User.Password(); ok {
		env = append(env, "PGPASSWORD="+pw)
		u.User = url.User(u.User.Username())
	}
	cmd := exec.CommandContext(ctx, program, append([]string{"--dbname=" + u.String()}, args...)...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if errors.Is(err, exec.ErrNotFound) {
		return fmt.Errorf("store: %s is not installed (PostgreSQL's client programs): %w", program, err)
	}
	if err != nil {
		msg := strings.TrimSpace(string(out))
		if len(msg) > 2000 {
			msg = msg[:2000] + "…"
		}
		return fmt.Errorf("store: %s: %w: %s", program, err, msg)
	}
	return nil
}
