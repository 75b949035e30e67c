package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// groupDB is a SQLite database with a table the group commit tests write.
func groupDB(t *testing.T) *DB {
	t.Helper()
	db, _, _ := mustOpen(t)
	if db.writer == nil {
		t.Skip("group commit is SQLite's (PostgreSQL commits each transaction itself)")
	}
	if _, err := db.SQL().Exec("CREATE TABLE group_rows (name TEXT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	return db
}

func groupRows(t *testing.T, db *DB) map[string]bool {
	t.Helper()
	rows, err := db.SQL().Query("SELECT name FROM group_rows")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		got[n] = true
	}
	return got
}

// TestGroupCommit: transactions queued behind a running one commit
// together (fewer commits than transactions), and each member keeps its
// own outcome: one that fails leaves nothing of its own (its savepoint is
// rolled back) and is answered with its error, one that panics re-panics
// in its caller, and the others' rows are all there when WithTx returns.
func TestGroupCommit(t *testing.T) {
	t.Parallel()
	db := groupDB(t)
	ctx := context.Background()
	const n = 40
	started := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // holds the writer while the others queue behind it
		defer wg.Done()
		err := db.WithTx(ctx, func(q *Queries) error {
			close(started)
			time.Sleep(100 * time.Millisecond)
			_, err := q.exec(ctx, "INSERT INTO group_rows (name) VALUES ('first')")
			return err
		})
		if err != nil {
			t.Error(err)
		}
	}()
	<-started
	before := db.writer.commits.Load()
	errFail := errors.New("this one fails")
	results := make([]any, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if v := recover(); v != nil {
					results[i] = v
				}
			}()
			results[i] = db.WithTx(ctx, func(q *Queries) error {
				if _, err := q.exec(ctx, "INSERT INTO group_rows (name) VALUES (?)", fmt.Sprint("row", i)); err != nil {
					return err
				}
				switch i {
				case 7:
					return errFail
				case 11:
					panic("member 11")
				}
				return nil
			})
		}()
	}
	wg.Wait()
	got := groupRows(t, db)
	for i := range n {
		name := fmt.Sprint("row", i)
		switch i {
		case 7:
			if !errors.Is(results[i].(error), errFail) || got[name] {
				t.Errorf("failing member: %v, row kept %v", results[i], got[name])
			}
		case 11:
			if p, ok := results[i].(*TxPanic); !ok || p.Value != "member 11" || got[name] {
				t.Errorf("panicking member: %#v, row kept %v", results[i], got[name])
			}
		default:
			if results[i] != nil || !got[name] {
				t.Errorf("member %d: %v, row kept %v", i, results[i], got[name])
			}
		}
	}
	if !got["first"] {
		t.Error("the first transaction's row is missing")
	}
	if commits := db.writer.commits.Load() - before; commits >= n-2 {
		t.Errorf("%d commits for %d transactions queued together", commits, n)
	}
}

// TestGroupCommitBrokenTransaction: when a member ends the SQLite
// transaction itself (as SQLite does on a full disk), the group's other
// members did nothing and are retried, so their rows commit; the member
// that broke it is retried too and succeeds once it behaves.
func TestGroupCommitBrokenTransaction(t *testing.T) {
	t.Parallel()
	db := groupDB(t)
	ctx := context.Background()
	started := make(chan struct{})
	var wg sync.WaitGroup
	var once sync.Once
	errs := make(chan error, 10)
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i > 0 {
				<-started
			}
			errs <- db.WithTx(ctx, func(q *Queries) error {
				if _, err := q.exec(ctx, "INSERT INTO group_rows (name) VALUES (?)", fmt.Sprint("row", i)); err != nil {
					return err
				}
				if i == 0 {
					once.Do(func() { close(started) })
					time.Sleep(50 * time.Millisecond)
				}
				if i == 5 && !breakOnce(q) {
					return nil
				}
				return nil
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	got := groupRows(t, db)
	if len(got) != 10 {
		t.Errorf("rows after a broken group: %v, want all 10", got)
	}
}

var broke sync.Once

// breakOnce ends the enclosing SQLite transaction the first time it runs
// (as an automatic rollback would); it reports whether it did.
func breakOnce(q *Queries) bool {
	did := false
	broke.Do(func() {
		_, _ = q.SQLTx().Exec("ROLLBACK")
		did = true
	})
	return did
}

// TestGroupCommitCancelledCaller: a caller whose context ends while its
// transaction waits gets its context's error and writes nothing; the
// transaction running meanwhile commits.
func TestGroupCommitCancelledCaller(t *testing.T) {
	t.Parallel()
	db := groupDB(t)
	ctx := context.Background()
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.WithTx(ctx, func(q *Queries) error {
			close(started)
			time.Sleep(100 * time.Millisecond)
			_, err := q.exec(ctx, "INSERT INTO group_rows (name) VALUES ('running')")
			return err
		})
	}()
	<-started
	cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	err := db.WithTx(cctx, func(q *Queries) error {
		_, err := q.exec(cctx, "INSERT INTO group_rows (name) VALUES ('cancelled')")
		return err
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancelled caller: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := groupRows(t, db); !got["running"] || got["cancelled"] {
		t.Errorf("rows = %v", got)
	}
}
