package service

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Deploy tokens (GitLab's DeployToken, Projects:: and Groups::DeployTokens
// services and API::DeployTokens): a project's or a group's credential for
// git over HTTP, acting as no user. The token is shown once, when it is
// created; only its digest is kept.

// DeployTokenPrefix starts every deploy token, as in GitLab.
const DeployTokenPrefix = "gldt-"

// DeployTokenScopes are GitLab's DeployToken::AVAILABLE_SCOPES, in the
// order its entity lists them. Only read_repository means anything to
// lablet (no registries); the others are kept as given.
var DeployTokenScopes = []string{auth.ScopeReadRepository, auth.ScopeReadRegistry, auth.ScopeWriteRegistry,
	"read_package_registry", "write_package_registry", "read_virtual_registry", "write_virtual_registry"}

// ValidDeployTokenScope reports whether s is one of DeployTokenScopes.
func ValidDeployTokenScope(s string) bool {
	for _, v := range DeployTokenScopes {
		if v == s {
			return true
		}
	}
	return false
}

const maxDeployTokenField = 255

var deployTokenUsernameRE = regexp.MustCompile(`\A[a-zA-Z0-9.+_-]+\z`)

// DeployTokenInput is a new deploy token. Scopes are valid deploy token
// scopes (the adapter checks them as Grape's values: does); Username ""
// takes the default.
type DeployTokenInput struct {
	Name      string
	Username  string
	Scopes    []string
	ExpiresAt *time.Time
}

// DeployTokenHolder names a project (Group false) or a group by id or
// full path.
type DeployTokenHolder struct {
	Ref   string
	Group bool
}

// ListAllDeployTokens is GET /deploy_tokens (administrators); active keeps
// the tokens neither revoked nor expired.
func (s *Service) ListAllDeployTokens(ctx context.Context, id *auth.Identity, active bool) ([]*model.DeployToken, error) {
	if err := requireAdmin(id); err != nil {
		return nil, err
	}
	return s.db.Queries().DeployTokens(ctx, s.deployTokenFilter(model.DeployTokenFilter{}, active))
}

func (s *Service) deployTokenFilter(f model.DeployTokenFilter, active bool) model.DeployTokenFilter {
	if active {
		now := s.now()
		f.ActiveAt = &now
	}
	return f
}

// deployTokenHolder finds the project or group h names and checks the
// caller's ability there: 404 when it is hidden, 403 without the ability.
func (s *Service) deployTokenHolder(ctx context.Context, id *auth.Identity, h DeployTokenHolder, a access.Ability) (model.DeployTokenFilter, error) {
	if h.Group {
		g, level, err := s.VisibleGroup(ctx, id, h.Ref)
		if err != nil {
			return model.DeployTokenFilter{}, err
		}
		if !GroupCan(level, a) {
			return model.DeployTokenFilter{}, Forbidden("")
		}
		return model.DeployTokenFilter{GroupID: g.ID}, nil
	}
	p, _, err := s.ciProject(ctx, id, h.Ref, a)
	if err != nil {
		return model.DeployTokenFilter{}, err
	}
	return model.DeployTokenFilter{ProjectID: p.ID}, nil
}

// ListDeployTokens is GET /projects/:id/deploy_tokens and
// /groups/:id/deploy_tokens (Maintainer).
func (s *Service) ListDeployTokens(ctx context.Context, id *auth.Identity, h DeployTokenHolder, active bool) ([]*model.DeployToken, error) {
	f, err := s.deployTokenHolder(ctx, id, h, access.ReadDeployToken)
	if err != nil {
		return nil, err
	}
	return s.db.Queries().DeployTokens(ctx, s.deployTokenFilter(f, active))
}

// DeployToken is GET …/deploy_tokens/:token_id (Maintainer): "404 Not
// found" for a token of another holder, as GitLab's find.
func (s *Service) DeployToken(ctx context.Context, id *auth.Identity, h DeployTokenHolder, tokenID int64) (*model.DeployToken, error) {
	f, err := s.deployTokenHolder(ctx, id, h, access.ReadDeployToken)
	if err != nil {
		return nil, err
	}
	return s.heldDeployToken(ctx, s.db.Queries(), f, tokenID)
}

func (s *Service) heldDeployToken(ctx context.Context, q *store.Queries, f model.DeployTokenFilter, tokenID int64) (*model.DeployToken, error) {
	t, err := q.DeployToken(ctx, tokenID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errRecordNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("service: load deploy token: %w", err)
	}
	if f.ProjectID != 0 && (t.ProjectID == nil || *t.ProjectID != f.ProjectID) ||
		f.GroupID != 0 && (t.GroupID == nil || *t.GroupID != f.GroupID) {
		return nil, errRecordNotFound
	}
	return t, nil
}

// CreateDeployToken is POST …/deploy_tokens (a project's Maintainer, a
// group's Owner): the token and its text, shown this once. Model
// validation failures are GitLab's 400 with the sentence of its messages.
func (s *Service) CreateDeployToken(ctx context.Context, id *auth.Identity, h DeployTokenHolder, in DeployTokenInput) (*model.DeployToken, string, error) {
	f, err := s.deployTokenHolder(ctx, id, h, access.CreateDeployToken)
	if err != nil {
		return nil, "", err
	}
	t := &model.DeployToken{Name: in.Name, Scopes: orderedDeployTokenScopes(in.Scopes), ExpiresAt: in.ExpiresAt}
	if in.Username != "" {
		t.Username = &in.Username
	}
	if err := validateDeployToken(t); err != nil {
		return nil, "", err
	}
	if f.ProjectID != 0 {
		t.ProjectID = &f.ProjectID
	} else {
		t.GroupID = &f.GroupID
	}
	if uid := id.UserID(); uid != 0 {
		t.CreatorID = &uid
	}
	text := auth.NewSecret(DeployTokenPrefix, 20)
	t.Digest = auth.Digest(text)
	if err := s.db.WithTx(ctx, func(q *store.Queries) error { return q.CreateDeployToken(ctx, t) }); err != nil {
		return nil, "", err
	}
	return t, text, nil
}

// orderedDeployTokenScopes is DeployToken#scopes: each scope once, in
// DeployTokenScopes' order.
func orderedDeployTokenScopes(in []string) []string {
	var out []string
	for _, v := range DeployTokenScopes {
		for _, s := range in {
			if s == v {
				out = append(out, v)
				break
			}
		}
	}
	return out
}

// validateDeployToken is DeployToken's validations, in its order.
func validateDeployToken(t *model.DeployToken) error {
	var msgs []string
	if len(t.Scopes) == 0 {
		msgs = append(msgs, "Scopes can't be blank")
	}
	if t.Username != nil {
		if utf8.RuneCountInString(*t.Username) > maxDeployTokenField {
			msgs = append(msgs, fmt.Sprintf("Username is too long (maximum is %d characters)", maxDeployTokenField))
		}
		if !deployTokenUsernameRE.MatchString(*t.Username) {
			msgs = append(msgs, "Username can contain only letters, digits, '_', '-', '+', and '.'")
		}
	}
	if utf8.RuneCountInString(t.Name) > maxDeployTokenField {
		msgs = append(msgs, fmt.Sprintf("Name is too long (maximum is %d characters)", maxDeployTokenField))
	}
	if len(msgs) > 0 {
		return Invalid(toSentence(msgs))
	}
	return nil
}

// DeleteDeployToken is DELETE …/deploy_tokens/:token_id (a project's
// Maintainer, a group's Owner).
func (s *Service) DeleteDeployToken(ctx context.Context, id *auth.Identity, h DeployTokenHolder, tokenID int64) error {
	return s.destroyDeployToken(ctx, id, h, tokenID, (*store.Queries).DeleteDeployToken)
}

// RevokeDeployToken is GitLab's DeployTokens::RevokeService (the settings
// page's Revoke button; the REST API only deletes): the token stays
// listed, revoked, and authenticates no more. Same rules as deleting.
func (s *Service) RevokeDeployToken(ctx context.Context, id *auth.Identity, h DeployTokenHolder, tokenID int64) error {
	return s.destroyDeployToken(ctx, id, h, tokenID, (*store.Queries).RevokeDeployToken)
}

// destroyDeployToken applies write to a token of h, under
// destroy_deploy_token.
func (s *Service) destroyDeployToken(ctx context.Context, id *auth.Identity, h DeployTokenHolder, tokenID int64,
	write func(*store.Queries, context.Context, int64) error) error {
	f, err := s.deployTokenHolder(ctx, id, h, access.DestroyDeployToken)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		t, err := s.heldDeployToken(ctx, q, f, tokenID)
		if err != nil {
			return err
		}
		return write(q, ctx, t.ID)
	})
}
