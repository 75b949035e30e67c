package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lablet/lablet/internal/store"
)

// SessionCookie is the cookie GitLab keeps its session in.
const SessionCookie = "_gitlab_session"

// SessionLifetime is how long an idle session lasts (GitLab: one week).
const SessionLifetime = 7 * 24 * time.Hour

// AdminModeLifetime is how long a session stays in Admin Mode once its
// administrator re-authenticated (GitLab's MAX_ADMIN_MODE_TIME). Activity
// does not extend it.
const AdminModeLifetime = 6 * time.Hour

// sessionExtendAfter bounds how often a session's expiry is slid forward, so
// most requests do not write.
const sessionExtendAfter = 10 * time.Minute

// Session resolves a session cookie to an identity. The cookie's value is
// looked up by digest; expired sessions and inactive users are refused.
func (a *Authenticator) Session(ctx context.Context, cookie string) (*Identity, error) {
	if cookie == "" {
		return nil, ErrUnauthorized
	}
	now := a.now()
	digest := Digest(cookie)
	sw, err := a.db.Queries().SessionByDigest(ctx, digest)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnauthorized
	}
	if err != nil {
		return nil, fmt.Errorf("auth: session lookup: %w", err)
	}
	if !DigestEqual(sw.Session.Digest, digest) || now.After(sw.Session.ExpiresAt) || !sw.User.Active() {
		return nil, ErrUnauthorized
	}
	if now.Sub(sw.Session.LastSeenAt) > sessionExtendAfter {
		if err := a.db.Queries().ExtendSession(ctx, sw.Session.ID, now, now.Add(SessionLifetime)); err != nil {
			return nil, err
		}
	}
	if err := a.touchActivity(ctx, sw.User, now); err != nil {
		return nil, err
	}
	until := sw.Session.AdminModeUntil
	return &Identity{User: sw.User, Owner: sw.User, Session: sw.Session, adminMode: a.adminMode,
		sessionAdminMode: until != nil && now.Before(*until)}, nil
}

// CSRFValid reports whether token is the session's CSRF token.
func (id *Identity) CSRFValid(token string) bool {
	return id != nil && id.Session != nil && token != "" && DigestEqual(id.Session.CSRFToken, token)
}
