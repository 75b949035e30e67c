package store

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// CreateResourceBot records that b.UserID is a bot of b's source.
func (q *Queries) CreateResourceBot(ctx context.Context, b *model.ResourceBot) error {
	b.CreatedAt = q.Now()
	_, err := q.exec(ctx, `INSERT INTO resource_bots (user_id, source_type, source_id, access_level, created_at)
		VALUES (?, ?, ?, ?, ?)`, b.UserID, b.SourceType, b.SourceID, b.AccessLevel, ms(b.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: create resource bot: %w", wrapErr(err))
	}
	return nil
}

func scanResourceBot(s scanner) (*model.ResourceBot, error) {
	var b model.ResourceBot
	var created int64
	if err := s.Scan(&b.UserID, &b.SourceType, &b.SourceID, &b.AccessLevel, &created); err != nil {
		return nil, wrapErr(err)
	}
	b.CreatedAt = fromMS(created)
	return &b, nil
}

const resourceBotColumns = "b.user_id, b.source_type, b.source_id, b.access_level, b.created_at"

// ResourceBotByUser returns the resource a bot user belongs to, or
// ErrNotFound for users that are no resource bot.
func (q *Queries) ResourceBotByUser(ctx context.Context, userID int64) (*model.ResourceBot, error) {
	return scanResourceBot(q.queryRow(ctx, "SELECT "+resourceBotColumns+" FROM resource_bots b WHERE b.user_id = ?", userID))
}

// ResourceBotsByUsers returns the resource bots among ids, keyed by user id,
// in one query.
func (q *Queries) ResourceBotsByUsers(ctx context.Context, ids []int64) (map[int64]*model.ResourceBot, error) {
	out := make(map[int64]*model.ResourceBot, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := q.query(ctx, "SELECT "+resourceBotColumns+" FROM resource_bots b WHERE b.user_id IN ("+
		placeholders(len(ids))+")", args...)
	if err != nil {
		return nil, fmt.Errorf("store: resource bots: %w", err)
	}
	list, err := collect(rows, scanResourceBot)
	for _, b := range list {
		out[b.UserID] = b
	}
	return out, err
}

// RevokeUserTokens revokes every active token of a user.
func (q *Queries) RevokeUserTokens(ctx context.Context, userID int64) error {
	if _, err := q.exec(ctx, "UPDATE personal_access_tokens SET revoked = TRUE WHERE user_id = ? AND revoked = FALSE", userID); err != nil {
		return fmt.Errorf("store: revoke user tokens: %w", err)
	}
	return nil
}

// SetUserState changes only a user's state (active, blocked, …).
func (q *Queries) SetUserState(ctx context.Context, userID int64, state string) error {
	if _, err := q.exec(ctx, "UPDATE users SET state = ?, updated_at = ? WHERE id = ?", state, ms(q.Now()), userID); err != nil {
		return fmt.Errorf("store: set user state: %w", err)
	}
	return nil
}
