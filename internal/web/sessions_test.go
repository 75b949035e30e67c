package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/lablet/lablet/internal/labtest"
)

// TestCredentialChangesEndSessions checks that a new password, and every
// change of a user's state, signs that user out everywhere; other changes
// and other users' sessions are left alone.
func TestCredentialChangesEndSessions(t *testing.T) {
	s := labtest.Start(t)
	const password = "alice-password-1234"
	created := s.Do(t, labtest.Request{Method: "POST", Path: "/users", Token: s.RootToken, JSON: map[string]any{
		"username": "alice", "email": "alice@example.com", "name": "Alice", "password": password}})
	if created.Status != http.StatusCreated {
		t.Fatalf("create alice = %d %s", created.Status, created.Body)
	}
	alice := "/users/" + strconv.FormatInt(int64(created.Map(t)["id"].(float64)), 10)
	// signedInAs reports whether c's session cookie still authenticates,
	// on a page and on the API.
	signedInAs := func(t *testing.T, c *http.Client) bool {
		t.Helper()
		page := roundTrip(t, c, "GET", s.URL+"/", nil)
		api := roundTrip(t, c, "GET", s.URL+"/api/v4/user", nil)
		switch {
		case page.StatusCode == http.StatusOK && api.StatusCode == http.StatusOK:
			return true
		case page.StatusCode == http.StatusFound && strings.HasPrefix(page.Header.Get("Location"), "/users/sign_in") &&
			api.StatusCode == http.StatusUnauthorized:
			return false
		}
		t.Fatalf("GET / = %d to %q, GET /api/v4/user = %d", page.StatusCode, page.Header.Get("Location"), api.StatusCode)
		return false
	}
	root := signedIn(t, s, "root", s.Config.RootPassword)
	put := func(t *testing.T, body map[string]any) {
		t.Helper()
		if r := s.Do(t, labtest.Request{Method: "PUT", Path: alice, Token: s.RootToken, JSON: body}); r.Status != http.StatusOK {
			t.Fatalf("PUT %s = %d %s", alice, r.Status, r.Body)
		}
	}

	for _, pair := range [][2]string{{"block", "unblock"}, {"deactivate", "activate"}} {
		t.Run(pair[0], func(t *testing.T) {
			c := signedIn(t, s, "alice", password)
			for _, action := range pair {
				if r := s.Do(t, labtest.Request{Method: "POST", Path: alice + "/" + action, Token: s.RootToken}); r.Status != http.StatusCreated {
					t.Fatalf("%s = %d %s", action, r.Status, r.Body)
				}
				// The old session must not come back with the account.
				if signedInAs(t, c) {
					t.Fatalf("the session is valid after %s", action)
				}
			}
			if !signedInAs(t, signedIn(t, s, "alice", password)) || !signedInAs(t, root) {
				t.Fatal("signing in again failed")
			}
		})
	}
	t.Run("Password", func(t *testing.T) {
		c := signedIn(t, s, "alice", password)
		put(t, map[string]any{"name": "Alice A."})
		if !signedInAs(t, c) {
			t.Fatal("changing the name ended the session")
		}
		put(t, map[string]any{"password": "alice-new-password-5678"})
		if signedInAs(t, c) {
			t.Fatal("the session outlived a password change")
		}
		if !signedInAs(t, root) {
			t.Fatal("another user's session ended")
		}
	})
}
