package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/lablet/lablet/internal/model"
)

// mustOpen opens a fresh migrated database: SQLite in a temp dir, or a
// new PostgreSQL database when LABLET_TEST_DATABASE_URL is set. Each is a
// copy of one template the test process migrates once: migrating took
// 10–18 s a test under the race detector. TestMigrationsAreIdempotent
// and the tests of single migrations still run migrations on their copy.
func mustOpen(t *testing.T) (*DB, string, string) {
	t.Helper()
	dir := t.TempDir()
	tmpl := migratedTemplate(t)
	dsn := ""
	if base := os.Getenv("LABLET_TEST_DATABASE_URL"); base != "" {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		name := "lablet_store_" + randomSuffix()
		// PostgreSQL refuses two copies of one template at once.
		templates.clone.Lock()
		_, err = admin.Exec("CREATE DATABASE " + name + " TEMPLATE " + tmpl.database)
		templates.clone.Unlock()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			admin.Close()
		})
		u, _ := url.Parse(base)
		u.Path = "/" + name
		dsn = u.String()
	} else if err := copyDir(tmpl.dir, dir); err != nil {
		t.Fatal(err)
	}
	db, err := Open(context.Background(), dsn, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, dsn, dir
}

// template is a migrated database made once per test process: a data
// dir holding a closed SQLite database, or a PostgreSQL database.
type template struct {
	once     sync.Once
	err      error
	dir      string
	database string
	clone    sync.Mutex
}

// templates is the test process's template, a cache like go test's
// build cache that no test observes.
var templates template

func migratedTemplate(t *testing.T) *template {
	t.Helper()
	templates.once.Do(func() { templates.err = templates.make() })
	if templates.err != nil {
		t.Fatalf("store template: %v", templates.err)
	}
	return &templates
}

func (tm *template) make() error {
	dir, err := os.MkdirTemp("", "lablet-store-template-")
	if err != nil {
		return err
	}
	tm.dir = dir
	dsn := ""
	if base := os.Getenv("LABLET_TEST_DATABASE_URL"); base != "" {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return err
		}
		defer admin.Close()
		tm.database = "lablet_store_template_" + randomSuffix()
		if _, err := admin.Exec("CREATE DATABASE " + tm.database); err != nil {
			return err
		}
		u, _ := url.Parse(base)
		u.Path = "/" + tm.database
		dsn = u.String()
	}
	db, err := Open(context.Background(), dsn, dir, Options{})
	if err != nil {
		return err
	}
	return db.Close()
}

// TestMain removes the template when the tests end.
func TestMain(m *testing.M) {
	code := m.Run()
	if templates.dir != "" {
		os.RemoveAll(templates.dir)
	}
	if base := os.Getenv("LABLET_TEST_DATABASE_URL"); base != "" && templates.database != "" {
		if admin, err := sql.Open("pgx", base); err == nil {
			_, _ = admin.Exec("DROP DATABASE IF EXISTS " + templates.database + " WITH (FORCE)")
			admin.Close()
		}
	}
	os.Exit(code)
}

func randomSuffix() string {
	buf := make([]byte, 6)
	_, _ = rand.Read(buf)
	return hex.EncodeToString(buf)
}

// copyDir copies the regular files of src into dst.
func copyDir(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600); err != nil {
			return err
		}
	}
	return nil
}

func TestRebind(t *testing.T) {
	q := &Queries{dialect: Postgres}
	if got := q.rebind("SELECT ? WHERE a = ? AND b IN (?, ?)"); got != "SELECT $1 WHERE a = $2 AND b IN ($3, $4)" {
		t.Fatalf("rebind = %q", got)
	}
	q.dialect = SQLite
	if got := q.rebind("a = ?"); got != "a = ?" {
		t.Fatalf("sqlite rebind = %q", got)
	}
}

func TestSplitStatements(t *testing.T) {
	got := splitStatements("-- c\nCREATE TABLE a (x INT);\n\nCREATE INDEX i ON a (x);\n")
	if len(got) != 2 || got[0] != "CREATE TABLE a (x INT);" {
		t.Fatalf("split = %q", got)
	}
}

func TestMigrationsAreIdempotent(t *testing.T) {
	db, dsn, dir := mustOpen(t)
	db.Close()
	db2, err := Open(context.Background(), dsn, dir, Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	db2.Close()
}

func TestConflictAndNotFound(t *testing.T) {
	db, _, _ := mustOpen(t)
	ctx := context.Background()
	mk := func(name string) error {
		return db.WithTx(ctx, func(q *Queries) error {
			return q.CreateUser(ctx, &model.User{Username: name, Email: name + "@example.com", Name: name})
		})
	}
	if err := mk("alice"); err != nil {
		t.Fatal(err)
	}
	if err := mk("ALICE"); !errors.Is(err, ErrConflict) {
		t.Fatalf("duplicate username (other case) err = %v, want ErrConflict", err)
	}
	if n, _ := db.Queries().CountUsers(ctx); n != 1 {
		t.Fatalf("users = %d after a failed insert, want 1 (nothing half-written)", n)
	}
	if _, err := db.Queries().UserByID(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing user err = %v", err)
	}
}

func TestInheritedAccess(t *testing.T) {
	db, _, _ := mustOpen(t)
	ctx := context.Background()
	var alice model.User
	var top, sub, leaf model.Namespace
	var proj model.Project
	err := db.WithTx(ctx, func(q *Queries) error {
		alice = model.User{Username: "alice", Email: "a@example.com", Name: "Alice"}
		if err := q.CreateUser(ctx, &alice); err != nil {
			return err
		}
		top = model.Namespace{Kind: model.KindGroup, Name: "Top", Path: "top"}
		if err := q.CreateNamespace(ctx, &top); err != nil {
			return err
		}
		sub = model.Namespace{Kind: model.KindGroup, Name: "Sub", Path: "sub", ParentID: &top.ID}
		if err := q.CreateNamespace(ctx, &sub); err != nil {
			return err
		}
		leaf = model.Namespace{Kind: model.KindGroup, Name: "Leaf", Path: "leaf", ParentID: &sub.ID}
		if err := q.CreateNamespace(ctx, &leaf); err != nil {
			return err
		}
		proj = model.Project{NamespaceID: leaf.ID, Name: "P", Path: "p"}
		if err := q.CreateProject(ctx, &proj); err != nil {
			return err
		}
		return q.UpsertMember(ctx, &model.Member{SourceType: model.SourceNamespace, SourceID: top.ID, UserID: alice.ID, AccessLevel: 30})
	})
	if err != nil {
		t.Fatal(err)
	}
	q := db.Queries()
	if leaf.FullPath != "top/sub/leaf" || leaf.Depth != 2 {
		t.Fatalf("leaf = %q depth %d", leaf.FullPath, leaf.Depth)
	}
	if l, _ := q.NamespaceAccessLevel(ctx, alice.ID, leaf.ID, "2026-01-01"); l != 30 {
		t.Fatalf("inherited group level = %d, want 30", l)
	}
	if l, _ := q.ProjectAccessLevel(ctx, alice.ID, proj.ID, leaf.ID, "2026-01-01"); l != 30 {
		t.Fatalf("inherited project level = %d, want 30", l)
	}
	// An expired membership grants nothing.
	exp := "2026-01-01"
	if err := q.UpsertMember(ctx, &model.Member{SourceType: model.SourceNamespace, SourceID: top.ID, UserID: alice.ID, AccessLevel: 30, ExpiresAt: &exp}); err != nil {
		t.Fatal(err)
	}
	if l, _ := q.ProjectAccessLevel(ctx, alice.ID, proj.ID, leaf.ID, "2026-01-02"); l != 0 {
		t.Fatalf("expired membership level = %d, want 0", l)
	}
	// Renaming the top group rewrites every descendant's full path.
	top.Path, top.Name = "renamed", "Renamed"
	if err := db.WithTx(ctx, func(q *Queries) error { return q.UpdateNamespace(ctx, &top) }); err != nil {
		t.Fatal(err)
	}
	got, err := q.NamespaceByID(ctx, leaf.ID)
	if err != nil || got.FullPath != "renamed/sub/leaf" || got.FullName != "Renamed / Sub / Leaf" {
		t.Fatalf("after rename leaf = %+v, %v", got, err)
	}
	p, err := q.ProjectByFullPath(ctx, "RENAMED/sub/leaf/P")
	if err != nil || p.ID != proj.ID {
		t.Fatalf("project by new path = %v, %v", p, err)
	}
}

// TestStatementsLeaveOutBackground: a job's statements, run while a test
// counts a request's, must not be counted with them.
func TestStatementsLeaveOutBackground(t *testing.T) {
	db, _, _ := mustOpen(t)
	ctx := context.Background()
	before := db.Statements()
	// Found or not, the read is one statement.
	_, _ = db.Queries().UserByID(Background(ctx), 1)
	if n := db.Statements() - before; n != 0 {
		t.Fatalf("a background read counted %d statements, want 0", n)
	}
	_, _ = db.Queries().UserByID(ctx, 1)
	if n := db.Statements() - before; n != 1 {
		t.Fatalf("a request's read counted %d statements, want 1", n)
	}
}
