// Package epochcache holds values derived from the database under the
// epochs read before deriving them (store.DB.Epoch). A value stored under
// one stamp is returned only under that same stamp, and the first store
// under a newer stamp drops everything older, so a change committed
// anywhere empties the caches that depend on it at once. Within a stamp
// eviction takes an arbitrary entry: constant time, never a scan.
//
// A cache is split in shards by key, each with its own lock and stamp:
// while a cache fills (every request a miss and a store), one lock would
// make all readers queue behind each writer.
package epochcache

import (
	"hash/maphash"
	"sync"
)

// Stamp is the epochs a value was derived under: one or two (the second
// zero when unused).
type Stamp [2]uint64

// atLeast reports whether s is not older than o in either epoch.
func (s Stamp) atLeast(o Stamp) bool { return s[0] >= o[0] && s[1] >= o[1] }

// maxShards is the number of shards of a large cache; small ones (fewer
// than minShardEntries entries per shard) have fewer, down to one.
const (
	maxShards       = 16
	minShardEntries = 256
)

// Cache is a bounded map of values of one stamp; use New or NewCost.
type Cache[K comparable, V any] struct {
	seed   maphash.Seed
	cost   func(V) int
	shards []shard[K, V]
}

type shard[K comparable, V any] struct {
	mu         sync.RWMutex
	stamp      Stamp
	m          map[K]V
	maxEntries int
	maxCost    int
	total      int
}

// New returns a cache of at most maxEntries values.
func New[K comparable, V any](maxEntries int) *Cache[K, V] {
	n := shardsFor(maxEntries)
	c := &Cache[K, V]{seed: maphash.MakeSeed(), shards: make([]shard[K, V], n)}
	for i := range c.shards {
		c.shards[i] = shard[K, V]{m: map[K]V{}, maxEntries: max(1, maxEntries/n)}
	}
	return c
}

func shardsFor(entries int) int {
	return max(1, min(maxShards, entries/minShardEntries))
}

// NewCost returns a cache whose values' cost adds up to at most maxCost.
// avgCost is the expected cost of one value, which decides how many
// shards the budget is split into.
func NewCost[K comparable, V any](maxCost, avgCost int, cost func(V) int) *Cache[K, V] {
	n := shardsFor(maxCost / max(1, avgCost))
	c := &Cache[K, V]{seed: maphash.MakeSeed(), cost: cost, shards: make([]shard[K, V], n)}
	for i := range c.shards {
		c.shards[i] = shard[K, V]{m: map[K]V{}, maxCost: max(1, maxCost/n)}
	}
	return c
}

func (c *Cache[K, V]) shard(k K) *shard[K, V] {
	if len(c.shards) == 1 {
		return &c.shards[0]
	}
	return &c.shards[maphash.Comparable(c.seed, k)%uint64(len(c.shards))]
}

// Get returns the value under k if it was stored under s.
func (c *Cache[K, V]) Get(k K, s Stamp) (V, bool) {
	sh := c.shard(k)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	if sh.stamp != s {
		var zero V
		return zero, false
	}
	v, ok := sh.m[k]
	return v, ok
}

// Put stores v under k and s. A stamp older than the cache's in either
// epoch means v was read before a change the cache already knows of: it
// is dropped. So is a value dearer than a shard's share of the budget.
func (c *Cache[K, V]) Put(k K, s Stamp, v V) {
	sh := c.shard(k)
	cost := c.costOf(v)
	if c.cost != nil && cost > sh.maxCost {
		return
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	switch {
	case s == sh.stamp:
	case s.atLeast(sh.stamp):
		clear(sh.m)
		sh.stamp, sh.total = s, 0
	default:
		return
	}
	if old, ok := sh.m[k]; ok {
		sh.total -= c.costOf(old)
		delete(sh.m, k)
	}
	for len(sh.m) > 0 && (sh.maxEntries > 0 && len(sh.m) >= sh.maxEntries || c.cost != nil && sh.total+cost > sh.maxCost) {
		for old, ov := range sh.m {
			sh.total -= c.costOf(ov)
			delete(sh.m, old)
			break
		}
	}
	sh.m[k] = v
	sh.total += cost
}

func (c *Cache[K, V]) costOf(v V) int {
	if c.cost == nil {
		return 0
	}
	return c.cost(v)
}

// Full reports whether storing a new value (of the average cost) would
// evict another, in most shards.
func (c *Cache[K, V]) Full() bool {
	n := 0
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.RLock()
		if sh.maxEntries > 0 && len(sh.m) >= sh.maxEntries ||
			c.cost != nil && len(sh.m) > 0 && sh.total+sh.total/len(sh.m) > sh.maxCost {
			n++
		}
		sh.mu.RUnlock()
	}
	return n > len(c.shards)/2
}

// Len returns the number of values held, and their total cost.
func (c *Cache[K, V]) Len() (n, cost int) {
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.RLock()
		n, cost = n+len(sh.m), cost+sh.total
		sh.mu.RUnlock()
	}
	return n, cost
}
