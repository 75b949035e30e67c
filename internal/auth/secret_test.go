package auth

import (
	"strings"
	"testing"
)

// TestHashPasswordLong: a password past bcrypt's 72 bytes (GitLab allows
// 128 characters) hashes without error and checks against itself, and a
// wrong password still fails.
func TestHashPasswordLong(t *testing.T) {
	long := strings.Repeat("é", 100) // 200 bytes
	h, err := HashPassword(long)
	if err != nil {
		t.Fatalf("hash a 100-character password: %v", err)
	}
	if !CheckPassword(h, long) {
		t.Fatal("the long password does not match its own hash")
	}
	if CheckPassword(h, "short-and-wrong") {
		t.Fatal("a wrong password matches")
	}
}
