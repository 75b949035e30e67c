package service

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// ResourceTokenScopes are the scopes a project or group access token may
// carry: GitLab's resource bot scopes, without read_user, sudo or
// admin_mode, since a bot has no profile and no admin powers.
var ResourceTokenScopes = []string{auth.ScopeAPI, auth.ScopeReadAPI, auth.ScopeReadRepository,
	auth.ScopeWriteRepository, auth.ScopeReadRegistry, auth.ScopeWriteRegistry, auth.ScopeCreateRunner,
	auth.ScopeManageRunner, auth.ScopeAIFeatures, auth.ScopeK8sProxy, auth.ScopeSelfRotate}

// ResourceTokenLevels are the roles a resource access token may have.
var ResourceTokenLevels = []access.Level{access.Guest, access.Planner, access.Reporter, access.Developer,
	access.Maintainer, access.Owner}

// adminScopes are personal token scopes only administrators may grant
// themselves.
var adminScopes = []string{auth.ScopeSudo, auth.ScopeAdminMode}

// TokenResource is a project or group whose access tokens are managed, as
// the caller sees it.
type TokenResource struct {
	// Kind is "project" or "group", as GitLab words its messages.
	Kind string
	// SourceType is model.SourceProject or model.SourceNamespace.
	SourceType string
	ID         int64
	FullPath   string
	Name       string
	// Level is the caller's effective level on the resource.
	Level access.Level
}

// CanManage reports whether the caller may list, create, rotate and revoke
// the resource's tokens: Maintainers on projects, Owners on groups.
func (r *TokenResource) CanManage() bool {
	if r.SourceType == model.SourceNamespace {
		return r.Level >= access.Owner
	}
	return r.Level >= access.Maintainer
}

// ProjectTokenResource loads a project the caller may see (else 404).
func (s *Service) ProjectTokenResource(ctx context.Context, id *auth.Identity, ref string) (*TokenResource, error) {
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	fullPath, name := p.Path, p.Name
	if p.Namespace != nil {
		fullPath, name = p.FullPath(), p.FullName()
	}
	return &TokenResource{Kind: "project", SourceType: model.SourceProject, ID: p.ID, FullPath: fullPath,
		Name: name, Level: level}, nil
}

// GroupTokenResource loads a group the caller may see (else 404).
func (s *Service) GroupTokenResource(ctx context.Context, id *auth.Identity, ref string) (*TokenResource, error) {
	g, level, err := s.VisibleGroup(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	return &TokenResource{Kind: "group", SourceType: model.SourceNamespace, ID: g.ID, FullPath: g.FullPath,
		Name: g.FullName, Level: level}, nil
}

// ResourceToken is a project or group access token with its bot's role.
type ResourceToken struct {
	*model.Token
	AccessLevel int
}

// withLevels attaches the bots' roles to tokens in one query.
func withLevels(ctx context.Context, q *store.Queries, tokens []*model.Token) ([]*ResourceToken, error) {
	ids := make([]int64, 0, len(tokens))
	for _, t := range tokens {
		ids = append(ids, t.UserID)
	}
	bots, err := q.ResourceBotsByUsers(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*ResourceToken, 0, len(tokens))
	for _, t := range tokens {
		rt := &ResourceToken{Token: t}
		if b := bots[t.UserID]; b != nil {
			rt.AccessLevel = b.AccessLevel
		}
		out = append(out, rt)
	}
	return out, nil
}

// ListResourceTokens lists the resource's access tokens. As in GitLab,
// callers who may see the resource but not manage its tokens get 401.
func (s *Service) ListResourceTokens(ctx context.Context, id *auth.Identity, res *TokenResource, f model.TokenFilter) ([]*ResourceToken, int, error) {
	if !res.CanManage() {
		return nil, 0, auth.ErrUnauthorized
	}
	f.Today = s.Today()
	f.BotsOf = &model.BotSource{Type: res.SourceType, ID: res.ID}
	imp := false
	f.Impersonation = &imp
	f.UserID = nil
	q := s.db.Queries()
	tokens, total, err := q.ListTokens(ctx, f)
	if err != nil {
		return nil, 0, fmt.Errorf("service: list resource tokens: %w", err)
	}
	out, err := withLevels(ctx, q, tokens)
	if err != nil {
		return nil, 0, fmt.Errorf("service: list resource tokens: %w", err)
	}
	return out, total, nil
}

// findResourceToken loads token tokenID if it belongs to a bot of res.
func (s *Service) findResourceToken(ctx context.Context, q *store.Queries, res *TokenResource, tokenID int64) (*ResourceToken, error) {
	notFound := NotFound(res.Kind + " Access Token")
	t, err := q.TokenByID(ctx, tokenID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound
	}
	if err != nil {
		return nil, fmt.Errorf("service: load token: %w", err)
	}
	b, err := q.ResourceBotByUser(ctx, t.UserID)
	if errors.Is(err, store.ErrNotFound) || err == nil && (b.SourceType != res.SourceType || b.SourceID != res.ID) ||
		t.Impersonation {
		return nil, notFound
	}
	if err != nil {
		return nil, fmt.Errorf("service: load token bot: %w", err)
	}
	return &ResourceToken{Token: t, AccessLevel: b.AccessLevel}, nil
}

// ResourceTokenByID returns one of the resource's access tokens.
func (s *Service) ResourceTokenByID(ctx context.Context, id *auth.Identity, res *TokenResource, tokenID int64) (*ResourceToken, error) {
	if !res.CanManage() {
		return nil, auth.ErrUnauthorized
	}
	return s.findResourceToken(ctx, s.db.Queries(), res, tokenID)
}

// ResourceTokenInput describes a project or group access token to create.
type ResourceTokenInput struct {
	Name        string
	Description string
	Scopes      []string
	// AccessLevel is the bot's role; 0 means Maintainer, GitLab's default.
	AccessLevel int
	ExpiresAt   *string // YYYY-MM-DD; nil means the longest lifetime
	// Host names the instance in the bot's noreply email address.
	Host string
}

// badRequest is GitLab's bad_request!(message) body.
func badRequest(msg string) error { return Invalid("400 Bad request - " + msg) }

// CreateResourceToken creates a bot user that is a member of res with the
// requested role and mints its token, all in one transaction. It returns
// the token and its text, shown only now.
func (s *Service) CreateResourceToken(ctx context.Context, id *auth.Identity, res *TokenResource, in ResourceTokenInput) (*ResourceToken, string, error) {
	// A bot may not mint tokens, so a leaked token can't multiply itself.
	if !id.Authenticated() || !res.CanManage() || id.User.Bot {
		return nil, "", badRequest("User does not have permission to create " + res.Kind + " access token")
	}
	if in.AccessLevel == 0 {
		in.AccessLevel = int(access.Maintainer)
	}
	if !slices.Contains(ResourceTokenLevels, access.Level(in.AccessLevel)) {
		return nil, "", ParamError("access_level does not have a valid value")
	}
	if res.SourceType == model.SourceProject && access.Level(in.AccessLevel) == access.Owner && res.Level < access.Owner {
		return nil, "", badRequest("Could not provision owner access to project access token")
	}
	if access.Level(in.AccessLevel) > res.Level {
		return nil, "", badRequest("Access level of the token can't be greater the access level of the user who created the token")
	}
	if in.ExpiresAt == nil {
		in.ExpiresAt = s.DefaultTokenExpiry()
	}
	if err := s.validateTokenInput(NewTokenInput{Name: in.Name, Scopes: in.Scopes, ExpiresAt: in.ExpiresAt}); err != nil {
		if se, ok := errors.AsType[*Error](err); ok && !se.Param {
			return nil, "", badRequest(se.Message)
		}
		return nil, "", err
	}
	for _, sc := range in.Scopes {
		if !slices.Contains(ResourceTokenScopes, sc) {
			return nil, "", ParamError("scopes does not have a valid value")
		}
	}
	if max := s.DefaultTokenExpiry(); *in.ExpiresAt > *max {
		return nil, "", badRequest("Expiration date must be before " + *max)
	}
	if msg := ValidText(in.Description, 255); msg != "" {
		return nil, "", ParamError("description " + msg)
	}

	prefix := res.Kind
	username := fmt.Sprintf("%s_%d_bot_%s", prefix, res.ID, auth.NewSecret("", 32))
	host := in.Host
	if host == "" {
		host = "localhost"
	}
	creator := id.User.ID
	bot := &model.User{Username: username, Email: username + "@noreply." + host, Name: in.Name, Bot: true,
		CreatedByID: &creator}
	text := auth.NewPersonalToken()
	t := &model.Token{Name: in.Name, Description: in.Description, Digest: auth.Digest(text), Scopes: in.Scopes,
		ExpiresAt: in.ExpiresAt}
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		if err := q.CreateUser(ctx, bot); err != nil {
			return fmt.Errorf("service: create bot user: %w", err)
		}
		m := &model.Member{SourceType: res.SourceType, SourceID: res.ID, UserID: bot.ID, AccessLevel: in.AccessLevel,
			CreatedByID: &creator}
		if err := q.UpsertMember(ctx, m); err != nil {
			return fmt.Errorf("service: add bot member: %w", err)
		}
		if err := q.CreateResourceBot(ctx, &model.ResourceBot{UserID: bot.ID, SourceType: res.SourceType,
			SourceID: res.ID, AccessLevel: in.AccessLevel}); err != nil {
			return err
		}
		t.UserID = bot.ID
		return q.CreateToken(ctx, t)
	})
	if err != nil {
		return nil, "", err
	}
	return &ResourceToken{Token: t, AccessLevel: in.AccessLevel}, text, nil
}

// RevokeResourceToken revokes a resource access token and retires its
// bot: the membership goes and the account is blocked, so nothing the bot
// holds works any more. The token and bot rows stay, so revoked tokens
// still list, as in GitLab since 17.2.
func (s *Service) RevokeResourceToken(ctx context.Context, id *auth.Identity, res *TokenResource, tokenID int64) error {
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		rt, err := s.findResourceToken(ctx, q, res, tokenID)
		if err != nil {
			return err
		}
		// Unlike creation and rotation, GitLab lets a bot that manages the
		// resource revoke its tokens (project_bot_access does not prevent
		// destroy_resource_access_tokens): a leaked token can end others,
		// never mint them.
		if !id.Authenticated() || !res.CanManage() {
			name := ""
			if id.Authenticated() {
				name = id.User.Name
			}
			bot, err := q.UserByID(ctx, rt.UserID)
			if err != nil {
				return fmt.Errorf("service: load bot: %w", err)
			}
			return badRequest(name + " cannot delete " + bot.Username)
		}
		if err := q.RevokeUserTokens(ctx, rt.UserID); err != nil {
			return err
		}
		if err := q.DeleteMember(ctx, res.SourceType, res.ID, rt.UserID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("service: remove bot member: %w", err)
		}
		return q.SetUserState(ctx, rt.UserID, "blocked")
	})
}

// RotateResourceToken revokes a resource access token and issues its
// successor for the same bot. tokenID 0 means the calling token itself
// (…/access_tokens/self/rotate). As in GitLab, callers who may not manage
// the tokens, or name a token that isn't there, get 401; administrators
// learn of a missing token (404).
func (s *Service) RotateResourceToken(ctx context.Context, id *auth.Identity, res *TokenResource, tokenID int64, expiresAt *string) (*ResourceToken, string, error) {
	hidden := func() error {
		if id.IsAdmin() {
			return &Error{Kind: KindNotFound, Message: "Not Found"}
		}
		return auth.ErrUnauthorized
	}
	self := tokenID == 0
	if self {
		if id.Token == nil || id.Sudo {
			return nil, "", auth.ErrUnauthorized
		}
		tokenID = id.Token.ID
	} else if !res.CanManage() || id.User.Bot {
		// A project access token may rotate only itself.
		return nil, "", auth.ErrUnauthorized
	}
	rt, err := s.findResourceToken(ctx, s.db.Queries(), res, tokenID)
	if KindOf(err) == KindNotFound {
		return nil, "", hidden()
	}
	if err != nil {
		return nil, "", err
	}
	if !self && !id.IsAdmin() && access.Level(rt.AccessLevel) > res.Level {
		return nil, "", badRequest("Not eligible to rotate token with access level higher than the user")
	}
	next, text, err := s.RotateToken(ctx, rt.Token, expiresAt)
	if err != nil {
		return nil, "", err
	}
	return &ResourceToken{Token: next, AccessLevel: rt.AccessLevel}, text, nil
}

// OwnTokenInput is a personal access token a user creates for themselves
// on the settings page.
type OwnTokenInput struct {
	Name      string
	Scopes    []string
	ExpiresAt *string
}

// PersonalScopesFor lists the scopes the caller may give their own tokens:
// sudo and admin_mode only for administrators, as GitLab's page offers.
func PersonalScopesFor(id *auth.Identity) []string {
	out := make([]string, 0, len(auth.PersonalScopes))
	for _, sc := range auth.PersonalScopes {
		if slices.Contains(adminScopes, sc) && !id.IsAdmin() {
			continue
		}
		out = append(out, sc)
	}
	return out
}

// CreateOwnToken creates a personal access token for the signed-in user.
// Bots have no settings page and get none.
func (s *Service) CreateOwnToken(ctx context.Context, id *auth.Identity, in OwnTokenInput) (*model.Token, string, error) {
	if !id.Authenticated() || id.User.Bot || id.Sudo {
		return nil, "", Forbidden("")
	}
	allowed := PersonalScopesFor(id)
	for _, sc := range in.Scopes {
		if !slices.Contains(allowed, sc) {
			return nil, "", ParamError("scopes does not have a valid value")
		}
	}
	if in.ExpiresAt == nil {
		in.ExpiresAt = s.DefaultTokenExpiry()
	} else if max := s.DefaultTokenExpiry(); *in.ExpiresAt > *max {
		return nil, "", Invalid("Expiration date must be before " + *max)
	}
	return s.CreateToken(ctx, NewTokenInput{UserID: id.User.ID, Name: in.Name, Scopes: in.Scopes, ExpiresAt: in.ExpiresAt})
}

// ListOwnTokens lists the signed-in user's active personal access tokens.
func (s *Service) ListOwnTokens(ctx context.Context, id *auth.Identity) ([]*model.Token, error) {
	if !id.Authenticated() {
		return nil, auth.ErrUnauthorized
	}
	self, imp := id.User.ID, false
	tokens, _, err := s.ListTokens(ctx, id, TokenListInput{UserID: &self,
		Filter: model.TokenFilter{Impersonation: &imp, State: "active", Sort: "created_desc", Limit: 100}})
	return tokens, err
}
