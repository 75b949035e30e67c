package model

import (
	"strconv"
	"time"
)

// DeployToken is a project's or a group's deploy token (GitLab's
// DeployToken): a machine credential for git over HTTP that acts as no
// user. Exactly one of ProjectID and GroupID is set. Only the token's
// digest is kept.
type DeployToken struct {
	ID        int64
	ProjectID *int64
	GroupID   *int64
	CreatorID *int64
	Name      string
	// Username is nil for GitLab's default, gitlab+deploy-token-<id>.
	Username  *string
	Digest    string
	Scopes    []string
	Revoked   bool
	ExpiresAt *time.Time
	CreatedAt time.Time
}

// LoginName is the username git clients authenticate with.
func (t *DeployToken) LoginName() string {
	if t.Username != nil {
		return *t.Username
	}
	return "gitlab+deploy-token-" + strconv.FormatInt(t.ID, 10)
}

// Expired reports whether the token's expiry has passed at now.
func (t *DeployToken) Expired(now time.Time) bool {
	return t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)
}

// Active reports whether the token authenticates at now.
func (t *DeployToken) Active(now time.Time) bool { return !t.Revoked && !t.Expired(now) }

// HasScope reports whether the token carries scope.
func (t *DeployToken) HasScope(scope string) bool {
	for _, s := range t.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// DeployTokenFilter narrows a list of deploy tokens.
type DeployTokenFilter struct {
	// ProjectID or GroupID, when set, keep one holder's tokens.
	ProjectID int64
	GroupID   int64
	// ActiveAt, when set, keeps tokens neither revoked nor expired then.
	ActiveAt *time.Time
}
