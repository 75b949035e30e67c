package model

import "time"

// Membership sources.
const (
	SourceNamespace = "Namespace"
	SourceProject   = "Project"
)

// Member grants a user an access level on a namespace or project.
type Member struct {
	ID          int64
	SourceType  string
	SourceID    int64
	UserID      int64
	AccessLevel int
	ExpiresAt   *string // YYYY-MM-DD
	CreatedByID *int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// MemberFilter narrows a member list.
type MemberFilter struct {
	Query   string  // username or name, substring
	UserIDs []int64 // only these users
	Offset  int
	Limit   int
}
