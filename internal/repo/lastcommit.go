package repo

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Last commit of a path, for every path at once.
//
// What git answers: "git log -1 <commit> -- <p>" (default history
// simplification) walks from <commit> with a single commit in its queue
// until it shows one, so its answer A(X, p) follows this recursion:
//
//   - X is a root: X if p exists in X (it is "TREESAME to the empty tree"
//     otherwise, and there is nothing left to show);
//   - X has one parent P: X if p's entry differs between P and X, else
//     A(P, p);
//   - X is a merge with parents P1..Pn: A(Pj, p) for the first Pj whose
//     entry at p equals X's (git keeps only that parent), else X.
//
// An "entry" is what sits at p: a mode (canonicalised as git does) and an
// object id, or nothing; a directory at p compares by its tree id.
//
// walkLastCommits evaluates the recursion for every non-directory path of
// a commit's tree in one pass over one "git log --raw" stream: pending
// paths move down the history in groups (a group only splits at merges),
// a single-parent commit's raw diff says which pending paths it changed,
// and at a merge the entries are compared in Go through cat-file. Paths
// that reach a commit the stream has already passed (possible with clock
// skew in git's date order), or that are still pending when the walk is cut
// off, are left out; LastCommitIDForPath then asks git for that one path.

// pathCommits is the last commit of the paths of one commit's tree.
type pathCommits struct {
	ids   []string         // distinct commit ids
	paths map[string]int32 // path → index into ids
}

// maxWalkCommits bounds one walk; paths not resolved within it fall back to
// one git process per path.
const maxWalkCommits = 20000

// maxWalkPaths bounds the files of one walk (and what it caches): a larger
// tree gets an empty answer, cached, so its paths go to git one by one.
const maxWalkPaths = 1 << 17

// errTooManyPaths stops listing a tree past maxWalkPaths.
var errTooManyPaths = errors.New("too many paths")

// walkTimeout bounds one walk, whoever waits for it.
const walkTimeout = time.Minute

// LastCommitIDForPath returns the id of the newest commit reachable from
// rev that touched p, as "git log -1 <rev> -- <p>" finds it, or ErrNotFound.
// For a full commit id one history walk answers every file of that commit
// (see walkLastCommits) and is cached.
func (r *Repo) LastCommitIDForPath(ctx context.Context, rev, p string) (string, error) {
	full := len(rev) == 40 && isHexID(rev, 40)
	if full {
		pc, err := r.pathCommitsAt(ctx, rev)
		if err == nil {
			if i, ok := pc.paths[p]; ok {
				return pc.ids[i], nil
			}
		} else if ctx.Err() != nil {
			return "", ctx.Err()
		}
		// A path the walk did not resolve (not a file of that tree,
		// or cut off), or the walk failed: ask git for this path.
	}
	key := lastCommitKey{repo: r.path, commit: rev, path: p}
	if full {
		if id, ok := r.cache.lastCommits.Get(key); ok {
			return id, nil
		}
	}
	ids, err := r.historyIDs(ctx, HistoryOptions{Ref: rev, Path: p, Limit: 1})
	if err != nil {
		return "", err
	}
	if len(ids) == 0 {
		return "", fmt.Errorf("no commit touches %q: %w", p, ErrNotFound)
	}
	if full {
		r.cache.lastCommits.Put(key, ids[0])
	}
	return ids[0], nil
}

// LastCommitForPath returns the newest commit reachable from rev that
// touched p (see LastCommitIDForPath). Callers get their own copy.
func (r *Repo) LastCommitForPath(ctx context.Context, rev, p string) (*Commit, error) {
	id, err := r.LastCommitIDForPath(ctx, rev, p)
	if err != nil {
		return nil, err
	}
	cs, err := r.CommitsByID(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	c, ok := cs[id]
	if !ok {
		return nil, fmt.Errorf("commit %s: %w", id, ErrNotFound)
	}
	return c, nil
}

// pathCommitsAt returns the cached walk for a full commit id, running it
// once for concurrent callers.
func (r *Repo) pathCommitsAt(ctx context.Context, commit string) (*pathCommits, error) {
	key := commitKey{repo: r.path, id: commit}
	if pc, ok := r.cache.pathCommits.Get(key); ok {
		return pc, nil
	}
	return r.cache.walks.do(ctx, key, walkTimeout, func(ctx context.Context) (*pathCommits, error) {
		if pc, ok := r.cache.pathCommits.Get(key); ok {
			return pc, nil
		}
		pc, err := r.walkLastCommits(ctx, commit)
		if err != nil {
			return nil, err
		}
		r.cache.pathCommits.PutCost(key, pc, len(pc.paths)+1)
		return pc, nil
	})
}

// treeEntry is one tree entry with its mode canonicalised as git compares
// modes (canon_mode): any regular file is 100644 or 100755.
type treeEntry struct {
	mode uint32
	oid  string
}

const (
	modeTree    = 0o040000
	modeFile    = 0o100644
	modeExec    = 0o100755
	modeSymlink = 0o120000
	modeGitlink = 0o160000
)

func canonMode(s string) uint32 {
	m, err := strconv.ParseUint(s, 8, 32)
	if err != nil {
		return modeGitlink // git's canon_mode maps anything unknown there too
	}
	switch m & 0o170000 {
	case 0o100000:
		if m&0o100 != 0 {
			return modeExec
		}
		return modeFile
	case 0o120000:
		return modeSymlink
	case 0o040000:
		return modeTree
	}
	return modeGitlink
}

// walker holds one walk's state: a cat-file process for trees and the
// trees read so far.
type walker struct {
	r     *Repo
	c     *catFile
	trees map[string]map[string]treeEntry
}

func (w *walker) tree(ctx context.Context, oid string) (map[string]treeEntry, error) {
	if t, ok := w.trees[oid]; ok {
		return t, nil
	}
	_, data, err := w.r.object(ctx, w.c, oid, "tree")
	if err != nil {
		return nil, err
	}
	raw, err := parseTree(data, idLen)
	if err != nil {
		return nil, fmt.Errorf("tree %s: %w", oid, err)
	}
	t := make(map[string]treeEntry, len(raw))
	for _, e := range raw {
		t[e.name] = treeEntry{mode: canonMode(e.mode), oid: e.oid}
	}
	w.trees[oid] = t
	return t, nil
}

// files lists every non-directory path below tree oid.
func (w *walker) files(ctx context.Context, oid, prefix string, out []string) ([]string, error) {
	t, err := w.tree(ctx, oid)
	if err != nil {
		return nil, err
	}
	for name, e := range t {
		if len(out) > maxWalkPaths {
			return nil, errTooManyPaths
		}
		if e.mode == modeTree {
			if out, err = w.files(ctx, e.oid, prefix+name+"/", out); err != nil {
				return nil, err
			}
			continue
		}
		out = append(out, prefix+name)
	}
	return out, nil
}

// entryAt returns the entry at path p below tree oid.
func (w *walker) entryAt(ctx context.Context, oid, p string) (treeEntry, bool, error) {
	for {
		t, err := w.tree(ctx, oid)
		if err != nil {
			return treeEntry{}, false, err
		}
		name, rest, more := strings.Cut(p, "/")
		e, ok := t[name]
		if !more || !ok {
			return e, ok, nil
		}
		if e.mode != modeTree {
			return treeEntry{}, false, nil
		}
		oid, p = e.oid, rest
	}
}

// sameEntry reports whether trees a and b hold the same entry at p (both
// nothing counts as the same), descending only while they differ.
func (w *walker) sameEntry(ctx context.Context, a, b, p string) (bool, error) {
	for a != b {
		ta, err := w.tree(ctx, a)
		if err != nil {
			return false, err
		}
		tb, err := w.tree(ctx, b)
		if err != nil {
			return false, err
		}
		name, rest, more := strings.Cut(p, "/")
		ea, oka := ta[name]
		eb, okb := tb[name]
		if !more {
			return oka == okb && ea == eb, nil
		}
		da, db := oka && ea.mode == modeTree, okb && eb.mode == modeTree
		switch {
		case !da && !db:
			return true, nil // nothing at p on either side
		case !da:
			_, ok, err := w.entryAt(ctx, eb.oid, rest)
			return !ok, err
		case !db:
			_, ok, err := w.entryAt(ctx, ea.oid, rest)
			return !ok, err
		}
		a, b, p = ea.oid, eb.oid, rest
	}
	return true, nil
}

// commitTree returns the tree id of a commit.
func (w *walker) commitTree(ctx context.Context, commit string) (string, error) {
	h, _, err := w.c.do(ctx, "info", commit+"^{tree}")
	if errors.Is(err, errMissing) {
		return "", fmt.Errorf("commit %s: %w", commit, ErrNotFound)
	}
	return h.OID, err
}

// walkLastCommits computes the last commit of every non-directory path of
// commit's tree (see the comment at the top of this file).
func (r *Repo) walkLastCommits(ctx context.Context, commit string) (*pathCommits, error) {
	c, err := r.pool.get(r.path)
	if err != nil {
		if !r.Exists() {
			return nil, fmt.Errorf("repository: %w", ErrNotFound)
		}
		return nil, err
	}
	defer func() { r.pool.put(c) }()
	w := &walker{r: r, c: c, trees: map[string]map[string]treeEntry{}}
	h, data, err := r.object(ctx, c, commit, "commit")
	if err != nil {
		return nil, err
	}
	root, err := parseCommit(h.OID, data)
	if err != nil {
		return nil, err
	}
	paths, err := w.files(ctx, root.Tree, "", nil)
	if errors.Is(err, errTooManyPaths) {
		return &pathCommits{paths: map[string]int32{}}, nil
	}
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	answer := make([]int32, len(paths)) // index into ids, or -1
	for i := range answer {
		answer[i] = -1
	}
	out := &pathCommits{paths: make(map[string]int32, len(paths))}
	left := len(paths)
	if left == 0 {
		return out, nil
	}
	var ids []string
	idIndex := map[string]int32{}
	resolve := func(i int32, id string) {
		k, ok := idIndex[id]
		if !ok {
			k = int32(len(ids))
			idIndex[id] = k
			ids = append(ids, id)
		}
		answer[i] = k
		left--
	}
	all := make([]int32, len(paths))
	for i := range all {
		all[i] = int32(i)
	}
	pending := map[string][]int32{commit: all}
	passed := map[string]bool{}

	// process evaluates the recursion at commit x for the paths pending
	// there, once x's raw diff (changed paths; single parent only) is read.
	process := func(x, tree string, parents []string, changed map[string]bool) error {
		passed[x] = true
		set := pending[x]
		if len(set) == 0 {
			return nil
		}
		delete(pending, x)
		forward := func(parent string, is ...int32) {
			switch {
			case passed[parent]: // the stream is past it: per-path fallback
			case len(pending[parent]) == 0:
				pending[parent] = is
			default:
				pending[parent] = append(pending[parent], is...)
			}
		}
		// A commit walked before answers for every path of its tree.
		if pc, ok := r.cache.pathCommits.Get(commitKey{repo: r.path, id: x}); ok {
			rest := set[:0]
			for _, i := range set {
				if j, ok := pc.paths[paths[i]]; ok {
					resolve(i, pc.ids[j])
				} else {
					rest = append(rest, i)
				}
			}
			if set = rest; len(set) == 0 {
				return nil
			}
		}
		switch len(parents) {
		case 0:
			for _, i := range set {
				resolve(i, x) // p is in x: its entry is the one it has at the start
			}
		case 1:
			rest := set[:0] // set is no longer pending anywhere: reuse it
			for _, i := range set {
				if changed[paths[i]] {
					resolve(i, x)
				} else {
					rest = append(rest, i)
				}
			}
			forward(parents[0], rest...)
		default:
			ptrees := make([]string, len(parents))
			for j, p := range parents {
				t, err := w.commitTree(ctx, p)
				if err != nil {
					return err
				}
				ptrees[j] = t
			}
		next:
			for _, i := range set {
				for j, pt := range ptrees {
					same, err := w.sameEntry(ctx, tree, pt, paths[i])
					if err != nil {
						return err
					}
					if same {
						forward(parents[j], i)
						continue next
					}
				}
				resolve(i, x)
			}
		}
		return nil
	}

	wctx, stop := context.WithCancel(ctx)
	defer stop()
	cmd := Command(wctx, r.path, nil, "log", "-z", "--raw", "--no-abbrev", "--no-renames", "--no-diff-merges",
		"--format=%H %T %P", "--end-of-options", commit)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("last commits: %w", err)
	}
	stderr := &limitedWriter{n: 4096}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("last commits: start git log: %w", err)
	}
	waited := false
	defer func() {
		if !waited {
			stop()
			_ = cmd.Wait()
		}
	}()
	br := bufio.NewReaderSize(stdout, 64<<10)
	token := func() (string, error) {
		s, err := br.ReadString(0)
		switch {
		case err == io.EOF && s == "":
			return "", io.EOF
		case err == io.EOF:
			return "", io.ErrUnexpectedEOF
		case err != nil:
			return "", err
		}
		return s[:len(s)-1], nil
	}
	var (
		cur     []string // header fields of the commit being read: id, tree, parents
		changed map[string]bool
		walked  int
		ended   bool // git's whole output was read
	)
	flush := func() error {
		if cur == nil {
			return nil
		}
		err := process(cur[0], cur[1], cur[2:], changed)
		cur, changed = nil, nil
		return err
	}
	for left > 0 {
		tok, err := token()
		if err == io.EOF {
			ended = true
			if err := flush(); err != nil {
				return nil, err
			}
			break
		}
		if err != nil {
			return nil, r.walkError(ctx, stderr, err)
		}
		tok = strings.TrimPrefix(tok, "\n")
		if strings.HasPrefix(tok, ":") { // raw diff record; the path follows
			p, err := token()
			if err != nil {
				return nil, r.walkError(ctx, stderr, err)
			}
			if cur != nil && len(pending[cur[0]]) > 0 {
				if changed == nil {
					changed = map[string]bool{}
				}
				changed[p] = true
			}
			continue
		}
		if err := flush(); err != nil {
			return nil, err
		}
		if walked++; walked > maxWalkCommits {
			break
		}
		f := strings.Fields(tok)
		if len(f) < 2 || !isHexID(f[0], 40) || !isHexID(f[1], 40) {
			return nil, fmt.Errorf("last commits: unexpected git log record %q", tok)
		}
		cur = f
	}
	if !ended {
		stop() // everything needed is known, or the walk is cut off
	}
	waited = true
	if err := cmd.Wait(); err != nil && ended {
		return nil, r.walkError(ctx, stderr, err)
	}
	out.ids = ids
	for i, a := range answer {
		if a >= 0 {
			out.paths[paths[i]] = a
		}
	}
	return out, nil
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
