package repo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Pool limits. A repository keeps up to maxIdlePerRepo warm processes (more
// than one so concurrent readers of a hot repository do not queue behind
// each other); the whole pool keeps at most maxIdle, evicting the least
// recently used, and closes processes idle for longer than idleTimeout.
// maxIdle leaves room for ~64 busy repositories at their per-repository
// limit: below that, reads spread over many repositories evict each other's
// processes and start new ones.
const (
	maxIdlePerRepo = 4
	maxIdle        = 256
	idleTimeout    = 5 * time.Minute
)

// catFile is one "git cat-file --batch-command" process. It serves one
// request at a time: whoever holds it (taken out of the pool) owns it.
type catFile struct {
	poolEntry
	gitProc
	gen    uint64
	broken bool
}

func startCatFile(path string, gen uint64) (*catFile, error) {
	// Per-request cancellation kills the process explicitly (see do).
	proc, err := startGitProc(path, 64<<10, "cat-file", "--batch-command")
	if err != nil {
		return nil, err
	}
	return &catFile{poolEntry: poolEntry{path: path}, gitProc: proc, gen: gen}, nil
}

func (c *catFile) close() {
	c.broken = true
	_ = c.stdin.Close() // EOF on stdin makes git exit cleanly
	c.cancel()
	_ = c.cmd.Wait()
}

// objHeader is cat-file's answer line for one object.
type objHeader struct {
	OID  string
	Type string
	Size int64
}

// errMissing is returned by do when git answers "missing" or "ambiguous".
var errMissing = errors.New("object missing")

// do sends one command ("info" or "contents") for rev and, for contents,
// reads the object into a buffer. Any protocol or I/O failure marks the
// process broken so the pool discards it.
func (c *catFile) do(ctx context.Context, verb, rev string) (objHeader, []byte, error) {
	if strings.ContainsAny(rev, "\n\r\x00") {
		return objHeader{}, nil, fmt.Errorf("%w: %q", ErrInvalid, rev)
	}
	// A blocked read cannot observe ctx; kill the process instead.
	stop := context.AfterFunc(ctx, func() { c.cancel() })
	defer func() {
		if !stop() { // the kill already ran: never reuse this process
			c.broken = true
		}
	}()
	fail := func(err error) (objHeader, []byte, error) {
		c.broken = true
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return objHeader{}, nil, fmt.Errorf("cat-file %s %q: %w (%s)", verb, rev, err, strings.TrimSpace(c.stderr.String()))
	}
	if _, err := io.WriteString(c.stdin, verb+" "+rev+"\n"); err != nil {
		return fail(err)
	}
	line, err := c.out.ReadString('\n')
	if err != nil {
		return fail(err)
	}
	line = strings.TrimSuffix(line, "\n")
	if strings.HasSuffix(line, " missing") || strings.HasSuffix(line, " ambiguous") {
		return objHeader{}, nil, fmt.Errorf("%w: %q", errMissing, rev)
	}
	f := strings.Fields(line)
	if len(f) != 3 {
		return fail(fmt.Errorf("unexpected header %q", line))
	}
	size, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil || size < 0 {
		return fail(fmt.Errorf("bad size in %q", line))
	}
	h := objHeader{OID: f[0], Type: f[1], Size: size}
	if verb != "contents" {
		return h, nil, nil
	}
	buf := make([]byte, size+1) // object plus trailing LF
	if _, err := io.ReadFull(c.out, buf); err != nil {
		return fail(err)
	}
	if buf[size] != '\n' {
		return fail(errors.New("missing object terminator"))
	}
	return h, buf[:size], nil
}

// catFilePool keeps warm cat-file processes keyed by repository path. The
// embedded pool's mu also guards gen and closed, so that a process is only
// made idle if its repository was not closed meanwhile.
// Tests assert with its starts that hot reads spawn no process.
type catFilePool struct {
	idlePool[*catFile]

	gen    map[string]uint64 // bumped by closeRepo to retire busy processes
	closed bool
}

func (p *catFilePool) get(path string) (*catFile, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errors.New("repository store closed")
	}
	if c, ok := p.takeLocked(path); ok {
		p.mu.Unlock()
		return c, nil
	}
	gen := p.gen[path]
	p.mu.Unlock()
	p.starts.Add(1)
	return startCatFile(path, gen)
}

func (p *catFilePool) put(c *catFile) {
	if c.broken {
		c.close()
		return
	}
	// A process of a store or repository closed since it started is not
	// kept.
	evict := []*catFile{c}
	p.mu.Lock()
	if !p.closed && c.gen == p.gen[c.path] {
		evict = p.addLocked(c, idleLimits{perRepo: maxIdlePerRepo, total: maxIdle, timeout: idleTimeout})
	}
	p.mu.Unlock()
	closeEach(evict)
}

// closeRepo stops idle processes for path and retires busy ones. The
// generation moves first: a process put back after that is closed, one put
// back before is idle and closed here.
func (p *catFilePool) closeRepo(path string) {
	p.mu.Lock()
	if p.gen == nil {
		p.gen = map[string]uint64{}
	}
	p.gen[path]++
	p.mu.Unlock()
	p.closePath(path)
}

// closeAll closes every idle process; closed first, so none is added after.
func (p *catFilePool) closeAll() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.idlePool.closeAll()
}

// limitedWriter keeps the first n bytes of a child's stderr and drops the
// rest, so a chatty child cannot grow server memory. exec copies into it
// from its own goroutine, hence the mutex.
type limitedWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
	n   int
}

func (l *limitedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n > 0 {
		k := min(len(b), l.n)
		l.n -= k
		l.buf.Write(b[:k])
	}
	return len(b), nil
}

func (l *limitedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
