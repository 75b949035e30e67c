package epochcache

import "testing"

func TestStamps(t *testing.T) {
	c := New[string, int](10)
	c.Put("a", Stamp{1, 1}, 1)
	if v, ok := c.Get("a", Stamp{1, 1}); !ok || v != 1 {
		t.Fatalf("same stamp: %d %v", v, ok)
	}
	for _, s := range []Stamp{{0, 1}, {1, 0}, {2, 1}, {1, 2}} {
		if _, ok := c.Get("a", s); ok {
			t.Fatalf("read under %v", s)
		}
	}
	c.Put("b", Stamp{0, 5}, 2) // older in one epoch: read before a known change
	c.Put("b", Stamp{2, 0}, 2)
	if n, _ := c.Len(); n != 1 {
		t.Fatalf("a stale or incomparable stamp was stored: %d entries", n)
	}
	c.Put("b", Stamp{1, 2}, 3) // newer: drops the rest
	if _, ok := c.Get("a", Stamp{1, 1}); ok {
		t.Fatal("an older stamp's value survived a newer store")
	}
	if v, ok := c.Get("b", Stamp{1, 2}); !ok || v != 3 {
		t.Fatalf("newer store: %d %v", v, ok)
	}
}

func TestBounds(t *testing.T) {
	c := New[int, int](3)
	for i := range 10 {
		c.Put(i, Stamp{}, i)
	}
	if n, _ := c.Len(); n != 3 || !c.Full() {
		t.Fatalf("entries = %d, full %v; want 3, true", n, c.Full())
	}
	if New[int, int](3).Full() {
		t.Fatal("an empty cache is full")
	}
	b := NewCost[int, []byte](100, 30, func(v []byte) int { return len(v) })
	for i := range 10 {
		b.Put(i, Stamp{}, make([]byte, 30))
	}
	b.Put(99, Stamp{}, make([]byte, 101)) // dearer than the whole budget
	if n, total := b.Len(); n != 3 || total != 90 || !b.Full() {
		t.Fatalf("entries, cost, full = %d, %d, %v; want 3, 90, true", n, total, b.Full())
	}
	b.Put(5, Stamp{}, make([]byte, 10)) // replacing counts the new cost only
	if _, total := b.Len(); total > 100 {
		t.Fatalf("cost %d over the budget", total)
	}
	if _, ok := b.Get(99, Stamp{}); ok {
		t.Fatal("a value over the budget was kept")
	}
}

// A large cache is split in shards, each bounded by its share.
func TestShards(t *testing.T) {
	c := New[int, int](maxShards * minShardEntries)
	if len(c.shards) != maxShards {
		t.Fatalf("%d shards", len(c.shards))
	}
	for i := range 10 * maxShards * minShardEntries {
		c.Put(i, Stamp{1}, i)
	}
	if n, _ := c.Len(); n > maxShards*minShardEntries || n < maxShards*minShardEntries/2 {
		t.Fatalf("%d entries", n)
	}
	if !c.Full() {
		t.Fatal("not full")
	}
	hits := 0
	for i := range 10 * maxShards * minShardEntries {
		if v, ok := c.Get(i, Stamp{1}); ok {
			if v != i {
				t.Fatalf("Get(%d) = %d", i, v)
			}
			hits++
		}
		if _, ok := c.Get(i, Stamp{2}); ok {
			t.Fatal("read under another stamp")
		}
	}
	if hits == 0 {
		t.Fatal("nothing kept")
	}
}
