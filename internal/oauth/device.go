package oauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/openid"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
)

// deviceGrantType is RFC 8628's grant type.
const deviceGrantType = "urn:ietf:params:oauth:grant-type:device_code"

// userCodeAlphabet avoids vowels and look-alikes, as RFC 8628 §6.1
// suggests, so codes are easy to type and spell no words.
const userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ23456789"

func newUserCode() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("oauth: no randomness: %v", err)) // crypto/rand never fails on Linux
	}
	for i := range b {
		b[i] = userCodeAlphabet[int(b[i])%len(userCodeAlphabet)]
	}
	return string(b)
}

// NormalizeUserCode makes typed user codes comparable: upper case, no
// separators or spaces.
func NormalizeUserCode(s string) string {
	s = strings.ToUpper(s)
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, s)
}

func newDeviceCode() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("oauth: no randomness: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// authorizeDevice is RFC 8628 §3.1, POST /oauth/authorize_device.
func (p *Provider) authorizeDevice(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "The request body could not be parsed.")
		return
	}
	// GitLab identifies the device's client by client_id alone (devices
	// often can't keep secrets); a secret, when sent, must be right.
	var cl fosite.Client
	var err error
	if _, _, basic := r.BasicAuth(); basic || r.PostForm.Get("client_secret") != "" {
		cl, err = p.f.AuthenticateClient(ctx, r, r.PostForm)
	} else {
		cl, err = p.store.GetClient(ctx, r.PostForm.Get("client_id"))
	}
	if err != nil {
		p.f.WriteAccessError(ctx, w, nil, fosite.ErrInvalidClient.WithWrap(err))
		return
	}
	c := cl.(*client)
	if !c.GetGrantTypes().Has(deviceGrantType) {
		writeOAuthError(w, http.StatusBadRequest, "unauthorized_client",
			"The client is not authorized to request a token using this method.")
		return
	}
	scopes := auth.ParseScopes(r.PostForm.Get("scope"))
	if len(scopes) == 0 {
		scopes = defaultScopes(c)
	}
	for _, s := range scopes {
		if !c.GetScopes().Has(s) {
			writeOAuthError(w, http.StatusBadRequest, "invalid_scope",
				"The requested scope is invalid, unknown, or malformed.")
			return
		}
	}
	deviceCode, userCode := newDeviceCode(), newUserCode()
	d := &model.OAuthDeviceGrant{DeviceCodeDigest: auth.Digest(deviceCode), UserCodeDigest: auth.Digest(userCode),
		ApplicationID: c.app.ID, Scopes: scopes, Interval: DeviceInterval,
		ExpiresAt: time.Now().UTC().Add(DeviceCodeLifespan)}
	if err := p.store.createDeviceGrant(ctx, d); err != nil {
		p.log.ErrorContext(ctx, "oauth device authorization", "err", err)
		writeOAuthError(w, http.StatusInternalServerError, "server_error", "The device could not be authorized.")
		return
	}
	verify := p.BaseURL(r) + "/oauth/device"
	writeJSON(w, http.StatusOK, map[string]any{
		"device_code":               deviceCode,
		"user_code":                 userCode,
		"verification_uri":          verify,
		"verification_uri_complete": verify + "?user_code=" + url.QueryEscape(userCode),
		"expires_in":                int(DeviceCodeLifespan / time.Second),
		"interval":                  DeviceInterval,
	})
}

// DeviceRequest is a pending device authorization found by user code.
type DeviceRequest struct {
	ID     int64
	App    *model.OAuthApplication
	Scopes []string
}

// ErrUnknownUserCode means the user code is wrong, expired or used.
var ErrUnknownUserCode = errors.New("oauth: unknown or expired user code")

// LookupUserCode finds the pending authorization a user code names.
func (p *Provider) LookupUserCode(ctx context.Context, code string) (*DeviceRequest, error) {
	code = NormalizeUserCode(code)
	if code == "" {
		return nil, ErrUnknownUserCode
	}
	digest := auth.Digest(code)
	d, err := p.store.deviceGrantByUserCode(ctx, digest)
	if errors.Is(err, errNotFound) {
		return nil, ErrUnknownUserCode
	}
	if err != nil {
		return nil, err
	}
	if !auth.DigestEqual(d.UserCodeDigest, digest) || d.Status != model.DevicePending ||
		!time.Now().UTC().Before(d.ExpiresAt) {
		return nil, ErrUnknownUserCode
	}
	app, err := p.store.applicationByID(ctx, d.ApplicationID)
	if err != nil {
		return nil, err
	}
	return &DeviceRequest{ID: d.ID, App: app, Scopes: d.Scopes}, nil
}

// DecideDevice approves or denies a pending device authorization for u.
func (p *Provider) DecideDevice(ctx context.Context, req *DeviceRequest, u *model.User, approve bool) error {
	status := model.DeviceDenied
	if approve {
		status = model.DeviceApproved
	}
	err := p.store.decideDeviceGrant(ctx, req.ID, u.ID, status)
	if errors.Is(err, errNotFound) {
		return ErrUnknownUserCode
	}
	return err
}

// deviceHandler is the token endpoint's device_code grant (RFC 8628
// §3.4–3.5), which fosite lacks.
type deviceHandler struct {
	p        *Provider
	strategy tokenStrategy
}

func deviceError(code, description string) *fosite.RFC6749Error {
	return &fosite.RFC6749Error{ErrorField: code, DescriptionField: description, CodeField: http.StatusBadRequest}
}

func (h *deviceHandler) CanSkipClientAuth(context.Context, fosite.AccessRequester) bool { return false }

func (h *deviceHandler) CanHandleTokenEndpointRequest(_ context.Context, r fosite.AccessRequester) bool {
	return r.GetGrantTypes().ExactOne(deviceGrantType)
}

func (h *deviceHandler) HandleTokenEndpointRequest(ctx context.Context, r fosite.AccessRequester) error {
	if !h.CanHandleTokenEndpointRequest(ctx, r) {
		return fosite.ErrUnknownRequest
	}
	c, ok := r.GetClient().(*client)
	if !ok || !c.GetGrantTypes().Has(deviceGrantType) {
		return fosite.ErrUnauthorizedClient
	}
	code := r.GetRequestForm().Get("device_code")
	if code == "" {
		return fosite.ErrInvalidRequest.WithHint("The device_code parameter is missing.")
	}
	st := h.p.store
	digest := auth.Digest(code)
	d, err := st.deviceGrantByDeviceCode(ctx, digest)
	if errors.Is(err, errNotFound) || (err == nil && (!auth.DigestEqual(d.DeviceCodeDigest, digest) ||
		d.ApplicationID != c.app.ID)) {
		return fosite.ErrInvalidGrant.WithHint("The device code is invalid.")
	}
	if err != nil {
		return fosite.ErrServerError.WithWrap(err)
	}
	now := time.Now().UTC()
	if !now.Before(d.ExpiresAt) {
		return deviceError("expired_token", "The device_code has expired, and the device authorization session has concluded.")
	}
	switch d.Status {
	case model.DeviceDenied:
		_ = st.deleteDeviceGrant(ctx, d.ID)
		return deviceError("access_denied", "The resource owner or authorization server denied the request.")
	case model.DevicePending:
		// Polling faster than the interval earns slow_down and five more
		// seconds (RFC 8628 §3.5).
		if d.LastPolledAt != nil && now.Sub(*d.LastPolledAt) < time.Duration(d.Interval)*time.Second {
			if err := st.pollDeviceGrant(ctx, d.ID, now, d.Interval+5); err != nil {
				return fosite.ErrServerError.WithWrap(err)
			}
			return deviceError("slow_down", "The authorization request is still pending and polling should be slowed down.")
		}
		if err := st.pollDeviceGrant(ctx, d.ID, now, d.Interval); err != nil {
			return fosite.ErrServerError.WithWrap(err)
		}
		return deviceError("authorization_pending", "The authorization request is still pending as the end user hasn't yet completed the user-interaction steps.")
	}
	// Approved: redeem exactly once.
	if err := st.deleteDeviceGrant(ctx, d.ID); err != nil {
		return fosite.ErrInvalidGrant.WithHint("The device code was already used.")
	}
	if d.UserID == nil {
		return fosite.ErrInvalidGrant
	}
	u, err := h.p.svc.UserByID(ctx, *d.UserID)
	if err != nil {
		return fosite.ErrServerError.WithWrap(err)
	}
	if !u.Active() {
		return fosite.ErrInvalidGrant.WithHint("The user is not active.")
	}
	sess, ok := r.GetSession().(*openid.DefaultSession)
	if !ok {
		return fosite.ErrServerError.WithHint("unexpected session type")
	}
	full := h.p.userSessionAt(u, now)
	sess.Subject, sess.Username, sess.Claims = full.Subject, full.Username, full.Claims
	for _, s := range d.Scopes {
		r.GrantScope(s)
	}
	r.SetRequestedScopes(d.Scopes)
	sess.SetExpiresAt(fosite.AccessToken, now.Add(AccessTokenLifespan).Round(time.Second))
	return nil
}

func (h *deviceHandler) PopulateTokenEndpointResponse(ctx context.Context, r fosite.AccessRequester, resp fosite.AccessResponder) error {
	if !h.CanHandleTokenEndpointRequest(ctx, r) {
		return fosite.ErrUnknownRequest
	}
	access, accessSig, err := h.strategy.GenerateAccessToken(ctx, r)
	if err != nil {
		return fosite.ErrServerError.WithWrap(err)
	}
	refresh, refreshSig, err := h.strategy.GenerateRefreshToken(ctx, r)
	if err != nil {
		return fosite.ErrServerError.WithWrap(err)
	}
	stored := r.Sanitize(nil)
	if err := h.p.store.CreateAccessTokenSession(ctx, accessSig, stored); err != nil {
		return fosite.ErrServerError.WithWrap(err)
	}
	if err := h.p.store.CreateRefreshTokenSession(ctx, refreshSig, accessSig, stored); err != nil {
		return fosite.ErrServerError.WithWrap(err)
	}
	resp.SetAccessToken(access)
	resp.SetTokenType("Bearer")
	resp.SetExpiresIn(AccessTokenLifespan)
	resp.SetScopes(r.GetGrantedScopes())
	resp.SetExtra("refresh_token", refresh)
	return nil
}

// userSessionAt is userSession without a request: the issuer only
// matters for ID tokens, which the device grant does not issue.
func (p *Provider) userSessionAt(u *model.User, authTime time.Time) *openid.DefaultSession {
	s := newSession()
	sub := strconv.FormatInt(u.ID, 10)
	s.Subject, s.Username = sub, u.Username
	s.Claims.Subject, s.Claims.AuthTime, s.Claims.RequestedAt = sub, authTime, authTime
	return s
}
