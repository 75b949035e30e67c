package model

import "time"

// OAuthApplication is a registered OAuth client (GitLab's
// oauth_applications). Only a digest of the secret is stored.
type OAuthApplication struct {
	ID           int64
	UID          string // the public Application ID (client_id)
	Name         string
	SecretDigest string
	RedirectURIs []string
	Scopes       []string
	Confidential bool
	// OwnerID is the user who registered it; nil for instance-wide
	// applications made by administrators.
	OwnerID *int64
	// Dynamic marks clients registered through RFC 7591.
	Dynamic   bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// PasswordGrantClientUID names the built-in public client that stands in
// when a password grant comes without client credentials, as GitLab's
// documented curl example sends it. It is never listed as an application.
const PasswordGrantClientUID = "lablet-password-grant"

// OAuth grant kinds.
const (
	OAuthCode    = "code"
	OAuthAccess  = "access"
	OAuthRefresh = "refresh"
	OAuthPKCE    = "pkce"
	OAuthOIDC    = "oidc"
)

// OAuthGrant is one issued code or token; Signature is its digest.
type OAuthGrant struct {
	ID            int64
	Kind          string
	Signature     string
	RequestID     string
	ApplicationID int64
	UserID        *int64
	Scopes        []string
	Request       string
	Active        bool
	ExpiresAt     *time.Time
	CreatedAt     time.Time
}

// OAuthAccessToken is an access token joined with what authentication
// needs: its user and application.
type OAuthAccessToken struct {
	Grant       *OAuthGrant
	User        *User
	Application *OAuthApplication
}

// AuthorizedApplication is an application a user has live tokens for.
type AuthorizedApplication struct {
	Application  *OAuthApplication
	Scopes       []string
	AuthorizedAt time.Time
}

// Device grant statuses.
const (
	DevicePending  = "pending"
	DeviceApproved = "approved"
	DeviceDenied   = "denied"
)

// OAuthDeviceGrant is an RFC 8628 device authorization.
type OAuthDeviceGrant struct {
	ID               int64
	DeviceCodeDigest string
	UserCodeDigest   string
	ApplicationID    int64
	Scopes           []string
	Status           string
	UserID           *int64
	Interval         int
	LastPolledAt     *time.Time
	ExpiresAt        time.Time
	CreatedAt        time.Time
}
