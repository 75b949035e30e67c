package service

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// SCIM provisioning (GitLab's group and instance SCIM APIs, RFC 7643/7644):
// an identity provider, holding a group's SCIM token, creates, changes and
// removes the group's members; the instance's token (an administrator's)
// does the same for the instance's users. The tokens are shown once and
// kept as digests, like personal access tokens.

// SCIMTokenPrefix starts every SCIM token (GitLab's glsoat-, "SCIM OAuth
// access token").
const SCIMTokenPrefix = "glsoat-"

// SCIMScope is what a SCIM token reaches: one group, or the instance
// (GroupID 0).
type SCIMScope struct {
	GroupID int64
}

// SCIMError is a failure in RFC 7644's terms (section 3.12): the HTTP
// status, the scimType where the RFC names one, and the detail.
type SCIMError struct {
	Status   int
	ScimType string
	Detail   string
}

func (e *SCIMError) Error() string { return e.Detail }

func scimInvalid(scimType, detail string) error {
	return &SCIMError{Status: http.StatusBadRequest, ScimType: scimType, Detail: detail}
}

func scimUniqueness(detail string) error {
	return &SCIMError{Status: http.StatusConflict, ScimType: "uniqueness", Detail: detail}
}

var (
	errSCIMUnauthorized = &SCIMError{Status: http.StatusUnauthorized, Detail: "Invalid SCIM token"}
	errSCIMNotFound     = &SCIMError{Status: http.StatusNotFound, Detail: "Resource not found"}
	errSCIMPrecondition = &SCIMError{Status: http.StatusPreconditionFailed,
		Detail: "The resource has changed since the version the request names"}
)

// SCIMAuthenticate resolves a SCIM token for the group at groupPath, or
// for the instance when groupPath is "": 401 unless it is that group's
// (or the instance's) token. An unknown group answers 401 too, so the
// endpoint tells nothing to a caller without a token of its own.
func (s *Service) SCIMAuthenticate(ctx context.Context, token, groupPath string) (SCIMScope, error) {
	if token == "" {
		return SCIMScope{}, errSCIMUnauthorized
	}
	q := s.db.Queries()
	groupID, err := q.SCIMTokenGroup(ctx, auth.Digest(token))
	if errors.Is(err, store.ErrNotFound) {
		return SCIMScope{}, errSCIMUnauthorized
	}
	if err != nil {
		return SCIMScope{}, err
	}
	if groupPath == "" {
		if groupID != 0 {
			return SCIMScope{}, errSCIMUnauthorized
		}
		return SCIMScope{}, nil
	}
	ns, err := s.namespaceByRef(ctx, groupPath)
	if err != nil || !ns.IsGroup() || ns.ID != groupID {
		if err != nil && !errors.Is(err, store.ErrNotFound) && !isKindNotFound(err) {
			return SCIMScope{}, err
		}
		return SCIMScope{}, errSCIMUnauthorized
	}
	return SCIMScope{GroupID: groupID}, nil
}

func isKindNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == KindNotFound
}

// scimOwnedGroup loads the group ref names for one of its Owners: 404 when
// the caller may not see it, 403 when they may not administer it.
func (s *Service) scimOwnedGroup(ctx context.Context, id *auth.Identity, ref string) (*model.Namespace, error) {
	g, level, err := s.VisibleGroup(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if !GroupCan(level, access.AdminGroup) {
		return nil, Forbidden("")
	}
	return g, nil
}

// ResetGroupSCIMToken is POST /groups/:id/scim/tokens (the group's
// Owners): a new SCIM token for the group, replacing the one it had. It
// returns the token, shown this once, and the group.
func (s *Service) ResetGroupSCIMToken(ctx context.Context, id *auth.Identity, ref string) (string, *model.Namespace, error) {
	g, err := s.scimOwnedGroup(ctx, id, ref)
	if err != nil {
		return "", nil, err
	}
	text, err := s.resetSCIMToken(ctx, g.ID)
	return text, g, err
}

// ResetInstanceSCIMToken is POST /application/scim/tokens
// (administrators): the instance's SCIM token, replacing the one it had.
func (s *Service) ResetInstanceSCIMToken(ctx context.Context, id *auth.Identity) (string, error) {
	if err := requireAdmin(id); err != nil {
		return "", err
	}
	return s.resetSCIMToken(ctx, 0)
}

func (s *Service) resetSCIMToken(ctx context.Context, groupID int64) (string, error) {
	text := auth.NewSecret(SCIMTokenPrefix, 20)
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		return q.ReplaceSCIMToken(ctx, groupID, auth.Digest(text))
	})
	if err != nil {
		return "", fmt.Errorf("service: reset scim token: %w", err)
	}
	return text, nil
}

// ListSCIMIdentities is GET /groups/:id/scim/identities (the group's
// Owners): every SCIM identity of the group, oldest first.
func (s *Service) ListSCIMIdentities(ctx context.Context, id *auth.Identity, ref string) ([]*model.SCIMIdentity, error) {
	g, err := s.scimOwnedGroup(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	list, _, err := s.db.Queries().SCIMIdentities(ctx, model.SCIMFilter{GroupID: g.ID, Limit: 1 << 30})
	return list, err
}

// GroupSCIMIdentity is GET /groups/:id/scim/:uid (the group's Owners).
func (s *Service) GroupSCIMIdentity(ctx context.Context, id *auth.Identity, ref, uid string) (*model.SCIMIdentity, error) {
	g, err := s.scimOwnedGroup(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	i, err := s.db.Queries().SCIMIdentity(ctx, g.ID, uid)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("")
	}
	return i, err
}

// SetGroupSCIMIdentityUID is PATCH /groups/:id/scim/:uid (the group's
// Owners): the identity's extern_uid becomes externUID.
func (s *Service) SetGroupSCIMIdentityUID(ctx context.Context, id *auth.Identity, ref, uid, externUID string) error {
	g, err := s.scimOwnedGroup(ctx, id, ref)
	if err != nil {
		return err
	}
	if externUID == "" {
		return ParamError("extern_uid is missing")
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		i, err := q.SCIMIdentity(ctx, g.ID, uid)
		if errors.Is(err, store.ErrNotFound) {
			return NotFound("")
		}
		if err != nil {
			return err
		}
		if other, err := q.SCIMIdentity(ctx, g.ID, externUID); err == nil && other.ID != i.ID {
			return Conflict("extern_uid has already been taken")
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		i.ExternUID = externUID
		return q.UpdateSCIMIdentity(ctx, i)
	})
}

// DeleteGroupSCIMIdentity is DELETE /groups/:id/scim/:uid (the group's
// Owners): the identity goes; the user keeps their membership, as in
// GitLab.
func (s *Service) DeleteGroupSCIMIdentity(ctx context.Context, id *auth.Identity, ref, uid string) error {
	g, err := s.scimOwnedGroup(ctx, id, ref)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		i, err := q.SCIMIdentity(ctx, g.ID, uid)
		if errors.Is(err, store.ErrNotFound) {
			return NotFound("")
		}
		if err != nil {
			return err
		}
		return q.DeleteSCIMIdentity(ctx, i.ID)
	})
}
