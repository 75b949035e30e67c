package model

import "time"

// MergeRequest is a merge request row with what is read with it: its
// assignees', reviewers' and labels' ids come from their own tables.
// SourceProjectID is the target project today; forks will differ.
type MergeRequest struct {
	ID                      int64
	TargetProjectID         int64
	SourceProjectID         *int64 // nil once the source project is gone
	IID                     int64
	AuthorID                *int64
	Title                   string
	Description             string
	State                   string // "opened", "closed", "locked" or "merged"
	SourceBranch            string
	TargetBranch            string
	Draft                   bool
	DiscussionLocked        *bool
	MilestoneID             *int64
	Squash                  bool
	ForceRemoveSourceBranch *bool
	AllowCollaboration      bool
	BaseSHA                 *string // diff_refs: merge base of target and source
	HeadSHA                 *string // diff_refs: the source branch head
	StartSHA                *string // diff_refs: the target branch head
	MergeCommitSHA          *string
	SquashCommitSHA         *string
	Upvotes                 int64
	Downvotes               int64
	UserNotesCount          int64
	TimeEstimate            int64 // seconds
	TotalTimeSpent          int64 // seconds
	MergedAt                *time.Time
	MergedByID              *int64
	ClosedAt                *time.Time
	ClosedByID              *int64
	LockVersion             int64
	CreatedAt               time.Time
	UpdatedAt               time.Time

	Mergeability

	AssigneeIDs []int64
	ReviewerIDs []int64
	LabelIDs    []int64
}

// MergeRequestDiff is a version of a merge request: the diff_refs it had
// after its creation or after a push moved its source head.
type MergeRequestDiff struct {
	ID             int64
	MergeRequestID int64
	BaseSHA        *string // nil when the branches share no history
	HeadSHA        string
	StartSHA       string
	State          string // "collected"
	RealSize       *string
	CreatedAt      time.Time
}

// Approval is one user's approval of a merge request.
type Approval struct {
	MergeRequestID int64
	UserID         int64
	CreatedAt      time.Time
}

// Reviewer is a user asked to review a merge request, since CreatedAt.
type Reviewer struct {
	MergeRequestID int64
	UserID         int64
	CreatedAt      time.Time
}
