package repo

import (
	"container/list"
	"sync"
)

// lru is a small mutex-guarded least-recently-used map for values derived
// from immutable git objects (a commit id pins its whole history), which
// therefore never need invalidation, only a bound on memory.
type lru[K comparable, V any] struct {
	mu    sync.Mutex
	max   int
	ll    *list.List // front = most recent; elements hold *lruEntry
	items map[K]*list.Element
}

type lruEntry[K comparable, V any] struct {
	key K
	val V
}

func newLRU[K comparable, V any](max int) *lru[K, V] {
	return &lru[K, V]{max: max, ll: list.New(), items: make(map[K]*list.Element, max)}
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

func (c *lru[K, V]) put(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		e.Value.(*lruEntry[K, V]).val = v
		c.ll.MoveToFront(e)
		return
	}
	c.items[k] = c.ll.PushFront(&lruEntry[K, V]{key: k, val: v})
	for c.ll.Len() > c.max {
		old := c.ll.Back()
		c.ll.Remove(old)
		delete(c.items, old.Value.(*lruEntry[K, V]).key)
	}
}

// lastCommitKey names a LastCommitForPath answer: the repository, the
// starting commit's full id and the path. The commit id fixes every
// ancestor, so the answer never changes (the repository is part of the key
// only so that a repository never answers for a commit it lacks).
type lastCommitKey struct{ repo, commit, path string }

// lastCommits caches LastCommitForPath for full commit ids: the history
// walk it saves costs a git process per file read.
var lastCommits = newLRU[lastCommitKey, Commit](8192)

// commitKey names a parsed commit: its repository and full object id.
type commitKey struct{ repo, id string }

// commitCache keeps parsed commits read by CommitsByID (branch listings
// show one per branch); an object id's content never changes.
var commitCache = newLRU[commitKey, Commit](16384)
