package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/lablet/lablet/internal/model"
)

// sharedProjectLevelSQL is the viewer's level on project p through the
// groups p is shared with: min(the level in the group, or inherited from
// its ancestors, and the link's group_access). Arguments: user, today.
const sharedProjectLevelSQL = `(SELECT max(CASE WHEN m.access_level < l.group_access THEN m.access_level ELSE l.group_access END)
	FROM project_group_links l JOIN namespace_closure c ON c.descendant_id = l.group_id
	JOIN members m ON m.source_type = 'Namespace' AND m.source_id = c.ancestor_id
	WHERE l.project_id = p.id AND m.user_id = ? AND (m.expires_at IS NULL OR m.expires_at >= ?))`

// sharedNamespaceLevelSQL is the viewer's level on namespace ? through the
// groups it or an ancestor is shared with, one row per share. Arguments:
// namespace, user, today.
const sharedNamespaceLevelSQL = `SELECT CASE WHEN m.access_level < g.group_access THEN m.access_level ELSE g.group_access END AS lvl
	FROM namespace_closure c JOIN group_group_links g ON g.shared_group_id = c.ancestor_id
	JOIN namespace_closure wc ON wc.descendant_id = g.shared_with_group_id
	JOIN members m ON m.source_type = 'Namespace' AND m.source_id = wc.ancestor_id
	WHERE c.descendant_id = ? AND m.user_id = ? AND (m.expires_at IS NULL OR m.expires_at >= ?)`

// sharedNamespaceLevelColumn is sharedNamespaceLevelSQL's highest level
// on project p's namespace. Arguments: user, today.
const sharedNamespaceLevelColumn = `(SELECT max(CASE WHEN m.access_level < g.group_access THEN m.access_level ELSE g.group_access END)
	FROM namespace_closure c JOIN group_group_links g ON g.shared_group_id = c.ancestor_id
	JOIN namespace_closure wc ON wc.descendant_id = g.shared_with_group_id
	JOIN members m ON m.source_type = 'Namespace' AND m.source_id = wc.ancestor_id
	WHERE c.descendant_id = p.namespace_id AND m.user_id = ? AND (m.expires_at IS NULL OR m.expires_at >= ?))`

// InsertGroupLink stores a share; ErrConflict when the project or group is
// already shared with that group.
func (q *Queries) InsertGroupLink(ctx context.Context, l *model.GroupLink) error {
	now := q.Now()
	l.CreatedAt = now
	var err error
	if l.ProjectID != 0 {
		l.ID, err = q.insert(ctx, `INSERT INTO project_group_links (project_id, group_id, group_access, expires_at,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			l.ProjectID, l.GroupID, l.GroupAccess, nullStr(l.ExpiresAt), ms(now), ms(now))
	} else {
		l.ID, err = q.insert(ctx, `INSERT INTO group_group_links (shared_group_id, shared_with_group_id, group_access,
			expires_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			l.SharedGroupID, l.GroupID, l.GroupAccess, nullStr(l.ExpiresAt), ms(now), ms(now))
	}
	if err != nil {
		return fmt.Errorf("store: insert group link: %w", err)
	}
	return nil
}

// DeleteProjectGroupLink removes project's share with group; ErrNotFound
// when there is none.
func (q *Queries) DeleteProjectGroupLink(ctx context.Context, projectID, groupID int64) error {
	return q.deleteOne(ctx, "DELETE FROM project_group_links WHERE project_id = ? AND group_id = ?", projectID, groupID)
}

// DeleteGroupGroupLink removes shared group's share with group.
func (q *Queries) DeleteGroupGroupLink(ctx context.Context, sharedGroupID, groupID int64) error {
	return q.deleteOne(ctx, "DELETE FROM group_group_links WHERE shared_group_id = ? AND shared_with_group_id = ?",
		sharedGroupID, groupID)
}

func (q *Queries) deleteOne(ctx context.Context, query string, args ...any) error {
	res, err := q.exec(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: delete group link: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// DeleteExpiredGroupLinks removes the shares that expired before today.
func (q *Queries) DeleteExpiredGroupLinks(ctx context.Context, today string) error {
	for _, t := range []string{"project_group_links", "group_group_links"} {
		if _, err := q.exec(ctx, "DELETE FROM "+t+" WHERE expires_at IS NOT NULL AND expires_at < ?", today); err != nil {
			return fmt.Errorf("store: delete expired %s: %w", t, err)
		}
	}
	return nil
}

func (q *Queries) scanGroupLinks(ctx context.Context, query string, args ...any) ([]*model.GroupLink, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: group links: %w", err)
	}
	return collect(rows, func(s scanner) (*model.GroupLink, error) {
		var l model.GroupLink
		var expires sql.NullString
		var created int64
		ns, err := scanNamespace(prefixScanner{s, []any{&l.ID, &l.ProjectID, &l.SharedGroupID, &l.GroupID,
			&l.GroupAccess, &expires, &created}})
		if err != nil {
			return nil, err
		}
		l.ExpiresAt, l.CreatedAt, l.Group = fromNullStr(expires), fromMS(created), ns
		return &l, nil
	})
}

// ProjectGroupLinks returns the groups a project is shared with, by group
// id, from the read caches while the access version stands: every single
// project entity shows them. Callers must not modify the answer.
func (q *Queries) ProjectGroupLinks(ctx context.Context, projectID int64) ([]*model.GroupLink, error) {
	return readThrough(q, q.caches().shares, TopicAccess, projectID, slices.Clone, func() ([]*model.GroupLink, error) {
		return q.projectGroupLinks(ctx, projectID)
	})
}

func (q *Queries) projectGroupLinks(ctx context.Context, projectID int64) ([]*model.GroupLink, error) {
	return q.scanGroupLinks(ctx, `SELECT l.id, l.project_id, 0, l.group_id, l.group_access, l.expires_at, l.created_at, `+
		namespaceColumns+` FROM project_group_links l JOIN namespaces n ON n.id = l.group_id
		WHERE l.project_id = ? ORDER BY l.group_id`, projectID)
}

// GroupGroupLinks returns the groups a group is shared with (its
// shared_with_groups), by group id.
func (q *Queries) GroupGroupLinks(ctx context.Context, sharedGroupID int64) ([]*model.GroupLink, error) {
	return q.scanGroupLinks(ctx, `SELECT l.id, 0, l.shared_group_id, l.shared_with_group_id, l.group_access,
		l.expires_at, l.created_at, `+namespaceColumns+` FROM group_group_links l
		JOIN namespaces n ON n.id = l.shared_with_group_id
		WHERE l.shared_group_id = ? ORDER BY l.shared_with_group_id`, sharedGroupID)
}

// projectUsersSQL lists the ids of the users with an unexpired level on a
// project: its members, its namespace's and ancestors' members, the
// members of the groups it is shared with (and their ancestors'), and of
// the groups its namespace chain is shared with. Arguments: project,
// today, namespace, today, project, today, namespace, today.
const projectUsersSQL = `SELECT m.user_id FROM members m WHERE m.source_type = 'Project' AND m.source_id = ?
		AND (m.expires_at IS NULL OR m.expires_at >= ?)
	UNION SELECT m.user_id FROM namespace_closure c JOIN members m ON m.source_type = 'Namespace' AND m.source_id = c.ancestor_id
		WHERE c.descendant_id = ? AND (m.expires_at IS NULL OR m.expires_at >= ?)
	UNION SELECT m.user_id FROM project_group_links l JOIN namespace_closure c ON c.descendant_id = l.group_id
		JOIN members m ON m.source_type = 'Namespace' AND m.source_id = c.ancestor_id
		WHERE l.project_id = ? AND (m.expires_at IS NULL OR m.expires_at >= ?)
	UNION SELECT m.user_id FROM namespace_closure c JOIN group_group_links g ON g.shared_group_id = c.ancestor_id
		JOIN namespace_closure wc ON wc.descendant_id = g.shared_with_group_id
		JOIN members m ON m.source_type = 'Namespace' AND m.source_id = wc.ancestor_id
		WHERE c.descendant_id = ? AND (m.expires_at IS NULL OR m.expires_at >= ?)`

// ListProjectUsers returns a page of the active users with access to a
// project, by id, and their total count.
func (q *Queries) ListProjectUsers(ctx context.Context, projectID, nsID int64, today string, f model.ProjectUserFilter) ([]*model.User, int, error) {
	var w conds
	w.add("u.id IN ("+projectUsersSQL+")", projectID, today, nsID, today, projectID, today, nsID, today)
	w.add("u.state = 'active'")
	if f.Search != "" {
		w.search(f.Search, "u.username", "u.name")
	}
	if len(f.SkipUsers) > 0 {
		w.in("u.id", true, f.SkipUsers)
	}
	from := " FROM users u" + w.where()
	var total int
	if err := q.queryRow(ctx, "SELECT count(*)"+from, w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count project users: %w", wrapErr(err))
	}
	rows, err := q.query(ctx, "SELECT "+userColumns+from+" ORDER BY u.id LIMIT ? OFFSET ?", append(w.args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: project users: %w", err)
	}
	users, err := collect(rows, scanUser)
	return users, total, err
}

// ProjectGroups returns the groups of a project's namespace chain and,
// when withShared, the groups it is shared with at sharedMinAccess or
// above, by id.
func (q *Queries) ProjectGroups(ctx context.Context, projectID, nsID int64, withShared bool, sharedMinAccess int, search string) ([]*model.Namespace, error) {
	w := conds{args: []any{nsID}}
	ids := "SELECT c.ancestor_id FROM namespace_closure c WHERE c.descendant_id = ?"
	if withShared {
		ids += " UNION SELECT l.group_id FROM project_group_links l WHERE l.project_id = ? AND l.group_access >= ?"
		w.args = append(w.args, projectID, sharedMinAccess)
	}
	w.add("n.kind = 'group'")
	w.add("n.id IN (" + ids + ")")
	if search != "" {
		w.search(search, "n.name", "n.path")
	}
	rows, err := q.query(ctx, "SELECT "+namespaceColumns+" FROM namespaces n"+w.where()+" ORDER BY n.id", w.args...)
	if err != nil {
		return nil, fmt.Errorf("store: project groups: %w", err)
	}
	return collect(rows, scanNamespace)
}
