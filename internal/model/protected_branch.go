package model

import "time"

// ProtectedBranch is a branch protection rule of a project. Name is an exact
// branch name or a wildcard pattern ("release/*").
type ProtectedBranch struct {
	ID                        int64
	ProjectID                 int64
	Name                      string
	PushAccessLevel           int
	MergeAccessLevel          int
	UnprotectAccessLevel      int
	AllowForcePush            bool
	CodeOwnerApprovalRequired bool
	CreatedAt                 time.Time
	UpdatedAt                 time.Time
}
