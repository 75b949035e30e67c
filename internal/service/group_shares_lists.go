package service

import (
	"context"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
)

// GroupSharedProjects lists the visible projects shared with a visible
// group (GET /groups/:id/projects/shared).
func (s *Service) GroupSharedProjects(ctx context.Context, id *auth.Identity, groupRef string, o ProjectListOptions) (*ProjectList, error) {
	g, _, err := s.VisibleGroup(ctx, id, groupRef)
	if err != nil {
		return nil, err
	}
	o.sharedWith = g.ID
	o.IncludeSubgroups = false
	return s.listProjects(ctx, id, o, 0)
}

// GroupSharedGroups lists the visible groups a visible group was invited
// to (GET /groups/:id/groups/shared).
func (s *Service) GroupSharedGroups(ctx context.Context, id *auth.Identity, groupRef string, o GroupListOptions) ([]*model.Namespace, int, error) {
	g, _, err := s.VisibleGroup(ctx, id, groupRef)
	if err != nil {
		return nil, 0, err
	}
	f := s.groupFilter(id, o)
	f.SharedWithGroupID = g.ID
	return s.db.Queries().ListGroups(ctx, f)
}

// GroupInvitedGroups lists the visible groups invited to a visible group
// (GET /groups/:id/invited_groups): to the group itself (relation
// "direct"), to its ancestors ("inherited"), or both when relation is
// empty.
func (s *Service) GroupInvitedGroups(ctx context.Context, id *auth.Identity, groupRef, relation string, o GroupListOptions) ([]*model.Namespace, int, error) {
	g, _, err := s.VisibleGroup(ctx, id, groupRef)
	if err != nil {
		return nil, 0, err
	}
	var to []int64
	if relation != "inherited" {
		to = append(to, g.ID)
	}
	if relation != "direct" {
		ancestors, err := s.db.Queries().AncestorIDs(ctx, g.ID)
		if err != nil {
			return nil, 0, err
		}
		to = append(to, ancestors...)
	}
	if len(to) == 0 {
		return nil, 0, nil
	}
	f := s.groupFilter(id, o)
	f.InvitedTo = to
	return s.db.Queries().ListGroups(ctx, f)
}
