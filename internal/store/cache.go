package store

import (
	"sync"

	"github.com/lablet/lablet/internal/epochcache"
	"github.com/lablet/lablet/internal/model"
)

// cachedProject is a project row with the row epoch it was read under.
type cachedProject struct {
	p   *model.Project
	row uint64
}

// project returns the cached row of project id while both its access and
// row epochs stand; a copy, which the caller may change.
func (c *readCaches) project(db *DB, id int64, epoch epochcache.Stamp) (*model.Project, bool) {
	e, ok := c.projects.Get(id, epoch)
	if !ok || e.row != db.ProjectRowEpoch(id) {
		return nil, false
	}
	return e.p.Clone(), true
}

// putProject keeps a copy of p, read under epoch and since guard g.
func (c *readCaches) putProject(p *model.Project, epoch epochcache.Stamp, g RowGuard) {
	if row, ok := g.Version(p.ID); ok {
		c.projects.Put(p.ID, epoch, cachedProject{p: p.Clone(), row: row})
	}
}

// accessKey names a viewer's access on a project (or, in nsAccess, a
// namespace) on a given day (memberships expire by date).
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
	projects *epochcache.Cache[int64, cachedProject]
	paths    *epochcache.Cache[string, int64]
	access   *epochcache.Cache[accessKey, model.ProjectAccess]
	// protected holds each project's protected-branch rules.
	protected *epochcache.Cache[int64, []*model.ProtectedBranch]
	// namespaces, nsPaths and nsAccess are the same for groups and
	// personal namespaces: rows by id, ids by lower-cased full path and a
	// viewer's inherited level.
	namespaces *epochcache.Cache[int64, *model.Namespace]
	nsPaths    *epochcache.Cache[string, int64]
	nsAccess   *epochcache.Cache[accessKey, int]
	// users is under the auth epoch (TopicAuth), not the access one.
	users *epochcache.Cache[int64, *model.User]
}

func (c *readCaches) init() {
	c.once.Do(func() {
		// Sized for the projects an instance of 100,000 shows: rows are
		// under a kilobyte, access entries a few dozen bytes.
		c.projects = epochcache.New[int64, cachedProject](50000)
		c.paths = epochcache.New[string, int64](50000)
		c.access = epochcache.New[accessKey, model.ProjectAccess](100000)
		c.users = epochcache.New[int64, *model.User](20000)
		c.protected = epochcache.New[int64, []*model.ProtectedBranch](20000)
		c.namespaces = epochcache.New[int64, *model.Namespace](20000)
		c.nsPaths = epochcache.New[string, int64](20000)
		c.nsAccess = epochcache.New[accessKey, int](50000)
	})
}

// storeNamespace keeps a namespace read under epoch.
func (c *readCaches) storeNamespace(ns *model.Namespace, epoch epochcache.Stamp) {
	c.namespaces.Put(ns.ID, epoch, ns.Clone())
	c.nsPaths.Put(asciiLower(ns.FullPath), epoch, ns.ID)
}
