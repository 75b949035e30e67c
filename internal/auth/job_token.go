package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// JobToken resolves a CI/CD job token (CI_JOB_TOKEN): valid while its job
// runs, acting as the user who started the job. A finished job's token,
// or a job whose user is gone or blocked, is ErrUnauthorized.
func (a *Authenticator) JobToken(ctx context.Context, text string) (*Identity, error) {
	digest := Digest(text)
	q := a.db.Queries()
	j, err := q.JobByTokenDigest(ctx, digest)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnauthorized
	}
	if err != nil {
		return nil, fmt.Errorf("auth: job token lookup: %w", err)
	}
	if j.TokenDigest == nil || !DigestEqual(*j.TokenDigest, digest) || j.Status != model.CIStatusRunning || j.UserID == nil {
		return nil, ErrUnauthorized
	}
	u, err := q.UserByID(ctx, *j.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnauthorized
	}
	if err != nil {
		return nil, fmt.Errorf("auth: job token user: %w", err)
	}
	if !u.Active() {
		return nil, ErrUnauthorized
	}
	return &Identity{User: u, Owner: u, CIJob: j, adminMode: a.adminMode}, nil
}
