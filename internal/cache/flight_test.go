package cache

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestFlightRunsOncePerKey: callers of one key that overlap share one run
// and its answer; another key runs on its own; a later caller runs again.
func TestFlightRunsOncePerKey(t *testing.T) {
	var f Flight[string, int]
	var runs atomic.Int32
	release := make(chan struct{})
	started := make(chan struct{})
	fn := func(context.Context) (int, error) {
		if runs.Add(1) == 1 {
			close(started)
		}
		<-release
		return 42, nil
	}
	ctx := context.Background()
	const callers = 8
	var wg sync.WaitGroup
	got := make([]int, callers)
	// The first caller's run is under way (and blocked) before the others
	// ask, so they can only join it.
	wg.Add(1)
	go func() { defer wg.Done(); got[0], _ = f.Do(ctx, "page", time.Minute, fn) }()
	<-started
	for i := 1; i < callers; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); got[i], _ = f.Do(ctx, "page", time.Minute, fn) }()
	}
	other, err := f.Do(ctx, "other", time.Minute, func(context.Context) (int, error) { return 7, nil })
	if err != nil || other != 7 {
		t.Fatalf("other key: %d %v", other, err)
	}
	// Wait until every caller is parked on the run (the map holds it and
	// nobody else can have started one: runs is still 1).
	time.Sleep(100 * time.Millisecond)
	close(release)
	wg.Wait()
	if n := runs.Load(); n != 1 {
		t.Fatalf("%d runs for %d overlapping callers, want 1", n, callers)
	}
	for i, v := range got {
		if v != 42 {
			t.Fatalf("caller %d got %d", i, v)
		}
	}
	if v, _ := f.Do(ctx, "page", time.Minute, fn); v != 42 || runs.Load() != 2 {
		t.Fatalf("a later call: %d after %d runs, want a second run", v, runs.Load())
	}
}

// TestFlightCallerCancels: a caller whose context ends stops waiting; the
// run goes on for the others and is not cancelled with it.
func TestFlightCallerCancels(t *testing.T) {
	var f Flight[int, string]
	release := make(chan struct{})
	var runErr atomic.Value
	fn := func(ctx context.Context) (string, error) {
		<-release
		runErr.Store(ctx.Err() == nil)
		return "done", nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { _, err := f.Do(ctx, 1, time.Minute, fn); errc <- err }()
	time.Sleep(10 * time.Millisecond)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller: %v", err)
	}
	done := make(chan string, 1)
	go func() { v, _ := f.Do(context.Background(), 1, time.Minute, fn); done <- v }()
	time.Sleep(10 * time.Millisecond)
	close(release)
	if v := <-done; v != "done" {
		t.Fatalf("second caller got %q", v)
	}
	if ok, _ := runErr.Load().(bool); !ok {
		t.Fatal("the run's context ended with the first caller's")
	}
}
