package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// OAuth scopes beyond the token scopes, as GitLab names them.
const (
	ScopeOpenID  = "openid"
	ScopeProfile = "profile"
	ScopeEmail   = "email"
)

// ApplicationScopes are the scopes an OAuth application may request, in
// the order GitLab's form lists them. sudo and admin_mode are for
// administrators' applications only, as GitLab offers them.
var ApplicationScopes = []string{auth.ScopeAPI, auth.ScopeReadAPI, auth.ScopeReadUser,
	auth.ScopeReadRepository, auth.ScopeWriteRepository, auth.ScopeReadRegistry, auth.ScopeWriteRegistry,
	auth.ScopeSudo, auth.ScopeAdminMode, ScopeOpenID, ScopeProfile, ScopeEmail}

// appAdminScopes may only be given to applications an administrator makes.
var appAdminScopes = map[string]bool{auth.ScopeSudo: true, auth.ScopeAdminMode: true}

// DynamicScopes are the scopes a dynamically registered (RFC 7591) client
// may hold: read-only, since nobody vetted it.
var DynamicScopes = []string{auth.ScopeReadAPI, auth.ScopeReadUser, auth.ScopeReadRepository, ScopeOpenID,
	ScopeProfile, ScopeEmail}

// ApplicationSecretPrefix starts every application secret, as in GitLab.
const ApplicationSecretPrefix = "gloas-"

// ApplicationInput describes a new application.
type ApplicationInput struct {
	Name string
	// RedirectURI holds one or more URIs, one per line (or space separated).
	RedirectURI  string
	Scopes       []string
	Confidential bool
	// Instance makes an instance-wide application (administrators only);
	// otherwise it belongs to the caller.
	Instance bool
	// Dynamic marks an RFC 7591 registration (no owner, public).
	Dynamic bool
}

// NewApplication is a created application with its secret, shown once.
type NewApplication struct {
	App    *model.OAuthApplication
	Secret string
}

// ParseRedirectURIs splits and checks redirect URIs (ValidateRedirectURI).
func ParseRedirectURIs(text string) ([]string, error) {
	var out []string
	for _, u := range strings.Fields(text) {
		if err := ValidateRedirectURI(u); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	if len(out) == 0 {
		return nil, errors.New("can't be blank")
	}
	return out, nil
}

// CreateApplication registers an OAuth application for the caller (or
// for the instance) and returns it with its secret.
func (s *Service) CreateApplication(ctx context.Context, id *auth.Identity, in ApplicationInput) (*NewApplication, error) {
	if !in.Dynamic && !id.Authenticated() {
		return nil, auth.ErrUnauthorized
	}
	if in.Instance && !id.IsAdmin() {
		return nil, Forbidden("")
	}
	v := Validation{}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		v.Add("name", "can't be blank")
	} else if len(name) > 255 {
		v.Add("name", "is too long (maximum is 255 characters)")
	}
	uris, err := ParseRedirectURIs(in.RedirectURI)
	if err != nil {
		v.Add("redirect_uri", err.Error())
	}
	scopes, err := s.checkApplicationScopes(id, in.Scopes, in.Dynamic)
	if err != nil {
		v.Add("scopes", err.Error())
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	secret := ApplicationSecretPrefix + randomHex(32)
	app := &model.OAuthApplication{UID: randomHex(32), Name: name, SecretDigest: auth.Digest(secret),
		RedirectURIs: uris, Scopes: scopes, Confidential: in.Confidential && !in.Dynamic, Dynamic: in.Dynamic}
	if !in.Instance && !in.Dynamic {
		owner := id.User.ID
		app.OwnerID = &owner
	}
	if err := s.db.Queries().CreateOAuthApplication(ctx, app); err != nil {
		return nil, err
	}
	return &NewApplication{App: app, Secret: secret}, nil
}

// checkApplicationScopes validates and deduplicates scopes.
func (s *Service) checkApplicationScopes(id *auth.Identity, scopes []string, dynamic bool) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, sc := range scopes {
		for _, one := range strings.Fields(sc) {
			if seen[one] {
				continue
			}
			seen[one] = true
			if !validApplicationScope(one) || (appAdminScopes[one] && (dynamic || !id.IsAdmin())) ||
				(dynamic && !contains(DynamicScopes, one)) {
				return nil, errors.New("doesn't match configured on the server.")
			}
			out = append(out, one)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("can't be blank")
	}
	return out, nil
}

func validApplicationScope(s string) bool { return contains(ApplicationScopes, s) }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// ApplicationsFor lists the caller's own applications, or the
// instance-wide ones when instance is set (administrators only).
func (s *Service) ApplicationsFor(ctx context.Context, id *auth.Identity, instance bool) ([]*model.OAuthApplication, error) {
	if !id.Authenticated() {
		return nil, auth.ErrUnauthorized
	}
	if instance {
		if !id.IsAdmin() {
			return nil, Forbidden("")
		}
		return s.db.Queries().ListOAuthApplications(ctx, nil, true)
	}
	owner := id.User.ID
	return s.db.Queries().ListOAuthApplications(ctx, &owner, false)
}

// AllApplications lists every application (the admin API's view).
func (s *Service) AllApplications(ctx context.Context, id *auth.Identity) ([]*model.OAuthApplication, error) {
	if !id.IsAdmin() {
		return nil, Forbidden("")
	}
	return s.db.Queries().ListOAuthApplications(ctx, nil, false)
}

// manageableApplication loads an application the caller may change: its
// owner's, or any for administrators. Others get 404.
func (s *Service) manageableApplication(ctx context.Context, id *auth.Identity, appID int64) (*model.OAuthApplication, error) {
	if !id.Authenticated() {
		return nil, auth.ErrUnauthorized
	}
	app, err := s.db.Queries().OAuthApplicationByID(ctx, appID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("Application")
	}
	if err != nil {
		return nil, err
	}
	if id.IsAdmin() || (app.OwnerID != nil && *app.OwnerID == id.User.ID) {
		return app, nil
	}
	return nil, NotFound("Application")
}

// Application returns one application the caller may manage.
func (s *Service) Application(ctx context.Context, id *auth.Identity, appID int64) (*model.OAuthApplication, error) {
	return s.manageableApplication(ctx, id, appID)
}

// RenewApplicationSecret replaces an application's secret; the old one
// stops working at once.
func (s *Service) RenewApplicationSecret(ctx context.Context, id *auth.Identity, appID int64) (*NewApplication, error) {
	app, err := s.manageableApplication(ctx, id, appID)
	if err != nil {
		return nil, err
	}
	secret := ApplicationSecretPrefix + randomHex(32)
	if err := s.db.Queries().SetOAuthApplicationSecret(ctx, app.ID, auth.Digest(secret)); err != nil {
		return nil, err
	}
	app.SecretDigest = auth.Digest(secret)
	return &NewApplication{App: app, Secret: secret}, nil
}

// DeleteApplication removes an application and every token it holds.
func (s *Service) DeleteApplication(ctx context.Context, id *auth.Identity, appID int64) error {
	app, err := s.manageableApplication(ctx, id, appID)
	if err != nil {
		return err
	}
	return s.db.Queries().DeleteOAuthApplication(ctx, app.ID)
}

// AuthorizedApplications lists the applications the caller has granted
// access to.
func (s *Service) AuthorizedApplications(ctx context.Context, id *auth.Identity) ([]*model.AuthorizedApplication, error) {
	if !id.Authenticated() {
		return nil, auth.ErrUnauthorized
	}
	return s.db.Queries().AuthorizedOAuthApplications(ctx, id.User.ID, s.Now())
}

// RevokeAuthorizedApplication revokes every token the caller gave appID.
func (s *Service) RevokeAuthorizedApplication(ctx context.Context, id *auth.Identity, appID int64) error {
	if !id.Authenticated() {
		return auth.ErrUnauthorized
	}
	return s.db.Queries().RevokeOAuthAuthorization(ctx, id.User.ID, appID)
}

// randomHex returns n random bytes as hex.
func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("service: no randomness: %v", err)) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(b)
}
