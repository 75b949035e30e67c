package store

import (
	"slices"
	"sync"
)

// epochCache holds values derived from the database under one epoch of a
// topic: a value stored under an older epoch is never returned, and the
// first store under a newer epoch drops everything older. Readers take the
// epoch before querying (DB.Epoch) and store what they read under it.
type epochCache[K comparable, V any] struct {
	mu    sync.RWMutex
	epoch uint64
	m     map[K]V
	max   int
}

func newEpochCache[K comparable, V any](max int) *epochCache[K, V] {
	return &epochCache[K, V]{m: make(map[K]V), max: max}
}

func (c *epochCache[K, V]) get(k K, epoch uint64) (V, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.epoch != epoch {
		var zero V
		return zero, false
	}
	v, ok := c.m[k]
	return v, ok
}

func (c *epochCache[K, V]) put(k K, epoch uint64, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case epoch < c.epoch:
		return // read before a change that is already known
	case epoch > c.epoch:
		clear(c.m)
		c.epoch = epoch
	}
	if _, ok := c.m[k]; !ok && len(c.m) >= c.max {
		for old := range c.m { // evict an arbitrary entry
			delete(c.m, old)
			break
		}
	}
	c.m[k] = v
}

// clone returns a copy of p that shares nothing mutable with it, so that a
// cached project is never changed through a caller's copy.
func (p *Project) clone() *Project {
	c := *p
	c.Topics = slices.Clone(p.Topics)
	if p.Namespace != nil {
		ns := *p.Namespace
		c.Namespace = &ns
	}
	return &c
}

// accessKey names a viewer's access parts on a project on a given day
// (memberships expire by date).
type accessKey struct {
	viewer, project int64
	today           string
}

// readCaches are the point-read caches: under the access epoch, project
// rows by id, project ids by lower-cased full path and viewers' access
// parts and protected-branch rules (all from tables of TopicAccess); under
// the auth epoch, users by id.
type readCaches struct {
	once     sync.Once
	projects *epochCache[int64, *Project]
	paths    *epochCache[string, int64]
	access   *epochCache[accessKey, ProjectAccess]
	// protected holds each project's protected-branch rules.
	protected *epochCache[int64, []*ProtectedBranch]
	// users is under the auth epoch (TopicAuth), not the access one.
	users *epochCache[int64, *User]
}

func (c *readCaches) init() {
	c.once.Do(func() {
		// Sized for the projects an instance of 100,000 shows: rows are
		// under a kilobyte, access entries a few dozen bytes.
		c.projects = newEpochCache[int64, *Project](50000)
		c.paths = newEpochCache[string, int64](50000)
		c.access = newEpochCache[accessKey, ProjectAccess](100000)
		c.users = newEpochCache[int64, *User](20000)
		c.protected = newEpochCache[int64, []*ProtectedBranch](20000)
	})
}
