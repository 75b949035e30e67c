package repo

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// lru is a small mutex-guarded least-recently-used map. Each entry has a
// cost (1 unless given) and the total cost is bounded, so caches of lists
// can be bounded by what they hold rather than by their number of entries.
type lru[K comparable, V any] struct {
	mu    sync.Mutex
	max   int
	total int
	ll    *list.List // front = most recent; elements hold *lruEntry
	items map[K]*list.Element
}

type lruEntry[K comparable, V any] struct {
	key  K
	val  V
	cost int
}

func newLRU[K comparable, V any](max int) *lru[K, V] {
	return &lru[K, V]{max: max, ll: list.New(), items: map[K]*list.Element{}}
}

func (c *lru[K, V]) get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*lruEntry[K, V]).val, true
	}
	var zero V
	return zero, false
}

func (c *lru[K, V]) put(k K, v V) { c.putCost(k, v, 1) }

// putCost stores v with the given cost; a value costing more than the
// whole cache is not stored.
func (c *lru[K, V]) putCost(k K, v V, cost int) {
	cost = max(cost, 1)
	if cost > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		ent := e.Value.(*lruEntry[K, V])
		c.total += cost - ent.cost
		ent.val, ent.cost = v, cost
		c.ll.MoveToFront(e)
	} else {
		c.items[k] = c.ll.PushFront(&lruEntry[K, V]{key: k, val: v, cost: cost})
		c.total += cost
	}
	for c.total > c.max {
		old := c.ll.Back()
		ent := old.Value.(*lruEntry[K, V])
		c.ll.Remove(old)
		delete(c.items, ent.key)
		c.total -= ent.cost
	}
}

// flight runs one computation per key at a time: concurrent callers for the
// same key wait for the first one's answer instead of repeating the work.
type flight[K comparable, V any] struct {
	mu    sync.Mutex
	calls map[K]*flightCall[V]
}

type flightCall[V any] struct {
	done chan struct{}
	val  V
	err  error
}

// do returns fn's answer for k. fn runs detached from any one caller's
// cancellation (others may be waiting for it), bounded by timeout; a
// caller whose ctx ends stops waiting.
func (f *flight[K, V]) do(ctx context.Context, k K, timeout time.Duration, fn func(context.Context) (V, error)) (V, error) {
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

// caches holds one Store's read caches (OpenPath repositories get their
// own). Keys start with the repository directory. Answers derived from an
// object id (a commit pins its whole history) never change and are only
// bounded; answers derived from refs carry the repository's RefsVersion in
// their key, so a ref change makes them miss and they age out.
type caches struct {
	once sync.Once

	// lastCommits: LastCommitIDForPath answers git gave for one path.
	lastCommits *lru[lastCommitKey, string]
	// pathCommits: the last commit of every file of a commit's tree, from
	// one history walk; cost = number of paths.
	pathCommits *lru[commitKey, *pathCommits]
	walks       flight[commitKey, *pathCommits]
	// commits: parsed commits by id.
	commits *lru[commitKey, Commit]
	// trees: Tree listings at a full commit id; cost = entries.
	trees *lru[treeKey, []TreeEntry]
	// dirs: one directory's raw entries at a full commit id (Blob).
	dirs *lru[treeKey, []rawEntry]
	// history: rev-list answers (commit ids) by their full argument list;
	// cost = ids.
	history *lru[historyKey, []string]
	// refs: ref name → object id ("" for none), under a refs version.
	refs *lru[refKey, string]
	// resolved: user revision → commit id, under a refs version.
	resolved *lru[refKey, string]
	// branches: the branch list under a refs version; cost = branches.
	branches *lru[versionKey, []Branch]
	// merged: MergedBranches answers under a refs version.
	merged *lru[mergedKey, map[string]bool]
	// stats: the line stats of commits CommitFiles wrote whose every
	// action created a file: they follow from the contents alone, so the
	// stats GitLab shows for a new commit need no "diff-tree" process.
	// Keyed by repository and commit id, immutable.
	stats *lru[statsKey, Stats]
}

func (c *caches) init() *caches {
	c.once.Do(func() {
		c.lastCommits = newLRU[lastCommitKey, string](8192)
		c.pathCommits = newLRU[commitKey, *pathCommits](1 << 19)
		c.commits = newLRU[commitKey, Commit](16384)
		c.trees = newLRU[treeKey, []TreeEntry](1 << 17)
		c.dirs = newLRU[treeKey, []rawEntry](1 << 17)
		c.history = newLRU[historyKey, []string](1 << 17)
		c.refs = newLRU[refKey, string](1 << 15)
		c.resolved = newLRU[refKey, string](1 << 15)
		c.branches = newLRU[versionKey, []Branch](1 << 17)
		c.merged = newLRU[mergedKey, map[string]bool](1024)
		c.stats = newLRU[statsKey, Stats](1024)
	})
	return c
}

// lastCommitKey names a LastCommitIDForPath answer: the repository, the
// starting commit's full id and the path. The commit id fixes every
// ancestor, so the answer never changes (the repository is part of the key
// only so that a repository never answers for a commit it lacks).
type lastCommitKey struct{ repo, commit, path string }

// commitKey names what is derived from one commit of a repository.
type commitKey struct{ repo, id string }

// treeKey names a Tree listing.
type treeKey struct {
	repo, commit, path string
	recursive          bool
}

// historyKey names a History answer: refsVersion is 0 unless the walk
// starts from every branch and tag.
type historyKey struct {
	repo        string
	refsVersion uint64
	args        string
}

// refKey names an answer read from refs under a refs version.
type refKey struct {
	repo    string
	version uint64
	name    string
}

// versionKey names a repository's refs at one version.
type versionKey struct {
	repo    string
	version uint64
}

// mergedKey names a MergedBranches answer: the branches at a refs version
// and the commit merged into.
type mergedKey struct {
	repo    string
	version uint64
	into    string
}
