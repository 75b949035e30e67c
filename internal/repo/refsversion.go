package repo

import (
	"sync"
	"sync/atomic"
)

// refsVersions counts ref changes per repository directory. Caches of
// ref-derived answers (branch lists, the info/refs advertisement) key on
// a repository's version, so any change made through lablet — an API
// write in this package or a push that the git HTTP handler reports with
// RefsChanged — makes them miss. Refs changed by hand on disk are not
// seen until the next change made through lablet (or a restart).
type refsVersions struct {
	m sync.Map // repository directory → *atomic.Uint64
}

func (v *refsVersions) counter(dir string) *atomic.Uint64 {
	if c, ok := v.m.Load(dir); ok {
		return c.(*atomic.Uint64)
	}
	c, _ := v.m.LoadOrStore(dir, new(atomic.Uint64))
	return c.(*atomic.Uint64)
}

// RefsVersion is a number that changes whenever lablet changes this
// repository's refs or HEAD. A reader must take it before reading refs
// and store what it read under that version: the bump comes after a change
// is complete, so a stale answer is never stored under the new version.
func (r *Repo) RefsVersion() uint64 { return r.versions.counter(r.path).Load() }

// RefsChanged records that the refs were changed outside this package
// (git receive-pack); call it after the change is complete.
func (r *Repo) RefsChanged() { r.versions.counter(r.path).Add(1) }
