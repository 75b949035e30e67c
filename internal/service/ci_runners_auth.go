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

// runnerContactInterval bounds how often a runner's contact is written:
// idle runners poll every few seconds, and online means "within two
// hours", so a write a minute keeps the status exact enough.
const runnerContactInterval = time.Minute

// errRunnerToken is GitLab's answer to a runner token it does not know:
// 403 {"message":"403 Forbidden"}.
var errRunnerToken = Forbidden("")

// runnerByToken finds the runner a token authenticates, refusing unknown
// and expired tokens alike.
func (s *Service) runnerByToken(ctx context.Context, q *store.Queries, token string) (*model.Runner, error) {
	if token == "" {
		return nil, errRunnerToken
	}
	r, err := q.RunnerByTokenDigest(ctx, auth.Digest(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, errRunnerToken
	}
	if err != nil {
		return nil, fmt.Errorf("service: runner by token: %w", err)
	}
	if r.TokenExpiresAt != nil && !r.TokenExpiresAt.After(s.Now()) {
		return nil, errRunnerToken
	}
	return r, nil
}

// RunnerForToken returns the runner that owns token and records its contact (throttled);
// a wrong, expired or unknown token is ErrForbidden-like so the API answers 403 as GitLab does.
func (s *Service) RunnerForToken(ctx context.Context, token string, contact model.RunnerContact) (*model.Runner, error) {
	q := s.db.Queries()
	r, err := s.runnerByToken(ctx, q, token)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	if r.ContactedAt != nil && now.Sub(*r.ContactedAt) < runnerContactInterval {
		return r, nil
	}
	if err := q.TouchRunner(ctx, r.ID, contact, now, runnerContactInterval); err != nil {
		return nil, err
	}
	r.ContactedAt = &now
	r.Version, r.Revision, r.Platform, r.Architecture = contact.Version, contact.Revision, contact.Platform, contact.Architecture
	r.IPAddress = contact.IPAddress
	return r, nil
}

// VerifyRunner is POST /runners/verify: the runner of a valid token. As
// GitLab's, it does not count as contact.
func (s *Service) VerifyRunner(ctx context.Context, token string) (*model.Runner, error) {
	return s.runnerByToken(ctx, s.db.Queries(), token)
}

// UnregisterRunner is DELETE /runners: the runner deletes itself.
func (s *Service) UnregisterRunner(ctx context.Context, token string) error {
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		r, err := s.runnerByToken(ctx, q, token)
		if err != nil {
			return err
		}
		return q.DeleteRunner(ctx, r.ID)
	})
}

// ResetRunnerTokenByToken is POST /runners/reset_authentication_token:
// the runner replaces its own token.
func (s *Service) ResetRunnerTokenByToken(ctx context.Context, token string) (*model.Runner, string, error) {
	var out *model.Runner
	var fresh string
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		r, err := s.runnerByToken(ctx, q, token)
		if err != nil {
			return err
		}
		out, fresh, err = s.resetToken(ctx, q, r)
		return err
	})
	return out, fresh, err
}
