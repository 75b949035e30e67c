package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Membership sources.
const (
	SourceNamespace = "Namespace"
	SourceProject   = "Project"
)

// Member grants a user an access level on a namespace or project.
type Member struct {
	ID          int64
	SourceType  string
	SourceID    int64
	UserID      int64
	AccessLevel int
	ExpiresAt   *string // YYYY-MM-DD
	CreatedByID *int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

const memberColumns = `m.id, m.source_type, m.source_id, m.user_id, m.access_level, m.expires_at,
	m.created_by_id, m.created_at, m.updated_at`

func scanMember(s scanner) (*Member, error) {
	var m Member
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
func (q *Q) UpsertMember(ctx context.Context, m *Member) error {
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
func (q *Q) MemberOf(ctx context.Context, sourceType string, sourceID, userID int64) (*Member, error) {
	return scanMember(q.queryRow(ctx, "SELECT "+memberColumns+
		" FROM members m WHERE m.source_type = ? AND m.source_id = ? AND m.user_id = ?", sourceType, sourceID, userID))
}

// DeleteMember removes a direct membership; ErrNotFound when there was none.
func (q *Q) DeleteMember(ctx context.Context, sourceType string, sourceID, userID int64) error {
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
func (q *Q) NamespaceAccessLevel(ctx context.Context, userID, nsID int64, today string) (int, error) {
	var level sql.NullInt64
	err := q.queryRow(ctx, `SELECT max(m.access_level) FROM namespace_closure c
		JOIN members m ON m.source_type = 'Namespace' AND m.source_id = c.ancestor_id
		WHERE c.descendant_id = ? AND m.user_id = ? AND (m.expires_at IS NULL OR m.expires_at >= ?)`,
		nsID, userID, today).Scan(&level)
	if err != nil {
		return 0, fmt.Errorf("store: namespace access: %w", wrapErr(err))
	}
	return int(level.Int64), nil
}

// ProjectAccessLevel returns the highest unexpired access level user has on
// a project, directly or through its namespace and the namespace's
// ancestors; 0 when none.
func (q *Q) ProjectAccessLevel(ctx context.Context, userID, projectID, namespaceID int64, today string) (int, error) {
	var level sql.NullInt64
	err := q.queryRow(ctx, `SELECT max(lvl) FROM (
		SELECT m.access_level AS lvl FROM members m
		 WHERE m.source_type = 'Project' AND m.source_id = ? AND m.user_id = ?
		   AND (m.expires_at IS NULL OR m.expires_at >= ?)
		UNION ALL
		SELECT m.access_level AS lvl FROM namespace_closure c
		  JOIN members m ON m.source_type = 'Namespace' AND m.source_id = c.ancestor_id
		 WHERE c.descendant_id = ? AND m.user_id = ? AND (m.expires_at IS NULL OR m.expires_at >= ?)
		) levels`, projectID, userID, today, namespaceID, userID, today).Scan(&level)
	if err != nil {
		return 0, fmt.Errorf("store: project access: %w", wrapErr(err))
	}
	return int(level.Int64), nil
}
