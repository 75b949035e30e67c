// Package lru is a small mutex-guarded least-recently-used map whose
// entries have a cost, so that caches of lists or bytes are bounded by
// what they hold rather than by their number of entries.
package lru

import (
	"container/list"
	"sync"
)

// Limits bound a Cache. Cost bounds the total cost; Entries, if not zero,
// the number of entries; ItemCost, if not zero, the cost of one value (a
// dearer one is not kept, so that one huge value cannot flush the rest),
// else Cost does.
type Limits struct {
	Cost     int
	Entries  int
	ItemCost int
}

// Cache is a least-recently-used map; use New.
type Cache[K comparable, V any] struct {
	mu     sync.Mutex
	limits Limits
	total  int
	ll     *list.List // front = most recent; elements hold *entry
	items  map[K]*list.Element
}

type entry[K comparable, V any] struct {
	key  K
	val  V
	cost int
}

// New returns an empty Cache with the given limits.
func New[K comparable, V any](l Limits) *Cache[K, V] {
	if l.ItemCost <= 0 || l.ItemCost > l.Cost {
		l.ItemCost = l.Cost
	}
	return &Cache[K, V]{limits: l, ll: list.New(), items: map[K]*list.Element{}}
}

// Get returns the value under k and marks it recently used.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*entry[K, V]).val, true
	}
	var zero V
	return zero, false
}

// Put stores v under k with cost 1.
func (c *Cache[K, V]) Put(k K, v V) { c.PutCost(k, v, 1) }

// PutCost stores v under k with the given cost (at least 1), evicting the
// least recently used entries past the limits. A value dearer than the
// item limit is not stored, and what k held is dropped.
func (c *Cache[K, V]) PutCost(k K, v V, cost int) {
	cost = max(cost, 1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.remove(e)
	}
	if cost > c.limits.ItemCost {
		return
	}
	c.items[k] = c.ll.PushFront(&entry[K, V]{key: k, val: v, cost: cost})
	c.total += cost
	for c.total > c.limits.Cost || c.limits.Entries > 0 && c.ll.Len() > c.limits.Entries {
		c.remove(c.ll.Back())
	}
}

func (c *Cache[K, V]) remove(e *list.Element) {
	ent := e.Value.(*entry[K, V])
	c.ll.Remove(e)
	delete(c.items, ent.key)
	c.total -= ent.cost
}

// Len is the number of entries.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}

// Cost is the total cost of the entries.
func (c *Cache[K, V]) Cost() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}
