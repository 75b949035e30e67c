package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// SSHKey resolves an SSH public key, by its SHA256 fingerprint, to an
// identity: a user key's user (active, the key not expired and not for
// signing only), acting with every scope as a signed-in git client does,
// or a deploy key, which acts as no user (DeployKey set, User nil) and
// reaches only the projects it is enabled on. Anything else is
// ErrUnauthorized.
func (a *Authenticator) SSHKey(ctx context.Context, fingerprintSHA256 string) (*Identity, error) {
	q := a.db.Queries()
	k, err := q.KeyByFingerprintSHA256(ctx, fingerprintSHA256)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnauthorized
	}
	if err != nil {
		return nil, fmt.Errorf("auth: key lookup: %w", err)
	}
	now := a.now()
	if k.Expired(now) || k.UsageType == model.KeyUsageSigning {
		return nil, ErrUnauthorized
	}
	id := &Identity{DeployKey: k, adminMode: a.adminMode}
	if !k.Deploy {
		u, err := q.UserByID(ctx, k.UserID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrUnauthorized
		}
		if err != nil {
			return nil, fmt.Errorf("auth: key user: %w", err)
		}
		if !u.Active() {
			return nil, ErrUnauthorized
		}
		id = &Identity{User: u, Owner: u, SSHKey: k, adminMode: a.adminMode}
	}
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) > touchInterval {
		if err := q.TouchKey(ctx, k.ID, now.Add(-touchInterval).UnixMilli()); err != nil {
			return nil, err
		}
	}
	return id, nil
}
