package model

import (
	"slices"
	"time"
)

// Project is a project row joined with the namespace it lives in.
type Project struct {
	ID                   int64
	NamespaceID          int64
	Name                 string
	Path                 string
	Description          string
	VisibilityLevel      int
	DefaultBranch        *string
	Archived             bool
	EmptyRepo            bool
	InitializeWithReadme bool
	CreatorID            *int64
	IssuesEnabled        bool
	MergeRequestsEnabled bool
	WikiEnabled          bool
	JobsEnabled          bool
	SnippetsEnabled      bool
	LFSEnabled           bool
	RequestAccessEnabled bool
	Topics               []string
	MarkedForDeletionOn  *string
	// ForkedFromID is the project this one was forked from, if any.
	ForkedFromID *int64
	// ForksCount counts the projects forked from this one.
	ForksCount int
	// StarCount counts the users who starred it (users_star_projects).
	StarCount int
	// Avatar is the uploaded avatar's file name, "" for none.
	Avatar              string
	MRDefaultTargetSelf bool
	// AutoCancelPendingPipelines: a new pipeline cancels its ref's
	// redundant older ones (GitLab's auto_cancel_pending_pipelines).
	AutoCancelPendingPipelines bool
	// ImportStatus is GitLab's: "none", or "finished" for a fork.
	ImportStatus string
	MergeSettings
	// Version is set by reads outside transactions; see Version.
	Version        Version
	CreatedAt      time.Time
	UpdatedAt      time.Time
	LastActivityAt time.Time

	// Namespace is the owning namespace, loaded with the project.
	Namespace *Namespace
}

// FullPath is the project's path with its namespace.
func (p *Project) FullPath() string { return p.Namespace.FullPath + "/" + p.Path }

// FullName is the project's name with its namespace's.
func (p *Project) FullName() string { return p.Namespace.FullName + " / " + p.Name }

// ProjectAccess is a viewer's membership levels on one project: Project is
// the direct project membership, Group the highest membership on the
// project's namespace or any of its ancestors.
type ProjectAccess struct {
	Project int
	Group   int
}

// Level is the effective level: the higher of the two.
func (a ProjectAccess) Level() int { return max(a.Project, a.Group) }

// ProjectFilter selects projects for a list. The viewer fields decide
// visibility; the rest are the caller's filters.
type ProjectFilter struct {
	ViewerID      int64 // 0 for anonymous callers
	Admin         bool  // administrators see everything
	MinVisibility int   // lowest visibility seen without membership
	Today         string

	NamespaceID      int64 // 0: any namespace
	IncludeSubgroups bool
	Search           string
	SearchNamespaces bool
	Topic            string // exact topic, case-insensitive
	MinAccessLevel   int    // viewer's effective level must reach this; 0: no filter
	Visibility       *int
	Archived         *bool
	IDAfter          int64
	IDBefore         int64
	// ForkedFromID, when set, keeps the forks of that project only.
	ForkedFromID int64
	// StarredBy, when set, keeps the projects that user starred.
	StarredBy int64
	// SharedWithGroupID, when set, keeps the projects shared with that
	// group (project_group_links).
	SharedWithGroupID int64

	// OrderBy is id, name, path, created_at, updated_at or last_activity_at.
	OrderBy string
	Desc    bool
	Limit   int
	Offset  int
	// Count asks for the total number of matching rows too.
	Count bool
	// CustomAttributes keeps projects with every key set to its value.
	CustomAttributes map[string]string
}

// Clone returns a copy of p that shares nothing mutable with it, so that a
// cached project is never changed through a caller's copy.
func (p *Project) Clone() *Project {
	c := *p
	c.Topics = slices.Clone(p.Topics)
	if p.Namespace != nil {
		ns := *p.Namespace
		c.Namespace = &ns
	}
	return &c
}

// Version identifies the state a project was read in: two reads with
// equal valid versions returned the same project and the same everything
// its entity shows (namespace, owner, access rules). The zero Version
// vouches for nothing (read inside a transaction, or while the store
// could not hear other instances' changes): what is derived from such a
// read must not be kept.
type Version struct {
	access, auth, row uint64
	valid             bool
}

// NewVersion is for the store, which alone knows what moves versions.
func NewVersion(access, auth, row uint64) Version {
	return Version{access: access, auth: auth, row: row, valid: true}
}

// Valid reports whether v vouches for the read.
func (v Version) Valid() bool { return v.valid }
