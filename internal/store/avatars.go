package store

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// avatarTables are the tables whose rows carry an avatar, by the kind the
// service names them with.
var avatarTables = map[string]string{"user": "users", "group": "namespaces", "project": "projects", "topic": "topics"}

// SetAvatar records the file name of the avatar of the kind's row id
// ("" removes it); ErrNotFound if there is no such row.
func (q *Queries) SetAvatar(ctx context.Context, kind string, id int64, name string) error {
	table, ok := avatarTables[kind]
	if !ok {
		return fmt.Errorf("store: set avatar: unknown kind %q", kind)
	}
	res, err := q.exec(ctx, "UPDATE "+table+" SET avatar = ?, updated_at = ? WHERE id = ?", name, ms(q.Now()), id)
	if err != nil {
		return fmt.Errorf("store: set avatar: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// UserByPublicEmail is the active user whose public email is email
// (case-insensitive), for GET /avatar.
func (q *Queries) UserByPublicEmail(ctx context.Context, email string) (*model.User, error) {
	return scanUser(q.queryRow(ctx, "SELECT "+userColumns+
		" FROM users u WHERE u.public_email <> '' AND lower(u.public_email) = lower(?) ORDER BY u.id LIMIT 1", email))
}

// UserAssociationsCount counts what GET /users/:id/associations_count
// shows: the groups and projects the user is a direct member of, and the
// issues and merge requests they authored.
func (q *Queries) UserAssociationsCount(ctx context.Context, userID int64) (model.UserAssociations, error) {
	var c model.UserAssociations
	err := q.queryRow(ctx, `SELECT
		(SELECT count(*) FROM members m JOIN namespaces n ON n.id = m.source_id
			WHERE m.source_type = ? AND m.user_id = ? AND n.kind = ?),
		(SELECT count(*) FROM members m WHERE m.source_type = ? AND m.user_id = ?),
		(SELECT count(*) FROM issues i WHERE i.author_id = ?),
		(SELECT count(*) FROM merge_requests r WHERE r.author_id = ?)`,
		model.SourceNamespace, userID, model.KindGroup, model.SourceProject, userID, userID, userID).
		Scan(&c.Groups, &c.Projects, &c.Issues, &c.MergeRequests)
	if err != nil {
		return c, fmt.Errorf("store: user associations: %w", wrapErr(err))
	}
	return c, nil
}
