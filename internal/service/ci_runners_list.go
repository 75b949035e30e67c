package service

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
)

// RunnerList is a page of runners and the total.
type RunnerList struct {
	Runners []*model.Runner
	Total   int
}

// listRunners runs f at the service's clock.
func (s *Service) listRunners(ctx context.Context, f model.RunnerFilter) (*RunnerList, error) {
	f.Now, f.Today = s.Now(), s.Today()
	runners, total, err := s.db.Queries().ListRunners(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("service: list runners: %w", err)
	}
	return &RunnerList{Runners: runners, Total: total}, nil
}

// ListOwnedRunners is GET /runners: the runners of the projects the
// caller maintains and of the groups they own (GitLab's
// ci_owned_runners), whatever the caller's admin status.
func (s *Service) ListOwnedRunners(ctx context.Context, id *auth.Identity, f model.RunnerFilter) (*RunnerList, error) {
	if !id.Authenticated() {
		return nil, auth.ErrUnauthorized
	}
	uid := id.User.ID
	f.OwnedBy, f.ProjectID, f.GroupID = &uid, nil, nil
	return s.listRunners(ctx, f)
}

// ListAllRunners is GET /runners/all, for administrators.
func (s *Service) ListAllRunners(ctx context.Context, id *auth.Identity, f model.RunnerFilter) (*RunnerList, error) {
	if !id.IsAdmin() {
		return nil, Forbidden("")
	}
	f.OwnedBy, f.ProjectID, f.GroupID = nil, nil, nil
	return s.listRunners(ctx, f)
}

// ListProjectRunners is GET /projects/:id/runners: the project's own
// runners, its groups' and the instance's, for its Maintainers
// (read_project_runners).
func (s *Service) ListProjectRunners(ctx context.Context, id *auth.Identity, ref string, f model.RunnerFilter) (*RunnerList, error) {
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if level < access.Maintainer {
		return nil, Forbidden("")
	}
	f.OwnedBy, f.ProjectID, f.GroupID = nil, &p.ID, nil
	return s.listRunners(ctx, f)
}

// ListGroupRunners is GET /groups/:id/runners: the runners of the group
// and its ancestors, and the instance's, for the group's Maintainers
// (read_group_runners).
func (s *Service) ListGroupRunners(ctx context.Context, id *auth.Identity, ref string, f model.RunnerFilter) (*RunnerList, error) {
	g, level, err := s.VisibleGroup(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if level < access.Maintainer {
		return nil, Forbidden("")
	}
	f.OwnedBy, f.ProjectID, f.GroupID = nil, nil, &g.ID
	return s.listRunners(ctx, f)
}
