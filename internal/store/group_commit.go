package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"sync/atomic"
	"time"
)

// SQLite has one writer, and with synchronous=FULL every commit waits for
// the disk to sync its log. Committing each request's transaction alone
// would cap writes at the disk's syncs per second, so this process's
// SQLite transactions go through one goroutine that runs the ones queued
// behind each other inside one SQLite transaction, each in a savepoint of
// its own, and commits them together: one sync for the group (group
// commit). A transaction that fails is rolled back to its savepoint and
// answered at once; the others are answered when the group's commit has
// returned, so an acknowledged write is on disk.
//
// The writer takes queued transactions in arrival order (an unbuffered
// channel wakes blocked senders first come, first served), so no writer
// starves behind newcomers.

// maxGroup bounds the transactions committed together, which bounds how
// long the first of them waits for the commit.
const maxGroup = 64

// errGroupAborted answers the transactions of a group that SQLite rolled
// back whole (a failure that ends the transaction, not a statement); they
// did nothing and are retried (isRetryable).
var errGroupAborted = errors.New("store: group commit aborted, retry")

// ErrClosed is returned for a write asked of a closed DB.
var ErrClosed = errors.New("store: database closed")

// writeReq is one transaction waiting for the writer.
type writeReq struct {
	ctx     context.Context
	fn      func(*Queries) error
	pending change
	done    chan writeResult // buffered: the writer never blocks on it
}

// writeResult is how a transaction ended: its error, or the panic its
// function raised (re-raised in the caller's goroutine).
type writeResult struct {
	err   error
	panic *TxPanic
}

// TxPanic is a panic raised by a transaction's function, with the stack
// where it was raised (the writer's goroutine, not the caller's).
type TxPanic struct {
	Value any
	Stack []byte
}

func (p *TxPanic) String() string {
	return fmt.Sprintf("%v\n\nin a transaction:\n%s", p.Value, p.Stack)
}

// groupWriter runs this process's SQLite transactions (see above).
type groupWriter struct {
	db      *sql.DB
	owner   *DB
	reqs    chan *writeReq
	stop    chan struct{}
	stopped chan struct{}
	// commits counts the groups committed (tests).
	commits atomic.Int64
}

func newGroupWriter(owner *DB) *groupWriter {
	w := &groupWriter{db: owner.sql, owner: owner, reqs: make(chan *writeReq),
		stop: make(chan struct{}), stopped: make(chan struct{})}
	go w.loop()
	return w
}

// close stops the writer after the group it is running, if any.
func (w *groupWriter) close() {
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	<-w.stopped
}

// do runs fn in a transaction of the writer's and returns when it has
// committed (nil) or failed. It waits for its turn at most writerWait,
// and not past ctx; once its turn has come, it waits for the answer.
func (w *groupWriter) do(ctx context.Context, fn func(*Queries) error) error {
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan writeResult, 1)}
	timer := time.NewTimer(writerWait)
	defer timer.Stop()
	select {
	case w.reqs <- r:
	case <-w.stop:
		return ErrClosed
	case <-ctx.Done():
		return fmt.Errorf("store: wait for writer: %w", ctx.Err())
	case <-timer.C:
		return fmt.Errorf("store: wait for writer: %w", ErrBusy)
	}
	res := <-r.done
	if res.panic != nil {
		panic(res.panic)
	}
	return res.err
}

func (w *groupWriter) loop() {
	defer close(w.stopped)
	for {
		select {
		case r := <-w.reqs:
			w.runGroup(r)
		case <-w.stop:
			return
		}
	}
}

// runGroup runs first and whatever queues behind it, up to maxGroup, in
// one SQLite transaction, and commits them.
func (w *groupWriter) runGroup(first *writeReq) {
	// Not the caller's context: a cancelled statement would roll back
	// the whole transaction, other callers' work with it.
	sqlTx, err := w.db.BeginTx(context.Background(), nil)
	if err != nil {
		first.done <- writeResult{err: fmt.Errorf("store: begin: %w", wrapErr(err))}
		return
	}
	group := make([]*writeReq, 0, 8)
	for r := first; r != nil; r = w.next(len(group)) {
		res, broken := w.run(sqlTx, r)
		if broken {
			_ = sqlTx.Rollback()
			for _, g := range group {
				g.done <- writeResult{err: errGroupAborted}
			}
			if res.err == nil && res.panic == nil {
				res.err = errGroupAborted
			}
			r.done <- res
			return
		}
		if res.err != nil || res.panic != nil {
			r.done <- res // rolled back to its savepoint: nothing to wait for
			continue
		}
		group = append(group, r)
	}
	if err := sqlTx.Commit(); err != nil {
		err = fmt.Errorf("store: commit: %w", wrapErr(err))
		for _, g := range group {
			g.done <- writeResult{err: err}
		}
		return
	}
	w.commits.Add(1)
	for _, g := range group {
		w.owner.versions.apply(notifiable(g.pending))
		g.done <- writeResult{}
	}
}

// next is the transaction queued behind the group, or nil when none is
// or the group is full.
func (w *groupWriter) next(n int) *writeReq {
	if n >= maxGroup {
		return nil
	}
	select {
	case r := <-w.reqs:
		return r
	default:
		return nil
	}
}

// run runs one transaction in a savepoint of sqlTx. broken reports that
// the SQLite transaction itself has ended (SQLite rolls back the whole
// transaction on some failures, such as a full disk), so the group
// cannot go on.
func (w *groupWriter) run(sqlTx *sql.Tx, r *writeReq) (res writeResult, broken bool) {
	if err := r.ctx.Err(); err != nil {
		return writeResult{err: fmt.Errorf("store: begin: %w", err)}, false
	}
	if _, err := sqlTx.Exec("SAVEPOINT tx"); err != nil {
		return writeResult{err: fmt.Errorf("%w: savepoint: %v", errGroupAborted, err)}, true
	}
	tx := &Tx{tx: sqlTx, db: w.owner, Now: time.Now().UTC(), detached: true}
	res = call(r.fn, tx.Queries())
	if res.err != nil || res.panic != nil {
		if _, err := sqlTx.Exec("ROLLBACK TO tx"); err != nil {
			return res, true
		}
		if _, err := sqlTx.Exec("RELEASE tx"); err != nil {
			return res, true
		}
		return res, false
	}
	if _, err := sqlTx.Exec("RELEASE tx"); err != nil {
		return writeResult{err: fmt.Errorf("%w: release: %v", errGroupAborted, err)}, true
	}
	r.pending = tx.pending
	return res, false
}

// call runs fn, turning a panic into a result.
func call(fn func(*Queries) error, q *Queries) (res writeResult) {
	defer func() {
		if v := recover(); v != nil {
			res = writeResult{panic: &TxPanic{Value: v, Stack: debug.Stack()}}
		}
	}()
	return writeResult{err: fn(q)}
}
