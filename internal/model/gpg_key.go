package model

import "time"

// GPGKey is a user's OpenPGP public key (GitLab's GpgKey): the armored
// block as given, its primary key's fingerprint and key id (upper-case
// hex), and its subkeys.
type GPGKey struct {
	ID           int64
	UserID       int64
	Key          string
	Fingerprint  string // 40 hex digits
	PrimaryKeyID string // 16 hex digits
	Subkeys      []GPGKeySubkey
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// GPGKeySubkey is a subkey of a GPG key (GitLab's GpgKeySubkey).
type GPGKeySubkey struct {
	ID          int64
	GPGKeyID    int64
	KeyID       string
	Fingerprint string
}
