// Package oauth is lablet's OAuth 2.0 and OpenID Connect provider, in
// GitLab's shapes: authorization code with PKCE (S256 and plain), rotating
// refresh tokens, the password grant (optional), RFC 8628 device
// authorization, revocation, introspection, token info, userinfo,
// discovery, JWKS and RFC 7591 dynamic registration.
//
// The protocol runs on github.com/ory/fosite rather than by hand. fosite
// was chosen over zitadel/oidc because it already has every grant GitLab
// offers except the device flow (notably the password grant and refresh
// token reuse detection, which zitadel/oidc lacks), exposes storage and
// token strategies as small interfaces (so codes and tokens are stored
// only as the SHA-256 digests lablet already indexes personal access
// tokens by), and lets a custom token endpoint handler add RFC 8628.
// Pages (/oauth/authorize consent, /oauth/device) live in internal/web and
// call this package.
package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v3"
	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/token/jwt"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/route"
	"github.com/lablet/lablet/internal/service"
)

// Lifetimes, as GitLab configures Doorkeeper.
const (
	AccessTokenLifespan   = 2 * time.Hour
	AuthorizeCodeLifespan = 10 * time.Minute
	IDTokenLifespan       = 2 * time.Minute
	DeviceCodeLifespan    = 5 * time.Minute
	DeviceInterval        = 5 // seconds between device polls
)

// Options configure a Provider.
type Options struct {
	Service *service.Service
	// DB backs the provider's storage adapter (storage.go).
	DB            *Database
	Authenticator *auth.Authenticator
	Log           *slog.Logger
	// DataDir holds the ID token signing key.
	DataDir string
	// ExternalURL is the configured base URL; empty derives it per request.
	ExternalURL string
	// PasswordGrant enables the resource owner password credentials grant.
	PasswordGrant bool
	// RateLimit is how many registrations and device authorizations one
	// client address may make a minute; 0 means no limit.
	RateLimit int
}

// Provider serves the OAuth endpoints.
type Provider struct {
	svc           *service.Service
	authn         *auth.Authenticator
	log           *slog.Logger
	externalURL   string
	passwordGrant bool
	key           *jose.JSONWebKey
	store         *storage
	// idTokens signs ID tokens for the grants fosite's OIDC handlers do not
	// cover (password and device).
	idTokens openid.OpenIDConnectTokenStrategy
	f        *fosite.Fosite
	// registrations and deviceAuthorizations throttle the anonymous
	// endpoints that store a row per call.
	registrations, deviceAuthorizations *addrLimiter
}

// New builds a Provider, loading or creating the signing key.
func New(o Options) (*Provider, error) {
	key, err := loadOrCreateKey(o.DataDir)
	if err != nil {
		return nil, err
	}
	p := &Provider{svc: o.Service, authn: o.Authenticator, log: o.Log,
		externalURL: strings.TrimSuffix(o.ExternalURL, "/"), passwordGrant: o.PasswordGrant, key: key,
	}
	if o.RateLimit > 0 {
		p.registrations = newAddrLimiter(o.RateLimit, perAddressWindow)
		p.deviceAuthorizations = newAddrLimiter(o.RateLimit, perAddressWindow)
	}
	p.store = &storage{db: o.DB, svc: p.svc, passwordGrant: o.PasswordGrant}
	cfg := &fosite.Config{
		AccessTokenLifespan:   AccessTokenLifespan,
		AuthorizeCodeLifespan: AuthorizeCodeLifespan,
		IDTokenLifespan:       IDTokenLifespan,
		// GitLab's refresh tokens do not expire; they rotate on use.
		RefreshTokenLifespan:           -1,
		RefreshTokenScopes:             []string{},
		ScopeStrategy:                  fosite.ExactScopeStrategy,
		AudienceMatchingStrategy:       fosite.DefaultAudienceMatchingStrategy,
		EnforcePKCEForPublicClients:    true,
		EnablePKCEPlainChallengeMethod: true,
		// state and nonce are the client's business (GitLab does not
		// require them); -1 turns fosite's length check off.
		MinParameterEntropy: -1,
		// GitLab allows http redirect URIs (and custom schemes for apps).
		RedirectSecureChecker: func(context.Context, *url.URL) bool { return true },
		ClientSecretsHasher:   digestHasher{},
	}
	keyGetter := func(context.Context) (any, error) { return p.key, nil }
	p.idTokens = compose.NewOpenIDConnectStrategy(keyGetter, cfg)
	tokens := tokenStrategy{userActive: p.userActive}
	strategy := &compose.CommonStrategy{
		CoreStrategy:               tokens,
		OpenIDConnectTokenStrategy: p.idTokens,
		Signer:                     &jwt.DefaultSigner{GetPrivateKey: keyGetter},
	}
	factories := []compose.Factory{
		compose.OAuth2AuthorizeExplicitFactory,
		compose.OAuth2RefreshTokenGrantFactory,
		compose.OpenIDConnectExplicitFactory,
		compose.OpenIDConnectRefreshFactory,
		compose.OAuth2TokenIntrospectionFactory,
		compose.OAuth2TokenRevocationFactory,
		compose.OAuth2PKCEFactory,
	}
	if o.PasswordGrant {
		factories = append(factories, compose.OAuth2ResourceOwnerPasswordCredentialsFactory)
	}
	if err := p.ensurePasswordGrantClient(context.Background()); err != nil {
		return nil, err
	}
	f, ok := compose.Compose(cfg, p.store, strategy, factories...).(*fosite.Fosite)
	if !ok {
		return nil, errors.New("oauth: unexpected provider type")
	}
	cfg.TokenEndpointHandlers.Append(&deviceHandler{p: p, strategy: tokens})
	p.f = f
	return p, nil
}

// userActive reports whether user id exists and is active (neither
// blocked nor deactivated).
func (p *Provider) userActive(ctx context.Context, id int64) (bool, error) {
	u, err := p.svc.UserByID(ctx, id)
	if service.KindOf(err) == service.KindNotFound {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("oauth: user %d: %w", id, err)
	}
	return u.Active(), nil
}

// ensurePasswordGrantClient creates the built-in public client that password
// grants without client credentials are issued to. Its scopes are those a
// user may grant an application; by default the grant gets api, as GitLab's.
func (p *Provider) ensurePasswordGrantClient(ctx context.Context) error {
	_, err := p.store.applicationByUID(ctx, model.PasswordGrantClientUID)
	if err == nil {
		return nil
	}
	if !errors.Is(err, errNotFound) {
		return fmt.Errorf("oauth: password grant client: %w", err)
	}
	app := &model.OAuthApplication{UID: model.PasswordGrantClientUID, Name: "Resource owner password credentials",
		SecretDigest: auth.Digest(auth.NewSecret("", 43)), Confidential: false,
		Scopes: []string{"api", "read_api", "read_user", "read_repository", "write_repository", "openid", "profile", "email"}}
	if err := p.store.ensureApplication(ctx, app); err != nil {
		return fmt.Errorf("oauth: password grant client: %w", err)
	}
	return nil
}

// Routes is the OAuth provider's route table: its machine-facing
// endpoints. The pages (/oauth/authorize, /oauth/device) are in
// internal/web's table.
func (p *Provider) Routes() []route.Route {
	rows := []struct {
		pattern string
		fn      func(*Provider, http.ResponseWriter, *http.Request)
		auth    string
		limit   *addrLimiter // per client address, or nil
	}{
		{"POST /oauth/token", (*Provider).token, "client,password,code,refresh_token,device_code", nil},
		{"POST /oauth/revoke", (*Provider).revoke, "client", nil},
		{"POST /oauth/introspect", (*Provider).introspect, "client", nil},
		{"GET /oauth/token/info", (*Provider).tokenInfo, "bearer", nil},
		{"GET /oauth/userinfo", (*Provider).userinfo, "bearer:openid", nil},
		{"POST /oauth/userinfo", (*Provider).userinfo, "bearer:openid", nil},
		{"GET /oauth/discovery/keys", (*Provider).jwks, "anonymous", nil},
		{"GET /.well-known/openid-configuration", (*Provider).discovery, "anonymous", nil},
		{"GET /.well-known/oauth-authorization-server", (*Provider).discovery, "anonymous", nil},
		{"POST /oauth/register", (*Provider).register, "anonymous", p.registrations},
		{"POST /oauth/authorize_device", (*Provider).authorizeDevice, "client", p.deviceAuthorizations},
	}
	out := make([]route.Route, 0, len(rows))
	for _, row := range rows {
		method, path, _ := strings.Cut(row.pattern, " ")
		fn := row.fn
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fn(p, w, r) })
		if row.limit != nil {
			h = throttle(row.limit, h)
		}
		out = append(out, route.Route{Method: method, Pattern: path, Func: fn, Auth: row.auth, Ability: access.None, Handler: h})
	}
	return out
}

// BaseURL is the external URL clients reach the server by; it is also the
// ID token issuer.
func (p *Provider) BaseURL(r *http.Request) string { return route.ExternalURL(r, p.externalURL) }

// newSession is an empty session for fosite to fill from storage.
func newSession() *openid.DefaultSession {
	return &openid.DefaultSession{Claims: &jwt.IDTokenClaims{}, Headers: &jwt.Headers{}}
}

// userSession is the session of a grant for u: subject and the ID token
// claims GitLab issues.
func (p *Provider) userSession(r *http.Request, u *model.User, authTime time.Time) *openid.DefaultSession {
	now := time.Now().UTC()
	sub := strconv.FormatInt(u.ID, 10)
	s := newSession()
	s.Subject, s.Username = sub, u.Username
	s.Claims = &jwt.IDTokenClaims{Issuer: p.BaseURL(r), Subject: sub, AuthTime: authTime.UTC(), RequestedAt: now,
		Extra: p.userClaims(r, u)}
	return s
}

// userClaims are GitLab's profile claims (ID token and userinfo).
func (p *Provider) userClaims(r *http.Request, u *model.User) map[string]any {
	base := p.BaseURL(r)
	return map[string]any{
		"name":               u.Name,
		"nickname":           u.Username,
		"preferred_username": u.Username,
		"email":              u.Email,
		"email_verified":     u.ConfirmedAt != nil || u.Email != "",
		"website":            u.WebsiteURL,
		"profile":            base + "/" + u.Username,
		"picture":            "",
		"groups":             p.groupPaths(r, u),
	}
}

// groupPaths lists the groups u belongs to, directly or by inheritance, as
// GitLab's "groups" claim does. A failed lookup leaves the claim empty
// rather than failing the grant; it is logged.
func (p *Provider) groupPaths(r *http.Request, u *model.User) []string {
	paths, err := p.svc.GroupPathsOf(r.Context(), u.ID)
	if err != nil {
		p.log.ErrorContext(r.Context(), "oauth groups claim", "user_id", u.ID, "err", err)
	}
	if paths == nil {
		paths = []string{}
	}
	return paths
}

// writeJSON writes v with the headers RFC 6749 asks of token responses.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeOAuthError writes an RFC 6749 error body.
func writeOAuthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

// token is POST /oauth/token for every grant, answering in GitLab's shape.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "The request body could not be parsed.")
		return
	}
	if r.PostForm.Get("grant_type") == "password" && !p.passwordGrant {
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type",
			"The authorization grant type is not supported by the authorization server.")
		return
	}
	if r.PostForm.Get("grant_type") == "password" && r.PostForm.Get("client_id") == "" && r.Header.Get("Authorization") == "" {
		// GitLab's documented password grant sends no client at all; a
		// built-in public client stands in for it.
		r.PostForm.Set("client_id", model.PasswordGrantClientUID)
		r.Form.Set("client_id", model.PasswordGrantClientUID)
	}
	sess := newSession()
	ar, err := p.f.NewAccessRequest(ctx, r, sess)
	if errors.Is(err, errUserInactive) {
		// fosite calls a refresh token it can't validate a bad request;
		// like a revoked one it is a bad grant.
		err = fosite.ErrInvalidGrant.WithHint("The user of the grant is blocked or deactivated.")
	}
	if err != nil {
		p.f.WriteAccessError(ctx, w, ar, err)
		return
	}
	if ar.GetGrantTypes().ExactOne("password") {
		if err := p.grantPassword(r, ar, sess); err != nil {
			p.f.WriteAccessError(ctx, w, ar, err)
			return
		}
	}
	resp, err := p.f.NewAccessResponse(ctx, ar)
	if err != nil {
		// Two exchanges racing on one code: the loser's code was spent
		// between fosite's check and its invalidation. That is the client's
		// invalid_grant, not a server error.
		if errors.Is(err, fosite.ErrInvalidatedAuthorizeCode) {
			err = fosite.ErrInvalidGrant.WithHint("The authorization code has already been used.")
		}
		p.f.WriteAccessError(ctx, w, ar, err)
		return
	}
	if err := p.addIDToken(r, ar, resp); err != nil {
		p.f.WriteAccessError(ctx, w, ar, err)
		return
	}
	p.writeToken(w, resp)
}

// addIDToken adds an id_token to password and device grant responses when
// openid was granted, as the code flow's OIDC handler does for its own.
func (p *Provider) addIDToken(r *http.Request, ar fosite.AccessRequester, resp fosite.AccessResponder) error {
	gt := ar.GetGrantTypes()
	if !gt.ExactOne("password") && !gt.ExactOne(deviceGrantType) || !ar.GetGrantedScopes().Has(service.ScopeOpenID) {
		return nil
	}
	sess, ok := ar.GetSession().(*openid.DefaultSession)
	if !ok {
		return fosite.ErrServerError.WithHint("unexpected session type")
	}
	uid, err := strconv.ParseInt(sess.Subject, 10, 64)
	if err != nil {
		return fosite.ErrServerError.WithWrap(err)
	}
	u, err := p.svc.UserByID(r.Context(), uid)
	if err != nil {
		return fosite.ErrServerError.WithWrap(err)
	}
	authTime := sess.Claims.AuthTime
	if authTime.IsZero() {
		authTime = time.Now().UTC()
	}
	full := p.userSession(r, u, authTime)
	full.Claims.Audience = []string{ar.GetClient().GetID()}
	sess.Claims = full.Claims
	tok, err := p.idTokens.GenerateIDToken(r.Context(), IDTokenLifespan, ar)
	if err != nil {
		return fosite.ErrServerError.WithWrap(err)
	}
	resp.SetExtra("id_token", tok)
	return nil
}

// writeToken renders a token response as GitLab does.
func (p *Provider) writeToken(w http.ResponseWriter, resp fosite.AccessResponder) {
	m := resp.ToMap()
	m["token_type"] = "Bearer"
	m["expires_in"] = int64(AccessTokenLifespan / time.Second)
	m["created_at"] = time.Now().Unix()
	writeJSON(w, http.StatusOK, m)
}

// grantPassword grants the password grant's scopes (GitLab's default is
// api, else the application's) and fills the user's claims.
func (p *Provider) grantPassword(r *http.Request, ar fosite.AccessRequester, sess *openid.DefaultSession) error {
	scopes := ar.GetRequestedScopes()
	if len(scopes) == 0 {
		scopes = defaultScopes(ar.GetClient())
	}
	for _, s := range scopes {
		ar.GrantScope(s)
	}
	uid, err := strconv.ParseInt(sess.Subject, 10, 64)
	if err != nil {
		return fosite.ErrServerError.WithWrap(err)
	}
	u, err := p.svc.UserByID(r.Context(), uid)
	if err != nil {
		return fosite.ErrServerError.WithWrap(err)
	}
	full := p.userSession(r, u, time.Now())
	sess.Claims, sess.Username = full.Claims, full.Username
	return nil
}

// defaultScopes are used when a request names none: api when the
// application has it (GitLab's default), else all of its scopes.
func defaultScopes(c fosite.Client) []string {
	if c.GetScopes().Has(auth.ScopeAPI) {
		return []string{auth.ScopeAPI}
	}
	return c.GetScopes()
}

// revoke is RFC 7009 revocation; GitLab answers 200 {} on success.
func (p *Provider) revoke(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := p.f.NewRevocationRequest(ctx, r); err != nil {
		p.f.WriteRevocationResponse(ctx, w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{})
}

// introspect is RFC 7662 introspection (caller authenticates as a client
// or with a bearer token).
func (p *Provider) introspect(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ir, err := p.f.NewIntrospectionRequest(ctx, r, newSession())
	if err != nil {
		p.f.WriteIntrospectionError(ctx, w, err)
		return
	}
	p.f.WriteIntrospectionResponse(ctx, w, ir)
}

// bearer finds the access token in the Authorization header or the
// access_token parameter, as GitLab does.
func bearer(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		if scheme, t, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(t)
		}
	}
	return r.FormValue("access_token")
}

func invalidToken(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="Doorkeeper", error="invalid_token", error_description="The access token is invalid"`)
	writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token",
		"error_description": "The access token is invalid", "state": "unauthorized"})
}

// tokenInfo is Doorkeeper's GET /oauth/token/info. A token the REST API
// would refuse (revoked, expired, its user blocked or deactivated) is
// invalid here too.
func (p *Provider) tokenInfo(w http.ResponseWriter, r *http.Request) {
	at, err := p.authn.OAuthAccessToken(r.Context(), bearer(r))
	if err != nil {
		if !errors.Is(err, auth.ErrUnauthorized) {
			p.log.ErrorContext(r.Context(), "oauth token info", "err", err)
		}
		invalidToken(w)
		return
	}
	var expires any
	if at.Grant.ExpiresAt != nil {
		expires = int64(at.Grant.ExpiresAt.Sub(time.Now().UTC()) / time.Second)
	}
	scopes := at.Grant.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"resource_owner_id": at.User.ID, "scope": scopes, "expires_in": expires,
		"application": map[string]string{"uid": at.Application.UID}, "created_at": at.Grant.CreatedAt.Unix(),
		"scopes": scopes, "expires_in_seconds": expires,
	})
}

// userinfo is the OpenID Connect userinfo endpoint; the token needs the
// openid scope.
func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	text := bearer(r)
	if text == "" {
		invalidToken(w)
		return
	}
	id, err := p.authn.Token(r.Context(), text, "")
	if err != nil || id.OAuthApplication == nil {
		invalidToken(w)
		return
	}
	if !id.HasScope(service.ScopeOpenID) {
		w.Header().Set("WWW-Authenticate", `Bearer error="insufficient_scope", scope="openid"`)
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "insufficient_scope",
			"error_description": "The request requires higher privileges than provided by the access token."})
		return
	}
	claims := p.userClaims(r, id.User)
	claims["sub"] = strconv.FormatInt(id.User.ID, 10)
	writeJSON(w, http.StatusOK, claims)
}

// jwks publishes the public signing key.
func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	pub := p.key.Public()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "max-age=86400, public")
	_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{pub}})
}

// discovery is /.well-known/openid-configuration in GitLab's shape.
func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	base := p.BaseURL(r)
	grants := []string{"authorization_code", "refresh_token", deviceGrantType}
	if p.passwordGrant {
		grants = append(grants, "password")
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"issuer":                                base,
		"authorization_endpoint":                base + "/oauth/authorize",
		"token_endpoint":                        base + "/oauth/token",
		"revocation_endpoint":                   base + "/oauth/revoke",
		"introspection_endpoint":                base + "/oauth/introspect",
		"userinfo_endpoint":                     base + "/oauth/userinfo",
		"jwks_uri":                              base + "/oauth/discovery/keys",
		"registration_endpoint":                 base + "/oauth/register",
		"device_authorization_endpoint":         base + "/oauth/authorize_device",
		"scopes_supported":                      service.ApplicationScopes,
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"grant_types_supported":                 grants,
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"claim_types_supported":                 []string{"normal"},
		"claims_supported": []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "name",
			"nickname", "preferred_username", "email", "email_verified", "website", "profile", "picture", "groups"},
		"code_challenge_methods_supported": []string{"plain", "S256"},
	})
}

// register is RFC 7591 dynamic client registration. As GitLab offers it,
// registered clients are public (PKCE, no secret) and limited to
// read-only scopes; an administrator can widen them later.
func (p *Provider) register(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ClientName              string   `json:"client_name"`
		RedirectURIs            []string `json:"redirect_uris"`
		Scope                   string   `json:"scope"`
		TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&in); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_client_metadata", "The request body is not valid JSON.")
		return
	}
	if in.TokenEndpointAuthMethod != "" && in.TokenEndpointAuthMethod != "none" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_client_metadata",
			"Only public clients (token_endpoint_auth_method none) can register dynamically.")
		return
	}
	if len(in.RedirectURIs) == 0 {
		writeOAuthError(w, http.StatusBadRequest, "invalid_redirect_uri", "redirect_uris is missing.")
		return
	}
	scope := in.Scope
	if scope == "" {
		scope = strings.Join(service.DynamicScopes, " ")
	}
	name := in.ClientName
	if name == "" {
		name = "Dynamic client"
	}
	na, err := p.svc.CreateApplication(r.Context(), p.authn.Anonymous(), service.ApplicationInput{Name: name,
		RedirectURI: strings.Join(in.RedirectURIs, "\n"), Scopes: auth.ParseScopes(scope), Dynamic: true})
	var se *service.Error
	if errors.As(err, &se) {
		code := "invalid_client_metadata"
		if _, ok := se.Fields["redirect_uri"]; ok {
			code = "invalid_redirect_uri"
		}
		writeOAuthError(w, http.StatusBadRequest, code, fmt.Sprint(se.Fields))
		return
	}
	if err != nil {
		p.log.ErrorContext(r.Context(), "oauth register", "err", err)
		writeOAuthError(w, http.StatusInternalServerError, "server_error", "The client could not be registered.")
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{
		"client_id":                  na.App.UID,
		"client_id_issued_at":        na.App.CreatedAt.Unix(),
		"client_name":                na.App.Name,
		"redirect_uris":              na.App.RedirectURIs,
		"grant_types":                []string{"authorization_code", "refresh_token"},
		"response_types":             []string{"code"},
		"token_endpoint_auth_method": "none",
		"scope":                      strings.Join(na.App.Scopes, " "),
	})
}
