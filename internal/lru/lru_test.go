package lru

import (
	"fmt"
	"testing"
)

func TestBounds(t *testing.T) {
	c := New[string, int](Limits{Entries: 3, Cost: 800, ItemCost: 100})
	c.PutCost("a", 1, 100)
	c.PutCost("b", 2, 100)
	c.PutCost("c", 3, 100)
	c.Get("a") // a is now the most recent
	c.PutCost("d", 4, 100)
	if _, ok := c.Get("b"); ok || c.Len() != 3 {
		t.Fatalf("entry bound: b kept or len %d", c.Len())
	}
	c.PutCost("big", 5, 101) // more than the item limit: not kept
	if _, ok := c.Get("big"); ok {
		t.Fatal("oversized entry kept")
	}
	c.PutCost("a", 6, 50)
	if v, _ := c.Get("a"); v != 6 || c.Cost() != 250 {
		t.Fatalf("replace: %d, cost %d", v, c.Cost())
	}
	c = New[string, int](Limits{Entries: 100, Cost: 800})
	for i := range 20 {
		c.PutCost(fmt.Sprint(i), i, 100)
	}
	if c.Cost() > 800 || c.Len() != 8 {
		t.Fatalf("cost bound: cost %d, len %d", c.Cost(), c.Len())
	}
	// Without an entry limit, only the cost bounds the cache.
	c = New[string, int](Limits{Cost: 3})
	for i := range 5 {
		c.Put(fmt.Sprint(i), i)
	}
	if _, ok := c.Get("1"); ok || c.Len() != 3 {
		t.Fatalf("cost-only bound: 1 kept or len %d", c.Len())
	}
}
