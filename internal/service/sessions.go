package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Sign-in lockout, as GitLab configures Devise: ten failed attempts lock the
// account for ten minutes.
const (
	MaxFailedSignIns = 10
	SignInLockTime   = 10 * time.Minute
)

// ErrInvalidLogin means the login or password is wrong (pages say GitLab's
// "Invalid login or password."). Unknown users get the same error, so
// sign-in does not reveal who exists.
var ErrInvalidLogin = errors.New("service: invalid login or password")

// ErrLocked means too many failed sign-ins locked the account (pages say
// "Your account is locked.").
var ErrLocked = errors.New("service: account locked")

// SignInInput is a sign-in attempt.
type SignInInput struct {
	Login     string // username or email
	Password  string
	IP        string
	UserAgent string
}

// SignedIn is a new session: Cookie is the cookie's value, shown only now.
type SignedIn struct {
	Cookie  string
	Session *model.Session
	User    *model.User
}

// VerifyPassword checks a username-or-email and password, counting
// failures towards the lockout. Sign-in and the OAuth password grant share
// it, so both lock an account alike.
//
// Each attempt is counted before its password is checked (one UPDATE …
// RETURNING), so however many guesses arrive at once, exactly
// MaxFailedSignIns of them are checked before the lock: the one numbered
// MaxFailedSignIns sets it, the others are refused unchecked. A right
// password then clears the count, unless a parallel guess locked the
// account in the meantime: then it is refused too.
func (s *Service) VerifyPassword(ctx context.Context, login, password string) (*model.User, error) {
	q := s.db.Queries()
	var u *model.User
	var err error
	if strings.Contains(login, "@") {
		u, err = q.UserByEmail(ctx, login)
	} else {
		u, err = q.UserByUsername(ctx, login)
	}
	if errors.Is(err, store.ErrNotFound) {
		// Spend the time a hash check would, so timing does not tell.
		auth.CheckPassword("$2a$10$7EqJtq98hPqEX7fNZaFWoOa0xVYXFeGo8BWl4NpwnhQ3bW3uo1GSK", password)
		return nil, ErrInvalidLogin
	}
	if err != nil {
		return nil, fmt.Errorf("service: verify password: %w", err)
	}
	// The writes after the check must land even if the client goes away.
	ctx = context.WithoutCancel(ctx)
	lockUntil := s.Now().Add(SignInLockTime)
	n, err := q.CountSignInAttempt(ctx, u.ID, s.Now(), lockUntil, MaxFailedSignIns)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrLocked
	}
	if err != nil {
		return nil, fmt.Errorf("service: verify password: %w", err)
	}
	var ownLock *time.Time
	if n >= MaxFailedSignIns {
		ownLock = &lockUntil
	}
	if !auth.CheckPassword(u.PasswordHash, password) {
		if ownLock != nil {
			return nil, ErrLocked
		}
		return nil, ErrInvalidLogin
	}
	cleared, err := q.ClearSignInAttempts(ctx, u.ID, ownLock)
	if err != nil {
		return nil, fmt.Errorf("service: verify password: %w", err)
	}
	if !cleared {
		return nil, ErrLocked
	}
	if !u.Active() || u.Bot {
		if u.State == "blocked" {
			// GitLab's BlockedUserTracker: a blocked user's right password
			// is a user_failed_login system event.
			if err := s.userSystemHooks(ctx, q, u, "user_failed_login", ""); err != nil {
				return nil, fmt.Errorf("service: verify password: %w", err)
			}
		}
		return nil, ErrInvalidLogin
	}
	return u, nil
}

// SignIn checks a username-or-email and password and opens a session.
func (s *Service) SignIn(ctx context.Context, in SignInInput) (*SignedIn, error) {
	u, err := s.VerifyPassword(ctx, in.Login, in.Password)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	cookie := auth.NewSecret("", 43)
	sess := &model.Session{Digest: auth.Digest(cookie), UserID: u.ID, CSRFToken: auth.NewSecret("", 43),
		IP: in.IP, UserAgent: truncate(in.UserAgent, 255), CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(auth.SessionLifetime)}
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		u.LastSignInAt, u.CurrentSignInAt = u.CurrentSignInAt, &now
		if err := q.UpdateUser(ctx, u); err != nil {
			return err
		}
		return q.CreateSession(ctx, sess)
	})
	if err != nil {
		return nil, err
	}
	return &SignedIn{Cookie: cookie, Session: sess, User: u}, nil
}

// EnterAdminMode lets an administrator's browser session act as an
// administrator for auth.AdminModeLifetime, once they entered their
// password again (GitLab's Admin Mode). Wrong passwords count towards the
// account's lockout as failed sign-ins do; they answer ErrInvalidLogin or
// ErrLocked. Others than administrators' sessions are Forbidden.
func (s *Service) EnterAdminMode(ctx context.Context, id *auth.Identity, password string) error {
	if !id.Authenticated() || id.Session == nil || !id.User.IsAdmin || id.Sudo {
		return Forbidden("")
	}
	u, err := s.VerifyPassword(ctx, id.User.Username, password)
	if err != nil {
		return err
	}
	if u.ID != id.User.ID || !u.IsAdmin {
		return ErrInvalidLogin
	}
	until := s.Now().Add(auth.AdminModeLifetime)
	return s.db.Queries().SetSessionAdminMode(ctx, id.Session.ID, &until)
}

// LeaveAdminMode ends the session's Admin Mode.
func (s *Service) LeaveAdminMode(ctx context.Context, id *auth.Identity) error {
	if !id.Authenticated() || id.Session == nil {
		return Forbidden("")
	}
	return s.db.Queries().SetSessionAdminMode(ctx, id.Session.ID, nil)
}

// SignOut ends the session behind cookie; an unknown cookie is no error.
func (s *Service) SignOut(ctx context.Context, cookie string) error {
	if cookie == "" {
		return nil
	}
	return s.db.Queries().DeleteSession(ctx, auth.Digest(cookie))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
