package service

import (
	"context"
	"sync"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Recording deliveries: each delivery writes its log row and moves its
// hook's auto-disabling state. One transaction per delivery made the
// deliveries queue for the single SQLite writer (and starved the job
// queue's own writes), so the outcomes of deliveries finishing together
// are written in one transaction (group commit). A delivery still returns
// only once its row is committed, so a finished job always has its log.

// hookRecordBatch bounds the outcomes written in one transaction.
const hookRecordBatch = 256

// hookOutcome is one delivery's outcome to record.
type hookOutcome struct {
	hook *model.WebHook
	log  *model.WebHookLog
	ok   bool
	done chan error
}

// hookRecorder collects outcomes; a writer goroutine runs while any wait.
type hookRecorder struct {
	mu      sync.Mutex
	pending []*hookOutcome
	writing bool
}

// recordHook writes the outcome of a delivery to h, with the outcomes of
// the deliveries finishing meanwhile, and returns once it is committed.
func (s *Service) recordHook(ctx context.Context, h *model.WebHook, log *model.WebHookLog, ok bool) error {
	o := &hookOutcome{hook: h, log: log, ok: ok, done: make(chan error, 1)}
	r := &s.hookRecords
	r.mu.Lock()
	r.pending = append(r.pending, o)
	if !r.writing {
		r.writing = true
		// The writer outlives a caller that gives up: the others wait on it.
		go s.writeHookRecords(context.WithoutCancel(ctx))
	}
	r.mu.Unlock()
	// Not cut short by ctx: the row may be committing, and a job that
	// failed after its row was written would be delivered twice.
	return <-o.done
}

// writeHookRecords writes pending outcomes until none is left.
func (s *Service) writeHookRecords(ctx context.Context) {
	r := &s.hookRecords
	for {
		r.mu.Lock()
		batch := r.pending[:min(len(r.pending), hookRecordBatch)]
		if len(batch) == 0 {
			r.writing = false
			r.mu.Unlock()
			return
		}
		r.pending = r.pending[len(batch):]
		r.mu.Unlock()
		err := s.db.WithTx(ctx, func(q *store.Queries) error {
			for _, o := range batch {
				if err := recordHookOutcome(ctx, q, o); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil && len(batch) > 1 {
			// One outcome's failure (its hook deleted meanwhile) must not
			// fail the others: each is written alone.
			for _, o := range batch {
				o.done <- s.db.WithTx(ctx, func(q *store.Queries) error { return recordHookOutcome(ctx, q, o) })
			}
			continue
		}
		for _, o := range batch {
			o.done <- err
		}
	}
}

// recordHookOutcome logs one delivery and moves its hook's auto-disabling
// state.
func recordHookOutcome(ctx context.Context, q *store.Queries, o *hookOutcome) error {
	if err := q.InsertWebHookLog(ctx, o.log); err != nil {
		return err
	}
	if o.ok {
		return q.WebHookSucceeded(ctx, o.hook.ID)
	}
	if o.hook.Kind == model.HookOfSystem {
		return nil // system hooks are never disabled
	}
	_, _, err := q.WebHookFailed(ctx, o.hook.ID, hookFailuresBeforeBackoff, hookBackoff)
	return err
}
