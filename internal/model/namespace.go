package model

import "time"

// Namespace kinds.
const (
	KindUser  = "user"
	KindGroup = "group"
)

// Namespace is a user's personal namespace or a group. Group IDs are
// namespace IDs, as in GitLab.
type Namespace struct {
	ID                    int64
	Kind                  string
	Name                  string
	Path                  string
	FullPath              string
	FullName              string
	ParentID              *int64
	OwnerID               *int64
	Depth                 int
	VisibilityLevel       int
	Description           string
	LFSEnabled            bool
	RequestAccessEnabled  bool
	ProjectCreationLevel  string
	SubgroupCreationLevel string
	MarkedForDeletionOn   *string
	CreatedAt             time.Time
	UpdatedAt             time.Time
	// Avatar is a group's uploaded avatar's file name, "" for none.
	Avatar string
}

// IsGroup reports whether the namespace is a group.
func (n *Namespace) IsGroup() bool { return n.Kind == KindGroup }

// Clone returns a copy of n that shares nothing mutable with it.
func (n *Namespace) Clone() *Namespace {
	c := *n
	c.ParentID = clonePtr(n.ParentID)
	c.OwnerID = clonePtr(n.OwnerID)
	c.MarkedForDeletionOn = clonePtr(n.MarkedForDeletionOn)
	return &c
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
