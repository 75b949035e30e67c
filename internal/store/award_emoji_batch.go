package store

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// AwardEmojiOfMany returns the award emoji of several awardables of one
// type, oldest first, in one statement (GraphQL's awardEmoji of a page).
func (q *Queries) AwardEmojiOfMany(ctx context.Context, awardableType string, awardableIDs []int64) ([]*model.AwardEmoji, error) {
	if len(awardableIDs) == 0 {
		return nil, nil
	}
	var c conds
	c.add("awardable_type = ?", awardableType)
	c.in("awardable_id", false, awardableIDs)
	rows, err := q.query(ctx, "SELECT "+awardColumns+" FROM award_emoji"+c.where()+" ORDER BY id", c.args...)
	if err != nil {
		return nil, fmt.Errorf("store: award emoji of %d %s: %w", len(awardableIDs), awardableType, err)
	}
	return collect(rows, scanAward)
}
