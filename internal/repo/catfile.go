package repo

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
	path     string
	gen      uint64
	cmd      *exec.Cmd
	stdin    io.WriteCloser
	out      *bufio.Reader
	stderr   *limitedWriter
	cancel   context.CancelFunc
	lastUsed time.Time
	broken   bool
}

func startCatFile(path string, gen uint64) (*catFile, error) {
	// The process outlives any one request, so it is bound to its own
	// context; per-request cancellation kills it explicitly (see do).
	ctx, cancel := context.WithCancel(context.Background())
	cmd := Command(ctx, path, nil, "cat-file", "--batch-command")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		cancel()
		return nil, fmt.Errorf("cat-file stdin: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return nil, fmt.Errorf("cat-file stdout: %w", err)
	}
	stderr := &limitedWriter{n: 4096}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("start cat-file: %w", err)
	}
	return &catFile{path: path, gen: gen, cmd: cmd, stdin: stdin,
		out: bufio.NewReaderSize(stdout, 64<<10), stderr: stderr, cancel: cancel}, nil
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

// catFilePool keeps warm cat-file processes keyed by repository path.
type catFilePool struct {
	mu     sync.Mutex
	idle   []*catFile        // least recently used first
	gen    map[string]uint64 // bumped by closeRepo to retire busy processes
	closed bool
	starts atomic.Int64 // processes spawned; tests assert hot reads spawn none
}

func (p *catFilePool) get(path string) (*catFile, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errors.New("repository store closed")
	}
	for i := len(p.idle) - 1; i >= 0; i-- {
		if c := p.idle[i]; c.path == path {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			p.mu.Unlock()
			return c, nil
		}
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
	now := time.Now()
	c.lastUsed = now
	var evict []*catFile
	p.mu.Lock()
	if p.closed || c.gen != p.gen[c.path] {
		evict = append(evict, c)
	} else {
		n := 0
		for _, o := range p.idle {
			if o.path == c.path {
				n++
			}
		}
		if n >= maxIdlePerRepo {
			evict = append(evict, c)
		} else {
			p.idle = append(p.idle, c)
		}
		// Drop stale processes and enforce the global cap, oldest first.
		keep := p.idle[:0]
		for i, o := range p.idle {
			if now.Sub(o.lastUsed) > idleTimeout || len(p.idle)-i > maxIdle {
				evict = append(evict, o)
				continue
			}
			keep = append(keep, o)
		}
		p.idle = keep
	}
	p.mu.Unlock()
	for _, o := range evict {
		o.close()
	}
}

// closeRepo stops idle processes for path and retires busy ones.
func (p *catFilePool) closeRepo(path string) {
	var evict []*catFile
	p.mu.Lock()
	if p.gen == nil {
		p.gen = map[string]uint64{}
	}
	p.gen[path]++
	keep := p.idle[:0]
	for _, o := range p.idle {
		if o.path == path {
			evict = append(evict, o)
		} else {
			keep = append(keep, o)
		}
	}
	p.idle = keep
	p.mu.Unlock()
	for _, o := range evict {
		o.close()
	}
}

func (p *catFilePool) closeAll() {
	p.mu.Lock()
	p.closed = true
	evict := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, o := range evict {
		o.close()
	}
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
