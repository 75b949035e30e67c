package service

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// AwardsBatch is the award emoji of several awardables of one type, by
// awardable id, with the users who gave them.
type AwardsBatch struct {
	Awards map[int64][]*model.AwardEmoji
	Users  map[int64]*model.User
}

// AwardEmojiOfShown loads the award emoji of issues, merge requests or
// notes (awardableType, a model.Noteable*/AwardableNote) in two
// statements. It checks nothing: callers pass only awardables the
// caller has just been shown through the service's visibility answers (a
// page of issues, a note list), as REST's award list shows every award of
// an awardable its reader may see.
func (s *Service) AwardEmojiOfShown(ctx context.Context, awardableType string, ids []int64) (*AwardsBatch, error) {
	awards, err := s.db.Queries().AwardEmojiOfMany(ctx, awardableType, ids)
	if err != nil {
		return nil, fmt.Errorf("service: award emoji: %w", err)
	}
	out := &AwardsBatch{Awards: map[int64][]*model.AwardEmoji{}}
	userIDs := make([]int64, 0, len(awards))
	for _, a := range awards {
		out.Awards[a.AwardableID] = append(out.Awards[a.AwardableID], a)
		userIDs = append(userIDs, a.UserID)
	}
	if out.Users, err = s.UsersByIDs(ctx, userIDs); err != nil {
		return nil, err
	}
	return out, nil
}
