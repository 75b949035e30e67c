package model

import "time"

// Noteable types: what notes, award emoji, labels and resource events
// attach to, named as GitLab names them.
const (
	NoteableIssue        = "Issue"
	NoteableMergeRequest = "MergeRequest"
	NoteableCommit       = "Commit"
	NoteableSnippet      = "Snippet"
	// AwardableNote: award emoji on a note.
	AwardableNote = "Note"
)

// Issue is an issue row with what is read with it: its assignees' and
// labels' ids come from their own tables.
type Issue struct {
	ID               int64
	ProjectID        int64
	IID              int64
	AuthorID         *int64
	Title            string
	Description      string
	State            string // "opened" or "closed"
	IssueType        string // "issue", "incident", "test_case", "task"
	Confidential     bool
	DiscussionLocked *bool
	MilestoneID      *int64
	DueDate          *string // YYYY-MM-DD
	TimeEstimate     int64   // seconds
	TotalTimeSpent   int64   // seconds
	RelativePosition *int64
	Upvotes          int64
	Downvotes        int64
	UserNotesCount   int64
	ClosedAt         *time.Time
	ClosedByID       *int64
	MovedToID        *int64
	LockVersion      int64
	CreatedAt        time.Time
	UpdatedAt        time.Time

	AssigneeIDs []int64
	LabelIDs    []int64
	// MergeRequestsCount is how many merge requests of the issue's
	// project close it when merged.
	MergeRequestsCount int64
}

// Label is a project label (ProjectID set) or a group label (GroupID set).
type Label struct {
	ID          int64
	ProjectID   *int64
	GroupID     *int64
	Title       string
	Color       string // "#RRGGBB"
	Description string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Milestone is a project milestone (ProjectID set) or a group milestone.
type Milestone struct {
	ID          int64
	ProjectID   *int64
	GroupID     *int64
	IID         int64
	Title       string
	Description string
	State       string // "active" or "closed"
	DueDate     *string
	StartDate   *string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Note is a comment or a system note on a noteable. Every note belongs to
// a discussion; an individual note is a discussion of one.
type Note struct {
	ID           int64
	ProjectID    *int64
	NoteableType string
	NoteableID   int64
	CommitID     *string // for notes on commits (NoteableID 0)
	DiscussionID string  // 40 hex digits
	NoteType     *string // nil, "DiscussionNote" or "DiffNote"
	AuthorID     *int64
	Body         string
	System       bool
	Internal     bool
	Resolvable   bool
	ResolvedAt   *time.Time
	ResolvedByID *int64
	Position     *string // JSON of a diff note's position
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// AwardEmoji is one user's emoji on an awardable (a noteable or a note).
type AwardEmoji struct {
	ID            int64
	Name          string
	UserID        int64
	AwardableType string
	AwardableID   int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// ResourceEvent is one entry of a noteable's label, milestone or state
// history. Kind says which: the fields of the others are zero.
type ResourceEvent struct {
	ID           int64
	Kind         string // "label", "milestone" or "state"
	ResourceType string
	ResourceID   int64
	UserID       *int64
	Action       string // "add" or "remove" (label, milestone)
	LabelID      *int64
	MilestoneID  *int64
	State        string // state events: "opened", "closed", "reopened"; milestone events: the milestone's state
	CreatedAt    time.Time
}
