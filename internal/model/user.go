package model

import "time"

// User is a person or bot account.
type User struct {
	ID              int64
	Username        string
	Email           string
	Name            string
	PasswordHash    string
	State           string // active, blocked, deactivated
	IsAdmin         bool
	Bot             bool
	External        bool
	CanCreateGroup  bool
	ProjectsLimit   int
	PrivateProfile  bool
	Bio             string
	Location        string
	PublicEmail     string
	WebsiteURL      string
	Organization    string
	JobTitle        string
	Note            string
	NamespaceID     int64
	CreatedByID     *int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
	ConfirmedAt     *time.Time
	LastActivityOn  *string
	CurrentSignInAt *time.Time
	LastSignInAt    *time.Time
	// Avatar is the uploaded avatar's file name, "" for none.
	Avatar string
}

// Active reports whether the account may act.
func (u *User) Active() bool { return u.State == "active" }

// UserFilter selects users for a list.
type UserFilter struct {
	Search   string // username, name or email, substring
	Username string // exact, case-insensitive
	State    string // active, blocked, …
	Admins   *bool
	Humans   bool // exclude bots
	Offset   int
	Limit    int
	// PublicSearch makes Search match the public email instead of the
	// private one, for callers who may not see private emails.
	PublicSearch bool
	// ExcludeStates hides users in these states.
	ExcludeStates []string
	External      *bool
	Bots          bool // only bots
	CreatedBefore *time.Time
	CreatedAfter  *time.Time
	// OrderBy is id, name, username, created_at or updated_at (default id);
	// Sort is asc or desc (default desc).
	OrderBy string
	Sort    string
	// CustomAttributes keeps users with every key set to its value.
	CustomAttributes map[string]string
	// Provider and ExternUID, both set, keep the user with that identity.
	Provider, ExternUID string
}

// UserAssociations counts a user's memberships and authored work.
type UserAssociations struct {
	Groups, Projects, Issues, MergeRequests int
}

// Identity is a user's account at an external authentication provider.
type Identity struct {
	Provider  string
	ExternUID string
}
