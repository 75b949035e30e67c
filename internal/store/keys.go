package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

const keyColumns = `id, user_id, deploy, public, title, key_text, fingerprint_md5, fingerprint_sha256, usage_type,
	expires_at, last_used_at, created_at, updated_at`

func scanKey(s scanner) (*model.Key, error) {
	var k model.Key
	var user sql.NullInt64
	var expires, used sql.NullInt64
	var created, updated int64
	if err := s.Scan(&k.ID, &user, &k.Deploy, &k.Public, &k.Title, &k.Text, &k.FingerprintMD5, &k.FingerprintSHA256,
		&k.UsageType, &expires, &used, &created, &updated); err != nil {
		return nil, wrapErr(err)
	}
	k.UserID = user.Int64
	k.ExpiresAt, k.LastUsedAt = fromNullMS(expires), fromNullMS(used)
	k.CreatedAt, k.UpdatedAt = fromMS(created), fromMS(updated)
	return &k, nil
}

// CreateKey inserts k, filling in its ID and times; a fingerprint already
// known is ErrConflict.
func (q *Queries) CreateKey(ctx context.Context, k *model.Key) error {
	now := q.Now()
	k.CreatedAt, k.UpdatedAt = now, now
	var user sql.NullInt64
	if k.UserID != 0 {
		user = sql.NullInt64{Int64: k.UserID, Valid: true}
	}
	id, err := q.insert(ctx, `INSERT INTO keys (user_id, deploy, public, title, key_text, fingerprint_md5,
		fingerprint_sha256, usage_type, expires_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		user, k.Deploy, k.Public, k.Title, k.Text, k.FingerprintMD5, k.FingerprintSHA256, k.UsageType,
		nullMS(k.ExpiresAt), ms(now), ms(now))
	if err != nil {
		return fmt.Errorf("store: create key: %w", err)
	}
	k.ID = id
	return nil
}

// KeyByID returns a key, user's or deploy.
func (q *Queries) KeyByID(ctx context.Context, id int64) (*model.Key, error) {
	return scanKey(q.queryRow(ctx, "SELECT "+keyColumns+" FROM keys WHERE id = ?", id))
}

// KeyByFingerprintSHA256 finds a key by its "SHA256:…" fingerprint (an
// indexed probe: SSH authentication runs it for every offered key).
func (q *Queries) KeyByFingerprintSHA256(ctx context.Context, fp string) (*model.Key, error) {
	return scanKey(q.queryRow(ctx, "SELECT "+keyColumns+" FROM keys WHERE fingerprint_sha256 = ?", fp))
}

// KeyByFingerprintMD5 finds a key by its colon-separated MD5 fingerprint.
func (q *Queries) KeyByFingerprintMD5(ctx context.Context, fp string) (*model.Key, error) {
	return scanKey(q.queryRow(ctx, "SELECT "+keyColumns+" FROM keys WHERE fingerprint_md5 = ? ORDER BY id LIMIT 1", fp))
}

// UserKeys lists a user's own SSH keys (no deploy keys) in creation order.
func (q *Queries) UserKeys(ctx context.Context, userID int64) ([]*model.Key, error) {
	rows, err := q.query(ctx, "SELECT "+keyColumns+" FROM keys WHERE user_id = ? AND deploy = ? ORDER BY id", userID, false)
	if err != nil {
		return nil, fmt.Errorf("store: list keys: %w", err)
	}
	return collect(rows, scanKey)
}

// DeployKeys lists every deploy key, only the public ones when public.
func (q *Queries) DeployKeys(ctx context.Context, public bool) ([]*model.Key, error) {
	query := "SELECT " + keyColumns + " FROM keys WHERE deploy = ?"
	args := []any{true}
	if public {
		query += " AND public = ?"
		args = append(args, true)
	}
	rows, err := q.query(ctx, query+" ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("store: list deploy keys: %w", err)
	}
	return collect(rows, scanKey)
}

// UpdateKeyTitle renames a key.
func (q *Queries) UpdateKeyTitle(ctx context.Context, k *model.Key) error {
	k.UpdatedAt = q.Now()
	if _, err := q.exec(ctx, "UPDATE keys SET title = ?, updated_at = ? WHERE id = ?", k.Title, ms(k.UpdatedAt), k.ID); err != nil {
		return fmt.Errorf("store: update key: %w", err)
	}
	return nil
}

// TouchKey records that a key authenticated, at most once per interval
// (the condition keeps concurrent sessions from rewriting it each time).
func (q *Queries) TouchKey(ctx context.Context, id int64, staleBefore int64) error {
	if _, err := q.exec(ctx, "UPDATE keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
		ms(q.Now()), id, staleBefore); err != nil {
		return fmt.Errorf("store: touch key: %w", err)
	}
	return nil
}

// DeleteKey removes a key (and, for a deploy key, its project links).
func (q *Queries) DeleteKey(ctx context.Context, id int64) error {
	if _, err := q.exec(ctx, "DELETE FROM keys WHERE id = ?", id); err != nil {
		return fmt.Errorf("store: delete key: %w", err)
	}
	return nil
}
