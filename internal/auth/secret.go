// Package auth decides who is calling: it mints and resolves tokens, hashes
// passwords and applies sudo and impersonation rules.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// PersonalTokenPrefix starts every personal access token, as in GitLab.
const PersonalTokenPrefix = "glpat-"

const tokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// NewSecret returns prefix followed by n random characters.
func NewSecret(prefix string, n int) string {
	buf := make([]byte, n)
	if _, err := rand.Read(buf); err != nil {
		panic(fmt.Sprintf("auth: no randomness: %v", err)) // crypto/rand never fails on Linux
	}
	for i, b := range buf {
		buf[i] = tokenAlphabet[int(b)%len(tokenAlphabet)]
	}
	return prefix + string(buf)
}

// NewPersonalToken returns a fresh personal access token's text.
func NewPersonalToken() string { return NewSecret(PersonalTokenPrefix, 26) }

// Digest is what the store keeps of a token: hex SHA-256 of its text.
// Tokens carry enough entropy that a fast digest is safe to index on.
func Digest(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// DigestEqual compares two digests in constant time.
func DigestEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// HashPassword returns a bcrypt hash of password. bcrypt reads only the
// first 72 bytes; GitLab (Devise) hashes longer passwords, up to 128
// characters, the same way, so they are cut there rather than refused,
// and CheckPassword, which reads the same 72 bytes, still matches them.
func HashPassword(password string) (string, error) {
	const bcryptMaxBytes = 72
	in := []byte(password)
	if len(in) > bcryptMaxBytes {
		in = in[:bcryptMaxBytes]
	}
	h, err := bcrypt.GenerateFromPassword(in, bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	return string(h), nil
}

// CheckPassword reports whether password matches hash.
func CheckPassword(hash, password string) bool {
	if hash == "" {
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}
