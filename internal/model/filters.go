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
	// Today compares membership expiry dates.
	Today   string
	OrderBy string // name, path, id
	Desc    bool
	Offset  int
	Limit   int
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
