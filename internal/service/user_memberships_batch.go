package service

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/store"
)

// UsersMemberships is GraphQL's UserCore.groupMemberships (sourceType
// model.SourceNamespace) and projectMemberships (model.SourceProject) for
// a batch of users: each user's unexpired direct memberships in the groups
// or projects the caller may read (VisibleGroup's and VisibleProject's
// rules, as GitLab authorizes each membership with read_group or
// read_project on its source), by user, oldest first. Two statements
// whatever the number of users: the memberships, then their users.
func (s *Service) UsersMemberships(ctx context.Context, id *auth.Identity, userIDs []int64,
	sourceType string) (map[int64][]*MemberView, error) {
	v := viewer(id)
	q := s.db.Queries()
	members, err := q.VisibleUserMemberships(ctx, userIDs, sourceType, store.MembershipsViewer{ID: id.UserID(),
		Admin: v.Admin, MinVisibility: v.MinVisibleLevel(), Today: s.Today()})
	if err != nil {
		return nil, fmt.Errorf("service: user memberships: %w", err)
	}
	views, err := withUsers(ctx, q, members)
	if err != nil {
		return nil, fmt.Errorf("service: user memberships: %w", err)
	}
	out := make(map[int64][]*MemberView, len(userIDs))
	for _, mv := range views {
		out[mv.UserID] = append(out[mv.UserID], mv)
	}
	return out, nil
}
