package oauth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/ory/fosite"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// AuthorizeRequest is a parsed /oauth/authorize request, for the consent
// page.
type AuthorizeRequest struct {
	ar fosite.AuthorizeRequester
	// App is the requesting application.
	App *model.OAuthApplication
	// Scopes are the scopes the user is asked to grant.
	Scopes []string
	// RedirectURI is where the browser goes afterwards.
	RedirectURI string
}

// AuthorizeError is a failed authorization request; when Redirect is
// false the client or redirect URI could not be trusted, so the page must
// show Description instead of redirecting (no open redirect).
type AuthorizeError struct {
	ar          fosite.AuthorizeRequester
	err         error
	Redirect    bool
	Description string
}

func (e *AuthorizeError) Error() string { return "oauth: authorize: " + e.Description }

// ParseAuthorize validates an authorization request: known client, a
// redirect_uri that exactly matches a registered one, response_type code,
// allowed scopes and PKCE parameters (CheckCodeChallenge).
func (p *Provider) ParseAuthorize(ctx context.Context, r *http.Request) (*AuthorizeRequest, error) {
	if err := r.ParseForm(); err != nil {
		return nil, &AuthorizeError{err: err, Description: "The request is malformed."}
	}
	app, err := p.store.applicationByUID(ctx, r.Form.Get("client_id"))
	if errors.Is(err, errNotFound) {
		return nil, &AuthorizeError{err: fosite.ErrInvalidClient,
			Description: "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method."}
	}
	if err != nil {
		return nil, err
	}
	// Exact match only: fosite would also accept any port on loopback
	// URIs (RFC 8252), which GitLab does not.
	ru := r.Form.Get("redirect_uri")
	if ru != "" && !containsExact(app.RedirectURIs, ru) {
		return nil, &AuthorizeError{err: fosite.ErrInvalidRequest, Description: "The redirect URI included is not valid."}
	}
	if ru == "" && len(app.RedirectURIs) == 1 {
		ru = app.RedirectURIs[0]
	}
	// Registration refuses such URIs; one stored before it did is never
	// redirected to.
	if ru != "" && service.ValidateRedirectURI(ru) != nil {
		return nil, &AuthorizeError{err: fosite.ErrInvalidRequest, Description: "The redirect URI included is not valid."}
	}
	ar, err := p.f.NewAuthorizeRequest(ctx, r)
	if err != nil {
		return nil, p.authorizeError(ctx, ar, err)
	}
	// fosite checks the challenge method only, and only once the user
	// approved; refuse a malformed challenge before showing consent.
	form := ar.GetRequestForm()
	if err := CheckCodeChallenge(form.Get("code_challenge_method"), form.Get("code_challenge")); err != nil {
		return nil, p.authorizeError(ctx, ar, err)
	}
	scopes := ar.GetRequestedScopes()
	if len(scopes) == 0 {
		scopes = defaultScopes(ar.GetClient())
		ar.SetRequestedScopes(scopes)
	}
	return &AuthorizeRequest{ar: ar, App: app, Scopes: scopes, RedirectURI: ar.GetRedirectURI().String()}, nil
}

func containsExact(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (p *Provider) authorizeError(_ context.Context, ar fosite.AuthorizeRequester, err error) *AuthorizeError {
	e := &AuthorizeError{ar: ar, err: err, Redirect: ar != nil && ar.IsRedirectURIValid()}
	var rfc *fosite.RFC6749Error
	if errors.As(err, &rfc) {
		e.Description = strings.TrimSpace(rfc.GetDescription())
	} else {
		e.Description = "The authorization server encountered an unexpected condition."
	}
	return e
}

// WriteAuthorizeError redirects an error back to the client when its
// redirect URI was verified, and reports false otherwise so the page can
// render the error itself.
func (p *Provider) WriteAuthorizeError(ctx context.Context, w http.ResponseWriter, err error) bool {
	var ae *AuthorizeError
	if !errors.As(err, &ae) || !ae.Redirect {
		return false
	}
	p.f.WriteAuthorizeError(ctx, w, ae.ar, ae.err)
	return true
}

// Deny sends the browser back with error=access_denied.
func (p *Provider) Deny(ctx context.Context, w http.ResponseWriter, req *AuthorizeRequest) {
	p.f.WriteAuthorizeError(ctx, w, req.ar, fosite.ErrAccessDenied.WithHint("The resource owner or authorization server denied the request."))
}

// Approve grants the requested scopes for u and redirects with the code.
// authTime is when u signed in (the ID token's auth_time).
func (p *Provider) Approve(ctx context.Context, w http.ResponseWriter, r *http.Request, req *AuthorizeRequest, u *model.User, authTime time.Time) {
	for _, s := range req.Scopes {
		req.ar.GrantScope(s)
	}
	resp, err := p.f.NewAuthorizeResponse(ctx, req.ar, p.userSession(r, u, authTime))
	if err != nil {
		p.f.WriteAuthorizeError(ctx, w, req.ar, err)
		return
	}
	p.f.WriteAuthorizeResponse(ctx, w, req.ar, resp)
}
