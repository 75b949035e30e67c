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

// HashPassword returns a bcrypt hash of password.
func HashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
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
