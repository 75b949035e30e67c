package store

import (
	"cmp"
	"maps"
	"slices"

	"github.com/lablet/lablet/internal/cache"
	"github.com/lablet/lablet/internal/model"
)

// Read caches. Every cached answer is kept under the version of the topic
// whose tables it was read from (versions.go), read before the query, and
// returned only while that version stands. Only the store reads or fills
// these caches, always through readThrough — or, for reads that fill
// several at once (a project with its path and a viewer's access), through
// its two steps: q.stamp, then GetAt/PutAt under that one stamp.

// readCaches are the point-read caches of one DB.
type readCaches struct {
	off bool
	// Under the access version: project rows by id (checked against their
	// row version too), project ids by lower-cased full path, viewers'
	// access on projects and each project's protected-branch rules;
	// namespace rows, ids by lower-cased full path and viewers' inherited
	// level on them.
	projects   *cache.Cache[int64, cachedProject]
	paths      *cache.Cache[string, int64]
	access     *cache.Cache[accessKey, model.ProjectAccess]
	protected  *cache.Cache[int64, []*model.ProtectedBranch]
	namespaces *cache.Cache[int64, *model.Namespace]
	nsPaths    *cache.Cache[string, int64]
	nsAccess   *cache.Cache[accessKey, int]
	// shares are the groups each project is shared with (most: none),
	// which every single project entity shows.
	shares *cache.Cache[int64, []*model.GroupLink]
	// Under the auth version: users by id, and tokens (with their users)
	// by the digest of their secret. Unknown digests are never kept.
	users  *cache.Cache[int64, *model.User]
	tokens *cache.Cache[string, model.TokenWithUser]
	// Under the labels version: label and milestone rows by id.
	labels     *cache.Cache[int64, *model.Label]
	milestones *cache.Cache[int64, *model.Milestone]
}

// newReadCaches sizes the caches for the projects an instance of 100,000
// shows: rows are under a kilobyte, access entries a few dozen bytes.
func newReadCaches(off bool) readCaches {
	o := func(n int) cache.Options { return cache.Options{MaxEntries: n, Off: off} }
	return readCaches{
		off:        off,
		projects:   cache.New[int64, cachedProject](o(50000)),
		paths:      cache.New[string, int64](o(50000)),
		access:     cache.New[accessKey, model.ProjectAccess](o(100000)),
		protected:  cache.New[int64, []*model.ProtectedBranch](o(20000)),
		namespaces: cache.New[int64, *model.Namespace](o(20000)),
		nsPaths:    cache.New[string, int64](o(20000)),
		nsAccess:   cache.New[accessKey, int](o(50000)),
		shares:     cache.New[int64, []*model.GroupLink](o(50000)),
		users:      cache.New[int64, *model.User](o(20000)),
		tokens:     cache.New[string, model.TokenWithUser](o(10000)),
		labels:     cache.New[int64, *model.Label](o(50000)),
		milestones: cache.New[int64, *model.Milestone](o(20000)),
	}
}

// caches returns the DB's read caches; a Queries without a DB (some tests) has
// none.
func (q *Queries) caches() *readCaches {
	if q.db == nil {
		c := newReadCaches(true)
		return &c
	}
	return &q.db.caches
}

// stamp is the stamp to read a cache under for an answer from topic t's
// tables; ok is false where no cache may be used: inside a transaction
// (its writes are not committed), with caches off, or on PostgreSQL while
// the listener that hears other instances' changes is down.
func (q *Queries) stamp(t Topic) (cache.Stamp, bool) {
	if q.db == nil || q.tx != nil || q.db.caches.off {
		return cache.Stamp{}, false
	}
	v, ok := q.db.Version(t)
	return cache.Stamp{v}, ok
}

// readThrough answers key from c under the current version of topic t, or
// loads it and keeps the answer under the version read before loading — so
// an answer loaded before a change is never kept as one loaded after it.
// copyOf, when not nil, makes the private copies kept and handed out (for
// values that hold pointers).
func readThrough[K comparable, V any](q *Queries, c *cache.Cache[K, V], t Topic, key K, copyOf func(V) V, load func() (V, error)) (V, error) {
	s, ok := q.stamp(t)
	if ok {
		if v, hit := c.GetAt(key, s); hit {
			return dup(v, copyOf), nil
		}
	}
	v, err := load()
	if err == nil && ok {
		c.PutAt(key, s, dup(v, copyOf))
	}
	return v, err
}

// readManyThrough answers ids (without repeats) from c under the current
// version of topic t and loads the others with one call of load, keeping
// what it loaded under the version read before loading, as readThrough.
// Ids that load does not return are absent from the map.
func readManyThrough[V any](q *Queries, c *cache.Cache[int64, V], t Topic, ids []int64, idOf func(V) int64,
	copyOf func(V) V, load func(missing []int64) ([]V, error)) (map[int64]V, error) {
	out := make(map[int64]V, len(ids))
	s, ok := q.stamp(t)
	missing := ids
	if ok {
		missing = make([]int64, 0, len(ids))
		for _, id := range ids {
			if v, hit := c.GetAt(id, s); hit {
				out[id] = dup(v, copyOf)
			} else {
				missing = append(missing, id)
			}
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	loaded, err := load(missing)
	if err != nil {
		return nil, err
	}
	for _, v := range loaded {
		out[idOf(v)] = v
		if ok {
			c.PutAt(idOf(v), s, dup(v, copyOf))
		}
	}
	return out, nil
}

// sortedByID is m's values in the order of their ids.
func sortedByID[V any](m map[int64]V, idOf func(V) int64) []V {
	out := slices.Collect(maps.Values(m))
	slices.SortFunc(out, func(a, b V) int { return cmp.Compare(idOf(a), idOf(b)) })
	return out
}

func dup[V any](v V, copyOf func(V) V) V {
	if copyOf == nil {
		return v
	}
	return copyOf(v)
}

// cachedProject is a project row with the row version it was read under.
type cachedProject struct {
	p   *model.Project
	row uint64
}

// project returns the cached row of project id while both its access and
// row versions stand; a copy, which the caller may change.
func (c *readCaches) project(db *DB, id int64, s cache.Stamp) (*model.Project, bool) {
	e, ok := c.projects.GetAt(id, s)
	if !ok || e.row != db.projectRowVersion(id) {
		return nil, false
	}
	return e.p.Clone(), true
}

// putProject keeps a copy of p, read under s and since guard g.
func (c *readCaches) putProject(p *model.Project, s cache.Stamp, g rowGuard) {
	if row, ok := g.version(p.ID); ok {
		c.projects.PutAt(p.ID, s, cachedProject{p: p.Clone(), row: row})
	}
}

// accessKey names a viewer's access on a project (or, in nsAccess, a
// namespace) on a given day (memberships expire by date).
type accessKey struct {
	viewer, project int64
	today           string
}

// putNamespace keeps a namespace read under s, by id and by path.
func (c *readCaches) putNamespace(ns *model.Namespace, s cache.Stamp) {
	c.namespaces.PutAt(ns.ID, s, ns.Clone())
	c.nsPaths.PutAt(asciiLower(ns.FullPath), s, ns.ID)
}

func copyUser(u *model.User) *model.User { v := *u; return &v }

func copyTokenWithUser(tw model.TokenWithUser) model.TokenWithUser {
	t, u := *tw.Token, *tw.User
	return model.TokenWithUser{Token: &t, User: &u}
}
