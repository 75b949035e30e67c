package store

import (
	"context"
	"sync"
	"testing"
)

// TestNextIIDUnderConcurrency: parallel transactions each allocating an
// iid of the same sequence get distinct values, 1…n, on both databases;
// another scope has its own sequence.
func TestNextIIDUnderConcurrency(t *testing.T) {
	db, _, _ := mustOpen(t)
	ctx := context.Background()
	const n = 40
	got := make(chan int64, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.WithTx(ctx, func(q *Queries) error {
				v, err := q.NextIID(ctx, IIDIssues, 7)
				if err == nil {
					got <- v
				}
				return err
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	close(got)
	seen := map[int64]bool{}
	for v := range got {
		if seen[v] || v < 1 || v > n {
			t.Fatalf("iid %d handed out twice or out of 1..%d", v, n)
		}
		seen[v] = true
	}
	if len(seen) != n {
		t.Fatalf("%d distinct iids, want %d", len(seen), n)
	}
	if v, err := db.Queries().NextIID(ctx, IIDIssues, 8); err != nil || v != 1 {
		t.Fatalf("another project's first iid = %d, %v; want 1", v, err)
	}
}
