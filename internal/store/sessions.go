package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lablet/lablet/internal/model"
)

// CreateSession inserts s, filling in ID.
func (q *Queries) CreateSession(ctx context.Context, s *model.Session) error {
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
func (q *Queries) SessionByDigest(ctx context.Context, digest string) (*model.SessionWithUser, error) {
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
func (q *Queries) ExtendSession(ctx context.Context, id int64, seen, expires time.Time) error {
	if _, err := q.exec(ctx, "UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?",
		ms(seen), ms(expires), id); err != nil {
		return fmt.Errorf("store: extend session: %w", err)
	}
	return nil
}

// SetSessionAdminMode records until when session id is in Admin Mode; nil
// leaves it.
func (q *Queries) SetSessionAdminMode(ctx context.Context, id int64, until *time.Time) error {
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
func (q *Queries) DeleteSession(ctx context.Context, digest string) error {
	if _, err := q.exec(ctx, "DELETE FROM sessions WHERE digest = ?", digest); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions removes every session of a user: signs them out
// everywhere.
func (q *Queries) DeleteUserSessions(ctx context.Context, userID int64) error {
	if _, err := q.exec(ctx, "DELETE FROM sessions WHERE user_id = ?", userID); err != nil {
		return fmt.Errorf("store: delete user sessions: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions that expired before now.
func (q *Queries) DeleteExpiredSessions(ctx context.Context, now time.Time) error {
	if _, err := q.exec(ctx, "DELETE FROM sessions WHERE expires_at < ?", ms(now)); err != nil {
		return fmt.Errorf("store: delete expired sessions: %w", err)
	}
	return nil
}

// CountSignInAttempt counts a sign-in attempt against a user before its
// password is checked, in one statement, so parallel guesses each get their
// own number: the one numbered max locks the account until lockUntil, and
// none gets a number while the account is locked. A lock that has expired
// starts the count again. It returns the attempt's number, or ErrNotFound
// when the account is locked.
func (q *Queries) CountSignInAttempt(ctx context.Context, userID int64, now, lockUntil time.Time, max int) (int, error) {
	var n int
	err := q.returning(ctx, `UPDATE users SET
		failed_attempts = CASE WHEN locked_until IS NULL THEN failed_attempts + 1 ELSE 1 END,
		locked_until = CASE WHEN (CASE WHEN locked_until IS NULL THEN failed_attempts + 1 ELSE 1 END) >= ?
			THEN CAST(? AS BIGINT) END
		WHERE id = ? AND (locked_until IS NULL OR locked_until <= ?)
		RETURNING failed_attempts`, []any{max, ms(lockUntil), userID, ms(now)}, &n)
	if err != nil {
		return 0, fmt.Errorf("store: count sign-in attempt: %w", err)
	}
	return n, nil
}

// ClearSignInAttempts forgets a user's failed attempts after a right
// password, unless another attempt locked the account meanwhile; ownLock is
// the lock this attempt set itself (CountSignInAttempt numbered it max), nil
// otherwise. It reports whether the account was cleared, false meaning it is
// locked.
func (q *Queries) ClearSignInAttempts(ctx context.Context, userID int64, ownLock *time.Time) (bool, error) {
	// "locked_until = NULL" is never true: without a lock of its own the
	// attempt clears only an unlocked account.
	res, err := q.exec(ctx, `UPDATE users SET failed_attempts = 0, locked_until = NULL
		WHERE id = ? AND (locked_until IS NULL OR locked_until = ?)`, userID, nullMS(ownLock))
	if err != nil {
		return false, fmt.Errorf("store: clear sign-in attempts: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: clear sign-in attempts: %w", err)
	}
	return n > 0, nil
}
