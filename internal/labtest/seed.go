package labtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/server"
)

// rootPassword is root's password on every test server.
const rootPassword = "root-password-1234"

// seed is what a first start leaves behind — a migrated database with
// root in it, the data dir with its generated keys — made once per test
// process and copied by every Start. Migrating, hashing root's password
// and generating the OIDC key cost about 0.4 s of CPU a server (several
// times that under the race detector), which dominated short tests.
// Each server still starts for real on its copy, as after a restart.
type seed struct {
	once sync.Once
	err  error
	// dir is the data dir after the first start and a clean close.
	dir string
	// template is the PostgreSQL database to clone; "" on SQLite.
	template string
	// clone serializes CREATE DATABASE … TEMPLATE: PostgreSQL refuses a
	// copy while another session copies the same template.
	clone sync.Mutex
}

// seeds holds the test process's seed: a cache of what first starts
// make, like the go test build cache, not state any test observes.
var seeds seed

// staleSeedAge is how old a leftover seed (of a killed test process)
// must be before a later process removes it.
const staleSeedAge = 6 * time.Hour

// seeded returns the process's seed, making it on first use.
func seeded(t testing.TB) *seed {
	t.Helper()
	seeds.once.Do(func() { seeds.err = seeds.make() })
	if seeds.err != nil {
		t.Fatalf("labtest: seed: %v", seeds.err)
	}
	return &seeds
}

func (s *seed) make() error {
	removeStaleSeedDirs()
	dir, err := os.MkdirTemp("", fmt.Sprintf("lablet-seed-%d-%d-", time.Now().Unix(), os.Getpid()))
	if err != nil {
		return err
	}
	s.dir = dir
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.RootPassword = rootPassword
	cfg.Listen = "127.0.0.1:0"
	cfg.LogLevel = "warn"
	if base := os.Getenv("LABLET_TEST_DATABASE_URL"); base != "" {
		name := fmt.Sprintf("lablet_seed_%d_%d", time.Now().Unix(), os.Getpid())
		if err := withAdmin(base, func(admin *sql.DB) error {
			dropStaleSeedDatabases(admin)
			_, err := admin.Exec("CREATE DATABASE " + name)
			return err
		}); err != nil {
			return fmt.Errorf("create template database: %w", err)
		}
		s.template = name
		if cfg.DatabaseURL, err = databaseNamed(base, name); err != nil {
			return err
		}
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	srv, err := server.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return fmt.Errorf("first start: %w", err)
	}
	return srv.Close()
}

// copyTo fills dataDir with the seed's data dir.
func (s *seed) copyTo(dataDir string) error {
	return filepath.WalkDir(s.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(s.dir, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dataDir, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(target, info.Mode().Perm())
		case info.Mode().IsRegular():
			return copyFile(path, target, info.Mode().Perm())
		}
		return nil // sockets and the like belong to the process that made them
	})
}

// database clones the template into a fresh database dropped when t
// ends, and returns its URL.
func (s *seed) database(t testing.TB) string {
	t.Helper()
	base := os.Getenv("LABLET_TEST_DATABASE_URL")
	name := "lablet_test_" + randomHex(6)
	s.clone.Lock()
	err := withAdmin(base, func(admin *sql.DB) error {
		_, err := admin.Exec("CREATE DATABASE " + name + " TEMPLATE " + s.template)
		return err
	})
	s.clone.Unlock()
	if err != nil {
		t.Fatalf("labtest: clone database: %v", err)
	}
	t.Cleanup(func() {
		_ = withAdmin(base, func(admin *sql.DB) error {
			_, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			return err
		})
	})
	u, err := databaseNamed(base, name)
	if err != nil {
		t.Fatalf("labtest: %v", err)
	}
	return u
}

func withAdmin(base string, fn func(*sql.DB) error) error {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return err
	}
	defer admin.Close()
	return fn(admin)
}

func databaseNamed(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("database url: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// dropStaleSeedDatabases drops the templates that ended test processes
// left (no hook runs when a test binary exits). A seed's name carries its
// creation time and its process; a seed whose process is gone, or that is
// older than any test run, is stale.
func dropStaleSeedDatabases(admin *sql.DB) {
	rows, err := admin.Query("SELECT datname FROM pg_database WHERE datname LIKE 'lablet\\_seed\\_%'")
	if err != nil {
		return
	}
	var stale []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) != nil {
			continue
		}
		if seedIsStale(strings.TrimPrefix(name, "lablet_seed_"), "_") {
			stale = append(stale, name)
		}
	}
	rows.Close()
	for _, name := range stale {
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	}
}

// removeStaleSeedDirs removes the seed data dirs of ended processes.
func removeStaleSeedDirs() {
	old, _ := filepath.Glob(filepath.Join(os.TempDir(), "lablet-seed-*"))
	for _, dir := range old {
		if seedIsStale(strings.TrimPrefix(filepath.Base(dir), "lablet-seed-"), "-") {
			_ = os.RemoveAll(dir)
		}
	}
}

// seedIsStale reads "<unix time><sep><pid>[<sep>…]".
func seedIsStale(id, sep string) bool {
	parts := strings.Split(id, sep)
	if len(parts) < 2 {
		return false
	}
	born, err1 := strconv.ParseInt(parts[0], 10, 64)
	pid, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	if time.Since(time.Unix(born, 0)) > staleSeedAge {
		return true
	}
	_, err := os.Stat(fmt.Sprintf("/proc/%d", pid))
	return errors.Is(err, fs.ErrNotExist)
}

func copyFile(from, to string, perm fs.FileMode) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

func randomHex(n int) string {
	buf := make([]byte, n)
	_, _ = rand.Read(buf)
	return hex.EncodeToString(buf)
}
