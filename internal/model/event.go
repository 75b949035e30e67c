package model

import "time"

// Event actions, GitLab's names.
const (
	EventCreated   = "created"
	EventUpdated   = "updated"
	EventClosed    = "closed"
	EventReopened  = "reopened"
	EventPushed    = "pushed"
	EventCommented = "commented"
	EventMerged    = "merged"
	EventJoined    = "joined"
	EventLeft      = "left"
	EventDestroyed = "destroyed"
	EventExpired   = "expired"
	EventApproved  = "approved"
)

// Event is one entry of the activity feed: who did what to which target,
// in which project (or group). Push events carry their Push payload.
type Event struct {
	ID          int64
	ProjectID   *int64
	GroupID     *int64
	AuthorID    int64
	Action      string
	TargetType  *string // "Issue", "Note", "Milestone", "MergeRequest" …; nil for pushes and project events
	TargetID    *int64
	TargetIID   *int64
	TargetTitle *string
	Push        *PushData
	CreatedAt   time.Time
}

// PushData is what a push event did to one ref (GitLab's push_data).
type PushData struct {
	CommitCount int64
	Action      string // "pushed", "created", "removed"
	RefType     string // "branch", "tag"
	CommitFrom  *string
	CommitTo    *string
	Ref         string // the branch or tag name
	CommitTitle *string
	RefCount    *int64
}

// EventFilter selects events for a list. Exactly one of AuthorID,
// ProjectID and MemberID names whose feed it is; the viewer fields decide
// which projects' events may be shown.
type EventFilter struct {
	AuthorID  int64 // a user's contributions
	ProjectID int64 // a project's events
	// MemberID lists the events of every project that user is a member
	// of (GET /events?scope=all).
	MemberID int64

	// Viewer: events of projects the viewer may not see are left out.
	ViewerID      int64 // 0 for anonymous callers
	Admin         bool  // sees every project
	MinVisibility int   // lowest visibility seen without membership (Public, or Internal when signed in)
	Today         string

	Action     string // one action, or "" for all
	TargetType string // "Issue" …, or "" for all
	Before     *time.Time
	After      *time.Time
	Asc        bool
	Offset     int
	Limit      int
}
