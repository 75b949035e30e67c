package store

import (
	"context"
	"database/sql"
	"errors"
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

// AvatarBlobKey is the blob key of the avatar of the kind's row id, ""
// when the row has none recorded (an avatar stored under the older fixed
// key, or none).
func (q *Queries) AvatarBlobKey(ctx context.Context, kind string, id int64) (string, error) {
	var key string
	err := q.queryRow(ctx, "SELECT blob_key FROM avatar_blobs WHERE kind = ? AND object_id = ?", kind, id).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: avatar blob key: %w", err)
	}
	return key, nil
}

// SetAvatarBlobKey records key ("" forgets it) as the blob key of the
// avatar of the kind's row id.
func (q *Queries) SetAvatarBlobKey(ctx context.Context, kind string, id int64, key string) error {
	var err error
	if key == "" {
		_, err = q.exec(ctx, "DELETE FROM avatar_blobs WHERE kind = ? AND object_id = ?", kind, id)
	} else {
		_, err = q.exec(ctx, `INSERT INTO avatar_blobs (kind, object_id, blob_key) VALUES (?, ?, ?)
			ON CONFLICT (kind, object_id) DO UPDATE SET blob_key = excluded.blob_key`, kind, id, key)
	}
	if err != nil {
		return fmt.Errorf("store: set avatar blob key: %w", err)
	}
	return nil
}

// DeleteAvatarBlobKeys forgets the avatar blob keys of the kind's rows
// ids and returns them.
func (q *Queries) DeleteAvatarBlobKeys(ctx context.Context, kind string, ids []int64) ([]string, error) {
	var keys []string
	for _, id := range ids {
		k, err := q.AvatarBlobKey(ctx, kind, id)
		if err != nil {
			return nil, err
		}
		if k == "" {
			continue
		}
		if err := q.SetAvatarBlobKey(ctx, kind, id, ""); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
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
