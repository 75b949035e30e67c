package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/lablet/lablet/internal/cache"
	"github.com/lablet/lablet/internal/model"
)

// projectAccessColumns are the viewer's direct project level, highest
// inherited group level, level through shares of p and level through
// shares of its namespace chain, as correlated subqueries on p. The inherited one
// walks the project's namespace and its ancestors (at most the nesting
// depth) and probes the viewer's membership in each by unique index,
// whatever the number of groups the viewer belongs to.
const projectAccessColumns = `,
	(SELECT max(m.access_level) FROM members m
	  WHERE m.source_type = 'Project' AND m.source_id = p.id AND m.user_id = ?
	    AND (m.expires_at IS NULL OR m.expires_at >= ?)),
	(SELECT max(m.access_level) FROM namespace_closure c CROSS JOIN members m
	  WHERE c.descendant_id = p.namespace_id AND m.source_type = 'Namespace' AND m.source_id = c.ancestor_id
	    AND m.user_id = ? AND (m.expires_at IS NULL OR m.expires_at >= ?)),
	` + sharedProjectLevelSQL + `, ` + sharedNamespaceLevelColumn

// projectLevelColumn is the viewer's unexpired direct level on project p,
// found through the members_source_user index, then the level through the
// groups p is shared with (project_group_links_project_group, then the
// linked group's ancestors: a few probes, none when p is shared with none).
const projectLevelColumn = `,
	(SELECT max(m.access_level) FROM members m
	  WHERE m.source_type = 'Project' AND m.source_id = p.id AND m.user_id = ?
	    AND (m.expires_at IS NULL OR m.expires_at >= ?)), ` + sharedProjectLevelSQL

// ProjectWithAccessByID returns a project with its namespace and userID's
// unexpired direct and inherited levels; userID 0 has none. Outside
// transactions, answers come from the read caches while the access version
// stands.
func (q *Queries) ProjectWithAccessByID(ctx context.Context, id, userID int64, today string) (*model.Project, model.ProjectAccess, error) {
	g := q.versionGuard()
	p, a, err := q.projectWithAccessByID(ctx, id, userID, today)
	if err == nil {
		g.stamp(p)
	}
	return p, a, err
}

func (q *Queries) projectWithAccessByID(ctx context.Context, id, userID int64, today string) (*model.Project, model.ProjectAccess, error) {
	c := q.caches()
	version, cached := q.stamp(TopicAccess)
	var g rowGuard
	if cached {
		if p, a, ok := c.lookup(q.db, id, userID, today, version); ok {
			return p, a, nil
		}
		g = q.db.newRowGuard()
	}
	p, a, err := q.projectWithAccess(ctx, nil, " WHERE p.id = ?", userID, today, id)
	if err == nil && cached {
		c.store(p, a, userID, today, version, g)
	}
	return p, a, err
}

// ProjectWithAccessByFullPath is ProjectWithAccessByID for "namespace/path",
// case-insensitively.
func (q *Queries) ProjectWithAccessByFullPath(ctx context.Context, fullPath string, userID int64, today string) (*model.Project, model.ProjectAccess, error) {
	g := q.versionGuard()
	p, a, err := q.projectWithAccessByFullPath(ctx, fullPath, userID, today)
	if err == nil {
		g.stamp(p)
	}
	return p, a, err
}

func (q *Queries) projectWithAccessByFullPath(ctx context.Context, fullPath string, userID int64, today string) (*model.Project, model.ProjectAccess, error) {
	i := strings.LastIndexByte(fullPath, '/')
	if i <= 0 {
		return nil, model.ProjectAccess{}, ErrNotFound
	}
	c := q.caches()
	version, cached := q.stamp(TopicAccess)
	var g rowGuard
	if cached {
		if id, ok := c.paths.GetAt(asciiLower(fullPath), version); ok {
			if p, a, ok := c.lookup(q.db, id, userID, today, version); ok {
				return p, a, nil
			}
		}
		g = q.db.newRowGuard()
	}
	ns, err := q.NamespaceByFullPath(ctx, fullPath[:i])
	if err != nil {
		return nil, model.ProjectAccess{}, err
	}
	p, a, err := q.projectWithAccess(ctx, ns, " WHERE p.namespace_id = ? AND lower(p.path) = lower(?)",
		userID, today, ns.ID, fullPath[i+1:])
	if err == nil && cached {
		c.store(p, a, userID, today, version, g)
	}
	return p, a, err
}

// projectWithAccess reads the project row matching where with the viewer's
// direct level, and takes its namespace and the viewer's inherited level
// from the namespace lookups (cached per namespace, and few namespaces
// serve many projects). A cold read is then one primary-key or unique-index
// probe of projects and one of members, rather than a join with the
// namespace and a walk of its ancestors' memberships: about half the cost
// at 100,000 projects. ns, when not nil, is the namespace already read.
func (q *Queries) projectWithAccess(ctx context.Context, ns *model.Namespace, where string, userID int64, today string, args ...any) (*model.Project, model.ProjectAccess, error) {
	var pl, shared sql.NullInt64
	row := q.queryRow(ctx, "SELECT "+projectColumns+projectLevelColumn+" FROM projects p"+where,
		append([]any{userID, today, userID, today}, args...)...)
	p, err := scanProjectThen(row, func(s scanner) error { return s.Scan(&pl, &shared) })
	if err != nil {
		return nil, model.ProjectAccess{}, err
	}
	if ns == nil || ns.ID != p.NamespaceID {
		// ErrNotFound too when the namespace went since the row was read.
		if ns, err = q.NamespaceByID(ctx, p.NamespaceID); err != nil {
			return nil, model.ProjectAccess{}, err
		}
	}
	p.Namespace = ns
	// A share counts as a project level, as GitLab's project_authorizations.
	a := model.ProjectAccess{Project: int(max(pl.Int64, shared.Int64))}
	if userID != 0 {
		if a.Group, err = q.NamespaceAccessLevel(ctx, userID, p.NamespaceID, today); err != nil {
			return nil, model.ProjectAccess{}, err
		}
	}
	return p, a, nil
}

// lookup answers a project and a viewer's access on it from the caches.
func (c *readCaches) lookup(db *DB, id, userID int64, today string, version cache.Stamp) (*model.Project, model.ProjectAccess, bool) {
	var a model.ProjectAccess
	if userID != 0 {
		var ok bool
		if a, ok = c.access.GetAt(accessKey{userID, id, today}, version); !ok {
			return nil, model.ProjectAccess{}, false
		}
	}
	p, ok := c.project(db, id, version)
	return p, a, ok
}

// store keeps a project read under version and since g, with a viewer's
// access on it.
func (c *readCaches) store(p *model.Project, a model.ProjectAccess, userID int64, today string, version cache.Stamp, g rowGuard) {
	c.putProject(p, version, g)
	c.paths.PutAt(asciiLower(p.FullPath()), version, p.ID)
	if userID != 0 {
		c.access.PutAt(accessKey{userID, p.ID, today}, version, a)
	}
}

// asciiLower lowers ASCII letters only, as SQLite's lower() does, so that a
// cached path never matches where the database would not.
func asciiLower(s string) string {
	b := []byte(s)
	for i, ch := range b {
		if 'A' <= ch && ch <= 'Z' {
			b[i] = ch + 'a' - 'A'
		}
	}
	return string(b)
}
