package auth

import (
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/lablet/lablet/internal/model"
)

// FuzzScopes checks scope lists end to end: ParseScopes keeps every
// scope once, in order, and nothing else; the list survives being joined
// with spaces, as the store keeps OAuth scopes; and a token carrying the
// list has exactly those scopes, Admin Mode's admin_mode included.
func FuzzScopes(f *testing.F) {
	f.Add("api read_user", "api")
	f.Add("  read_api\tread_api\nopenid ", "openid")
	f.Add("api,read_user", "read_user")
	f.Add("admin_mode sudo", "admin_mode")
	f.Add("a\u00a0b\u0085c", "b")
	f.Fuzz(func(t *testing.T, param, probe string) {
		scopes := ParseScopes(param)
		if !slices.Equal(ParseScopes(strings.Join(scopes, " ")), scopes) {
			t.Fatalf("ParseScopes(%q) = %q does not survive a join", param, scopes)
		}
		seen := map[string]bool{}
		for _, s := range scopes {
			if s == "" || strings.ContainsFunc(s, unicode.IsSpace) || seen[s] {
				t.Fatalf("ParseScopes(%q) = %q: empty, spaced or repeated %q", param, scopes, s)
			}
			seen[s] = true
		}
		// Nothing but separators and repeats is lost.
		var want []string
		for _, s := range strings.Fields(param) {
			if !slices.Contains(want, s) {
				want = append(want, s)
			}
		}
		if !slices.Equal(scopes, want) {
			t.Fatalf("ParseScopes(%q) = %q, want %q", param, scopes, want)
		}

		for _, adminMode := range []bool{false, true} {
			id := &Identity{User: &model.User{ID: 1, IsAdmin: true}, Token: &model.Token{Scopes: scopes}, adminMode: adminMode}
			if id.HasScope(probe) != slices.Contains(scopes, probe) {
				t.Fatalf("scopes %q: HasScope(%q) = %v", scopes, probe, id.HasScope(probe))
			}
			if id.HasAnyScope(probe, ScopeAPI) != (slices.Contains(scopes, probe) || slices.Contains(scopes, ScopeAPI)) {
				t.Fatalf("scopes %q: HasAnyScope(%q, api) wrong", scopes, probe)
			}
			if id.IsAdmin() != (!adminMode || slices.Contains(scopes, ScopeAdminMode)) {
				t.Fatalf("scopes %q, admin mode %v: IsAdmin = %v", scopes, adminMode, id.IsAdmin())
			}
		}
		if ValidScope(probe) != slices.Contains(PersonalScopes, probe) {
			t.Fatalf("ValidScope(%q) = %v", probe, ValidScope(probe))
		}
	})
}
