package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Stars (GitLab's UsersStarProject, API::Projects star/unstar/starrers and
// StarredProjectsFinder). A star is a row per (user, project);
// projects.star_count moves with it in one transaction.

// ErrNotModified is GitLab's not_modified! (304): starring a project the
// caller starred already, unstarring one they did not.
var ErrNotModified = errors.New("service: not modified")

// StarProject is POST /projects/:id/star: the project after the star, or
// ErrNotModified when the caller starred it already.
func (s *Service) StarProject(ctx context.Context, id *auth.Identity, ref string) (*model.Project, error) {
	return s.toggleStar(ctx, id, ref, true)
}

// UnstarProject is POST /projects/:id/unstar.
func (s *Service) UnstarProject(ctx context.Context, id *auth.Identity, ref string) (*model.Project, error) {
	return s.toggleStar(ctx, id, ref, false)
}

func (s *Service) toggleStar(ctx context.Context, id *auth.Identity, ref string, star bool) (*model.Project, error) {
	if !id.Authenticated() {
		return nil, Unauthorized("")
	}
	p, _, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	changed := false
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		var err error
		if star {
			changed, err = q.StarProject(ctx, id.User.ID, p.ID)
		} else {
			changed, err = q.UnstarProject(ctx, id.User.ID, p.ID)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("service: star project: %w", err)
	}
	if !changed {
		return nil, ErrNotModified
	}
	// Read again outside the transaction: the entity shows the new count.
	p, _, err = s.VisibleProject(ctx, id, ref)
	return p, err
}

// ProjectStarrers is GET /projects/:id/starrers: who starred a visible
// project, newest first; users with a private profile only to themselves
// and administrators, as GitLab's UsersStarProjectsFinder.
func (s *Service) ProjectStarrers(ctx context.Context, id *auth.Identity, ref, search string, limit, offset int) ([]model.Starrer, int, error) {
	p, _, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, 0, err
	}
	if msg := ValidText(search, 1024); msg != "" {
		return nil, 0, ParamError("search is invalid")
	}
	return s.db.Queries().ProjectStarrers(ctx, p.ID, search, id.UserID(), id.IsAdmin(), limit, offset)
}

// StarredProjects is GET /users/:id/starred_projects: the visible projects
// the user starred; none when the caller may not see the user's profile.
func (s *Service) StarredProjects(ctx context.Context, id *auth.Identity, userRef string, o ProjectListOptions) (*ProjectList, error) {
	if !validProjectRef(userRef) {
		return nil, NotFound("User")
	}
	u, err := s.db.Queries().UserByIDOrUsername(ctx, userRef)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("User")
	}
	if err != nil {
		return nil, fmt.Errorf("service: load user: %w", err)
	}
	if !CanSeeProfile(id, u) {
		return &ProjectList{}, nil
	}
	o.starredBy = u.ID
	return s.listProjects(ctx, id, o, 0)
}
