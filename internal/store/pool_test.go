package store

import (
	"context"
	"runtime"
	"testing"
)

// TestPoolSize: PostgreSQL's pool is MaxConns when set and
// DefaultPostgresConns otherwise; SQLite's is its own, whatever MaxConns.
func TestPoolSize(t *testing.T) {
	ctx := context.Background()
	db, dsn, _ := mustOpen(t)
	db.Close()
	for _, set := range []int{0, 3} {
		db, err := Open(ctx, dsn, t.TempDir(), Options{MaxConns: set})
		if err != nil {
			t.Fatal(err)
		}
		want := set
		switch {
		case db.Dialect() == SQLite:
			want = sqliteConns
		case set == 0:
			want = DefaultPostgresConns()
		}
		if got := db.SQL().Stats().MaxOpenConnections; got != want {
			t.Errorf("MaxConns %d on %s: pool of %d, want %d", set, db.Dialect(), got, want)
		}
		db.Close()
	}
}

func TestDefaultPostgresConns(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for procs, want := range map[int]int{1: 8, 2: 8, 3: 12, 8: 32, 64: 32} {
		runtime.GOMAXPROCS(procs)
		if got := DefaultPostgresConns(); got != want {
			t.Errorf("%d CPUs: %d connections, want %d", procs, got, want)
		}
	}
}
