package service

import (
	"context"
	"errors"
	"strings"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// checkIdentity validates the identity an admin's user create or update
// sets: an extern_uid names one user per provider (GitLab's uniqueness
// validation on identities, under "identities.extern_uid").
func checkIdentity(ctx context.Context, q *store.Queries, in UserInput, userID int64, v Validation) error {
	if in.Provider == nil || in.ExternUID == nil {
		return nil
	}
	if strings.TrimSpace(*in.Provider) == "" {
		v.Add("identities.provider", "can't be blank")
	}
	if strings.TrimSpace(*in.ExternUID) == "" {
		v.Add("identities.extern_uid", "can't be blank")
		return nil
	}
	owner, err := q.IdentityOwner(ctx, *in.Provider, *in.ExternUID)
	if err != nil {
		return err
	}
	if owner != 0 && owner != userID {
		v.Add("identities.extern_uid", "has already been taken")
	}
	return nil
}

// setIdentity records the identity in asks for, if any.
func setIdentity(ctx context.Context, q *store.Queries, userID int64, in UserInput) error {
	if in.Provider == nil || in.ExternUID == nil {
		return nil
	}
	err := q.SetIdentity(ctx, userID, *in.Provider, *in.ExternUID)
	if errors.Is(err, store.ErrConflict) {
		// Another user took this identity since checkIdentity looked.
		return Validation{"identities.extern_uid": {"has already been taken"}}.Err()
	}
	return err
}

// UserIdentities are the identities of users, for the admin user entity.
func (s *Service) UserIdentities(ctx context.Context, ids []int64) (map[int64][]model.Identity, error) {
	return s.db.Queries().UserIdentities(ctx, ids)
}

// DeleteUserIdentity is DELETE /users/:id/identities/:provider
// (administrators): 404 when the user or the identity is missing.
func (s *Service) DeleteUserIdentity(ctx context.Context, id *auth.Identity, userID int64, provider string) error {
	if err := requireAdmin(id); err != nil {
		return err
	}
	if _, err := s.GetUser(ctx, id, userID); err != nil {
		return err
	}
	var found bool
	err := s.db.WithTx(ctx, func(q *store.Queries) (err error) {
		found, err = q.DeleteIdentity(ctx, userID, provider)
		return err
	})
	if err != nil {
		return err
	}
	if !found {
		return NotFound("Identity")
	}
	return nil
}
