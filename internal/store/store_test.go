package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"testing"

	"github.com/lablet/lablet/internal/model"
)

// mustOpen opens a fresh database: SQLite in a temp dir, or a new
// PostgreSQL database when LABLET_TEST_DATABASE_URL is set.
func mustOpen(t *testing.T) (*DB, string, string) {
	t.Helper()
	dir := t.TempDir()
	dsn := ""
	if base := os.Getenv("LABLET_TEST_DATABASE_URL"); base != "" {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 6)
		_, _ = rand.Read(buf)
		name := "lablet_store_" + hex.EncodeToString(buf)
		if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			admin.Close()
		})
		u, _ := url.Parse(base)
		u.Path = "/" + name
		dsn = u.String()
	}
	db, err := Open(context.Background(), dsn, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, dsn, dir
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
