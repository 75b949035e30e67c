package model

import "time"

// Token is a personal access token (or an impersonation token). Only the
// digest of its secret is stored.
type Token struct {
	ID              int64
	UserID          int64
	Name            string
	Description     string
	Digest          string
	Scopes          []string
	Impersonation   bool
	Revoked         bool
	ExpiresAt       *string // YYYY-MM-DD
	LastUsedAt      *time.Time
	PreviousTokenID *int64
	CreatedAt       time.Time
}

// Expired reports whether the token's expiry date has passed at now. A token
// is valid through the whole of its expiry day, as in GitLab.
func (t *Token) Expired(now time.Time) bool {
	return t.ExpiresAt != nil && now.UTC().Format("2006-01-02") > *t.ExpiresAt
}

// Active reports whether the token can authenticate at now.
func (t *Token) Active(now time.Time) bool { return !t.Revoked && !t.Expired(now) }

// HasScope reports whether the token carries scope.
func (t *Token) HasScope(scope string) bool {
	for _, s := range t.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// TokenWithUser is a token joined with its owner, as authentication needs.
type TokenWithUser struct {
	Token *Token
	User  *User
}

// TokenFilter selects tokens for a list.
type TokenFilter struct {
	UserID        *int64
	Impersonation *bool
	Revoked       *bool
	// BotsOf keeps the tokens of one project's or group's bots.
	BotsOf *BotSource
	// State is "active" or "inactive" relative to Today.
	State          string
	Today          string
	Search         string
	CreatedBefore  *time.Time
	CreatedAfter   *time.Time
	LastUsedBefore *time.Time
	LastUsedAfter  *time.Time
	ExpiresBefore  *string
	ExpiresAfter   *string
	// Sort is one of GitLab's created_asc, created_desc, expires_asc,
	// expires_desc, last_used_asc, last_used_desc, name_asc, name_desc;
	// empty means by id.
	Sort   string
	Offset int
	Limit  int
}
