package githttp

import (
	"container/list"
	"sync"
)

// lru is a mutex-guarded least-recently-used map whose entries have a
// cost (bytes held); the total cost and the number of entries are bounded.
type lru[K comparable, V any] struct {
	mu         sync.Mutex
	maxCost    int
	maxEntries int
	cost       int
	ll         *list.List // front = most recent; elements hold *lruEntry
	items      map[K]*list.Element
}

type lruEntry[K comparable, V any] struct {
	key  K
	val  V
	cost int
}

func newLRU[K comparable, V any](maxEntries, maxCost int) *lru[K, V] {
	return &lru[K, V]{maxCost: maxCost, maxEntries: maxEntries, ll: list.New(), items: map[K]*list.Element{}}
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

// put stores v; a value costing more than an eighth of the budget is not
// kept (one huge repository must not flush everyone else), and any older
// value under k is dropped.
func (c *lru[K, V]) put(k K, v V, cost int) {
	cost = max(cost, 1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.remove(e)
	}
	if cost > c.maxCost/8 {
		return
	}
	c.items[k] = c.ll.PushFront(&lruEntry[K, V]{key: k, val: v, cost: cost})
	c.cost += cost
	for c.cost > c.maxCost || c.ll.Len() > c.maxEntries {
		c.remove(c.ll.Back())
	}
}

func (c *lru[K, V]) remove(e *list.Element) {
	ent := e.Value.(*lruEntry[K, V])
	c.ll.Remove(e)
	delete(c.items, ent.key)
	c.cost -= ent.cost
}

// len and totalCost are for tests.
func (c *lru[K, V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}

func (c *lru[K, V]) totalCost() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cost
}
