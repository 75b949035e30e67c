package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/lablet/lablet/internal/store"
)

// DeployToken resolves a deploy token given as HTTP Basic credentials
// (GitLab's Gitlab::Auth#deploy_token_check): the token must be known,
// neither revoked nor expired, and login must be its username. It acts as
// no user (DeployToken set, User nil); which projects it reaches is the
// service's git decision. Anything else is ErrUnauthorized.
func (a *Authenticator) DeployToken(ctx context.Context, login, text string) (*Identity, error) {
	digest := Digest(text)
	t, err := a.db.Queries().DeployTokenByDigest(ctx, digest)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnauthorized
	}
	if err != nil {
		return nil, fmt.Errorf("auth: deploy token lookup: %w", err)
	}
	if !DigestEqual(t.Digest, digest) || !t.Active(a.now()) || login != t.LoginName() {
		return nil, ErrUnauthorized
	}
	return &Identity{DeployToken: t, adminMode: a.adminMode}, nil
}

// DeployTokenOnly resolves a deploy token sent without a user name (the
// package registry's Deploy-Token header): known, neither revoked nor
// expired. Anything else is ErrUnauthorized.
func (a *Authenticator) DeployTokenOnly(ctx context.Context, text string) (*Identity, error) {
	digest := Digest(text)
	t, err := a.db.Queries().DeployTokenByDigest(ctx, digest)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnauthorized
	}
	if err != nil {
		return nil, fmt.Errorf("auth: deploy token lookup: %w", err)
	}
	if !DigestEqual(t.Digest, digest) || !t.Active(a.now()) {
		return nil, ErrUnauthorized
	}
	return &Identity{DeployToken: t, adminMode: a.adminMode}, nil
}
