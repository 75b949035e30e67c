// Package access holds GitLab's permission model: ordered access levels and
// visibility levels, and the rules that combine them.
package access

import "fmt"

// Level is a member's role, ordered so that levels compare with <.
type Level int

// GitLab's access levels.
const (
	NoAccess   Level = 0
	Minimal    Level = 5
	Guest      Level = 10
	Planner    Level = 15
	Reporter   Level = 20
	Developer  Level = 30
	Maintainer Level = 40
	Owner      Level = 50
	// Admin is the level an instance administrator acts with.
	Admin Level = 60
)

// ValidMemberLevel reports whether l may be given to a member.
func ValidMemberLevel(l int) bool {
	switch Level(l) {
	case Minimal, Guest, Planner, Reporter, Developer, Maintainer, Owner:
		return true
	}
	return false
}

// Visibility levels, stored as GitLab stores them.
const (
	Private  = 0
	Internal = 10
	Public   = 20
)

// VisibilityName returns "private", "internal" or "public".
func VisibilityName(v int) string {
	switch {
	case v >= Public:
		return "public"
	case v >= Internal:
		return "internal"
	default:
		return "private"
	}
}

// ParseVisibility turns a visibility name into its level.
func ParseVisibility(s string) (int, error) {
	switch s {
	case "private":
		return Private, nil
	case "internal":
		return Internal, nil
	case "public":
		return Public, nil
	}
	return 0, fmt.Errorf("access: unknown visibility %q", s)
}

// Viewer describes who looks at a resource.
type Viewer struct {
	Authenticated bool
	External      bool
	Admin         bool
}

// MinVisibleLevel is the lowest visibility a viewer sees without membership.
func (v Viewer) MinVisibleLevel() int {
	if v.Authenticated && !v.External {
		return Internal
	}
	return Public
}

// CanSee reports whether a viewer with the given membership level may see a
// resource of visibility vis.
func (v Viewer) CanSee(vis int, level Level) bool {
	return v.Admin || level >= Guest || vis >= v.MinVisibleLevel()
}
