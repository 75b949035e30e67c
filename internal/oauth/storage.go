package oauth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/openid"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
	"github.com/lablet/lablet/internal/store"
)

// client adapts a stored application to fosite.Client.
type client struct {
	app           *model.OAuthApplication
	passwordGrant bool
}

func (c *client) GetID() string                      { return c.app.UID }
func (c *client) GetHashedSecret() []byte            { return []byte(c.app.SecretDigest) }
func (c *client) GetRedirectURIs() []string          { return c.app.RedirectURIs }
func (c *client) GetResponseTypes() fosite.Arguments { return fosite.Arguments{"code"} }
func (c *client) GetScopes() fosite.Arguments        { return c.app.Scopes }
func (c *client) IsPublic() bool                     { return !c.app.Confidential }
func (c *client) GetAudience() fosite.Arguments      { return nil }

func (c *client) GetGrantTypes() fosite.Arguments {
	if c.app.UID == model.PasswordGrantClientUID {
		// The stand-in for credential-less password grants does nothing else.
		return fosite.Arguments{"password", "refresh_token"}
	}
	g := fosite.Arguments{"authorization_code", "refresh_token", deviceGrantType}
	if c.passwordGrant {
		g = append(g, "password")
	}
	return g
}

// digestHasher compares client secrets by SHA-256 digest in constant
// time: secrets are long random strings, so a slow hash adds nothing, and
// the store keeps the same digest tokens use.
type digestHasher struct{}

func (digestHasher) Compare(_ context.Context, hash, data []byte) error {
	if !auth.DigestEqual(string(hash), auth.Digest(string(data))) {
		return errors.New("oauth: secret mismatch")
	}
	return nil
}

func (digestHasher) Hash(_ context.Context, data []byte) ([]byte, error) {
	return []byte(auth.Digest(string(data))), nil
}

// tokenStrategy mints random tokens whose fosite "signature" is the
// SHA-256 digest the store indexes, so the REST API's authenticator can
// resolve OAuth access tokens exactly like personal access tokens.
type tokenStrategy struct {
	// userActive reports whether a grant's user may still use it; a
	// blocked or deactivated user's codes and tokens are inactive, as
	// internal/auth treats them on the REST API.
	userActive func(ctx context.Context, userID int64) (bool, error)
}

// errUserInactive is a code or token whose user is blocked or
// deactivated.
var errUserInactive = errors.New("oauth: the user is blocked or deactivated")

func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("oauth: no randomness: %v", err)) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(b)
}

func (tokenStrategy) generate() (string, string, error) {
	t := newToken()
	return t, auth.Digest(t), nil
}

// validate checks a stored code or token on use: not expired, and its
// user still active.
func (s tokenStrategy) validate(ctx context.Context, r fosite.Requester, tt fosite.TokenType) error {
	exp := r.GetSession().GetExpiresAt(tt)
	if !exp.IsZero() && !time.Now().UTC().Before(exp) {
		return fosite.ErrTokenExpired.WithHintf("The %s expired at '%s'.", tt, exp.Format(time.RFC3339))
	}
	sub := r.GetSession().GetSubject()
	if s.userActive == nil || sub == "" {
		return nil
	}
	uid, err := strconv.ParseInt(sub, 10, 64)
	if err != nil {
		return fosite.ErrServerError.WithWrap(err)
	}
	active, err := s.userActive(ctx, uid)
	if err != nil {
		return fosite.ErrServerError.WithWrap(err)
	}
	if !active {
		return errUserInactive
	}
	return nil
}

func (s tokenStrategy) AccessTokenSignature(_ context.Context, token string) string {
	return auth.Digest(token)
}
func (s tokenStrategy) GenerateAccessToken(context.Context, fosite.Requester) (string, string, error) {
	return s.generate()
}
func (s tokenStrategy) ValidateAccessToken(ctx context.Context, r fosite.Requester, _ string) error {
	return s.validate(ctx, r, fosite.AccessToken)
}
func (s tokenStrategy) RefreshTokenSignature(_ context.Context, token string) string {
	return auth.Digest(token)
}
func (s tokenStrategy) GenerateRefreshToken(context.Context, fosite.Requester) (string, string, error) {
	return s.generate()
}
func (s tokenStrategy) ValidateRefreshToken(ctx context.Context, r fosite.Requester, _ string) error {
	return s.validate(ctx, r, fosite.RefreshToken)
}
func (s tokenStrategy) AuthorizeCodeSignature(_ context.Context, token string) string {
	return auth.Digest(token)
}
func (s tokenStrategy) GenerateAuthorizeCode(context.Context, fosite.Requester) (string, string, error) {
	return s.generate()
}
func (s tokenStrategy) ValidateAuthorizeCode(ctx context.Context, r fosite.Requester, _ string) error {
	return s.validate(ctx, r, fosite.AuthorizeCode)
}

// Database is the store lablet keeps OAuth's applications, grants and
// device codes in. Only this file, the provider's storage adapter, reads
// or writes it; the rest of the package goes through storage's methods
// and the service layer.
type Database = store.DB

// errNotFound is storage's answer for a row that does not exist.
var errNotFound = errors.New("oauth: not found")

// storage implements fosite's storage interfaces on internal/store. Every
// code and token is kept by its digest only.
type storage struct {
	db            *store.DB
	svc           *service.Service
	passwordGrant bool
}

func (s *storage) GetClient(ctx context.Context, id string) (fosite.Client, error) {
	app, err := s.db.Queries().OAuthApplicationByUID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fosite.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("oauth: client: %w", err)
	}
	return &client{app: app, passwordGrant: s.passwordGrant}, nil
}

// Client assertions (private_key_jwt) are not offered.
func (s *storage) ClientAssertionJWTValid(context.Context, string) error          { return nil }
func (s *storage) SetClientAssertionJWT(context.Context, string, time.Time) error { return nil }

// storedRequest is the serialized part of a fosite request.
type storedRequest struct {
	ClientID          string          `json:"client_id"`
	RequestedAt       time.Time       `json:"requested_at"`
	RequestedScopes   []string        `json:"requested_scopes"`
	RequestedAudience []string        `json:"requested_audience,omitempty"`
	GrantedAudience   []string        `json:"granted_audience,omitempty"`
	Form              url.Values      `json:"form"`
	Session           json.RawMessage `json:"session"`
}

var tokenTypes = map[string]fosite.TokenType{
	model.OAuthCode: fosite.AuthorizeCode, model.OAuthAccess: fosite.AccessToken,
	model.OAuthRefresh: fosite.RefreshToken,
}

func (s *storage) create(ctx context.Context, kind, signature string, req fosite.Requester) error {
	c, ok := req.GetClient().(*client)
	if !ok {
		return fmt.Errorf("oauth: unexpected client type %T", req.GetClient())
	}
	sess, err := json.Marshal(req.GetSession())
	if err != nil {
		return fmt.Errorf("oauth: encode session: %w", err)
	}
	body, err := json.Marshal(storedRequest{ClientID: c.app.UID, RequestedAt: req.GetRequestedAt(),
		RequestedScopes: req.GetRequestedScopes(), RequestedAudience: req.GetRequestedAudience(),
		GrantedAudience: req.GetGrantedAudience(), Form: req.GetRequestForm(), Session: sess})
	if err != nil {
		return fmt.Errorf("oauth: encode request: %w", err)
	}
	g := &model.OAuthGrant{Kind: kind, Signature: signature, RequestID: req.GetID(), ApplicationID: c.app.ID,
		Scopes: req.GetGrantedScopes(), Request: string(body), Active: true}
	if sub := req.GetSession().GetSubject(); sub != "" {
		if uid, err := strconv.ParseInt(sub, 10, 64); err == nil {
			g.UserID = &uid
		}
	}
	if tt, ok := tokenTypes[kind]; ok {
		if exp := req.GetSession().GetExpiresAt(tt); !exp.IsZero() {
			g.ExpiresAt = &exp
		}
	}
	return s.db.Queries().CreateOAuthGrant(ctx, g)
}

// get loads a grant and rebuilds its request into session. The row's
// expires_at is authoritative for the expiry the strategy checks.
func (s *storage) get(ctx context.Context, kind, signature string, session fosite.Session) (fosite.Requester, *model.OAuthGrant, error) {
	g, err := s.db.Queries().OAuthGrantBySignature(ctx, kind, signature)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, fosite.ErrNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("oauth: load %s: %w", kind, err)
	}
	var sr storedRequest
	if err := json.Unmarshal([]byte(g.Request), &sr); err != nil {
		return nil, nil, fmt.Errorf("oauth: decode request: %w", err)
	}
	cl, err := s.GetClient(ctx, sr.ClientID)
	if err != nil {
		return nil, nil, err
	}
	if session == nil {
		session = openid.NewDefaultSession()
	}
	if err := json.Unmarshal(sr.Session, session); err != nil {
		return nil, nil, fmt.Errorf("oauth: decode session: %w", err)
	}
	if tt, ok := tokenTypes[kind]; ok && g.ExpiresAt != nil {
		session.SetExpiresAt(tt, *g.ExpiresAt)
	}
	req := &fosite.Request{ID: g.RequestID, RequestedAt: sr.RequestedAt, Client: cl,
		RequestedScope: sr.RequestedScopes, GrantedScope: g.Scopes, Form: sr.Form, Session: session,
		RequestedAudience: sr.RequestedAudience, GrantedAudience: sr.GrantedAudience}
	if req.Form == nil {
		req.Form = url.Values{}
	}
	return req, g, nil
}

func (s *storage) CreateAuthorizeCodeSession(ctx context.Context, code string, req fosite.Requester) error {
	return s.create(ctx, model.OAuthCode, code, req)
}

func (s *storage) GetAuthorizeCodeSession(ctx context.Context, code string, session fosite.Session) (fosite.Requester, error) {
	req, g, err := s.get(ctx, model.OAuthCode, code, session)
	if err != nil {
		return nil, err
	}
	if !g.Active {
		return req, fosite.ErrInvalidatedAuthorizeCode
	}
	return req, nil
}

func (s *storage) InvalidateAuthorizeCodeSession(ctx context.Context, code string) error {
	err := s.db.Queries().DeactivateOAuthGrant(ctx, model.OAuthCode, code)
	if errors.Is(err, store.ErrNotFound) {
		// A concurrent exchange used it first.
		return fosite.ErrInvalidatedAuthorizeCode
	}
	return err
}

func (s *storage) CreateAccessTokenSession(ctx context.Context, signature string, req fosite.Requester) error {
	return s.create(ctx, model.OAuthAccess, signature, req)
}

func (s *storage) GetAccessTokenSession(ctx context.Context, signature string, session fosite.Session) (fosite.Requester, error) {
	req, g, err := s.get(ctx, model.OAuthAccess, signature, session)
	if err != nil {
		return nil, err
	}
	if !g.Active {
		return req, fosite.ErrInactiveToken
	}
	return req, nil
}

func (s *storage) DeleteAccessTokenSession(ctx context.Context, signature string) error {
	return s.db.Queries().DeleteOAuthGrant(ctx, model.OAuthAccess, signature)
}

func (s *storage) CreateRefreshTokenSession(ctx context.Context, signature, _ string, req fosite.Requester) error {
	return s.create(ctx, model.OAuthRefresh, signature, req)
}

func (s *storage) GetRefreshTokenSession(ctx context.Context, signature string, session fosite.Session) (fosite.Requester, error) {
	req, g, err := s.get(ctx, model.OAuthRefresh, signature, session)
	if err != nil {
		return nil, err
	}
	if !g.Active {
		// fosite treats this as reuse and revokes the whole grant.
		return req, fosite.ErrInactiveToken
	}
	return req, nil
}

func (s *storage) DeleteRefreshTokenSession(ctx context.Context, signature string) error {
	return s.db.Queries().DeleteOAuthGrant(ctx, model.OAuthRefresh, signature)
}

// RotateRefreshToken retires the used refresh token and the access tokens
// of its grant, so the old pair stops working. Of two racing refreshes
// with the same token only one wins.
func (s *storage) RotateRefreshToken(ctx context.Context, requestID, signature string) error {
	err := s.db.Queries().DeactivateOAuthGrant(ctx, model.OAuthRefresh, signature)
	if errors.Is(err, store.ErrNotFound) {
		return fosite.ErrSerializationFailure
	}
	if err != nil {
		return err
	}
	return s.db.Queries().DeleteOAuthGrantsByRequest(ctx, model.OAuthAccess, requestID)
}

func (s *storage) RevokeRefreshToken(ctx context.Context, requestID string) error {
	return s.db.Queries().DeactivateOAuthGrantsByRequest(ctx, model.OAuthRefresh, requestID)
}

func (s *storage) RevokeAccessToken(ctx context.Context, requestID string) error {
	return s.db.Queries().DeleteOAuthGrantsByRequest(ctx, model.OAuthAccess, requestID)
}

func (s *storage) CreatePKCERequestSession(ctx context.Context, signature string, req fosite.Requester) error {
	return s.create(ctx, model.OAuthPKCE, signature, req)
}

func (s *storage) GetPKCERequestSession(ctx context.Context, signature string, session fosite.Session) (fosite.Requester, error) {
	req, _, err := s.get(ctx, model.OAuthPKCE, signature, session)
	return req, err
}

func (s *storage) DeletePKCERequestSession(ctx context.Context, signature string) error {
	return s.db.Queries().DeleteOAuthGrant(ctx, model.OAuthPKCE, signature)
}

// OpenID Connect sessions are keyed by the authorization code itself;
// store its digest.
func (s *storage) CreateOpenIDConnectSession(ctx context.Context, code string, req fosite.Requester) error {
	return s.create(ctx, model.OAuthOIDC, auth.Digest(code), req)
}

func (s *storage) GetOpenIDConnectSession(ctx context.Context, code string, req fosite.Requester) (fosite.Requester, error) {
	r, _, err := s.get(ctx, model.OAuthOIDC, auth.Digest(code), req.GetSession())
	if errors.Is(err, fosite.ErrNotFound) {
		return nil, openid.ErrNoSessionFound
	}
	return r, err
}

func (s *storage) DeleteOpenIDConnectSession(ctx context.Context, code string) error {
	return s.db.Queries().DeleteOAuthGrant(ctx, model.OAuthOIDC, auth.Digest(code))
}

// Authenticate checks the password grant's credentials with sign-in's
// lockout rules; the subject is the user's id.
func (s *storage) Authenticate(ctx context.Context, login, password string) (string, error) {
	u, err := s.svc.VerifyPassword(ctx, login, password)
	if errors.Is(err, service.ErrInvalidLogin) || errors.Is(err, service.ErrLocked) {
		return "", fosite.ErrNotFound
	}
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(u.ID, 10), nil
}

// applicationByUID finds an application by its client id (errNotFound).
func (s *storage) applicationByUID(ctx context.Context, uid string) (*model.OAuthApplication, error) {
	app, err := s.db.Queries().OAuthApplicationByUID(ctx, uid)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNotFound
	}
	return app, err
}

// applicationByID finds an application by its row id (errNotFound).
func (s *storage) applicationByID(ctx context.Context, id int64) (*model.OAuthApplication, error) {
	app, err := s.db.Queries().OAuthApplicationByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNotFound
	}
	return app, err
}

// ensureApplication creates app unless an application with its client id
// exists (another instance may be creating it at the same moment).
func (s *storage) ensureApplication(ctx context.Context, app *model.OAuthApplication) error {
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		if _, err := q.OAuthApplicationByUID(ctx, app.UID); err == nil {
			return nil
		}
		return q.CreateOAuthApplication(ctx, app)
	})
	if errors.Is(err, store.ErrConflict) {
		return nil
	}
	return err
}

// Device authorization grants (RFC 8628): created by authorizeDevice,
// decided on the verification page, polled and redeemed at the token
// endpoint. Lookups answer errNotFound for unknown codes.

func (s *storage) createDeviceGrant(ctx context.Context, d *model.OAuthDeviceGrant) error {
	return s.db.Queries().CreateOAuthDeviceGrant(ctx, d)
}

func (s *storage) deviceGrantByUserCode(ctx context.Context, digest string) (*model.OAuthDeviceGrant, error) {
	d, err := s.db.Queries().OAuthDeviceGrantByUserCode(ctx, digest)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNotFound
	}
	return d, err
}

func (s *storage) deviceGrantByDeviceCode(ctx context.Context, digest string) (*model.OAuthDeviceGrant, error) {
	d, err := s.db.Queries().OAuthDeviceGrantByDeviceCode(ctx, digest)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNotFound
	}
	return d, err
}

func (s *storage) decideDeviceGrant(ctx context.Context, id, userID int64, status string) error {
	err := s.db.Queries().DecideOAuthDeviceGrant(ctx, id, userID, status)
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound
	}
	return err
}

func (s *storage) pollDeviceGrant(ctx context.Context, id int64, now time.Time, interval int) error {
	return s.db.Queries().PollOAuthDeviceGrant(ctx, id, now, interval)
}

func (s *storage) deleteDeviceGrant(ctx context.Context, id int64) error {
	return s.db.Queries().DeleteOAuthDeviceGrant(ctx, id)
}
