package model

import "time"

// Email is a user's secondary email address (GitLab's Email).
type Email struct {
	ID          int64
	UserID      int64
	Email       string
	ConfirmedAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// User availabilities (GitLab's UserStatus#availability).
const (
	AvailabilityNotSet = "not_set"
	AvailabilityBusy   = "busy"
)

// UserStatus is a user's status: an emoji, a message and an availability,
// cleared at ClearStatusAt when set.
type UserStatus struct {
	UserID        int64
	Emoji         string
	Message       string
	Availability  string
	ClearStatusAt *time.Time
}

// UserPreferences are the preferences GitLab's API exposes.
type UserPreferences struct {
	UserID                    int64
	ViewDiffsFileByFile       bool
	ShowWhitespaceInDiffs     bool
	PassUserIdentitiesToCIJWT bool
}

// Custom attributes' owners (source_type).
const (
	AttrSourceUser      = "User"
	AttrSourceNamespace = "Namespace"
	AttrSourceProject   = "Project"
)

// CustomAttribute is a key and value an administrator set on a user,
// group or project.
type CustomAttribute struct {
	SourceType string
	SourceID   int64
	Key        string
	Value      string
}

// UserActivity is a user's last day of activity (GET /user/activities).
type UserActivity struct {
	Username       string
	LastActivityOn string
}

// Membership is one of a user's direct memberships with its source's
// name (GET /users/:id/memberships).
type Membership struct {
	SourceID    int64
	SourceName  string
	SourceType  string // Project or Namespace
	AccessLevel int
}
