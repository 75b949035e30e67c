package graphql

import "time"

// Issue is an issue the caller may read. page is the page it was listed
// in: its labels, milestone, assignees and notes load for the whole page
// at once, when the first issue of the page asks.
type Issue struct {
	i    issuable
	page *issuablePage

	ID               string     `json:"id"`
	Iid              string     `json:"iid"`
	Title            string     `json:"title"`
	Description      *string    `json:"description,omitempty"`
	State            IssueState `json:"state"`
	Confidential     bool       `json:"confidential"`
	DiscussionLocked bool       `json:"discussionLocked"`
	CreatedAt        time.Time  `json:"createdAt"`
	UpdatedAt        time.Time  `json:"updatedAt"`
	ClosedAt         *time.Time `json:"closedAt,omitempty"`
	DueDate          *time.Time `json:"dueDate,omitempty"`
	WebURL           string     `json:"webUrl"`
	WebPath          string     `json:"webPath"`
	Reference        string     `json:"reference"`
	Author           *UserCore  `json:"author"`
	Upvotes          int        `json:"upvotes"`
	Downvotes        int        `json:"downvotes"`
	UserNotesCount   int        `json:"userNotesCount"`
}

// MergeRequest is a merge request the caller may read, loaded by page as
// Issue is.
type MergeRequest struct {
	i    issuable
	page *issuablePage

	ID              string            `json:"id"`
	Iid             string            `json:"iid"`
	Title           string            `json:"title"`
	Description     *string           `json:"description,omitempty"`
	State           MergeRequestState `json:"state"`
	Draft           bool              `json:"draft"`
	SourceBranch    string            `json:"sourceBranch"`
	TargetBranch    string            `json:"targetBranch"`
	SourceProjectID *int              `json:"sourceProjectId,omitempty"`
	TargetProjectID int               `json:"targetProjectId"`
	DiffHeadSha     *string           `json:"diffHeadSha,omitempty"`
	MergeCommitSha  *string           `json:"mergeCommitSha,omitempty"`
	Squash          bool              `json:"squash"`
	CreatedAt       time.Time         `json:"createdAt"`
	UpdatedAt       time.Time         `json:"updatedAt"`
	MergedAt        *time.Time        `json:"mergedAt,omitempty"`
	ClosedAt        *time.Time        `json:"closedAt,omitempty"`
	WebURL          *string           `json:"webUrl,omitempty"`
	WebPath         string            `json:"webPath"`
	Reference       string            `json:"reference"`
	Author          *UserCore         `json:"author,omitempty"`
	Upvotes         int               `json:"upvotes"`
	Downvotes       int               `json:"downvotes"`
	UserNotesCount  *int              `json:"userNotesCount,omitempty"`
}
