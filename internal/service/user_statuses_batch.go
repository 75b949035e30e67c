package service

import (
	"context"

	"github.com/lablet/lablet/internal/model"
)

// UserStatuses returns the live statuses (set and not expired) of users
// by id, for GraphQL's UserCore.status over users the caller already sees:
// a status is public wherever its user is (GET /users/:id/status).
func (s *Service) UserStatuses(ctx context.Context, userIDs []int64) (map[int64]*model.UserStatus, error) {
	all, err := s.db.Queries().UserStatuses(ctx, userIDs)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	for id, st := range all {
		if st.ClearStatusAt != nil && !now.Before(*st.ClearStatusAt) {
			delete(all, id)
		}
	}
	return all, nil
}
