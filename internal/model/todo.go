package model

import "time"

// Todo actions, GitLab's names.
const (
	TodoAssigned          = "assigned"
	TodoMentioned         = "mentioned"
	TodoMarked            = "marked"
	TodoDirectlyAddressed = "directly_addressed"
	TodoReviewRequested   = "review_requested"
)

// Todo is one item of a user's to-do list.
type Todo struct {
	ID         int64
	UserID     int64
	ProjectID  *int64
	GroupID    *int64
	AuthorID   *int64
	TargetType string // "Issue" …
	TargetID   int64
	Action     string
	State      string // "pending" or "done"
	NoteID     *int64
	Body       string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// TodoFilter selects a user's to-do items.
type TodoFilter struct {
	UserID     int64
	Action     string
	AuthorID   int64
	ProjectID  int64
	GroupID    int64  // projects of the group and its subgroups
	State      string // "pending" (default), "done", or "" for both
	TargetType string
	Offset     int
	Limit      int
}
