package model

import "time"

// Key usage types (GitLab's Key#usage_type).
const (
	KeyUsageAuthAndSigning = "auth_and_signing"
	KeyUsageAuth           = "auth"
	KeyUsageSigning        = "signing"
)

// Key is an SSH public key: a user's (GitLab's Key) or a deploy key
// (GitLab's DeployKey, Deploy set), identified by its fingerprints.
type Key struct {
	ID     int64
	UserID int64 // owner of a user key, creator of a deploy key
	Deploy bool
	// Public marks an instance-level deploy key any maintainer may enable.
	Public            bool
	Title             string
	Text              string // the public key as given, comment included
	FingerprintMD5    string // "aa:bb:…"
	FingerprintSHA256 string // "SHA256:…"
	UsageType         string
	ExpiresAt         *time.Time
	LastUsedAt        *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// Expired reports whether the key has expired at now.
func (k *Key) Expired(now time.Time) bool { return k.ExpiresAt != nil && !k.ExpiresAt.After(now) }

// DeployKeyProject enables a deploy key on a project (GitLab's
// DeployKeysProject), with or without write access.
type DeployKeyProject struct {
	ID          int64
	DeployKeyID int64
	ProjectID   int64
	CanPush     bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}
