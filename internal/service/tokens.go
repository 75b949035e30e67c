package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// MaxTokenLifetimeDays is GitLab's default maximum token lifetime; tokens
// created without an expiry date get it, as GitLab requires expiry.
const MaxTokenLifetimeDays = 365

// rotationLifetimeDays is how long a rotated token lives by default.
const rotationLifetimeDays = 7

// SelfTokenScopes are the only scopes POST /user/personal_access_tokens
// may grant, so a token can't mint a stronger one.
var SelfTokenScopes = []string{auth.ScopeK8sProxy, auth.ScopeSelfRotate}

// DefaultTokenExpiry is the date a token created without one expires.
func (s *Service) DefaultTokenExpiry() *string {
	d := s.Now().AddDate(0, 0, MaxTokenLifetimeDays).Format("2006-01-02")
	return &d
}

// TokenListInput selects tokens for GET /personal_access_tokens.
type TokenListInput struct {
	// UserID filters by owner; non-admins may only name themselves.
	UserID *int64
	Filter model.TokenFilter
}

// ListTokens returns the personal access tokens the caller may see: an
// admin's view is instance-wide, anyone else's their own.
func (s *Service) ListTokens(ctx context.Context, id *auth.Identity, in TokenListInput) ([]*model.Token, int, error) {
	f := in.Filter
	f.Today = s.Today()
	if id.IsAdmin() {
		f.UserID = in.UserID
	} else {
		if in.UserID != nil && *in.UserID != id.UserID() {
			return nil, 0, auth.ErrUnauthorized
		}
		self, imp := id.UserID(), false
		f.UserID, f.Impersonation = &self, &imp
	}
	tokens, total, err := s.db.Queries().ListTokens(ctx, f)
	if err != nil {
		return nil, 0, fmt.Errorf("service: list tokens: %w", err)
	}
	return tokens, total, nil
}

// VisibleToken returns token tokenID if the caller may manage it. As in
// GitLab, only administrators learn that a token does not exist; others
// get 401 either way.
func (s *Service) VisibleToken(ctx context.Context, id *auth.Identity, tokenID int64) (*model.Token, error) {
	t, err := s.db.Queries().TokenByID(ctx, tokenID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("service: load token: %w", err)
	}
	if t != nil && (id.IsAdmin() || t.UserID == id.UserID() && !t.Impersonation) {
		return t, nil
	}
	if id.IsAdmin() {
		return nil, &Error{Kind: KindNotFound, Message: "Not Found"}
	}
	return nil, auth.ErrUnauthorized
}

// RevokeTokenByID revokes a personal access token by id. GitLab answers a
// missing token with 404 and a refused revocation with a bare 400.
func (s *Service) RevokeTokenByID(ctx context.Context, id *auth.Identity, tokenID int64) error {
	t, err := s.db.Queries().TokenByID(ctx, tokenID)
	if errors.Is(err, store.ErrNotFound) {
		return &Error{Kind: KindNotFound, Message: "Not found"}
	}
	if err != nil {
		return fmt.Errorf("service: load token: %w", err)
	}
	if !id.IsAdmin() && (t.UserID != id.UserID() || t.Impersonation) {
		return Invalid("400 Bad request")
	}
	return s.revoke(ctx, t)
}

// RevokeToken revokes t; revoking a revoked token succeeds quietly.
func (s *Service) revoke(ctx context.Context, t *model.Token) error {
	if t.Revoked {
		return nil
	}
	err := s.db.Queries().RevokeToken(ctx, t.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("service: revoke token: %w", err)
	}
	return nil
}

// msgSelfNeedsPersonalToken is GitLab's refusal of other credentials on
// GET and DELETE /personal_access_tokens/self.
const msgSelfNeedsPersonalToken = "This endpoint requires token type to be a personal access token"

// personalToken returns the personal access token (project, group and
// impersonation tokens included) the request authenticated with, or nil
// for OAuth access tokens and sessions.
func personalToken(id *auth.Identity) *model.Token {
	if id == nil || id.Token == nil || id.OAuthApplication != nil || id.Token.ID == 0 {
		return nil
	}
	return id.Token
}

// SelfToken returns the personal access token the request authenticated
// with (GET /personal_access_tokens/self). Other credentials — OAuth
// access tokens, sessions — get GitLab's 400.
func (s *Service) SelfToken(id *auth.Identity) (*model.Token, error) {
	t := personalToken(id)
	if t == nil {
		return nil, badRequest(msgSelfNeedsPersonalToken)
	}
	return t, nil
}

// RevokeSelfToken revokes the personal access token the request
// authenticated with; other credentials get GitLab's 400, as for reading.
func (s *Service) RevokeSelfToken(ctx context.Context, id *auth.Identity) error {
	t, err := s.SelfToken(id)
	if err != nil {
		return err
	}
	return s.revoke(ctx, t)
}

// RotateSelfToken rotates the personal access token the request
// authenticated with (POST /personal_access_tokens/self/rotate). GitLab
// answers other credentials with 405 Method Not Allowed.
func (s *Service) RotateSelfToken(ctx context.Context, id *auth.Identity, expiresAt *string) (*model.Token, string, error) {
	t := personalToken(id)
	if t == nil {
		return nil, "", &Error{Kind: KindMethodNotAllowed, Message: "405 Method Not Allowed"}
	}
	return s.RotateToken(ctx, t, expiresAt)
}

// RotateToken revokes t and issues its successor with the same name,
// scopes and owner, expiring at expiresAt (default in one week). Rotating
// an already revoked token revokes its whole family, as GitLab's reuse
// detection does, and fails.
func (s *Service) RotateToken(ctx context.Context, t *model.Token, expiresAt *string) (*model.Token, string, error) {
	if expiresAt == nil {
		d := s.Now().AddDate(0, 0, rotationLifetimeDays).Format("2006-01-02")
		expiresAt = &d
	} else if *expiresAt < s.Today() {
		return nil, "", Invalid("400 Bad request - Expiration date must be in the future")
	} else if max := s.DefaultTokenExpiry(); *expiresAt > *max {
		return nil, "", Invalid("400 Bad request - Expiration date must be before " + *max)
	}
	text := auth.NewPersonalToken()
	next := &model.Token{UserID: t.UserID, Name: t.Name, Description: t.Description, Digest: auth.Digest(text),
		Scopes: t.Scopes, Impersonation: t.Impersonation, ExpiresAt: expiresAt, PreviousTokenID: &t.ID}
	reused := false
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		// Re-read inside the transaction so that two rotations of one
		// token can't both succeed.
		cur, err := q.TokenByID(ctx, t.ID)
		if err != nil {
			return fmt.Errorf("service: load token: %w", err)
		}
		if cur.Revoked {
			reused = true
			return nil
		}
		if err := q.RevokeToken(ctx, cur.ID); err != nil {
			return fmt.Errorf("service: revoke rotated token: %w", err)
		}
		return q.CreateToken(ctx, next)
	})
	if err != nil {
		return nil, "", err
	}
	if reused {
		if err := s.revokeFamily(ctx, t.ID); err != nil {
			return nil, "", err
		}
		return nil, "", Invalid("400 Bad request - token already revoked")
	}
	return next, text, nil
}

// revokeFamily revokes every token that descends from id by rotation.
func (s *Service) revokeFamily(ctx context.Context, id int64) error {
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		for range 1000 { // a bound against cycles in damaged data
			next, err := q.TokenSuccessor(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("service: token family: %w", err)
			}
			if !next.Revoked {
				if err := q.RevokeToken(ctx, next.ID); err != nil {
					return fmt.Errorf("service: revoke token family: %w", err)
				}
			}
			id = next.ID
		}
		return nil
	})
}

// userByID loads a user for an admin endpoint below /users/:user_id.
func (s *Service) userByID(ctx context.Context, userID int64) (*model.User, error) {
	u, err := s.db.Queries().UserByID(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("User")
	}
	if err != nil {
		return nil, fmt.Errorf("service: load user: %w", err)
	}
	return u, nil
}

// CreateUserToken mints a personal access token (or impersonation token)
// for another user as an administrator.
func (s *Service) CreateUserToken(ctx context.Context, id *auth.Identity, in NewTokenInput) (*model.Token, string, error) {
	if err := requireAdmin(id); err != nil {
		return nil, "", err
	}
	if _, err := s.userByID(ctx, in.UserID); err != nil {
		return nil, "", err
	}
	if in.ExpiresAt == nil {
		in.ExpiresAt = s.DefaultTokenExpiry()
	}
	return s.CreateToken(ctx, in)
}

// ListImpersonationTokens lists a user's impersonation tokens; state is
// all, active or inactive.
func (s *Service) ListImpersonationTokens(ctx context.Context, id *auth.Identity, userID int64, state string, offset, limit int) ([]*model.Token, int, error) {
	if err := requireAdmin(id); err != nil {
		return nil, 0, err
	}
	if _, err := s.userByID(ctx, userID); err != nil {
		return nil, 0, err
	}
	imp := true
	f := model.TokenFilter{UserID: &userID, Impersonation: &imp, Today: s.Today(), Offset: offset, Limit: limit}
	if state != "all" {
		f.State = state
	}
	tokens, total, err := s.db.Queries().ListTokens(ctx, f)
	if err != nil {
		return nil, 0, fmt.Errorf("service: list impersonation tokens: %w", err)
	}
	return tokens, total, nil
}

// ImpersonationToken returns one of a user's impersonation tokens.
func (s *Service) ImpersonationToken(ctx context.Context, id *auth.Identity, userID, tokenID int64) (*model.Token, error) {
	if err := requireAdmin(id); err != nil {
		return nil, err
	}
	if _, err := s.userByID(ctx, userID); err != nil {
		return nil, err
	}
	t, err := s.db.Queries().TokenByID(ctx, tokenID)
	if errors.Is(err, store.ErrNotFound) || err == nil && (!t.Impersonation || t.UserID != userID) {
		return nil, NotFound("Impersonation Token")
	}
	if err != nil {
		return nil, fmt.Errorf("service: load token: %w", err)
	}
	return t, nil
}

// RevokeImpersonationToken revokes one of a user's impersonation tokens.
func (s *Service) RevokeImpersonationToken(ctx context.Context, id *auth.Identity, userID, tokenID int64) error {
	t, err := s.ImpersonationToken(ctx, id, userID, tokenID)
	if err != nil {
		return err
	}
	return s.revoke(ctx, t)
}
