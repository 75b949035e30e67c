package repo

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sort"
	"strings"
)

// walk is one evaluation of the last-commit recursion (lastcommit.go) for
// every file of one commit's tree: which paths are answered, and which are
// still pending at which commit of the history.
type walk struct {
	r     *Repo
	trees *treeReader
	paths []string // the tree's files, sorted

	answer  []int32          // per path: index into ids, or -1
	ids     []string         // distinct answering commits
	idIndex map[string]int32 // commit id → index into ids
	left    int              // paths not answered yet

	pending map[string][]int32 // commit → paths (indexes) whose answer is at or below it
	passed  map[string]bool    // commits the log stream has passed
}

// walkLastCommits computes the last commit of every non-directory path of
// commit's tree in one pass over "git log --raw" (see the comment at the
// top of lastcommit.go).
func (r *Repo) walkLastCommits(ctx context.Context, commit string) (*pathCommits, error) {
	c, err := r.pool.get(r.path)
	if err != nil {
		if !r.Exists() {
			return nil, fmt.Errorf("repository: %w", ErrNotFound)
		}
		return nil, err
	}
	defer func() { r.pool.put(c) }()
	w, err := r.newWalk(ctx, c, commit)
	if errors.Is(err, errTooManyPaths) {
		return &pathCommits{paths: map[string]int32{}}, nil
	}
	if err != nil {
		return nil, err
	}
	if w.left > 0 {
		if err := w.run(ctx, commit); err != nil {
			return nil, err
		}
	}
	return w.result(), nil
}

// newWalk lists commit's files, all pending at commit.
func (r *Repo) newWalk(ctx context.Context, c *catFile, commit string) (*walk, error) {
	trees := &treeReader{r: r, c: c, trees: map[string]map[string]treeEntry{}}
	h, data, err := r.object(ctx, c, commit, "commit")
	if err != nil {
		return nil, err
	}
	root, err := parseCommit(h.OID, data)
	if err != nil {
		return nil, err
	}
	paths, err := trees.files(ctx, root.Tree, "", nil)
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	w := &walk{r: r, trees: trees, paths: paths, answer: make([]int32, len(paths)), idIndex: map[string]int32{},
		left: len(paths), pending: map[string][]int32{}, passed: map[string]bool{}}
	all := make([]int32, len(paths))
	for i := range paths {
		w.answer[i] = -1
		all[i] = int32(i)
	}
	w.pending[commit] = all
	return w, nil
}

// result is what the walk answered.
func (w *walk) result() *pathCommits {
	out := &pathCommits{ids: w.ids, paths: make(map[string]int32, len(w.paths)-w.left)}
	for i, a := range w.answer {
		if a >= 0 {
			out.paths[w.paths[i]] = a
		}
	}
	return out
}

// resolve answers path i with commit id.
func (w *walk) resolve(i int32, id string) {
	k, ok := w.idIndex[id]
	if !ok {
		k = int32(len(w.ids))
		w.idIndex[id] = k
		w.ids = append(w.ids, id)
	}
	w.answer[i] = k
	w.left--
}

// forward moves paths is down to parent, unless the stream has passed it
// already (clock skew in git's date order): those paths stay unanswered
// and fall back to one git process each.
func (w *walk) forward(parent string, is ...int32) {
	switch {
	case w.passed[parent]:
	case len(w.pending[parent]) == 0:
		w.pending[parent] = is
	default:
		w.pending[parent] = append(w.pending[parent], is...)
	}
}

// wants reports whether paths are pending at commit x, so that its raw
// diff is worth keeping.
func (w *walk) wants(x string) bool { return len(w.pending[x]) > 0 }

// process evaluates the recursion at commit x for the paths pending there,
// once x's raw diff (changed paths; single parent only) is read.
func (w *walk) process(ctx context.Context, x, tree string, parents []string, changed map[string]bool) error {
	w.passed[x] = true
	set := w.pending[x]
	if len(set) == 0 {
		return nil
	}
	delete(w.pending, x)
	if set = w.fromCache(x, set); len(set) == 0 {
		return nil
	}
	switch len(parents) {
	case 0:
		for _, i := range set {
			w.resolve(i, x) // p is in x: its entry is the one it has at the start
		}
	case 1:
		rest := set[:0] // set is no longer pending anywhere: reuse it
		for _, i := range set {
			if changed[w.paths[i]] {
				w.resolve(i, x)
			} else {
				rest = append(rest, i)
			}
		}
		w.forward(parents[0], rest...)
	default:
		return w.merge(ctx, x, tree, parents, set)
	}
	return nil
}

// fromCache answers what an earlier walk of x answered (a walk answers for
// every file of its commit's tree) and returns the rest of set.
func (w *walk) fromCache(x string, set []int32) []int32 {
	pc, ok := w.r.cache.pathCommits.Get(commitKey{repo: w.r.path, id: x})
	if !ok {
		return set
	}
	rest := set[:0]
	for _, i := range set {
		if j, ok := pc.paths[w.paths[i]]; ok {
			w.resolve(i, pc.ids[j])
		} else {
			rest = append(rest, i)
		}
	}
	return rest
}

// merge follows each path of set at merge x to the first parent holding
// the same entry (git keeps only that parent), or answers x.
func (w *walk) merge(ctx context.Context, x, tree string, parents []string, set []int32) error {
	ptrees := make([]string, len(parents))
	for j, p := range parents {
		t, err := w.trees.commitTree(ctx, p)
		if err != nil {
			return err
		}
		ptrees[j] = t
	}
next:
	for _, i := range set {
		for j, pt := range ptrees {
			same, err := w.trees.sameEntry(ctx, tree, pt, w.paths[i])
			if err != nil {
				return err
			}
			if same {
				w.forward(parents[j], i)
				continue next
			}
		}
		w.resolve(i, x)
	}
	return nil
}

// run reads "git log --raw" from commit until every path is answered, the
// history ends or the walk is cut off at maxWalkCommits.
func (w *walk) run(ctx context.Context, commit string) error {
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	log, err := startLog(wctx, w.r.path, commit)
	if err != nil {
		return err
	}
	defer log.close(stop)
	walked := 0
	for w.left > 0 {
		header, changed, err := log.next(w.wants)
		if err == io.EOF {
			return log.wait(ctx, w.r)
		}
		if err != nil {
			return w.r.walkError(ctx, log.stderr, err)
		}
		if walked++; walked > maxWalkCommits {
			return nil
		}
		if err := w.process(ctx, header[0], header[1], header[2:], changed); err != nil {
			return err
		}
	}
	return nil
}

// logStream reads "git log -z --raw --format=%H %T %P": a header token per
// commit, then a token pair (":<modes and ids>", path) per changed path.
type logStream struct {
	cmd    *exec.Cmd
	br     *bufio.Reader
	stderr *limitedWriter
	// peeked is the next commit's header, read while collecting the
	// previous commit's changes.
	peeked []string
	waited bool
}

func startLog(ctx context.Context, dir, commit string) (*logStream, error) {
	cmd := Command(ctx, dir, nil, "log", "-z", "--raw", "--no-abbrev", "--no-renames", "--no-diff-merges",
		"--format=%H %T %P", "--end-of-options", commit)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("last commits: %w", err)
	}
	l := &logStream{cmd: cmd, br: bufio.NewReaderSize(stdout, 64<<10), stderr: &limitedWriter{n: 4096}}
	cmd.Stderr = l.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("last commits: start git log: %w", err)
	}
	return l, nil
}

// token reads one NUL-terminated field.
func (l *logStream) token() (string, error) {
	s, err := l.br.ReadString(0)
	switch {
	case err == io.EOF && s == "":
		return "", io.EOF
	case err == io.EOF:
		return "", io.ErrUnexpectedEOF
	case err != nil:
		return "", err
	}
	return strings.TrimPrefix(s[:len(s)-1], "\n"), nil
}

// next returns the next commit's header (id, tree, parents…) and, when
// wants(id), the paths its raw diff changed; io.EOF after the last.
func (l *logStream) next(wants func(string) bool) (header []string, changed map[string]bool, err error) {
	header = l.peeked
	l.peeked = nil
	if header == nil {
		tok, err := l.token()
		if err != nil {
			return nil, nil, err
		}
		if header, err = parseLogHeader(tok); err != nil {
			return nil, nil, err
		}
	}
	keep := wants(header[0])
	for {
		tok, err := l.token()
		if err == io.EOF {
			return header, changed, nil // the last commit; EOF comes next call
		}
		if err != nil {
			return nil, nil, err
		}
		if !strings.HasPrefix(tok, ":") {
			if l.peeked, err = parseLogHeader(tok); err != nil {
				return nil, nil, err
			}
			return header, changed, nil
		}
		p, err := l.token() // a raw diff record; the path follows
		if err != nil {
			return nil, nil, err
		}
		if keep {
			if changed == nil {
				changed = map[string]bool{}
			}
			changed[p] = true
		}
	}
}

func parseLogHeader(tok string) ([]string, error) {
	f := strings.Fields(tok)
	if len(f) < 2 || !isHexID(f[0], 40) || !isHexID(f[1], 40) {
		return nil, fmt.Errorf("last commits: unexpected git log record %q", tok)
	}
	return f, nil
}

// wait reaps git after its whole output was read.
func (l *logStream) wait(ctx context.Context, r *Repo) error {
	l.waited = true
	if err := l.cmd.Wait(); err != nil {
		return r.walkError(ctx, l.stderr, err)
	}
	return nil
}

// close stops git if the walk ended before its output did.
func (l *logStream) close(stop context.CancelFunc) {
	if !l.waited {
		stop()
		_ = l.cmd.Wait()
	}
}

func (r *Repo) walkError(ctx context.Context, stderr *limitedWriter, err error) error {
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	if !r.Exists() {
		return fmt.Errorf("repository: %w", ErrNotFound)
	}
	return fmt.Errorf("last commits: git log: %w (%s)", err, strings.TrimSpace(stderr.String()))
}
