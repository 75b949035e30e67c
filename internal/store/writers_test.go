package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestSQLiteWritersServedInArrivalOrder: while one transaction holds
// SQLite's write lock, writers that arrive one after another get their
// turn in that order, not whichever polls the lock first.
func TestSQLiteWritersServedInArrivalOrder(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "", t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	hold, held := make(chan struct{}), make(chan struct{})
	go func() {
		_ = db.WithTx(ctx, func(q *Queries) error {
			close(held)
			<-hold
			return nil
		})
	}()
	<-held

	const n = 6
	var mu sync.Mutex
	var order []int
	var wg sync.WaitGroup
	for k := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.WithTx(ctx, func(q *Queries) error {
				mu.Lock()
				order = append(order, k)
				mu.Unlock()
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
		// Give writer k time to queue before k+1 arrives.
		time.Sleep(100 * time.Millisecond)
	}
	close(hold)
	wg.Wait()
	for k, v := range order {
		if v != k {
			t.Fatalf("writers served in order %v, want arrival order", order)
		}
	}
	if len(order) != n {
		t.Fatalf("%d writers served, want %d", len(order), n)
	}
}

// TestSQLiteWriterWaitEndsWithContext: a writer queued behind a long
// transaction gives up when its request's context ends.
func TestSQLiteWriterWaitEndsWithContext(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "", t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	hold, held, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		_ = db.WithTx(ctx, func(q *Queries) error {
			close(held)
			<-hold
			return nil
		})
	}()
	<-held
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = db.WithTx(short, func(q *Queries) error { return nil })
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Fatalf("queued writer: %v after %s, want its deadline", err, time.Since(start))
	}
	close(hold)
	<-done
	if err := db.WithTx(ctx, func(q *Queries) error { return nil }); err != nil {
		t.Fatalf("writer after release: %v", err)
	}
}

// TestSQLiteConnectionsOpenedAtStart: every connection of the pool is
// opened by OpenConnections (lablet serve calls it at start). One opened later while the data dir happened to be
// read-only would be read-only for good (SQLite falls back to it) and
// would refuse writes after the dir is writable again — TestDiskFull's
// upload after its read-only phase failed so in CI, now and then. As
// another user than root, every connection taken while the files are
// read-only also writes once they are writable.
func TestSQLiteConnectionsOpenedAtStart(t *testing.T) {
	if os.Getenv("LABLET_TEST_DATABASE_URL") != "" {
		t.Skip("SQLite's pool: PostgreSQL connections are not files")
	}
	db, dir, _ := mustOpen(t)
	ctx := context.Background()
	if err := db.OpenConnections(ctx); err != nil {
		t.Fatal(err)
	}
	if n := db.SQL().Stats().OpenConnections; n != sqliteConns {
		t.Fatalf("%d connections open after OpenConnections, want %d", n, sqliteConns)
	}
	if os.Geteuid() == 0 {
		// File modes do not bind root (cmd/lablet's TestDiskFull runs the
		// server as nobody for that): the pool's size above is the check.
		t.Log("root: the read-only part needs another user")
		return
	}
	files, _ := filepath.Glob(filepath.Join(dir, "lablet.db*"))
	modes := map[string]os.FileMode{}
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		modes[f] = fi.Mode().Perm()
		if err := os.Chmod(f, 0o444); err != nil {
			t.Fatal(err)
		}
	}
	conns := make([]*sql.Conn, sqliteConns)
	for i := range conns {
		c, err := db.SQL().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns[i] = c
	}
	for f, m := range modes {
		if err := os.Chmod(f, m); err != nil {
			t.Fatal(err)
		}
	}
	if n := db.SQL().Stats().OpenConnections; n != sqliteConns {
		t.Fatalf("%d connections open, want the %d opened at start", n, sqliteConns)
	}
	for i, c := range conns {
		if _, err := c.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", 100+i)); err != nil {
			t.Errorf("connection %d taken while the files were read-only: %v", i, err)
		}
		c.Close()
	}
}
