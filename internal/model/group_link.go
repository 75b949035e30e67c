package model

import "time"

// GroupLink shares a project (ProjectID set) or a group (SharedGroupID
// set) with the members of group GroupID, up to GroupAccess: GitLab's
// ProjectGroupLink and GroupGroupLink.
type GroupLink struct {
	ID            int64
	ProjectID     int64 // 0 for a group share
	SharedGroupID int64 // 0 for a project share
	GroupID       int64 // the group shared with
	GroupAccess   int
	ExpiresAt     *string // YYYY-MM-DD
	CreatedAt     time.Time
	// Group is the group shared with, and Shared the shared group, when
	// loaded.
	Group  *Namespace
	Shared *Namespace
}

// ProjectUserFilter selects the users with access to a project.
type ProjectUserFilter struct {
	Search    string
	SkipUsers []int64
	Limit     int
	Offset    int
}
