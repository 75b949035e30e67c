package model

import "time"

// SCIMIdentity is a user an identity provider provisioned through SCIM in
// a group (GroupID nil: the instance), GitLab's ScimIdentity. ExternUID is
// the provider's externalId, the resource's SCIM id; UserName, Name and
// Email are the resource as the provider last wrote them. Version moves
// with every write and is the resource's ETag.
type SCIMIdentity struct {
	ID        int64
	GroupID   *int64
	UserID    int64
	ExternUID string
	UserName  string
	Name      string
	Email     string
	Active    bool
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// SCIMFilter selects SCIM identities of one group or the instance (GroupID
// 0); at most one of ExternUID and UserName is set and matches
// case-insensitively, as GitLab's finders do.
type SCIMFilter struct {
	GroupID   int64
	ExternUID string
	UserName  string
	// Offset and Limit page the list (Limit 0: count only).
	Offset, Limit int
}
