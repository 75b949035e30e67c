package store

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

const awardColumns = `award_emoji.id, award_emoji.name, award_emoji.user_id, award_emoji.awardable_type,
	award_emoji.awardable_id, award_emoji.created_at, award_emoji.updated_at`

// Vote emoji: the names whose awards issues count (upvotes, downvotes).
const (
	UpvoteEmoji   = "thumbsup"
	DownvoteEmoji = "thumbsdown"
)

func scanAward(s scanner) (*model.AwardEmoji, error) {
	var a model.AwardEmoji
	var created, updated int64
	if err := s.Scan(&a.ID, &a.Name, &a.UserID, &a.AwardableType, &a.AwardableID, &created, &updated); err != nil {
		return nil, wrapErr(err)
	}
	a.CreatedAt, a.UpdatedAt = fromMS(created), fromMS(updated)
	return &a, nil
}

// AwardEmojiOf returns award id if it is on this awardable.
func (q *Queries) AwardEmojiOf(ctx context.Context, awardableType string, awardableID, id int64) (*model.AwardEmoji, error) {
	return scanAward(q.queryRow(ctx, "SELECT "+awardColumns+
		" FROM award_emoji WHERE id = ? AND awardable_type = ? AND awardable_id = ?", id, awardableType, awardableID))
}

// ListAwardEmoji returns one page of an awardable's award emoji, oldest
// first, and how many there are in all.
func (q *Queries) ListAwardEmoji(ctx context.Context, awardableType string, awardableID int64, limit, offset int) ([]*model.AwardEmoji, int, error) {
	var c conds
	c.add("awardable_type = ?", awardableType)
	c.add("awardable_id = ?", awardableID)
	var total int
	if err := q.queryRow(ctx, "SELECT COUNT(*) FROM award_emoji"+c.where(), c.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count award emoji: %w", wrapErr(err))
	}
	rows, err := q.query(ctx, "SELECT "+awardColumns+" FROM award_emoji"+c.where()+" ORDER BY id LIMIT ? OFFSET ?",
		append(c.args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list award emoji: %w", err)
	}
	awards, err := collect(rows, scanAward)
	return awards, total, err
}

// InsertAwardEmoji inserts a, filling in ID and the timestamps; the same
// user's same emoji on the same awardable is ErrConflict. A vote on an
// issue moves its upvotes or downvotes in the same transaction.
func (q *Queries) InsertAwardEmoji(ctx context.Context, a *model.AwardEmoji) error {
	a.CreatedAt = q.Now()
	a.UpdatedAt = a.CreatedAt
	id, err := q.insert(ctx, `INSERT INTO award_emoji (name, user_id, awardable_type, awardable_id, created_at,
		updated_at) VALUES (?, ?, ?, ?, ?, ?)`, a.Name, a.UserID, a.AwardableType, a.AwardableID, ms(a.CreatedAt), ms(a.UpdatedAt))
	if err != nil {
		return fmt.Errorf("store: award emoji: %w", err)
	}
	a.ID = id
	return q.countVote(ctx, a, "+ 1")
}

// DeleteAwardEmoji deletes a, moving its issue's vote count back.
func (q *Queries) DeleteAwardEmoji(ctx context.Context, a *model.AwardEmoji) error {
	res, err := q.exec(ctx, "DELETE FROM award_emoji WHERE id = ?", a.ID)
	if err != nil {
		return fmt.Errorf("store: delete award emoji: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return ErrNotFound
	}
	return q.countVote(ctx, a, "- 1")
}

// countVote moves an issue's or merge request's vote counter by delta ("+ 1" or "- 1") when
// a is a vote on an issue: one atomic UPDATE, so concurrent votes add up.
func (q *Queries) countVote(ctx context.Context, a *model.AwardEmoji, delta string) error {
	table := counterTables[a.AwardableType]
	if table == "" {
		return nil
	}
	var column string
	switch a.Name {
	case UpvoteEmoji:
		column = "upvotes"
	case DownvoteEmoji:
		column = "downvotes"
	default:
		return nil
	}
	if _, err := q.exec(ctx, "UPDATE "+table+" SET "+column+" = "+column+" "+delta+" WHERE id = ?", a.AwardableID); err != nil {
		return fmt.Errorf("store: count vote: %w", err)
	}
	return nil
}
