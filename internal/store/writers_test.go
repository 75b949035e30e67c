package store

import (
	"context"
	"errors"
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
