package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Token scopes, as GitLab names them.
const (
	ScopeAPI             = "api"
	ScopeReadAPI         = "read_api"
	ScopeReadUser        = "read_user"
	ScopeSudo            = "sudo"
	ScopeAdminMode       = "admin_mode"
	ScopeReadRepository  = "read_repository"
	ScopeWriteRepository = "write_repository"
	ScopeCreateRunner    = "create_runner"
	ScopeManageRunner    = "manage_runner"
	ScopeAIFeatures      = "ai_features"
	ScopeK8sProxy        = "k8s_proxy"
	ScopeReadRegistry    = "read_registry"
	ScopeWriteRegistry   = "write_registry"
	ScopeSelfRotate      = "self_rotate"
	// Deploy tokens' package registry scopes.
	ScopeReadPackageRegistry  = "read_package_registry"
	ScopeWritePackageRegistry = "write_package_registry"
)

// PersonalScopes lists the scopes a personal access token may carry.
var PersonalScopes = []string{ScopeAPI, ScopeReadAPI, ScopeReadUser, ScopeReadRepository, ScopeWriteRepository,
	ScopeReadRegistry, ScopeWriteRegistry, ScopeSudo, ScopeAdminMode, ScopeCreateRunner, ScopeManageRunner,
	ScopeAIFeatures, ScopeK8sProxy, ScopeSelfRotate}

// ValidScope reports whether s is a known personal token scope.
func ValidScope(s string) bool {
	for _, v := range PersonalScopes {
		if v == s {
			return true
		}
	}
	return false
}

// Identity is the caller of one request. A nil *Identity, or one without
// User, is an anonymous caller.
type Identity struct {
	// User is who the request acts as (the sudo target under sudo).
	User *model.User
	// Owner is who authenticated: the token's user.
	Owner *model.User
	// Token is the access token used, if any.
	Token *model.Token
	// Sudo is set when the request acts as another user.
	Sudo bool
	// CIJob is set when a CI/CD job token authenticated the request: it
	// acts as the job's user, only on what job tokens may reach (the
	// job's project, reading) while the job runs.
	CIJob *model.Job
	// Session is set when a browser session (the _gitlab_session cookie)
	// authenticated the request rather than a token.
	Session *model.Session
	// SSHKey is set when a user's SSH key authenticated the session.
	SSHKey *model.Key
	// DeployKey is set when a deploy key authenticated an SSH session; it
	// acts as no user (User is nil) on the projects it is enabled on.
	DeployKey *model.Key
	// DeployToken is set when a deploy token authenticated a git request
	// over HTTP; it acts as no user (User is nil) on its project, or on
	// its group's projects and their subgroups'.
	DeployToken *model.DeployToken
	// OAuthApplication is set when an OAuth access token authenticated the
	// request; Token then carries the grant's scopes (ID 0: no PAT row).
	OAuthApplication *model.OAuthApplication
	// adminMode mirrors the instance's Admin Mode setting.
	adminMode bool
	// sessionAdminMode says Session is in Admin Mode now: its
	// administrator re-authenticated less than AdminModeLifetime ago.
	sessionAdminMode bool
}

// Authenticated reports whether someone is signed in.
func (id *Identity) Authenticated() bool { return id != nil && id.User != nil }

// UserID is the acting user's id, or 0 for anonymous callers.
func (id *Identity) UserID() int64 {
	if !id.Authenticated() {
		return 0
	}
	return id.User.ID
}

// IsAdmin reports whether the caller holds admin powers now. Under Admin
// Mode a token also needs the admin_mode scope, and a browser session must
// have entered Admin Mode (re-authenticated, at most AdminModeLifetime
// ago); until then it acts as a regular user, in pages and in the API.
func (id *Identity) IsAdmin() bool {
	if !id.Authenticated() || !id.User.IsAdmin || id.CIJob != nil {
		return false
	}
	if id.adminMode && id.Token != nil && !id.Sudo && !id.Token.HasScope(ScopeAdminMode) {
		return false
	}
	if id.adminMode && id.Session != nil && !id.sessionAdminMode {
		return false
	}
	return true
}

// AdminModeRequired reports whether the caller is an administrator's
// browser session that must enter Admin Mode before acting as one.
func (id *Identity) AdminModeRequired() bool {
	return id.Authenticated() && id.User.IsAdmin && id.Session != nil && !id.IsAdmin()
}

// InAdminMode reports whether the caller is a browser session that entered
// Admin Mode while the instance requires it (and so may leave it).
func (id *Identity) InAdminMode() bool {
	return id.Authenticated() && id.User.IsAdmin && id.Session != nil && id.adminMode && id.sessionAdminMode
}

// HasScope reports whether the credential allows scope. Callers without a
// token (none yet) have every scope.
func (id *Identity) HasScope(scope string) bool {
	if id == nil || id.Token == nil {
		return true
	}
	return id.Token.HasScope(scope)
}

// HasAnyScope reports whether the credential allows one of scopes.
func (id *Identity) HasAnyScope(scopes ...string) bool {
	for _, s := range scopes {
		if id.HasScope(s) {
			return true
		}
	}
	return false
}

// ErrUnauthorized means the credentials are missing, wrong, expired or
// revoked.
var ErrUnauthorized = errors.New("auth: unauthorized")

// ScopeError means the token lacks every one of Scopes.
type ScopeError struct{ Scopes []string }

func (e *ScopeError) Error() string {
	return "auth: insufficient scope, needs " + strings.Join(e.Scopes, " ")
}

// ForbiddenError carries GitLab's 403 message, e.g. "Must be admin to use sudo".
type ForbiddenError struct{ Message string }

func (e *ForbiddenError) Error() string { return "auth: forbidden: " + e.Message }

// SudoNotFoundError means the sudo target does not exist.
type SudoNotFoundError struct{ Ident string }

func (e *SudoNotFoundError) Error() string {
	return fmt.Sprintf("auth: sudo user %q not found", e.Ident)
}

// Authenticator resolves credentials to identities.
type Authenticator struct {
	db            *store.DB
	impersonation bool
	adminMode     bool
	now           func() time.Time
}

// NewAuthenticator returns an Authenticator over db. impersonation says
// whether impersonation tokens work; adminMode whether Admin Mode is on.
func NewAuthenticator(db *store.DB, impersonation, adminMode bool) *Authenticator {
	return &Authenticator{db: db, impersonation: impersonation, adminMode: adminMode,
		now: func() time.Time { return time.Now().UTC() }}
}

// Anonymous returns the identity of a caller without credentials.
func (a *Authenticator) Anonymous() *Identity { return &Identity{adminMode: a.adminMode} }

// touchInterval is how stale last_used_at may get before a request writes
// it again; GitLab uses ten minutes too.
const touchInterval = 10 * time.Minute

// Token resolves a token's text to an identity. sudo, when not empty, is a
// user ID or username to act as.
func (a *Authenticator) Token(ctx context.Context, text, sudo string) (*Identity, error) {
	now := a.now()
	digest := Digest(text)
	tw, err := a.tokenByDigest(ctx, digest)
	if errors.Is(err, store.ErrNotFound) {
		// Not a personal access token: try an OAuth access token, looked
		// up by the same digest.
		id, err := a.oauthToken(ctx, digest, now)
		if err != nil || sudo == "" {
			return id, err
		}
		return a.sudo(ctx, id, sudo)
	}
	if err != nil {
		return nil, fmt.Errorf("auth: token lookup: %w", err)
	}
	// The index lookup found the row; compare again in constant time so
	// the final decision never depends on a short-circuiting comparison.
	if !DigestEqual(tw.Token.Digest, digest) || !tw.Token.Active(now) || !tw.User.Active() {
		return nil, ErrUnauthorized
	}
	if tw.Token.Impersonation && !a.impersonation {
		return nil, ErrUnauthorized
	}
	if tw.Token.LastUsedAt == nil || now.Sub(*tw.Token.LastUsedAt) > touchInterval {
		if err := a.db.Queries().TouchToken(ctx, tw.Token.ID, now, touchInterval); err != nil {
			return nil, err
		}
		// Show this use to the request itself, as stored (milliseconds).
		used := now.Truncate(time.Millisecond)
		tw.Token.LastUsedAt = &used
	}
	if err := a.touchActivity(ctx, tw.User, now); err != nil {
		return nil, err
	}
	id := &Identity{User: tw.User, Owner: tw.User, Token: tw.Token, adminMode: a.adminMode}
	if sudo == "" {
		return id, nil
	}
	return a.sudo(ctx, id, sudo)
}

// tokenByDigest looks a personal access token up (the store caches it).
func (a *Authenticator) tokenByDigest(ctx context.Context, digest string) (*model.TokenWithUser, error) {
	return a.db.Queries().TokenByDigest(ctx, digest)
}

// sudo switches id to the user named by ident, with GitLab's checks in
// GitLab's order.
func (a *Authenticator) sudo(ctx context.Context, id *Identity, ident string) (*Identity, error) {
	if !id.IsAdmin() {
		return nil, &ForbiddenError{Message: "Must be admin to use sudo"}
	}
	if !id.HasScope(ScopeSudo) {
		return nil, &ScopeError{Scopes: []string{ScopeSudo}}
	}
	target, err := a.db.Queries().UserByIDOrUsername(ctx, ident)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &SudoNotFoundError{Ident: ident}
	}
	if err != nil {
		return nil, fmt.Errorf("auth: sudo lookup: %w", err)
	}
	id.User = target
	id.Sudo = true
	return id, nil
}

// oauthToken resolves an OAuth access token's digest. The identity's
// scopes are the grant's, so route scope checks treat it as a PAT.
func (a *Authenticator) oauthToken(ctx context.Context, digest string, now time.Time) (*Identity, error) {
	at, err := a.oauthAccessToken(ctx, digest, now)
	if err != nil {
		return nil, err
	}
	g := at.Grant
	tok := &model.Token{UserID: at.User.ID, Name: at.Application.Name, Digest: g.Signature, Scopes: g.Scopes,
		CreatedAt: g.CreatedAt}
	return &Identity{User: at.User, Owner: at.User, Token: tok, OAuthApplication: at.Application,
		adminMode: a.adminMode}, nil
}

// OAuthAccessToken resolves an OAuth access token's text, with its grant,
// user and application, if it can authenticate now: known, not revoked,
// not expired, and its user active (not blocked or deactivated). Anything
// else is ErrUnauthorized. The REST API, git and the OAuth endpoints that
// describe a token (token info, userinfo) all decide by it.
func (a *Authenticator) OAuthAccessToken(ctx context.Context, text string) (*model.OAuthAccessToken, error) {
	if text == "" {
		return nil, ErrUnauthorized
	}
	return a.oauthAccessToken(ctx, Digest(text), a.now())
}

func (a *Authenticator) oauthAccessToken(ctx context.Context, digest string, now time.Time) (*model.OAuthAccessToken, error) {
	at, err := a.db.Queries().OAuthAccessTokenByDigest(ctx, digest)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnauthorized
	}
	if err != nil {
		return nil, fmt.Errorf("auth: oauth token lookup: %w", err)
	}
	g := at.Grant
	if !DigestEqual(g.Signature, digest) || !g.Active || (g.ExpiresAt != nil && !now.Before(*g.ExpiresAt)) ||
		!at.User.Active() {
		return nil, ErrUnauthorized
	}
	return at, nil
}
