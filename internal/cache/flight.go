package cache

import (
	"context"
	"sync"
	"time"
)

// Flight runs one computation per key at a time: concurrent callers for the
// same key wait for the first one's answer instead of repeating the work
// (a cold page asked for by many clients at once is read once). The zero
// value is ready to use.
type Flight[K comparable, V any] struct {
	mu    sync.Mutex
	calls map[K]*flightCall[V]
}

type flightCall[V any] struct {
	done chan struct{}
	val  V
	err  error
}

// Do returns fn's answer for k. fn runs detached from any one caller's
// cancellation (others may be waiting for it), bounded by timeout; a
// caller whose ctx ends stops waiting.
func (f *Flight[K, V]) Do(ctx context.Context, k K, timeout time.Duration, fn func(context.Context) (V, error)) (V, error) {
	f.mu.Lock()
	if f.calls == nil {
		f.calls = map[K]*flightCall[V]{}
	}
	call, ok := f.calls[k]
	if !ok {
		call = &flightCall[V]{done: make(chan struct{})}
		f.calls[k] = call
		go func() {
			wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
			defer cancel()
			call.val, call.err = fn(wctx)
			f.mu.Lock()
			delete(f.calls, k)
			f.mu.Unlock()
			close(call.done)
		}()
	}
	f.mu.Unlock()
	select {
	case <-call.done:
		return call.val, call.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}
