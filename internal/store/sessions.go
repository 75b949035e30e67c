package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lablet/lablet/internal/model"
)

// CreateSession inserts s, filling in ID.
func (q *Q) CreateSession(ctx context.Context, s *model.Session) error {
	id, err := q.insert(ctx, `INSERT INTO sessions (digest, user_id, csrf_token, ip, user_agent, created_at,
		last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, s.Digest, s.UserID, s.CSRFToken, s.IP,
		s.UserAgent, ms(s.CreatedAt), ms(s.LastSeenAt), ms(s.ExpiresAt))
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	s.ID = id
	return nil
}

// SessionByDigest finds a session and its user in one query.
func (q *Q) SessionByDigest(ctx context.Context, digest string) (*model.SessionWithUser, error) {
	var s model.Session
	var created, seen, expires int64
	var adminUntil sql.NullInt64
	row := q.queryRow(ctx, `SELECT se.id, se.digest, se.user_id, se.csrf_token, se.ip, se.user_agent,
		se.created_at, se.last_seen_at, se.expires_at, se.admin_mode_until, `+userColumns+`
		FROM sessions se JOIN users u ON u.id = se.user_id WHERE se.digest = ?`, digest)
	u, err := scanUser(prefixScanner{row, []any{&s.ID, &s.Digest, &s.UserID, &s.CSRFToken, &s.IP, &s.UserAgent,
		&created, &seen, &expires, &adminUntil}})
	if err != nil {
		return nil, err
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMS(created), fromMS(seen), fromMS(expires)
	s.AdminModeUntil = fromNullMS(adminUntil)
	return &model.SessionWithUser{Session: &s, User: u}, nil
}

// ExtendSession slides a session's expiry.
func (q *Q) ExtendSession(ctx context.Context, id int64, seen, expires time.Time) error {
	if _, err := q.exec(ctx, "UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?",
		ms(seen), ms(expires), id); err != nil {
		return fmt.Errorf("store: extend session: %w", err)
	}
	return nil
}

// SetSessionAdminMode records until when session id is in Admin Mode; nil
// leaves it.
func (q *Q) SetSessionAdminMode(ctx context.Context, id int64, until *time.Time) error {
	res, err := q.exec(ctx, "UPDATE sessions SET admin_mode_until = ? WHERE id = ?", nullMS(until), id)
	if err != nil {
		return fmt.Errorf("store: set session admin mode: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// DeleteSession removes a session by the digest of its cookie.
func (q *Q) DeleteSession(ctx context.Context, digest string) error {
	if _, err := q.exec(ctx, "DELETE FROM sessions WHERE digest = ?", digest); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions removes every session of a user: signs them out
// everywhere.
func (q *Q) DeleteUserSessions(ctx context.Context, userID int64) error {
	if _, err := q.exec(ctx, "DELETE FROM sessions WHERE user_id = ?", userID); err != nil {
		return fmt.Errorf("store: delete user sessions: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions that expired before now.
func (q *Q) DeleteExpiredSessions(ctx context.Context, now time.Time) error {
	if _, err := q.exec(ctx, "DELETE FROM sessions WHERE expires_at < ?", ms(now)); err != nil {
		return fmt.Errorf("store: delete expired sessions: %w", err)
	}
	return nil
}

// UserSignInState reads a user's failed-attempt counter and lock.
func (q *Q) UserSignInState(ctx context.Context, userID int64) (model.SignInState, error) {
	var st model.SignInState
	var locked sql.NullInt64
	err := q.queryRow(ctx, "SELECT failed_attempts, locked_until FROM users WHERE id = ?", userID).
		Scan(&st.FailedAttempts, &locked)
	if err != nil {
		return st, fmt.Errorf("store: sign-in state: %w", wrapErr(err))
	}
	st.LockedUntil = fromNullMS(locked)
	return st, nil
}

// SetUserSignInState writes a user's failed-attempt counter and lock.
func (q *Q) SetUserSignInState(ctx context.Context, userID int64, st model.SignInState) error {
	if _, err := q.exec(ctx, "UPDATE users SET failed_attempts = ?, locked_until = ? WHERE id = ?",
		st.FailedAttempts, nullMS(st.LockedUntil), userID); err != nil {
		return fmt.Errorf("store: set sign-in state: %w", err)
	}
	return nil
}
