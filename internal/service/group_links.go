package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// ShareInput is a share's group, level and expiry.
type ShareInput struct {
	GroupID     int64
	GroupAccess int
	ExpiresAt   *string
}

// validShareLevel reports whether level is one GitLab's group_access takes.
func validShareLevel(level int) bool {
	switch access.Level(level) {
	case access.Guest, access.Reporter, access.Developer, access.Maintainer, access.Owner:
		return true
	}
	return false
}

// shareTarget loads the group a share names, which the caller must see
// (GitLab's CreateServices answer "Not Found" otherwise), and checks the
// level: a caller shares no more than they hold themselves.
func (s *Service) shareTarget(ctx context.Context, id *auth.Identity, in ShareInput, callerLevel access.Level) (*model.Namespace, error) {
	if !validShareLevel(in.GroupAccess) {
		return nil, ParamError("group_access does not have a valid value")
	}
	if in.ExpiresAt != nil && *in.ExpiresAt != "" && *in.ExpiresAt <= s.Today() {
		return nil, Validation{"expires_at": {"cannot be a date in the past"}}.Err()
	}
	g, _, err := s.VisibleGroup(ctx, id, fmt.Sprint(in.GroupID))
	if err != nil {
		return nil, NotFound("")
	}
	if !id.IsAdmin() && access.Level(in.GroupAccess) > callerLevel {
		return nil, Forbidden("")
	}
	return g, nil
}

// ShareProject shares a project with a group (POST /projects/:id/share):
// Maintainers share (admin_project), up to their own level.
func (s *Service) ShareProject(ctx context.Context, id *auth.Identity, ref string, in ShareInput) (*model.GroupLink, error) {
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if !ProjectCan(id, p, level, access.AdminProject) {
		return nil, Forbidden("")
	}
	g, err := s.shareTarget(ctx, id, in, level)
	if err != nil {
		return nil, err
	}
	ancestors, err := s.db.Queries().AncestorIDs(ctx, p.NamespaceID)
	if err != nil {
		return nil, err
	}
	if g.ID == p.NamespaceID || containsID(ancestors, g.ID) {
		return nil, Conflict("Project cannot be shared with the group it is in or one of its ancestors.")
	}
	l := &model.GroupLink{ProjectID: p.ID, GroupID: g.ID, GroupAccess: in.GroupAccess, ExpiresAt: emptyNil(in.ExpiresAt)}
	if err := s.db.Queries().InsertGroupLink(ctx, l); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, Conflict("Group already shared with this group")
		}
		return nil, err
	}
	return l, nil
}

// UnshareProject removes a project's share with a group.
func (s *Service) UnshareProject(ctx context.Context, id *auth.Identity, ref string, groupID int64) error {
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return err
	}
	if !ProjectCan(id, p, level, access.AdminProject) {
		return Forbidden("")
	}
	if err := s.db.Queries().DeleteProjectGroupLink(ctx, p.ID, groupID); errors.Is(err, store.ErrNotFound) {
		return NotFound("Group Link")
	} else if err != nil {
		return err
	}
	return nil
}

// ShareGroup shares a group with another (POST /groups/:id/share): the
// shared group's Owners (admin_group).
func (s *Service) ShareGroup(ctx context.Context, id *auth.Identity, ref string, in ShareInput) (*model.Namespace, error) {
	g, level, err := s.VisibleGroup(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if level < access.Owner {
		return nil, Forbidden("")
	}
	with, err := s.shareTarget(ctx, id, in, level)
	if err != nil {
		return nil, err
	}
	if with.ID == g.ID {
		return nil, Conflict("Shared with group cannot be the same as the shared group")
	}
	l := &model.GroupLink{SharedGroupID: g.ID, GroupID: with.ID, GroupAccess: in.GroupAccess, ExpiresAt: emptyNil(in.ExpiresAt)}
	if err := s.db.Queries().InsertGroupLink(ctx, l); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, Conflict("Shared with group has already been taken")
		}
		return nil, err
	}
	return g, nil
}

// UnshareGroup removes a group's share with another.
func (s *Service) UnshareGroup(ctx context.Context, id *auth.Identity, ref string, groupID int64) error {
	g, level, err := s.VisibleGroup(ctx, id, ref)
	if err != nil {
		return err
	}
	if level < access.Owner {
		return Forbidden("")
	}
	if err := s.db.Queries().DeleteGroupGroupLink(ctx, g.ID, groupID); errors.Is(err, store.ErrNotFound) {
		return NotFound("Group Link")
	} else if err != nil {
		return err
	}
	return nil
}

// ProjectSharedWith returns the groups a project is shared with.
func (s *Service) ProjectSharedWith(ctx context.Context, p *model.Project) ([]*model.GroupLink, error) {
	return s.db.Queries().ProjectGroupLinks(ctx, p.ID)
}

// GroupSharedWith returns the groups a group is shared with.
func (s *Service) GroupSharedWith(ctx context.Context, g *model.Namespace) ([]*model.GroupLink, error) {
	return s.db.Queries().GroupGroupLinks(ctx, g.ID)
}

// DeleteExpiredGroupLinks removes the shares past their expiry date
// (GitLab's RemoveExpiredGroupLinksWorker); the level queries never
// compare shares' dates.
func (s *Service) DeleteExpiredGroupLinks(ctx context.Context) error {
	return s.db.Queries().DeleteExpiredGroupLinks(ctx, s.Today())
}

// ProjectUsers lists the users with access to a visible project
// (GET /projects/:id/users).
func (s *Service) ProjectUsers(ctx context.Context, id *auth.Identity, ref string, f model.ProjectUserFilter) ([]*model.User, int, error) {
	p, _, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, 0, err
	}
	return s.db.Queries().ListProjectUsers(ctx, p.ID, p.NamespaceID, s.Today(), f)
}

// ProjectGroupsOptions are GET /projects/:id/groups' filters.
type ProjectGroupsOptions struct {
	Search               string
	WithShared           bool
	SharedMinAccessLevel int
	SkipGroups           []int64
}

// ProjectGroups lists a visible project's ancestor groups and, with
// WithShared, the groups it is shared with, keeping those the caller sees.
func (s *Service) ProjectGroups(ctx context.Context, id *auth.Identity, ref string, o ProjectGroupsOptions) ([]*model.Namespace, error) {
	p, _, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	groups, err := s.db.Queries().ProjectGroups(ctx, p.ID, p.NamespaceID, o.WithShared, o.SharedMinAccessLevel, o.Search)
	if err != nil {
		return nil, err
	}
	out := groups[:0]
	for _, g := range groups {
		if containsID(o.SkipGroups, g.ID) {
			continue
		}
		level, err := s.NamespaceLevel(ctx, id, g)
		if err != nil {
			return nil, err
		}
		if g.MarkedForDeletionOn == nil && viewer(id).CanSee(g.VisibilityLevel, level) || id.IsAdmin() {
			out = append(out, g)
		}
	}
	return out, nil
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func emptyNil(s *string) *string {
	if s == nil || *s == "" {
		return nil
	}
	return s
}
