package model

// GroupFilter selects groups (namespaces of kind group) for a list.
type GroupFilter struct {
	// UserID is the viewer; 0 for anonymous callers.
	UserID int64
	// Admin sees every group, including those marked for deletion.
	Admin bool
	// MinVisibility is the lowest visibility shown without membership;
	// above Public (e.g. 100) shows none.
	MinVisibility int
	// MemberOnly restricts to groups the user is a member of, directly or
	// through an ancestor, with at least MinAccessLevel.
	MemberOnly     bool
	MinAccessLevel int
	Search         string
	TopLevelOnly   bool
	// ParentID restricts to direct children; AncestorID to all descendants.
	ParentID   *int64
	AncestorID *int64
	Visibility *int
	SkipIDs    []int64
	// SharedWithGroupID keeps the groups shared with that group (it was
	// invited to them); InvitedTo the groups invited to any of those
	// groups (group_group_links, either side).
	SharedWithGroupID int64
	InvitedTo         []int64
	// Today compares membership expiry dates.
	Today   string
	OrderBy string // name, path, id
	Desc    bool
	Offset  int
	Limit   int
	// CustomAttributes keeps groups with every key set to its value.
	CustomAttributes map[string]string
}

// NamespaceFilter selects namespaces for GET /namespaces.
type NamespaceFilter struct {
	// UserID is the viewer; with All false only their personal namespace
	// and the groups they belong to (directly or by inheritance) are shown.
	UserID    int64
	All       bool
	OwnedOnly bool
	Search    string
	Today     string
	Offset    int
	Limit     int
}

// SearchFilter selects what a search finds in one scope (issues, notes,
// milestones): where to look, who is looking, and the words.
type SearchFilter struct {
	Text string
	// Where: every project the viewer sees, a group's projects (and its
	// subgroups'), or one project.
	GroupID   int64
	ProjectID int64

	ViewerID      int64 // 0 for anonymous callers
	Admin         bool
	MinVisibility int // lowest visibility seen without membership
	Today         string

	State        string // issues: "opened", "closed" or "" for both
	Confidential *bool  // issues
	Asc          bool   // oldest first (created_at); newest first by default
	Offset       int
	Limit        int
}
