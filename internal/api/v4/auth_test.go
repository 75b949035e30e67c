package v4_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/model"
)

const unauthorized = `{"message":"401 Unauthorized"}`

func insufficientScope(scope string) string {
	return `{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"` + scope + `"}`
}

// storeToken writes a token record directly, for states the API refuses
// to create (expired) and returns its text.
func storeToken(t *testing.T, s *labtest.Server, userID int64, expires *string, revoked bool, scopes ...string) string {
	t.Helper()
	text := auth.NewPersonalToken()
	tok := &model.Token{UserID: userID, Name: "raw", Digest: auth.Digest(text), Scopes: scopes, ExpiresAt: expires, Revoked: revoked}
	if err := s.Srv.DB.Queries().CreateToken(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	return text
}

func currentUsername(t *testing.T, r *labtest.Response) string {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("status = %d; body %s", r.Status, r.Body)
	}
	name, _ := r.Map(t)["username"].(string)
	return name
}

func TestAuthTokenPlaces(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	t.Run("PrivateTokenHeader", func(t *testing.T) {
		if got := currentUsername(t, s.Do(t, labtest.Request{Path: "/user", Token: alice.Token})); got != "alice" {
			t.Fatalf("username = %q", got)
		}
	})
	t.Run("BearerHeader", func(t *testing.T) {
		r := s.Do(t, labtest.Request{Path: "/user", Header: map[string]string{"Authorization": "Bearer " + alice.Token}})
		if got := currentUsername(t, r); got != "alice" {
			t.Fatalf("username = %q", got)
		}
	})
	t.Run("QueryParam", func(t *testing.T) {
		r := s.Do(t, labtest.Request{Path: "/user?private_token=" + url.QueryEscape(alice.Token)})
		if got := currentUsername(t, r); got != "alice" {
			t.Fatalf("username = %q", got)
		}
	})
	t.Run("BodyParam", func(t *testing.T) {
		// A write authenticated by a body parameter: alice creates a token for herself.
		r := s.Do(t, labtest.Request{Method: "POST", Path: "/user/personal_access_tokens",
			Form: url.Values{"private_token": {alice.Token}, "name": {"k8s"}, "scopes[]": {"k8s_proxy"}}})
		if r.Status != http.StatusCreated {
			t.Fatalf("status = %d; body %s", r.Status, r.Body)
		}
	})
	t.Run("ClientLibrary", func(t *testing.T) {
		u, _, err := s.Client(t, alice.Token).Users.CurrentUser()
		if err != nil {
			t.Fatal(err)
		}
		if u.Username != "alice" || u.Email != "alice@example.com" || u.IsAdmin {
			t.Fatalf("user = %+v", u)
		}
	})
	t.Run("ErrMissing", func(t *testing.T) {
		s.Do(t, labtest.Request{Path: "/user"}).ExpectError(t, http.StatusUnauthorized, unauthorized)
	})
	t.Run("ErrWrong", func(t *testing.T) {
		s.Do(t, labtest.Request{Path: "/user", Token: "glpat-nosuchtoken"}).ExpectError(t, http.StatusUnauthorized, unauthorized)
		r := s.Do(t, labtest.Request{Path: "/user", Header: map[string]string{"Authorization": "Bearer nope"}})
		r.ExpectError(t, http.StatusUnauthorized, unauthorized)
	})
	t.Run("ErrWrongOnAnonymousRoute", func(t *testing.T) {
		// A bad token is refused even where no token is needed.
		s.Do(t, labtest.Request{Path: "/users?username=alice", Token: "glpat-nosuchtoken"}).ExpectError(t, http.StatusUnauthorized, unauthorized)
	})
	t.Run("ErrExpired", func(t *testing.T) {
		past := "2020-01-01"
		tok := storeToken(t, s, alice.ID, &past, false, "api")
		s.Do(t, labtest.Request{Path: "/user", Token: tok}).ExpectError(t, http.StatusUnauthorized, unauthorized)
	})
	t.Run("ExpiresTodayStillValid", func(t *testing.T) {
		today := time.Now().UTC().Format("2006-01-02")
		tok := storeToken(t, s, alice.ID, &today, false, "api")
		if got := currentUsername(t, s.Do(t, labtest.Request{Path: "/user", Token: tok})); got != "alice" {
			t.Fatalf("username = %q", got)
		}
	})
	t.Run("ErrRevoked", func(t *testing.T) {
		tok := storeToken(t, s, alice.ID, nil, true, "api")
		s.Do(t, labtest.Request{Path: "/user", Token: tok}).ExpectError(t, http.StatusUnauthorized, unauthorized)
	})
	t.Run("ErrBlockedUser", func(t *testing.T) {
		bob := s.NewUser(t, "bob")
		if err := s.Client(t, s.RootToken).Users.BlockUser(bob.ID); err != nil {
			t.Fatal(err)
		}
		s.Do(t, labtest.Request{Path: "/user", Token: bob.Token}).ExpectError(t, http.StatusUnauthorized, unauthorized)
		if err := s.Client(t, s.RootToken).Users.UnblockUser(bob.ID); err != nil {
			t.Fatal(err)
		}
		if got := currentUsername(t, s.Do(t, labtest.Request{Path: "/user", Token: bob.Token})); got != "bob" {
			t.Fatalf("username = %q", got)
		}
	})
}

func TestAuthScopes(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	readAPI := s.NewToken(t, alice.ID, "read_api")
	readUser := s.NewToken(t, alice.ID, "read_user")
	readRepo := s.NewToken(t, alice.ID, "read_repository")
	t.Run("ReadAPICanGet", func(t *testing.T) {
		if got := currentUsername(t, s.Do(t, labtest.Request{Path: "/user", Token: readAPI})); got != "alice" {
			t.Fatalf("username = %q", got)
		}
		if r := s.Do(t, labtest.Request{Path: "/personal_access_tokens", Token: readAPI}); r.Status != http.StatusOK {
			t.Fatalf("status = %d; body %s", r.Status, r.Body)
		}
	})
	t.Run("ErrReadAPICannotWrite", func(t *testing.T) {
		r := s.Do(t, labtest.Request{Method: "POST", Path: "/user/personal_access_tokens", Token: readAPI,
			JSON: map[string]any{"name": "x", "scopes": []string{"k8s_proxy"}}})
		r.ExpectError(t, http.StatusForbidden, insufficientScope("api"))
	})
	t.Run("ReadUserCanReadUsers", func(t *testing.T) {
		for _, path := range []string{"/user", "/users", "/users/" + itoa(alice.ID), "/version"} {
			if r := s.Do(t, labtest.Request{Path: path, Token: readUser}); r.Status != http.StatusOK {
				t.Fatalf("%s: status = %d; body %s", path, r.Status, r.Body)
			}
		}
	})
	t.Run("ErrReadUserElsewhere", func(t *testing.T) {
		s.Do(t, labtest.Request{Path: "/personal_access_tokens", Token: readUser}).
			ExpectError(t, http.StatusForbidden, insufficientScope("api read_api"))
	})
	t.Run("ErrReadRepository", func(t *testing.T) {
		s.Do(t, labtest.Request{Path: "/user", Token: readRepo}).
			ExpectError(t, http.StatusForbidden, insufficientScope("api read_api read_user"))
		r := s.Do(t, labtest.Request{Path: "/user", Token: readRepo})
		if h := r.Header.Get("WWW-Authenticate"); h == "" {
			t.Fatal("no WWW-Authenticate header")
		}
	})
	t.Run("AnyScopeCanInspectItself", func(t *testing.T) {
		r := s.Do(t, labtest.Request{Path: "/personal_access_tokens/self", Token: readRepo})
		if r.Status != http.StatusOK {
			t.Fatalf("status = %d; body %s", r.Status, r.Body)
		}
	})
}

func TestAuthLastUsed(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	before := time.Now().Add(-time.Second)
	tok, _, err := s.Client(t, alice.Token).PersonalAccessTokens.GetSinglePersonalAccessToken()
	if err != nil {
		t.Fatal(err)
	}
	if tok.LastUsedAt == nil || tok.LastUsedAt.Before(before) {
		t.Fatalf("last_used_at = %v, want after %v", tok.LastUsedAt, before)
	}
	// A second use within ten minutes doesn't move it.
	tok2, _, err := s.Client(t, alice.Token).PersonalAccessTokens.GetSinglePersonalAccessToken()
	if err != nil {
		t.Fatal(err)
	}
	if !tok2.LastUsedAt.Equal(*tok.LastUsedAt) {
		t.Fatalf("last_used_at moved: %v -> %v", tok.LastUsedAt, tok2.LastUsedAt)
	}
}

func TestSudo(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	bob := s.NewUser(t, "bob")
	t.Run("HeaderByUsername", func(t *testing.T) {
		r := s.Do(t, labtest.Request{Path: "/user", Token: s.RootToken, Header: map[string]string{"Sudo": "ALICE"}})
		if got := currentUsername(t, r); got != "alice" {
			t.Fatalf("username = %q", got)
		}
		if _, isAdmin := r.Map(t)["is_admin"]; isAdmin {
			t.Fatal("sudo as a regular user shows the admin shape")
		}
	})
	t.Run("ParamByID", func(t *testing.T) {
		r := s.Do(t, labtest.Request{Path: "/user?sudo=" + itoa(bob.ID), Token: s.RootToken})
		if got := currentUsername(t, r); got != "bob" {
			t.Fatalf("username = %q", got)
		}
	})
	t.Run("BodyParam", func(t *testing.T) {
		r := s.Do(t, labtest.Request{Method: "POST", Path: "/user/personal_access_tokens", Token: s.RootToken,
			JSON: map[string]any{"sudo": "alice", "name": "via-sudo", "scopes": []string{"k8s_proxy"}}})
		if r.Status != http.StatusCreated {
			t.Fatalf("status = %d; body %s", r.Status, r.Body)
		}
		if uid := r.Map(t)["user_id"]; uid != float64(alice.ID) {
			t.Fatalf("user_id = %v, want %d", uid, alice.ID)
		}
	})
	t.Run("ClientLibrary", func(t *testing.T) {
		c := s.Client(t, s.RootToken)
		u, _, err := c.Users.CurrentUser(gitlab.WithSudo("bob"))
		if err != nil {
			t.Fatal(err)
		}
		if u.Username != "bob" {
			t.Fatalf("username = %q", u.Username)
		}
	})
	t.Run("ErrNotAdmin", func(t *testing.T) {
		s.Do(t, labtest.Request{Path: "/user", Token: alice.Token, Header: map[string]string{"Sudo": "bob"}}).
			ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden - Must be admin to use sudo"}`)
	})
	t.Run("ErrNoSudoScope", func(t *testing.T) {
		tok := s.NewToken(t, 1, "api")
		s.Do(t, labtest.Request{Path: "/user", Token: tok, Header: map[string]string{"Sudo": "bob"}}).
			ExpectError(t, http.StatusForbidden, insufficientScope("sudo"))
	})
	t.Run("ErrUnknownUser", func(t *testing.T) {
		s.Do(t, labtest.Request{Path: "/user", Token: s.RootToken, Header: map[string]string{"Sudo": "nobody"}}).
			ExpectError(t, http.StatusNotFound, `{"message":"404 User with ID or username 'nobody' Not Found"}`)
		s.Do(t, labtest.Request{Path: "/user?sudo=99999", Token: s.RootToken}).
			ExpectError(t, http.StatusNotFound, `{"message":"404 User with ID or username '99999' Not Found"}`)
	})
	t.Run("ErrAnonymous", func(t *testing.T) {
		s.Do(t, labtest.Request{Path: "/user", Header: map[string]string{"Sudo": "bob"}}).
			ExpectError(t, http.StatusUnauthorized, unauthorized)
	})
}

func TestAuthAdminMode(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t, func(c *config.Config) { c.AdminMode = true })
	alice := s.NewUser(t, "alice")
	plain := s.NewToken(t, 1, "api")
	t.Run("WithoutScopeNotAdmin", func(t *testing.T) {
		r := s.Do(t, labtest.Request{Path: "/user", Token: plain})
		if _, isAdmin := r.Map(t)["is_admin"]; isAdmin {
			t.Fatalf("admin shape without admin_mode: %s", r.Body)
		}
		s.Do(t, labtest.Request{Method: "POST", Path: "/users/" + itoa(alice.ID) + "/block", Token: plain}).
			ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
		s.Do(t, labtest.Request{Path: "/user", Token: plain, Header: map[string]string{"Sudo": "alice"}}).
			ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden - Must be admin to use sudo"}`)
	})
	t.Run("WithScopeAdmin", func(t *testing.T) {
		u, _, err := s.Client(t, s.RootToken).Users.CurrentUser()
		if err != nil {
			t.Fatal(err)
		}
		if !u.IsAdmin {
			t.Fatalf("root with admin_mode is not admin: %+v", u)
		}
	})
}

func TestImpersonationDisabled(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t, func(c *config.Config) { c.ImpersonationEnabled = false })
	alice := s.NewUser(t, "alice")
	tok, _, err := s.Client(t, s.RootToken).Users.CreateImpersonationToken(alice.ID, &gitlab.CreateImpersonationTokenOptions{Name: gitlab.Ptr("imp"), Scopes: &[]string{"api"}})
	if err != nil {
		t.Fatal(err)
	}
	s.Do(t, labtest.Request{Path: "/user", Token: tok.Token}).ExpectError(t, http.StatusUnauthorized, unauthorized)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Resolved tokens are cached; every change that decides what a token may do
// or what GET /user shows must still take effect on the very next request.
func TestTokenCacheFollowsChanges(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	admin := s.Client(t, s.RootToken)
	user := func(token string) *labtest.Response {
		return s.Do(t, labtest.Request{Path: "/user", Token: token})
	}
	for range 3 { // warm the cache
		if got := currentUsername(t, user(alice.Token)); got != "alice" {
			t.Fatalf("username = %q", got)
		}
	}
	t.Run("ProfileChange", func(t *testing.T) {
		if _, _, err := admin.Users.ModifyUser(alice.ID, &gitlab.ModifyUserOptions{Name: gitlab.Ptr("Alice Changed")}); err != nil {
			t.Fatal(err)
		}
		if got := user(alice.Token).Map(t)["name"]; got != "Alice Changed" {
			t.Fatalf("name = %v", got)
		}
	})
	t.Run("BlockAndUnblock", func(t *testing.T) {
		if err := admin.Users.BlockUser(alice.ID); err != nil {
			t.Fatal(err)
		}
		if r := user(alice.Token); r.Status == http.StatusOK {
			t.Fatalf("blocked user's token still works: %s", r.Body)
		}
		if err := admin.Users.UnblockUser(alice.ID); err != nil {
			t.Fatal(err)
		}
		if got := currentUsername(t, user(alice.Token)); got != "alice" {
			t.Fatalf("username = %q", got)
		}
	})
	t.Run("Rotate", func(t *testing.T) {
		tok, _, err := s.Client(t, alice.Token).PersonalAccessTokens.RotatePersonalAccessTokenSelf(nil)
		if err != nil {
			t.Fatal(err)
		}
		user(alice.Token).ExpectError(t, http.StatusUnauthorized, unauthorized)
		if got := currentUsername(t, user(tok.Token)); got != "alice" {
			t.Fatalf("username = %q", got)
		}
		alice.Token = tok.Token
	})
	t.Run("RevokeByAdmin", func(t *testing.T) {
		self, _, err := s.Client(t, alice.Token).PersonalAccessTokens.GetSinglePersonalAccessToken()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := admin.PersonalAccessTokens.RevokePersonalAccessTokenByID(self.ID); err != nil {
			t.Fatal(err)
		}
		user(alice.Token).ExpectError(t, http.StatusUnauthorized, unauthorized)
	})
	t.Run("AdminGranted", func(t *testing.T) {
		bob := s.NewUser(t, "bob")
		s.Do(t, labtest.Request{Path: "/users?admins=true", Token: bob.Token}) // cached as non-admin
		if r := s.Do(t, labtest.Request{Method: http.MethodPost, Path: "/users", Token: bob.Token,
			JSON: map[string]any{"username": "x1", "email": "x1@example.com", "name": "X", "password": "password-123456"}}); r.Status != http.StatusForbidden {
			t.Fatalf("non-admin created a user: %d", r.Status)
		}
		if _, _, err := admin.Users.ModifyUser(bob.ID, &gitlab.ModifyUserOptions{Admin: gitlab.Ptr(true)}); err != nil {
			t.Fatal(err)
		}
		if got := user(bob.Token).Map(t)["is_admin"]; got != true {
			t.Fatalf("is_admin = %v after the grant", got)
		}
	})
}
