package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

const memberColumns = `m.id, m.source_type, m.source_id, m.user_id, m.access_level, m.expires_at,
	m.created_by_id, m.created_at, m.updated_at`

func scanMember(s scanner) (*model.Member, error) {
	var m model.Member
	var expires sql.NullString
	var createdBy sql.NullInt64
	var created, updated int64
	if err := s.Scan(&m.ID, &m.SourceType, &m.SourceID, &m.UserID, &m.AccessLevel, &expires, &createdBy,
		&created, &updated); err != nil {
		return nil, wrapErr(err)
	}
	m.ExpiresAt = fromNullStr(expires)
	if createdBy.Valid {
		v := createdBy.Int64
		m.CreatedByID = &v
	}
	m.CreatedAt, m.UpdatedAt = fromMS(created), fromMS(updated)
	return &m, nil
}

// UpsertMember inserts m, or updates the level and expiry of an existing
// membership of the same user on the same source.
func (q *Queries) UpsertMember(ctx context.Context, m *model.Member) error {
	now := q.Now()
	m.CreatedAt, m.UpdatedAt = now, now
	id, err := q.insert(ctx, `INSERT INTO members (source_type, source_id, user_id, access_level, expires_at,
		created_by_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (source_type, source_id, user_id) DO UPDATE SET access_level = excluded.access_level,
		expires_at = excluded.expires_at, updated_at = excluded.updated_at`,
		m.SourceType, m.SourceID, m.UserID, m.AccessLevel, nullStr(m.ExpiresAt), m.CreatedByID, ms(now), ms(now))
	if err != nil {
		return fmt.Errorf("store: upsert member: %w", err)
	}
	m.ID = id
	return nil
}

// MemberOf returns the direct membership of user on a source.
func (q *Queries) MemberOf(ctx context.Context, sourceType string, sourceID, userID int64) (*model.Member, error) {
	return scanMember(q.queryRow(ctx, "SELECT "+memberColumns+
		" FROM members m WHERE m.source_type = ? AND m.source_id = ? AND m.user_id = ?", sourceType, sourceID, userID))
}

// DeleteMember removes a direct membership; ErrNotFound when there was none.
func (q *Queries) DeleteMember(ctx context.Context, sourceType string, sourceID, userID int64) error {
	res, err := q.exec(ctx, "DELETE FROM members WHERE source_type = ? AND source_id = ? AND user_id = ?", sourceType, sourceID, userID)
	if err != nil {
		return fmt.Errorf("store: delete member: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// NamespaceAccessLevel returns the highest unexpired access level user has on
// namespace nsID, directly or through any ancestor; 0 when none.
func (q *Queries) NamespaceAccessLevel(ctx context.Context, userID, nsID int64, today string) (int, error) {
	return readThrough(q, q.caches().nsAccess, TopicAccess, accessKey{userID, nsID, today}, nil, func() (int, error) {
		return q.namespaceAccessLevel(ctx, userID, nsID, today)
	})
}

func (q *Queries) namespaceAccessLevel(ctx context.Context, userID, nsID int64, today string) (int, error) {
	var level sql.NullInt64
	// Ancestors first (CROSS JOIN fixes SQLite's order): the cost follows
	// the nesting depth, not the number of groups the user belongs to.
	// Then the groups the chain is shared with (group_group_links).
	err := q.queryRow(ctx, `SELECT max(lvl) FROM (
		SELECT m.access_level AS lvl FROM namespace_closure c CROSS JOIN members m
		WHERE c.descendant_id = ? AND m.source_type = 'Namespace' AND m.source_id = c.ancestor_id
		  AND m.user_id = ? AND (m.expires_at IS NULL OR m.expires_at >= ?)
		UNION ALL `+sharedNamespaceLevelSQL+`) levels`,
		nsID, userID, today, nsID, userID, today).Scan(&level)
	if err != nil {
		return 0, fmt.Errorf("store: namespace access: %w", wrapErr(err))
	}
	return int(level.Int64), nil
}

// MemberOfProjectIn reports whether user holds an unexpired membership of
// a project in namespace nsID or below it (GitLab's has_projects: such a
// user may read the group). It starts from the user's project memberships
// (members_user), which are few.
func (q *Queries) MemberOfProjectIn(ctx context.Context, userID, nsID int64, today string) (bool, error) {
	var one int
	err := q.queryRow(ctx, `SELECT 1 FROM members m
		JOIN projects p ON p.id = m.source_id
		JOIN namespace_closure c ON c.descendant_id = p.namespace_id AND c.ancestor_id = ?
		WHERE m.user_id = ? AND m.source_type = 'Project' AND (m.expires_at IS NULL OR m.expires_at >= ?)
		LIMIT 1`, nsID, userID, today).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: project membership in namespace: %w", wrapErr(err))
	}
	return true, nil
}

// ProjectAccessLevel returns the highest unexpired access level user has on
// a project, directly or through its namespace and the namespace's
// ancestors; 0 when none.
func (q *Queries) ProjectAccessLevel(ctx context.Context, userID, projectID, namespaceID int64, today string) (int, error) {
	var level sql.NullInt64
	err := q.queryRow(ctx, `SELECT max(lvl) FROM (
		SELECT m.access_level AS lvl FROM members m
		 WHERE m.source_type = 'Project' AND m.source_id = ? AND m.user_id = ?
		   AND (m.expires_at IS NULL OR m.expires_at >= ?)
		UNION ALL
		SELECT m.access_level AS lvl FROM namespace_closure c CROSS JOIN members m
		 WHERE c.descendant_id = ? AND m.source_type = 'Namespace' AND m.source_id = c.ancestor_id
		   AND m.user_id = ? AND (m.expires_at IS NULL OR m.expires_at >= ?)
		UNION ALL SELECT `+sharedProjectLevelSQL+` FROM projects p WHERE p.id = ?
		UNION ALL `+sharedNamespaceLevelSQL+`
		) levels`, projectID, userID, today, namespaceID, userID, today,
		userID, today, projectID, namespaceID, userID, today).Scan(&level)
	if err != nil {
		return 0, fmt.Errorf("store: project access: %w", wrapErr(err))
	}
	return int(level.Int64), nil
}

// memberFilter adds f's conditions on members m joined with users u.
func memberFilter(w *conds, f model.MemberFilter) {
	if f.Query != "" {
		w.search(f.Query, "u.username", "u.name")
	}
	if len(f.UserIDs) > 0 {
		w.in("m.user_id", false, f.UserIDs)
	}
}

func (q *Queries) scanMembers(ctx context.Context, query string, args ...any) ([]*model.Member, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list members: %w", err)
	}
	return collect(rows, scanMember)
}

// ListMembers returns a page of the direct members of a source and their
// total count, oldest membership first.
func (q *Queries) ListMembers(ctx context.Context, sourceType string, sourceID int64, f model.MemberFilter) ([]*model.Member, int, error) {
	var w conds
	w.add("m.source_type = ?", sourceType)
	w.add("m.source_id = ?", sourceID)
	memberFilter(&w, f)
	cond, args := " FROM members m JOIN users u ON u.id = m.user_id"+w.where(), w.args
	var total int
	if err := q.queryRow(ctx, "SELECT count(*)"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count members: %w", wrapErr(err))
	}
	out, err := q.scanMembers(ctx, "SELECT "+memberColumns+cond+" ORDER BY m.id LIMIT ? OFFSET ?", append(args, f.Limit, f.Offset)...)
	return out, total, err
}

// effectiveMembersFrom is the FROM clause of a source's effective members:
// each user's highest unexpired membership on the project (when projectID
// is not 0), the namespace nsID or any of its ancestors, or through a group
// the project or one of those namespaces is shared with (GitLab's invited
// members: the member's level capped by the share's group_access, expiring
// with the share at the latest); ties go to the nearest source.
func effectiveMembersFrom(projectID, nsID int64, today string) (string, []any) {
	// Sources: type, id, distance (shares after the source's own chain),
	// the level cap and the share's expiry.
	sources := `SELECT 'Namespace' AS st, c.ancestor_id AS sid, c.depth AS dist, 50 AS cap, CAST(NULL AS TEXT) AS lexp
		FROM namespace_closure c WHERE c.descendant_id = ?
		UNION ALL SELECT 'Namespace', wc.ancestor_id, 1000 + wc.depth, g.group_access, g.expires_at
		FROM namespace_closure c JOIN group_group_links g ON g.shared_group_id = c.ancestor_id
		JOIN namespace_closure wc ON wc.descendant_id = g.shared_with_group_id WHERE c.descendant_id = ?`
	args := []any{nsID, nsID}
	if projectID != 0 {
		sources = `SELECT 'Project' AS st, CAST(? AS BIGINT) AS sid, -1 AS dist, 50 AS cap, CAST(NULL AS TEXT) AS lexp
		UNION ALL SELECT 'Namespace', wc.ancestor_id, 1000 + wc.depth, l.group_access, l.expires_at
		FROM project_group_links l JOIN namespace_closure wc ON wc.descendant_id = l.group_id WHERE l.project_id = ?
		UNION ALL ` + sources
		args = []any{projectID, projectID, nsID, nsID}
	}
	args = append(args, today, today)
	level := "CASE WHEN m0.access_level < s.cap THEN m0.access_level ELSE s.cap END"
	return ` FROM (SELECT m0.id, m0.source_type, m0.source_id, m0.user_id, ` + level + ` AS access_level,
		CASE WHEN s.lexp IS NULL OR m0.expires_at < s.lexp THEN m0.expires_at ELSE s.lexp END AS expires_at,
		m0.created_by_id, m0.created_at, m0.updated_at,
		row_number() OVER (PARTITION BY m0.user_id ORDER BY ` + level + ` DESC, s.dist ASC) AS rn
		FROM members m0 JOIN (` + sources + `) s ON m0.source_type = s.st AND m0.source_id = s.sid
		WHERE (m0.expires_at IS NULL OR m0.expires_at >= ?) AND (s.lexp IS NULL OR s.lexp >= ?)) m
		JOIN users u ON u.id = m.user_id`, args
}

// ListEffectiveMembers returns a page of a source's members including those
// inherited from ancestor groups, one per user with the highest level, and
// the total count. projectID is 0 for a group.
func (q *Queries) ListEffectiveMembers(ctx context.Context, projectID, nsID int64, today string, f model.MemberFilter) ([]*model.Member, int, error) {
	from, fromArgs := effectiveMembersFrom(projectID, nsID, today)
	w := conds{args: fromArgs}
	w.add("m.rn = 1")
	memberFilter(&w, f)
	cond, args := from+w.where(), w.args
	var total int
	if err := q.queryRow(ctx, "SELECT count(*)"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count effective members: %w", wrapErr(err))
	}
	out, err := q.scanMembers(ctx, "SELECT "+memberColumns+cond+" ORDER BY m.user_id LIMIT ? OFFSET ?", append(args, f.Limit, f.Offset)...)
	return out, total, err
}

// EffectiveMember returns user's highest membership on a source, inherited
// or direct; ErrNotFound when there is none.
func (q *Queries) EffectiveMember(ctx context.Context, projectID, nsID, userID int64, today string) (*model.Member, error) {
	from, args := effectiveMembersFrom(projectID, nsID, today)
	return scanMember(q.queryRow(ctx, "SELECT "+memberColumns+from+" WHERE m.rn = 1 AND m.user_id = ?", append(args, userID)...))
}

// CountOtherOwners counts the users other than userID holding an unexpired
// Owner membership on namespace nsID or one of its ancestors.
func (q *Queries) CountOtherOwners(ctx context.Context, nsID, userID int64, today string) (int, error) {
	var n int
	err := q.queryRow(ctx, `SELECT count(DISTINCT m.user_id) FROM namespace_closure c
		JOIN members m ON m.source_type = 'Namespace' AND m.source_id = c.ancestor_id
		JOIN users u ON u.id = m.user_id
		WHERE c.descendant_id = ? AND m.user_id <> ? AND m.access_level >= 50 AND u.bot = FALSE
		  AND (m.expires_at IS NULL OR m.expires_at >= ?)`, nsID, userID, today).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count owners: %w", wrapErr(err))
	}
	return n, nil
}

// UpdateMember writes a membership's level and expiry.
func (q *Queries) UpdateMember(ctx context.Context, m *model.Member) error {
	m.UpdatedAt = q.Now()
	res, err := q.exec(ctx, "UPDATE members SET access_level = ?, expires_at = ?, updated_at = ? WHERE id = ?",
		m.AccessLevel, nullStr(m.ExpiresAt), ms(m.UpdatedAt), m.ID)
	if err != nil {
		return fmt.Errorf("store: update member: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// LockNamespaceChain holds row locks on namespace nsID and its ancestors
// until the transaction ends, so that a decision read from their
// memberships (a group keeps an Owner, a personal namespace stays within
// its project limit) and the write it allows are one step: concurrent
// transactions deciding over the same chain queue instead of each reading
// the other's old rows. Rows are locked in id order, so two chains never
// deadlock. SQLite needs nothing: its transactions take the database's
// write lock at BEGIN.
func (q *Queries) LockNamespaceChain(ctx context.Context, nsID int64) error {
	return q.holdRows(ctx, fmt.Sprint("namespace ", nsID), `SELECT n.id FROM namespace_closure c
		JOIN namespaces n ON n.id = c.ancestor_id WHERE c.descendant_id = ? ORDER BY n.id FOR UPDATE OF n`, nsID)
}

// NamespaceOwners returns the users holding an unexpired Owner membership
// on namespace nsID or one of its ancestors (GitLab's all_owner_members),
// each once, by user id.
func (q *Queries) NamespaceOwners(ctx context.Context, nsID int64, today string) ([]*model.User, error) {
	rows, err := q.query(ctx, "SELECT "+userColumns+` FROM users u WHERE u.id IN (SELECT m.user_id
		FROM namespace_closure c JOIN members m ON m.source_type = 'Namespace' AND m.source_id = c.ancestor_id
		WHERE c.descendant_id = ? AND m.access_level >= 50 AND (m.expires_at IS NULL OR m.expires_at >= ?))
		ORDER BY u.id`, nsID, today)
	if err != nil {
		return nil, fmt.Errorf("store: namespace owners: %w", err)
	}
	return collect(rows, scanUser)
}
