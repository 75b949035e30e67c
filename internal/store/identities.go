package store

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// UserIdentities returns the identities of the users ids, keyed by user,
// each user's by provider.
func (q *Queries) UserIdentities(ctx context.Context, ids []int64) (map[int64][]model.Identity, error) {
	out := map[int64][]model.Identity{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.query(ctx, "SELECT user_id, provider, extern_uid FROM identities WHERE user_id IN ("+
		placeholders(len(ids))+") ORDER BY user_id, provider", toAny(ids)...)
	if err != nil {
		return nil, fmt.Errorf("store: identities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var uid int64
		var i model.Identity
		if err := rows.Scan(&uid, &i.Provider, &i.ExternUID); err != nil {
			return nil, fmt.Errorf("store: identities: %w", err)
		}
		out[uid] = append(out[uid], i)
	}
	return out, rows.Err()
}

// IdentityOwner is the user holding extern_uid at provider (case-insensitive
// uid, as GitLab's uniqueness is), 0 for none.
func (q *Queries) IdentityOwner(ctx context.Context, provider, externUID string) (int64, error) {
	var id int64
	err := q.queryRow(ctx, "SELECT user_id FROM identities WHERE provider = ? AND lower(extern_uid) = lower(?) LIMIT 1",
		provider, externUID).Scan(&id)
	if err = wrapErr(err); err == ErrNotFound {
		return 0, nil
	}
	return id, err
}

// SetIdentity gives the user extern_uid at provider, replacing the one they
// had there.
func (q *Queries) SetIdentity(ctx context.Context, userID int64, provider, externUID string) error {
	// One upsert: two concurrent sets for the same user and provider both
	// succeed rather than the later one meeting the other's row.
	if _, err := q.exec(ctx, `INSERT INTO identities (user_id, provider, extern_uid, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id, provider) DO UPDATE SET extern_uid = excluded.extern_uid`,
		userID, provider, externUID, ms(q.Now())); err != nil {
		return fmt.Errorf("store: set identity: %w", err)
	}
	return nil
}

// DeleteIdentity removes the user's identity at provider; false if there
// was none.
func (q *Queries) DeleteIdentity(ctx context.Context, userID int64, provider string) (bool, error) {
	res, err := q.exec(ctx, "DELETE FROM identities WHERE user_id = ? AND provider = ?", userID, provider)
	if err != nil {
		return false, fmt.Errorf("store: delete identity: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
