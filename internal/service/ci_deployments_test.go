package service

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// TestEnvironmentSlug holds environmentSlug to Gitlab::Slug::Environment's
// own examples, whose digest suffix GitLab's spec stubs as "q517sa".
func TestEnvironmentSlug(t *testing.T) {
	if got := slugSuffix(strings.Repeat("a", 64)); got != "q517sa" {
		t.Fatalf("slugSuffix of a*64 = %q, want q517sa", got)
	}
	for name, want := range map[string]string{
		"staging-12345678901234567": "staging-123456789-q517sa",
		"9-staging-123456789012345": "env-9-staging-123-q517sa",
		"staging-1234567890123456":  "staging-1234567890123456",
		"staging-1234567890123456-": "staging-123456789-q517sa",
		"production":                "production",
		"PRODUCTION":                "production-q517sa",
		"review/1-foo":              "review-1-foo-q517sa",
		"1-foo":                     "env-1-foo-q517sa",
		"1/foo":                     "env-1-foo-q517sa",
		"foo-":                      "foo",
		"foo--bar":                  "foo-bar-q517sa",
		"foo**bar":                  "foo-bar-q517sa",
		"*-foo":                     "env-foo-q517sa",
		"staging-12345678-":         "staging-12345678",
		"staging-12345678-01234567": "staging-12345678-q517sa",
		"":                          "env-q517sa",
	} {
		sum := sha256.Sum256([]byte(name))
		want = strings.Replace(want, "q517sa", slugSuffix(hex.EncodeToString(sum[:])), 1)
		if got := environmentSlug(name); got != want {
			t.Errorf("environmentSlug(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestGuessTier holds guessTier to Environment#guess_tier's order.
func TestGuessTier(t *testing.T) {
	for name, want := range map[string]string{"review/feature": "development", "dev": "development",
		"qa": "testing", "test": "testing", "staging": "staging", "pre-prod": "staging", "production": "production",
		"live": "production", "canary": "other"} {
		if got := guessTier(name); got != want {
			t.Errorf("guessTier(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestEnvironmentNameProblem holds the name rules of GitLab's
// Environment model.
func TestEnvironmentNameProblem(t *testing.T) {
	for name, ok := range map[string]bool{"review/feature-1": true, "prod ${X}": true, "": false, " ": false,
		"/lead": false, "trail/": false, "semi;colon": false, strings.Repeat("a", 256): false} {
		if got := environmentNameProblem(name) == ""; got != ok {
			t.Errorf("environmentNameProblem(%q) accepts: %v, want %v", name, got, ok)
		}
	}
}
