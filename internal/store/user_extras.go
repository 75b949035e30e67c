package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/lablet/lablet/internal/model"
)

const emailColumns = "id, user_id, email, confirmed_at, created_at, updated_at"

func scanEmail(s scanner) (*model.Email, error) {
	var e model.Email
	var confirmed sql.NullInt64
	var created, updated int64
	if err := s.Scan(&e.ID, &e.UserID, &e.Email, &confirmed, &created, &updated); err != nil {
		return nil, wrapErr(err)
	}
	e.ConfirmedAt = fromNullMS(confirmed)
	e.CreatedAt, e.UpdatedAt = fromMS(created), fromMS(updated)
	return &e, nil
}

// CreateEmail inserts a secondary address; one already taken by another
// secondary address is ErrConflict.
func (q *Queries) CreateEmail(ctx context.Context, e *model.Email) error {
	now := q.Now()
	e.CreatedAt, e.UpdatedAt = now, now
	id, err := q.insert(ctx, "INSERT INTO emails (user_id, email, confirmed_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
		e.UserID, e.Email, nullMS(e.ConfirmedAt), ms(now), ms(now))
	if err != nil {
		return fmt.Errorf("store: create email: %w", err)
	}
	e.ID = id
	return nil
}

// UserEmails lists a user's secondary addresses in creation order.
func (q *Queries) UserEmails(ctx context.Context, userID int64) ([]*model.Email, error) {
	rows, err := q.query(ctx, "SELECT "+emailColumns+" FROM emails WHERE user_id = ? ORDER BY id", userID)
	if err != nil {
		return nil, fmt.Errorf("store: list emails: %w", err)
	}
	return collect(rows, scanEmail)
}

// EmailByID returns a secondary address.
func (q *Queries) EmailByID(ctx context.Context, id int64) (*model.Email, error) {
	return scanEmail(q.queryRow(ctx, "SELECT "+emailColumns+" FROM emails WHERE id = ?", id))
}

// EmailTaken reports whether an address is any user's, primary or
// secondary, case-insensitively.
func (q *Queries) EmailTaken(ctx context.Context, email string) (bool, error) {
	var n int
	err := q.queryRow(ctx, `SELECT (SELECT count(*) FROM users WHERE lower(email) = lower(?)) +
		(SELECT count(*) FROM emails WHERE lower(email) = lower(?))`, email, email).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: email taken: %w", wrapErr(err))
	}
	return n > 0, nil
}

// DeleteEmail removes a secondary address.
func (q *Queries) DeleteEmail(ctx context.Context, id int64) error {
	if _, err := q.exec(ctx, "DELETE FROM emails WHERE id = ?", id); err != nil {
		return fmt.Errorf("store: delete email: %w", err)
	}
	return nil
}

// UserStatus returns a user's status as stored (expired or not), or
// ErrNotFound.
func (q *Queries) UserStatus(ctx context.Context, userID int64) (*model.UserStatus, error) {
	var st model.UserStatus
	var clear sql.NullInt64
	err := q.queryRow(ctx, "SELECT user_id, emoji, message, availability, clear_status_at FROM user_statuses WHERE user_id = ?",
		userID).Scan(&st.UserID, &st.Emoji, &st.Message, &st.Availability, &clear)
	if err != nil {
		return nil, wrapErr(err)
	}
	st.ClearStatusAt = fromNullMS(clear)
	return &st, nil
}

// SetUserStatus writes a user's status, replacing any.
func (q *Queries) SetUserStatus(ctx context.Context, st *model.UserStatus) error {
	_, err := q.exec(ctx, `INSERT INTO user_statuses (user_id, emoji, message, availability, clear_status_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET emoji = excluded.emoji, message = excluded.message,
		availability = excluded.availability, clear_status_at = excluded.clear_status_at`,
		st.UserID, st.Emoji, st.Message, st.Availability, nullMS(st.ClearStatusAt))
	if err != nil {
		return fmt.Errorf("store: set user status: %w", err)
	}
	return nil
}

// DeleteUserStatus clears a user's status.
func (q *Queries) DeleteUserStatus(ctx context.Context, userID int64) error {
	if _, err := q.exec(ctx, "DELETE FROM user_statuses WHERE user_id = ?", userID); err != nil {
		return fmt.Errorf("store: delete user status: %w", err)
	}
	return nil
}

// UserPreferences returns a user's preferences, GitLab's defaults when
// none were saved.
func (q *Queries) UserPreferences(ctx context.Context, userID int64) (*model.UserPreferences, error) {
	p := model.UserPreferences{UserID: userID, ShowWhitespaceInDiffs: true}
	err := q.queryRow(ctx, `SELECT view_diffs_file_by_file, show_whitespace_in_diffs, pass_user_identities_to_ci_jwt
		FROM user_preferences WHERE user_id = ?`, userID).Scan(&p.ViewDiffsFileByFile, &p.ShowWhitespaceInDiffs,
		&p.PassUserIdentitiesToCIJWT)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: user preferences: %w", wrapErr(err))
	}
	return &p, nil
}

// SaveUserPreferences writes a user's preferences.
func (q *Queries) SaveUserPreferences(ctx context.Context, p *model.UserPreferences) error {
	_, err := q.exec(ctx, `INSERT INTO user_preferences (user_id, view_diffs_file_by_file, show_whitespace_in_diffs,
		pass_user_identities_to_ci_jwt) VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET
		view_diffs_file_by_file = excluded.view_diffs_file_by_file,
		show_whitespace_in_diffs = excluded.show_whitespace_in_diffs,
		pass_user_identities_to_ci_jwt = excluded.pass_user_identities_to_ci_jwt`,
		p.UserID, p.ViewDiffsFileByFile, p.ShowWhitespaceInDiffs, p.PassUserIdentitiesToCIJWT)
	if err != nil {
		return fmt.Errorf("store: save user preferences: %w", err)
	}
	return nil
}

// CustomAttributes lists a source's attributes by key.
func (q *Queries) CustomAttributes(ctx context.Context, sourceType string, sourceID int64) ([]*model.CustomAttribute, error) {
	rows, err := q.query(ctx, `SELECT source_type, source_id, attr_key, attr_value FROM custom_attributes
		WHERE source_type = ? AND source_id = ? ORDER BY attr_key`, sourceType, sourceID)
	if err != nil {
		return nil, fmt.Errorf("store: list custom attributes: %w", err)
	}
	return collect(rows, scanCustomAttribute)
}

func scanCustomAttribute(s scanner) (*model.CustomAttribute, error) {
	var a model.CustomAttribute
	if err := s.Scan(&a.SourceType, &a.SourceID, &a.Key, &a.Value); err != nil {
		return nil, wrapErr(err)
	}
	return &a, nil
}

// CustomAttribute returns one attribute, or ErrNotFound.
func (q *Queries) CustomAttribute(ctx context.Context, sourceType string, sourceID int64, key string) (*model.CustomAttribute, error) {
	return scanCustomAttribute(q.queryRow(ctx, `SELECT source_type, source_id, attr_key, attr_value FROM custom_attributes
		WHERE source_type = ? AND source_id = ? AND attr_key = ?`, sourceType, sourceID, key))
}

// SetCustomAttribute creates or replaces an attribute.
func (q *Queries) SetCustomAttribute(ctx context.Context, a *model.CustomAttribute) error {
	now := ms(q.Now())
	_, err := q.exec(ctx, `INSERT INTO custom_attributes (source_type, source_id, attr_key, attr_value, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (source_type, source_id, attr_key) DO UPDATE SET
		attr_value = excluded.attr_value, updated_at = excluded.updated_at`,
		a.SourceType, a.SourceID, a.Key, a.Value, now, now)
	if err != nil {
		return fmt.Errorf("store: set custom attribute: %w", err)
	}
	return nil
}

// DeleteCustomAttribute removes an attribute; false when there was none.
func (q *Queries) DeleteCustomAttribute(ctx context.Context, sourceType string, sourceID int64, key string) (bool, error) {
	res, err := q.exec(ctx, "DELETE FROM custom_attributes WHERE source_type = ? AND source_id = ? AND attr_key = ?",
		sourceType, sourceID, key)
	if err != nil {
		return false, fmt.Errorf("store: delete custom attribute: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: delete custom attribute: %w", err)
	}
	return n > 0, nil
}

// customAttributeConds adds, for each key and value, the condition that
// the row at idColumn has that attribute.
func customAttributeConds(w *conds, sourceType, idColumn string, attrs map[string]string) {
	// Keys in order, so that one filter is always one statement text.
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		v := attrs[k]
		w.add(`EXISTS (SELECT 1 FROM custom_attributes ca WHERE ca.source_type = ? AND ca.source_id = `+idColumn+
			` AND ca.attr_key = ? AND ca.attr_value = ?)`, sourceType, k, v)
	}
}

// TouchUserActivity sets a user's last_activity_on to day unless it is
// already; the condition keeps concurrent requests from writing twice.
func (q *Queries) TouchUserActivity(ctx context.Context, userID int64, day string) error {
	if _, err := q.exec(ctx, "UPDATE users SET last_activity_on = ? WHERE id = ? AND (last_activity_on IS NULL OR last_activity_on < ?)",
		day, userID, day); err != nil {
		return fmt.Errorf("store: touch user activity: %w", err)
	}
	return nil
}

// UserActivities lists users active on or after from (YYYY-MM-DD), by
// day then id, with the total.
func (q *Queries) UserActivities(ctx context.Context, from string, limit, offset int) ([]*model.UserActivity, int, error) {
	var total int
	if err := q.queryRow(ctx, "SELECT count(*) FROM users WHERE last_activity_on >= ?", from).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count user activities: %w", wrapErr(err))
	}
	rows, err := q.query(ctx, `SELECT username, last_activity_on FROM users WHERE last_activity_on >= ?
		ORDER BY last_activity_on, id LIMIT ? OFFSET ?`, from, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("store: user activities: %w", err)
	}
	out, err := collect(rows, func(s scanner) (*model.UserActivity, error) {
		var a model.UserActivity
		return &a, wrapErr(s.Scan(&a.Username, &a.LastActivityOn))
	})
	return out, total, err
}

// UserMemberships lists a user's direct memberships of groups and
// projects (not of their personal namespace) with the source's name,
// sourceType ("Project", "Namespace" or empty for both) filtering.
func (q *Queries) UserMemberships(ctx context.Context, userID int64, sourceType string, limit, offset int) ([]*model.Membership, int, error) {
	base := ` FROM members m
		LEFT JOIN projects p ON m.source_type = 'Project' AND p.id = m.source_id
		LEFT JOIN namespaces n ON m.source_type = 'Namespace' AND n.id = m.source_id
		WHERE m.user_id = ? AND (p.id IS NOT NULL OR n.kind = 'group')`
	args := []any{userID}
	if sourceType != "" {
		base += " AND m.source_type = ?"
		args = append(args, sourceType)
	}
	var total int
	if err := q.queryRow(ctx, "SELECT count(*)"+base, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count memberships: %w", wrapErr(err))
	}
	rows, err := q.query(ctx, "SELECT m.source_id, COALESCE(p.name, n.name), m.source_type, m.access_level"+base+
		" ORDER BY m.id LIMIT ? OFFSET ?", append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: memberships: %w", err)
	}
	out, err := collect(rows, func(s scanner) (*model.Membership, error) {
		var m model.Membership
		return &m, wrapErr(s.Scan(&m.SourceID, &m.SourceName, &m.SourceType, &m.AccessLevel))
	})
	return out, total, err
}

// ActivityDay is the calendar day (UTC) last_activity_on records.
func ActivityDay(t time.Time) string { return t.UTC().Format("2006-01-02") }

// UserCounts is GET /user_counts in one query: the user's open assigned
// issues and merge requests, open merge requests awaiting their review,
// and pending to-do items.
func (q *Queries) UserCounts(ctx context.Context, userID int64) (issues, mrs, reviews, todos int, err error) {
	err = q.queryRow(ctx, `SELECT
		(SELECT count(*) FROM issue_assignees a JOIN issues i ON i.id = a.issue_id WHERE a.user_id = ? AND i.state = 'opened'),
		(SELECT count(*) FROM merge_request_assignees a JOIN merge_requests m ON m.id = a.merge_request_id
			WHERE a.user_id = ? AND m.state = 'opened'),
		(SELECT count(*) FROM merge_request_reviewers r JOIN merge_requests m ON m.id = r.merge_request_id
			WHERE r.user_id = ? AND m.state = 'opened'),
		(SELECT count(*) FROM todos WHERE user_id = ? AND state = 'pending')`,
		userID, userID, userID, userID).Scan(&issues, &mrs, &reviews, &todos)
	if err != nil {
		return 0, 0, 0, 0, fmt.Errorf("store: user counts: %w", wrapErr(err))
	}
	return issues, mrs, reviews, todos, nil
}

// SecondaryEmailOwner is the user whose secondary address email is, or
// ErrNotFound.
func (q *Queries) SecondaryEmailOwner(ctx context.Context, email string) (int64, error) {
	var id int64
	err := q.queryRow(ctx, "SELECT user_id FROM emails WHERE lower(email) = lower(?)", email).Scan(&id)
	return id, wrapErr(err)
}
