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

// RegistrationTokenPrefix starts legacy registration tokens (GitLab's
// RunnersTokenPrefixable::RUNNERS_TOKEN_PREFIX).
const RegistrationTokenPrefix = "GR1348941"

// ResetRegistrationToken gives the instance (ref ignored), a project or a
// group a new legacy registration token, returned once: admins for the
// instance, Maintainers for a project, Owners for a group.
func (s *Service) ResetRegistrationToken(ctx context.Context, id *auth.Identity, sourceType, ref string) (string, error) {
	var sourceID int64
	switch sourceType {
	case model.RegistrationInstance:
		if !id.IsAdmin() {
			return "", Forbidden("")
		}
	case model.RegistrationProject:
		p, level, err := s.VisibleProject(ctx, id, ref)
		if err != nil {
			return "", err
		}
		if level < access.Maintainer {
			return "", Forbidden("")
		}
		sourceID = p.ID
	case model.RegistrationGroup:
		g, level, err := s.VisibleGroup(ctx, id, ref)
		if err != nil {
			return "", err
		}
		if level < access.Owner {
			return "", Forbidden("")
		}
		sourceID = g.ID
	default:
		return "", fmt.Errorf("service: registration token of %q", sourceType)
	}
	token := auth.NewSecret(RegistrationTokenPrefix, 20)
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		return q.SetRegistrationToken(ctx, sourceType, sourceID, auth.Digest(token))
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// RegisterRunner is POST /runners, the legacy registration: a
// registration token of the instance, a group or a project makes a runner
// of that scope. Any other token — a runner's glrt- token too — is 403,
// as GitLab's RegisterRunnerService answers.
func (s *Service) RegisterRunner(ctx context.Context, token string, in RunnerInput) (*model.Runner, string, error) {
	if token == "" {
		return nil, "", errRunnerToken
	}
	r := &model.Runner{RegistrationType: "registration_token", RunUntagged: true, AccessLevel: "not_protected"}
	if err := in.apply(r); err != nil {
		return nil, "", err
	}
	fresh := newRunnerToken()
	r.TokenDigest = auth.Digest(fresh)
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		sourceType, sourceID, err := q.RegistrationTokenSource(ctx, auth.Digest(token))
		if errors.Is(err, store.ErrNotFound) {
			return errRunnerToken
		}
		if err != nil {
			return err
		}
		switch sourceType {
		case model.RegistrationInstance:
			r.RunnerType = model.RunnerInstance
		case model.RegistrationProject:
			p, err := q.ProjectByID(ctx, sourceID)
			if errors.Is(err, store.ErrNotFound) || err == nil && p.MarkedForDeletionOn != nil {
				return errRunnerToken
			}
			if err != nil {
				return err
			}
			r.RunnerType, r.ProjectIDs = model.RunnerProject, []int64{p.ID}
		case model.RegistrationGroup:
			ns, err := q.NamespaceByID(ctx, sourceID)
			if errors.Is(err, store.ErrNotFound) || err == nil && (!ns.IsGroup() || ns.MarkedForDeletionOn != nil) {
				return errRunnerToken
			}
			if err != nil {
				return err
			}
			r.RunnerType, r.GroupID = model.RunnerGroup, &ns.ID
		default:
			return errRunnerToken
		}
		return q.InsertRunner(ctx, r)
	})
	if err != nil {
		return nil, "", err
	}
	return r, fresh, nil
}
