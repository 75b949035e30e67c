package model

import "time"

// CITrigger is a project's pipeline trigger token (GitLab's Ci::Trigger).
// Only the token's digest is kept, and its first characters after the
// glptt- prefix (ShortToken) to tell tokens apart.
type CITrigger struct {
	ID          int64
	ProjectID   int64
	OwnerID     int64
	Description string
	TokenDigest string
	ShortToken  string
	LastUsedAt  *time.Time
	ExpiresAt   *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}
