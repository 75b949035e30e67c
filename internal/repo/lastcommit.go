package repo

import (
	"context"
	"errors"
	"fmt"
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
	return r.cache.walks.Do(ctx, key, walkTimeout, func(ctx context.Context) (*pathCommits, error) {
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

// treeReader reads trees for one walk through one cat-file process,
// keeping the trees it read.
type treeReader struct {
	r     *Repo
	c     *catFile
	trees map[string]map[string]treeEntry
}

func (w *treeReader) tree(ctx context.Context, oid string) (map[string]treeEntry, error) {
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
func (w *treeReader) files(ctx context.Context, oid, prefix string, out []string) ([]string, error) {
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
func (w *treeReader) entryAt(ctx context.Context, oid, p string) (treeEntry, bool, error) {
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
func (w *treeReader) sameEntry(ctx context.Context, a, b, p string) (bool, error) {
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
func (w *treeReader) commitTree(ctx context.Context, commit string) (string, error) {
	h, _, err := w.c.do(ctx, "info", commit+"^{tree}")
	if errors.Is(err, errMissing) {
		return "", fmt.Errorf("commit %s: %w", commit, ErrNotFound)
	}
	return h.OID, err
}
