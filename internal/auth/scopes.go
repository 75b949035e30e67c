package auth

import "strings"

// ParseScopes splits a scope parameter into its scopes: separated by
// spaces (RFC 6749 §3.3; like Doorkeeper, any whitespace is taken), with
// empty items and repeats dropped and the order kept.
func ParseScopes(s string) []string {
	var out []string
	for _, sc := range strings.Fields(s) {
		if !contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
