package repo

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// poolEntry is what an idlePool needs of a pooled process; process types
// embed it.
type poolEntry struct {
	path     string    // the repository the process runs in
	lastUsed time.Time // when it was last put back
}

func (e *poolEntry) entry() *poolEntry { return e }

// idler is a long-lived git process an idlePool keeps for reuse.
type idler interface {
	entry() *poolEntry
	close() // called without the pool's lock held
}

// idleLimits bound an idlePool.
type idleLimits struct {
	perRepo int           // idle processes kept per repository
	total   int           // idle processes kept in all
	timeout time.Duration // longest time a process stays idle
	// reap also closes processes idle for too long on a timer, not only
	// when another process is put back.
	reap bool
}

// idlePool is the idle side of a process pool (cat-file readers, update-ref
// writers): processes not in use, by repository path, least recently used
// first. Both pools embed it; the cat-file pool guards its own state with
// mu too.
type idlePool[T idler] struct {
	mu     sync.Mutex
	idle   []T          // least recently used first
	timer  *time.Timer  // next reap, while processes are idle (idleLimits.reap)
	starts atomic.Int64 // processes started by the owning pool (tests)
}

// take removes and returns the most recently used idle process of path.
func (p *idlePool[T]) take(path string) (T, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.takeLocked(path)
}

// takeLocked is take with p.mu held.
func (p *idlePool[T]) takeLocked(path string) (v T, ok bool) {
	for i := len(p.idle) - 1; i >= 0; i-- {
		if p.idle[i].entry().path == path {
			v = p.idle[i]
			p.idle = slices.Delete(p.idle, i, i+1)
			return v, true
		}
	}
	return v, false
}

// put makes v idle, within lim.
func (p *idlePool[T]) put(v T, lim idleLimits) {
	p.mu.Lock()
	evict := p.addLocked(v, lim)
	p.mu.Unlock()
	closeEach(evict)
}

// addLocked makes v idle unless its repository has lim.perRepo idle
// processes already, drops processes idle for longer than lim.timeout and,
// oldest first, those over lim.total, and returns the processes to close
// once p.mu is released (closing waits for git). p.mu is held.
func (p *idlePool[T]) addLocked(v T, lim idleLimits) (evict []T) {
	now := time.Now()
	v.entry().lastUsed = now
	n := 0
	for _, o := range p.idle {
		if o.entry().path == v.entry().path {
			n++
		}
	}
	if n >= lim.perRepo {
		evict = append(evict, v)
	} else {
		p.idle = append(p.idle, v)
	}
	evict = append(evict, p.dropLocked(now, lim.timeout, lim.total)...)
	if lim.reap && p.timer == nil && len(p.idle) > 0 {
		// Idle processes are also reaped when none is put back.
		p.timer = time.AfterFunc(lim.timeout, func() { p.reap(lim.timeout) })
	}
	return evict
}

// dropLocked removes and returns the processes idle for longer than timeout
// and, oldest first, those over total. p.mu is held.
func (p *idlePool[T]) dropLocked(now time.Time, timeout time.Duration, total int) (evict []T) {
	keep := p.idle[:0]
	for i, o := range p.idle {
		if now.Sub(o.entry().lastUsed) > timeout || len(p.idle)-i > total {
			evict = append(evict, o)
			continue
		}
		keep = append(keep, o)
	}
	clear(p.idle[len(keep):]) // no references left behind in the array
	p.idle = keep
	return evict
}

// reap closes processes idle for longer than timeout, and comes back while
// any process is idle.
func (p *idlePool[T]) reap(timeout time.Duration) {
	p.mu.Lock()
	evict := p.dropLocked(time.Now(), timeout, len(p.idle))
	p.timer = nil
	if len(p.idle) > 0 {
		p.timer = time.AfterFunc(timeout, func() { p.reap(timeout) })
	}
	p.mu.Unlock()
	closeEach(evict)
}

// closePath closes the idle processes of the repository at path.
func (p *idlePool[T]) closePath(path string) {
	p.mu.Lock()
	var evict []T
	p.idle = slices.DeleteFunc(p.idle, func(o T) bool {
		if o.entry().path == path {
			evict = append(evict, o)
			return true
		}
		return false
	})
	p.mu.Unlock()
	closeEach(evict)
}

// closeAll closes every idle process and stops the reaper.
func (p *idlePool[T]) closeAll() {
	p.mu.Lock()
	evict := p.idle
	p.idle = nil
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	p.mu.Unlock()
	closeEach(evict)
}

func closeEach[T idler](evict []T) {
	for _, o := range evict {
		o.close()
	}
}

// gitProc is a started long-lived git process of a pool, spoken to through
// its stdin and stdout.
type gitProc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	out    *bufio.Reader
	stderr *limitedWriter
	cancel context.CancelFunc // kills it
}

// startGitProc starts "git args..." in the repository at path, reading its
// output through a buffer of bufSize bytes. The process outlives any one
// request, so it is bound to its own context.
func startGitProc(path string, bufSize int, args ...string) (gitProc, error) {
	ctx, cancel := context.WithCancel(context.Background())
	cmd := Command(ctx, path, nil, args...)
	for len(args) > 2 && args[0] == "-c" { // name the command in errors, not its options
		args = args[2:]
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		cancel()
		return gitProc{}, fmt.Errorf("%s stdin: %w", args[0], err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return gitProc{}, fmt.Errorf("%s stdout: %w", args[0], err)
	}
	stderr := &limitedWriter{n: 4096}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		cancel()
		return gitProc{}, fmt.Errorf("start %s: %w", args[0], err)
	}
	return gitProc{cmd: cmd, stdin: stdin, out: bufio.NewReaderSize(stdout, bufSize), stderr: stderr, cancel: cancel}, nil
}
