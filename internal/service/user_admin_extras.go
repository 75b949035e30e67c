package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Administrators' user routes: custom attributes, activities,
// memberships, pending approvals; and GET /user_counts.

// CustomAttributeOwner names what /users|groups|projects/:id/custom_attributes
// is about: SourceType is one of model.AttrSource*, Ref the path's :id.
type CustomAttributeOwner struct {
	SourceType string
	Ref        string
}

// customAttributeSource resolves the owner (administrators only) to its id;
// an unknown one is its 404.
func (s *Service) customAttributeSource(ctx context.Context, id *auth.Identity, o CustomAttributeOwner) (int64, error) {
	if err := requireAdmin(id); err != nil {
		return 0, err
	}
	switch o.SourceType {
	case model.AttrSourceUser:
		u, err := s.keyOwnerID(ctx, id, o.Ref)
		return u, err
	case model.AttrSourceNamespace:
		g, _, err := s.VisibleGroup(ctx, id, o.Ref)
		if err != nil {
			return 0, err
		}
		return g.ID, nil
	case model.AttrSourceProject:
		p, _, err := s.VisibleProject(ctx, id, o.Ref)
		if err != nil {
			return 0, err
		}
		return p.ID, nil
	}
	return 0, fmt.Errorf("service: unknown custom attribute owner %q", o.SourceType)
}

// errCustomAttributeNotFound is not_found!('Custom Attribute').
var errCustomAttributeNotFound = NotFound("Custom Attribute")

// CustomAttributes is GET …/custom_attributes.
func (s *Service) CustomAttributes(ctx context.Context, id *auth.Identity, o CustomAttributeOwner) ([]*model.CustomAttribute, error) {
	srcID, err := s.customAttributeSource(ctx, id, o)
	if err != nil {
		return nil, err
	}
	return s.db.Queries().CustomAttributes(ctx, o.SourceType, srcID)
}

// CustomAttribute is GET …/custom_attributes/:key.
func (s *Service) CustomAttribute(ctx context.Context, id *auth.Identity, o CustomAttributeOwner, key string) (*model.CustomAttribute, error) {
	srcID, err := s.customAttributeSource(ctx, id, o)
	if err != nil {
		return nil, err
	}
	a, err := s.db.Queries().CustomAttribute(ctx, o.SourceType, srcID, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errCustomAttributeNotFound
	}
	return a, err
}

// maxCustomAttribute bounds keys and values (GitLab's columns are
// varchar(255)).
const maxCustomAttribute = 255

// SetCustomAttribute is PUT …/custom_attributes/:key.
func (s *Service) SetCustomAttribute(ctx context.Context, id *auth.Identity, o CustomAttributeOwner, key, value string) (*model.CustomAttribute, error) {
	srcID, err := s.customAttributeSource(ctx, id, o)
	if err != nil {
		return nil, err
	}
	v := Validation{}
	for _, f := range []struct{ name, val string }{{"key", key}, {"value", value}} {
		switch {
		case f.val == "":
			v.Add(f.name, "can't be blank")
		case len(f.val) > maxCustomAttribute:
			v.Add(f.name, fmt.Sprintf("is too long (maximum is %d characters)", maxCustomAttribute))
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := &model.CustomAttribute{SourceType: o.SourceType, SourceID: srcID, Key: key, Value: value}
	if err := s.db.Queries().SetCustomAttribute(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// DeleteCustomAttribute is DELETE …/custom_attributes/:key.
func (s *Service) DeleteCustomAttribute(ctx context.Context, id *auth.Identity, o CustomAttributeOwner, key string) error {
	srcID, err := s.customAttributeSource(ctx, id, o)
	if err != nil {
		return err
	}
	found, err := s.db.Queries().DeleteCustomAttribute(ctx, o.SourceType, srcID, key)
	if err != nil {
		return err
	}
	if !found {
		return errCustomAttributeNotFound
	}
	return nil
}

// UserActivities is GET /user/activities (administrators): users active
// on or after from (default: six months ago).
func (s *Service) UserActivities(ctx context.Context, id *auth.Identity, from *time.Time, limit, offset int) ([]*model.UserActivity, int, error) {
	if err := requireAdmin(id); err != nil {
		return nil, 0, err
	}
	day := s.Now().AddDate(0, -6, 0)
	if from != nil {
		day = *from
	}
	return s.db.Queries().UserActivities(ctx, store.ActivityDay(day), limit, offset)
}

// UserMemberships is GET /users/:id/memberships (administrators);
// sourceType is "Project", "Namespace" or empty.
func (s *Service) UserMemberships(ctx context.Context, id *auth.Identity, userID int64, sourceType string, limit, offset int) ([]*model.Membership, int, error) {
	if err := requireAdmin(id); err != nil {
		return nil, 0, err
	}
	if _, err := s.userByID(ctx, userID); err != nil {
		return nil, 0, err
	}
	return s.db.Queries().UserMemberships(ctx, userID, sourceType, limit, offset)
}

// PendingApproval is POST /users/:id/approve and /reject: lablet has no
// pending-approval state, so every user answers as GitLab's services do
// for a user not pending (409).
func (s *Service) PendingApproval(ctx context.Context, id *auth.Identity, userID int64, approve bool) error {
	if err := requireAdmin(id); err != nil {
		return err
	}
	if _, err := s.userByID(ctx, userID); err != nil {
		return err
	}
	if approve {
		return Conflict("The user you are trying to approve is not pending approval")
	}
	return Conflict("User does not have a pending request")
}

// UserCounts are GET /user_counts' numbers.
type UserCounts struct {
	AssignedIssues, AssignedMergeRequests, ReviewRequestedMergeRequests, Todos int
}

// CurrentUserCounts is GET /user_counts.
func (s *Service) CurrentUserCounts(ctx context.Context, id *auth.Identity) (*UserCounts, error) {
	var c UserCounts
	var err error
	c.AssignedIssues, c.AssignedMergeRequests, c.ReviewRequestedMergeRequests, c.Todos, err =
		s.db.Queries().UserCounts(ctx, id.UserID())
	if err != nil {
		return nil, err
	}
	return &c, nil
}
