// Package cache is lablet's one in-memory cache: a bounded map split in
// shards, each with its own lock, so that readers never queue behind one
// another and rarely behind a writer.
//
// A value may be kept under a Stamp — the versions of the data it was
// derived from, read before deriving it. It is returned only to a reader
// holding the same stamp, and the first value stored under a newer stamp
// drops every older one of its shard: a committed change empties what
// depends on it at once. Answers that never change (derived from a git
// object id) are kept under the zero stamp.
//
// Eviction is CLOCK ("second chance"): a read marks its entry, and the
// eviction hand passes over a marked entry once, clearing the mark. Hot
// entries stay as under LRU, reads take only a read lock, and eviction is
// constant time on average.
//
// A cache built with Options.Off holds nothing: every Get misses. lablet
// runs that way with LABLET_CACHES=off, so that an answer that differs
// between the two modes shows a cache bug rather than a logic bug.
package cache

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
)

// Stamp is the versions a value was derived under: up to two (the second
// zero when unused).
type Stamp [2]uint64

// atLeast reports whether s is not older than o in either version.
func (s Stamp) atLeast(o Stamp) bool { return s[0] >= o[0] && s[1] >= o[1] }

// Options bound a Cache.
type Options struct {
	// MaxEntries bounds the number of values; 0 means no bound but cost.
	MaxEntries int
	// MaxCost bounds the total cost of the values; 0 means no bound but
	// entries. A value costs what PutCost says, else 1.
	MaxCost int
	// AvgCost is the expected cost of one value, which decides into how
	// many shards a cost budget is split; 0 means 1.
	AvgCost int
	// ItemCost, when not zero, bounds the cost of one value: a dearer one
	// is not kept, so that one huge value cannot flush the rest. It is
	// always at most a shard's share of MaxCost.
	ItemCost int
	// Off makes the cache keep nothing (LABLET_CACHES=off).
	Off bool
}

// Cache is a bounded map of values under stamps; use New.
type Cache[K comparable, V any] struct {
	seed   maphash.Seed
	off    bool
	shards []shard[K, V]
}

type shard[K comparable, V any] struct {
	mu         sync.RWMutex
	stamp      Stamp
	index      map[K]int // key → slot
	slots      []slot[K, V]
	free       []int
	hand       int
	total      int
	maxEntries int
	maxCost    int
	itemCost   int
}

type slot[K comparable, V any] struct {
	key  K
	val  V
	cost int
	live bool
	used atomic.Bool // read since the hand last passed
}

// Shards: large caches split their budget in up to maxShards shards of at
// least minShardEntries values each.
const (
	maxShards       = 16
	minShardEntries = 256
)

// New returns an empty cache bounded by o.
func New[K comparable, V any](o Options) *Cache[K, V] {
	c := &Cache[K, V]{seed: maphash.MakeSeed(), off: o.Off}
	entries := o.MaxEntries
	if entries == 0 {
		entries = o.MaxCost / max(1, o.AvgCost)
	}
	n := max(1, min(maxShards, entries/minShardEntries))
	if o.Off {
		n = 1
	}
	c.shards = make([]shard[K, V], n)
	for i := range c.shards {
		sh := &c.shards[i]
		sh.index = map[K]int{}
		if o.MaxEntries > 0 {
			sh.maxEntries = max(1, o.MaxEntries/n)
		}
		if o.MaxCost > 0 {
			sh.maxCost = max(1, o.MaxCost/n)
			sh.itemCost = sh.maxCost
		}
		if o.ItemCost > 0 && (sh.itemCost == 0 || o.ItemCost < sh.itemCost) {
			sh.itemCost = o.ItemCost
		}
	}
	return c
}

func (c *Cache[K, V]) shard(k K) *shard[K, V] {
	if len(c.shards) == 1 {
		return &c.shards[0]
	}
	return &c.shards[maphash.Comparable(c.seed, k)%uint64(len(c.shards))]
}

// Get returns the value kept under k with the zero stamp.
func (c *Cache[K, V]) Get(k K) (V, bool) { return c.GetAt(k, Stamp{}) }

// GetAt returns the value kept under k if it was stored under s.
func (c *Cache[K, V]) GetAt(k K, s Stamp) (V, bool) {
	var zero V
	if c.off {
		return zero, false
	}
	sh := c.shard(k)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	if sh.stamp != s {
		return zero, false
	}
	i, ok := sh.index[k]
	if !ok {
		return zero, false
	}
	e := &sh.slots[i]
	e.used.Store(true)
	return e.val, true
}

// Put keeps v under k with the zero stamp.
func (c *Cache[K, V]) Put(k K, v V) { c.put(k, Stamp{}, v, 1) }

// PutCost keeps v under k with the zero stamp at the given cost.
func (c *Cache[K, V]) PutCost(k K, v V, cost int) { c.put(k, Stamp{}, v, cost) }

// PutAt keeps v under k and s. A stamp older than the shard's in either
// version means v was derived before a change the cache already knows
// of: it is dropped.
func (c *Cache[K, V]) PutAt(k K, s Stamp, v V) { c.put(k, s, v, 1) }

// PutAtCost is PutAt at the given cost.
func (c *Cache[K, V]) PutAtCost(k K, s Stamp, v V, cost int) { c.put(k, s, v, cost) }

func (c *Cache[K, V]) put(k K, s Stamp, v V, cost int) {
	if c.off {
		return
	}
	cost = max(cost, 1)
	sh := c.shard(k)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	switch {
	case s == sh.stamp:
	case s.atLeast(sh.stamp):
		sh.reset(s)
	default:
		return
	}
	if i, ok := sh.index[k]; ok {
		sh.remove(i)
	}
	if sh.itemCost > 0 && cost > sh.itemCost {
		return
	}
	for len(sh.index) > 0 && (sh.maxEntries > 0 && len(sh.index) >= sh.maxEntries ||
		sh.maxCost > 0 && sh.total+cost > sh.maxCost) {
		sh.evict()
	}
	var i int
	if n := len(sh.free); n > 0 {
		i, sh.free = sh.free[n-1], sh.free[:n-1]
	} else {
		sh.slots = append(sh.slots, slot[K, V]{})
		i = len(sh.slots) - 1
	}
	e := &sh.slots[i]
	e.key, e.val, e.cost, e.live = k, v, cost, true
	e.used.Store(false)
	sh.index[k] = i
	sh.total += cost
}

// reset empties the shard for a newer stamp.
func (sh *shard[K, V]) reset(s Stamp) {
	clear(sh.index)
	clear(sh.slots) // let the values go
	sh.slots, sh.free, sh.hand, sh.total, sh.stamp = sh.slots[:0], sh.free[:0], 0, 0, s
}

func (sh *shard[K, V]) remove(i int) {
	e := &sh.slots[i]
	delete(sh.index, e.key)
	sh.total -= e.cost
	var zero slot[K, V]
	e.key, e.val, e.cost, e.live = zero.key, zero.val, 0, false
	sh.free = append(sh.free, i)
}

// evict removes one entry: the first unmarked one from the hand on,
// clearing the marks it passes. Two turns always find one.
func (sh *shard[K, V]) evict() {
	for range 2*len(sh.slots) + 1 {
		if sh.hand >= len(sh.slots) {
			sh.hand = 0
		}
		i := sh.hand
		sh.hand++
		e := &sh.slots[i]
		if !e.live {
			continue
		}
		if e.used.Swap(false) {
			continue
		}
		sh.remove(i)
		return
	}
}

// Full reports whether storing a new value (of the average cost) would
// evict another, in most shards.
func (c *Cache[K, V]) Full() bool {
	n := 0
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.RLock()
		if sh.maxEntries > 0 && len(sh.index) >= sh.maxEntries ||
			sh.maxCost > 0 && len(sh.index) > 0 && sh.total+sh.total/len(sh.index) > sh.maxCost {
			n++
		}
		sh.mu.RUnlock()
	}
	return n > len(c.shards)/2
}

// Len returns the number of values held and their total cost.
func (c *Cache[K, V]) Len() (n, cost int) {
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.RLock()
		n, cost = n+len(sh.index), cost+sh.total
		sh.mu.RUnlock()
	}
	return n, cost
}
