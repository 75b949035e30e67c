package cache

import (
	"fmt"
	"sync"
	"testing"
)

func TestStamps(t *testing.T) {
	c := New[string, int](Options{MaxEntries: 10})
	c.PutAt("a", Stamp{1, 1}, 1)
	if v, ok := c.GetAt("a", Stamp{1, 1}); !ok || v != 1 {
		t.Fatalf("same stamp: %d %v", v, ok)
	}
	for _, s := range []Stamp{{0, 1}, {1, 0}, {2, 1}, {1, 2}} {
		if _, ok := c.GetAt("a", s); ok {
			t.Fatalf("read under %v", s)
		}
	}
	c.PutAt("b", Stamp{0, 5}, 2) // older in one version: read before a known change
	c.PutAt("b", Stamp{2, 0}, 2)
	if n, _ := c.Len(); n != 1 {
		t.Fatalf("a stale or incomparable stamp was stored: %d entries", n)
	}
	c.PutAt("b", Stamp{1, 2}, 3) // newer: drops the rest
	if _, ok := c.GetAt("a", Stamp{1, 1}); ok {
		t.Fatal("an older stamp's value survived a newer store")
	}
	if v, ok := c.GetAt("b", Stamp{1, 2}); !ok || v != 3 {
		t.Fatalf("newer store: %d %v", v, ok)
	}
}

func TestBounds(t *testing.T) {
	c := New[int, int](Options{MaxEntries: 3})
	for i := range 10 {
		c.Put(i, i)
	}
	if n, _ := c.Len(); n != 3 || !c.Full() {
		t.Fatalf("entries = %d, full %v; want 3, true", n, c.Full())
	}
	if New[int, int](Options{MaxEntries: 3}).Full() {
		t.Fatal("an empty cache is full")
	}
	b := New[int, []byte](Options{MaxCost: 100, AvgCost: 30})
	for i := range 10 {
		b.PutCost(i, make([]byte, 30), 30)
	}
	b.PutCost(99, make([]byte, 101), 101) // dearer than the whole budget
	if n, total := b.Len(); n != 3 || total != 90 || !b.Full() {
		t.Fatalf("entries, cost, full = %d, %d, %v; want 3, 90, true", n, total, b.Full())
	}
	b.PutCost(5, make([]byte, 10), 10) // replacing counts the new cost only
	if _, total := b.Len(); total > 100 {
		t.Fatalf("cost %d over the budget", total)
	}
	if _, ok := b.Get(99); ok {
		t.Fatal("a value over the budget was kept")
	}
	l := New[string, int](Options{MaxEntries: 3, MaxCost: 800, ItemCost: 100})
	l.PutCost("big", 5, 101) // more than the item limit: not kept
	if _, ok := l.Get("big"); ok {
		t.Fatal("oversized entry kept")
	}
}

// CLOCK keeps what is read: an entry read since the hand last passed
// survives the next eviction, as the least recently used one would not.
func TestSecondChance(t *testing.T) {
	c := New[string, int](Options{MaxEntries: 3})
	c.Put("a", 1)
	c.Put("b", 2)
	c.Put("c", 3)
	c.Get("a")
	c.Put("d", 4)
	if _, ok := c.Get("a"); !ok {
		t.Fatal("a read entry was evicted first")
	}
	if _, ok := c.Get("b"); ok {
		t.Fatal("the unread oldest entry survived")
	}
	if n, _ := c.Len(); n != 3 {
		t.Fatalf("%d entries", n)
	}
	c.PutCost("a", 6, 50)
	if v, _ := c.Get("a"); v != 6 {
		t.Fatalf("replace: %d", v)
	}
}

// A large cache is split in shards, each bounded by its share.
func TestShards(t *testing.T) {
	c := New[int, int](Options{MaxEntries: maxShards * minShardEntries})
	if len(c.shards) != maxShards {
		t.Fatalf("%d shards", len(c.shards))
	}
	for i := range 10 * maxShards * minShardEntries {
		c.PutAt(i, Stamp{1}, i)
	}
	if n, _ := c.Len(); n > maxShards*minShardEntries || n < maxShards*minShardEntries/2 {
		t.Fatalf("%d entries", n)
	}
	if !c.Full() {
		t.Fatal("not full")
	}
	hits := 0
	for i := range 10 * maxShards * minShardEntries {
		if v, ok := c.GetAt(i, Stamp{1}); ok {
			if v != i {
				t.Fatalf("Get(%d) = %d", i, v)
			}
			hits++
		}
		if _, ok := c.GetAt(i, Stamp{2}); ok {
			t.Fatal("read under another stamp")
		}
	}
	if hits == 0 {
		t.Fatal("nothing kept")
	}
}

func TestOff(t *testing.T) {
	c := New[string, int](Options{MaxEntries: 10, Off: true})
	c.Put("a", 1)
	c.PutAt("b", Stamp{1}, 2)
	if _, ok := c.Get("a"); ok {
		t.Fatal("an off cache answered")
	}
	if n, _ := c.Len(); n != 0 {
		t.Fatalf("an off cache holds %d", n)
	}
}

// Readers and writers in parallel never see a value under another key or
// stamp (run with -race).
func TestConcurrent(t *testing.T) {
	c := New[string, string](Options{MaxEntries: 64})
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				k := fmt.Sprint((i * (w + 1)) % 200)
				s := Stamp{uint64(i / 500)}
				if v, ok := c.GetAt(k, s); ok && v != k {
					t.Errorf("GetAt(%s) = %s", k, v)
					return
				}
				c.PutAt(k, s, k)
			}
		}()
	}
	wg.Wait()
}
