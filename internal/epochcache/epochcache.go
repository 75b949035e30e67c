// Package epochcache holds values derived from the database under the
// epochs read before deriving them (store.DB.Epoch). A value stored under
// one stamp is returned only under that same stamp, and the first store
// under a newer stamp drops everything older, so a change committed
// anywhere empties the caches that depend on it at once. Within a stamp
// eviction takes an arbitrary entry: constant time, never a scan.
package epochcache

import "sync"

// Stamp is the epochs a value was derived under: one or two (the second
// zero when unused).
type Stamp [2]uint64

// atLeast reports whether s is not older than o in either epoch.
func (s Stamp) atLeast(o Stamp) bool { return s[0] >= o[0] && s[1] >= o[1] }

// Cache is a bounded map of values of one stamp; use New or NewCost.
type Cache[K comparable, V any] struct {
	mu         sync.RWMutex
	stamp      Stamp
	m          map[K]V
	maxEntries int
	maxCost    int
	cost       func(V) int
	total      int
}

// New returns a cache of at most maxEntries values.
func New[K comparable, V any](maxEntries int) *Cache[K, V] {
	return &Cache[K, V]{m: map[K]V{}, maxEntries: maxEntries}
}

// NewCost returns a cache whose values' cost adds up to at most maxCost.
func NewCost[K comparable, V any](maxCost int, cost func(V) int) *Cache[K, V] {
	return &Cache[K, V]{m: map[K]V{}, maxCost: maxCost, cost: cost}
}

// Get returns the value under k if it was stored under s.
func (c *Cache[K, V]) Get(k K, s Stamp) (V, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.stamp != s {
		var zero V
		return zero, false
	}
	v, ok := c.m[k]
	return v, ok
}

// Put stores v under k and s. A stamp older than the cache's in either
// epoch means v was read before a change the cache already knows of: it
// is dropped.
func (c *Cache[K, V]) Put(k K, s Stamp, v V) {
	cost := 0
	if c.cost != nil {
		if cost = c.cost(v); cost > c.maxCost {
			return
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case s == c.stamp:
	case s.atLeast(c.stamp):
		clear(c.m)
		c.stamp, c.total = s, 0
	default:
		return
	}
	if old, ok := c.m[k]; ok {
		c.total -= c.costOf(old)
		delete(c.m, k)
	}
	for len(c.m) > 0 && (c.maxEntries > 0 && len(c.m) >= c.maxEntries || c.cost != nil && c.total+cost > c.maxCost) {
		for old, ov := range c.m {
			c.total -= c.costOf(ov)
			delete(c.m, old)
			break
		}
	}
	c.m[k] = v
	c.total += cost
}

func (c *Cache[K, V]) costOf(v V) int {
	if c.cost == nil {
		return 0
	}
	return c.cost(v)
}

// Len returns the number of values held, and their total cost.
func (c *Cache[K, V]) Len() (int, int) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m), c.total
}
