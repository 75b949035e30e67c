package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// TestReplaceSCIMTokenUnderConcurrency: resets of the instance's SCIM
// token racing each other all succeed, on both databases, and exactly one
// token is left, the one a reset wrote.
func TestReplaceSCIMTokenUnderConcurrency(t *testing.T) {
	db, _, _ := mustOpen(t)
	ctx := context.Background()
	const n = 20
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.WithTx(ctx, func(q *Queries) error {
				return q.ReplaceSCIMToken(ctx, 0, fmt.Sprintf("digest-%d", i))
			})
			if err != nil {
				t.Errorf("reset %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	var count int
	if err := db.Queries().queryRow(ctx, "SELECT COUNT(*) FROM scim_tokens").Scan(&count); err != nil || count != 1 {
		t.Fatalf("%d scim tokens (%v), want 1", count, err)
	}
	found := 0
	for i := range n {
		if g, err := db.Queries().SCIMTokenGroup(ctx, fmt.Sprintf("digest-%d", i)); err == nil && g == 0 {
			found++
		}
	}
	if found != 1 {
		t.Fatalf("%d of the written digests resolve to the instance, want 1", found)
	}
}
