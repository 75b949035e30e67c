package model

import "time"

// Session is a signed-in browser. Only the digest of its cookie is stored.
type Session struct {
	ID         int64
	Digest     string
	UserID     int64
	CSRFToken  string
	IP         string
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	// AdminModeUntil is when the session's Admin Mode ends; nil when its
	// administrator has not entered it.
	AdminModeUntil *time.Time
}

// SessionWithUser is a session joined with its user.
type SessionWithUser struct {
	Session *Session
	User    *User
}
