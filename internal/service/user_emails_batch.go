package service

import (
	"context"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
)

// UsersEmails is GET /users/:id/emails for a batch of users (GraphQL's
// UserCore.emails): an administrator reads everyone's addresses, anyone
// else only their own (GET /user/emails), as UserEmails; the users the
// caller may not read are absent from the answer.
func (s *Service) UsersEmails(ctx context.Context, id *auth.Identity, userIDs []int64) (map[int64][]*model.Email, error) {
	var allowed []int64
	for _, uid := range userIDs {
		if uid != 0 && (uid == id.UserID() || requireAdmin(id) == nil) {
			allowed = append(allowed, uid)
		}
	}
	if len(allowed) == 0 {
		return map[int64][]*model.Email{}, nil
	}
	return s.db.Queries().UsersEmails(ctx, allowed)
}
