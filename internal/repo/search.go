package repo

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// GrepHit is one block of "git grep" output: consecutive lines of one file,
// the matching ones with their context, as GitLab's code search shows them.
type GrepHit struct {
	Path      string
	StartLine int    // number of the block's first line, from 1
	Data      string // the lines, each ending in "\n"
}

const (
	// grepContext is the number of lines shown around a match, as
	// Gitaly's SearchFilesByContent shows them.
	grepContext = "2"
	// maxSearchOutput bounds the bytes read from one search's git process;
	// what comes after is dropped, so no query or repository can make the
	// server buffer without bound.
	maxSearchOutput = 8 << 20
)

// errOutputCap ends a search whose git output passed its budget.
var errOutputCap = errors.New("search output cap reached")

// Grep searches the files of ref for lines containing query, ignoring case:
// GitLab's search_files_by_content. The query is a fixed string, never a
// pattern or an option, and must be one line. Binary files are skipped.
// At most limit blocks are returned; reading stops at maxSearchOutput bytes
// of output, keeping the blocks complete by then. An unknown ref is
// ErrNotFound.
func (r *Repo) Grep(ctx context.Context, ref, query string, limit int) ([]GrepHit, error) {
	return r.grep(ctx, ref, query, limit, maxSearchOutput)
}

func (r *Repo) grep(ctx context.Context, ref, query string, limit, maxBytes int) ([]GrepHit, error) {
	// git splits a pattern at newlines into several; NUL cannot be passed.
	if query == "" || strings.ContainsAny(query, "\x00\n") {
		return nil, fmt.Errorf("%w: grep query", ErrInvalid)
	}
	if limit <= 0 {
		return nil, nil
	}
	sha, err := r.ResolveRef(ctx, ref)
	if err != nil {
		return nil, err
	}
	s, err := r.startSearch(ctx, maxBytes, "grep", "-I", "--fixed-strings", "--ignore-case", "--line-number",
		"--null", "--no-color", "--before-context="+grepContext, "--after-context="+grepContext,
		"-e", query, sha, "--")
	if err != nil {
		return nil, err
	}
	defer s.close()
	// Each line is "<sha>:<path>\0<number>\0<text>\n" (paths may hold
	// newlines, never NUL); "--\n" separates blocks.
	prefix := []byte(sha + ":")
	var hits []GrepHit
	var cur *GrepHit
	var data strings.Builder
	next := 0
	flush := func() {
		if cur != nil {
			cur.Data = data.String()
			hits = append(hits, *cur)
			cur = nil
			data.Reset()
		}
	}
	for len(hits) < limit {
		head, err := s.br.Peek(len(prefix))
		if len(head) == 0 && err == io.EOF {
			flush()
			break
		}
		if bytes.HasPrefix(head, []byte("--\n")) {
			flush()
			if _, err := s.take(3); err != nil {
				return cut(r, s, hits, err)
			}
			continue
		}
		if !bytes.Equal(head, prefix) {
			return nil, s.fail(r, fmt.Errorf("unexpected output %q", head))
		}
		if _, err := s.take(len(prefix)); err != nil {
			return cut(r, s, hits, err)
		}
		p, err := s.readUntil(0)
		if err != nil {
			return cut(r, s, hits, err)
		}
		num, err := s.readUntil(0)
		if err != nil {
			return cut(r, s, hits, err)
		}
		n, err := strconv.Atoi(string(num))
		if err != nil {
			return nil, s.fail(r, fmt.Errorf("bad line number %q", num))
		}
		line, err := s.readUntil('\n')
		if err != nil {
			return cut(r, s, hits, err)
		}
		if cur != nil && (cur.Path != string(p) || n != next) {
			flush() // git separates blocks itself; this only guards
			if len(hits) >= limit {
				break
			}
		}
		if cur == nil {
			cur = &GrepHit{Path: string(p), StartLine: n}
		}
		data.Write(line)
		data.WriteByte('\n')
		next = n + 1
	}
	if len(hits) >= limit {
		return hits[:limit], s.stop()
	}
	// git grep exits 1 when nothing matched.
	if err := s.wait(); err != nil && exitCode(err) != 1 {
		return nil, s.fail(r, err)
	}
	return hits, nil
}

// FilesByName lists the files of ref that name is the path of, or a
// directory of: GitLab's search_files_by_name, which asks
// "git ls-tree -r --full-tree <ref> -- <name>". name is a literal path, never
// a pattern; one no file can have finds nothing. Submodules are left out.
// At most limit files are returned, and at most maxSearchOutput bytes read.
func (r *Repo) FilesByName(ctx context.Context, ref, name string, limit int) ([]TreeEntry, error) {
	if ValidatePath(strings.TrimSuffix(name, "/")) != nil || limit <= 0 {
		return nil, nil
	}
	sha, err := r.ResolveRef(ctx, ref)
	if err != nil {
		return nil, err
	}
	var out []TreeEntry
	// "<mode> <type> <id>\t<path>"
	err = r.lsTree(ctx, 3, func(f []string, p string) bool {
		if f[1] == "blob" {
			out = append(out, TreeEntry{ID: f[2], Name: p[strings.LastIndexByte(p, '/')+1:], Type: f[1], Path: p,
				Mode: displayMode(f[0])})
		}
		return len(out) < limit
	}, sha, "--", name)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// lsTree runs `git ls-tree -r -z --full-tree <args>` and hands visit each
// record's nfields fields (mode, type, id[, size]) and its path; visit
// returning false ends the listing. A listing past maxSearchOutput ends
// there, without an error.
func (r *Repo) lsTree(ctx context.Context, nfields int, visit func(f []string, p string) bool, args ...string) error {
	s, err := r.startSearch(ctx, maxSearchOutput, append([]string{"ls-tree", "-r", "-z", "--full-tree"}, args...)...)
	if err != nil {
		return err
	}
	defer s.close()
	for {
		rec, err := s.readUntil(0)
		switch {
		case errors.Is(err, io.EOF) && len(rec) == 0:
			if err := s.wait(); err != nil {
				return s.fail(r, err)
			}
			return nil
		case errors.Is(err, errOutputCap):
			return s.stop()
		case err != nil:
			return s.fail(r, err)
		}
		meta, p, ok := strings.Cut(string(rec), "\t")
		f := strings.Fields(meta)
		if !ok || len(f) != nfields {
			return s.fail(r, fmt.Errorf("unexpected record %q", rec))
		}
		if !visit(f, p) {
			return s.stop()
		}
	}
}

// CommitsByMessage lists the commits reachable from ref whose message
// contains query, ignoring case, newest first, skipping offset and
// returning at most limit: GitLab's find_commits_by_message. The query is
// a fixed string, never a pattern. An unknown ref is ErrNotFound.
func (r *Repo) CommitsByMessage(ctx context.Context, ref, query string, offset, limit int) ([]*Commit, error) {
	if query == "" || ref == "" {
		return nil, fmt.Errorf("%w: commits by message need a ref and a query", ErrInvalid)
	}
	return r.History(ctx, HistoryOptions{Ref: ref, Message: query, Offset: offset, Limit: limit})
}

// maxInlineBlob is the largest blob BlobHeads reads whole through the
// pooled cat-file; a larger one is streamed by its own process and cut.
const maxInlineBlob = 1 << 20

// BlobHeads reads the first n bytes of blobs by full object id. Ids that
// are missing or not blobs are left out of the map.
func (r *Repo) BlobHeads(ctx context.Context, ids []string, n int) (map[string][]byte, error) {
	out := make(map[string][]byte, len(ids))
	var large []string
	err := r.withCatFile(ctx, func(c *catFile) error {
		clear(out)
		large = large[:0]
		for _, id := range ids {
			if !isHexID(id, 40) {
				continue
			}
			h, _, err := c.do(ctx, "info", id)
			if errors.Is(err, errMissing) || err == nil && h.Type != "blob" {
				continue
			}
			if err != nil {
				return err
			}
			if h.Size > maxInlineBlob {
				large = append(large, id)
				continue
			}
			_, data, err := r.object(ctx, c, id, "blob")
			if err != nil {
				return err
			}
			out[id] = data[:min(n, len(data))]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, id := range large {
		s, err := r.startSearch(ctx, n, "cat-file", "blob", id)
		if err != nil {
			return nil, err
		}
		head, err := s.take(n)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, s.fail(r, err)
		}
		if err := s.stop(); err != nil {
			return nil, err
		}
		out[id] = head
	}
	return out, nil
}

// searchStream is the output of one search's git process, read through a
// byte budget.
type searchStream struct {
	cmd    interface{ Wait() error }
	br     *bufio.Reader
	stderr *limitedWriter
	args   []string
	cancel context.CancelFunc
	left   int // bytes still allowed
	waited bool
	ctx    context.Context
}

// startSearch starts git args in the repository; its output may be read up
// to budget bytes. The process ends with ctx.
func (r *Repo) startSearch(ctx context.Context, budget int, args ...string) (*searchStream, error) {
	cctx, cancel := context.WithCancel(ctx)
	cmd := Command(cctx, r.path, nil, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return nil, fmt.Errorf("%s: %w", args[0], err)
	}
	s := &searchStream{cmd: cmd, br: bufio.NewReaderSize(stdout, 64<<10), stderr: &limitedWriter{n: 4096},
		args: args, cancel: cancel, left: budget, ctx: ctx}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("start %s: %w", args[0], err)
	}
	return s, nil
}

// readUntil reads through the next delim and returns what came before it.
func (s *searchStream) readUntil(delim byte) ([]byte, error) {
	var out []byte
	for {
		frag, err := s.br.ReadSlice(delim)
		if s.left -= len(frag); s.left < 0 {
			return nil, errOutputCap
		}
		out = append(out, frag...)
		switch {
		case err == nil:
			return out[:len(out)-1], nil
		case !errors.Is(err, bufio.ErrBufferFull):
			return out, err
		}
	}
}

// take reads exactly n bytes (fewer only at the end of the output).
func (s *searchStream) take(n int) ([]byte, error) {
	if n > s.left {
		n = s.left + 1 // read one past the budget to know it is passed
	}
	buf := make([]byte, n)
	k, err := io.ReadFull(s.br, buf)
	if s.left -= k; s.left < 0 {
		return buf[:k-1], errOutputCap
	}
	return buf[:k], err
}

// cut ends a search whose reading failed: past the budget it keeps what
// was complete by then; anything else is the search's failure.
func cut[T any](r *Repo, s *searchStream, done []T, err error) ([]T, error) {
	if errors.Is(err, errOutputCap) {
		return done, s.stop()
	}
	return nil, s.fail(r, err)
}

// wait reaps git after its whole output was read.
func (s *searchStream) wait() error {
	s.waited = true
	err := s.cmd.Wait()
	s.cancel()
	if err != nil {
		return &GitError{Args: s.args, Stderr: strings.TrimSpace(s.stderr.String()), Err: err}
	}
	return nil
}

// stop ends git before its output did; only a cancelled caller is an error.
func (s *searchStream) stop() error {
	s.close()
	return s.ctx.Err()
}

func (s *searchStream) close() {
	if !s.waited {
		s.waited = true
		s.cancel()
		_ = s.cmd.Wait()
	}
}

// fail reports a search that went wrong: a cancelled caller gets its
// context's error, a vanished repository ErrNotFound.
func (s *searchStream) fail(r *Repo, err error) error {
	s.close()
	if s.ctx.Err() != nil {
		return s.ctx.Err()
	}
	if !r.Exists() {
		return fmt.Errorf("repository: %w", ErrNotFound)
	}
	return fmt.Errorf("git %s: %w (%s)", s.args[0], err, strings.TrimSpace(s.stderr.String()))
}
