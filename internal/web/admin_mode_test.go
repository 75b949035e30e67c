package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// adminBrowser is root signed in through the sign-in form.
type adminBrowser struct {
	t    *testing.T
	s    *labtest.Server
	c    *http.Client
	csrf string
}

func signInAs(t *testing.T, s *labtest.Server, login, password string) *adminBrowser {
	t.Helper()
	c := newClient(t)
	resp, err := c.PostForm(s.URL+"/users/sign_in", url.Values{"authenticity_token": {formToken(t, c, s.URL+"/users/sign_in")},
		"user[login]": {login}, "user[password]": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("sign in as %s = %d", login, resp.StatusCode)
	}
	// Any signed-in page carries the session's CSRF token.
	return &adminBrowser{t: t, s: s, c: c, csrf: formToken(t, c, s.URL+"/-/user_settings/personal_access_tokens")}
}

// do sends a request with the session cookie (and the CSRF token for
// writes), answering the status and the Location header.
func (b *adminBrowser) do(method, path string, form url.Values) (int, string) {
	b.t.Helper()
	var body *strings.Reader
	if form == nil {
		form = url.Values{}
	}
	if method == http.MethodPost && !strings.HasPrefix(path, "/api/") {
		form.Set("authenticity_token", b.csrf)
	}
	body = strings.NewReader(form.Encode())
	req, err := http.NewRequest(method, b.s.URL+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", b.csrf)
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// expect asserts a request's status.
func (b *adminBrowser) expect(method, path string, form url.Values, want int) string {
	b.t.Helper()
	got, loc := b.do(method, path, form)
	if got != want {
		b.t.Fatalf("%s %s = %d (Location %q), want %d", method, path, got, loc, want)
	}
	return loc
}

// TestAdminModeSession: with Admin Mode on, an administrator's browser
// session acts as a regular user — admin pages send it to re-authenticate,
// admin API endpoints called with its cookie answer 403 — until it enters
// Admin Mode with the password, for six hours or until it leaves. Tokens
// are unchanged: admin powers with the admin_mode scope.
func TestAdminModeSession(t *testing.T) {
	s := labtest.Start(t, func(c *config.Config) { c.AdminMode = true })
	b := signInAs(t, s, "root", s.Config.RootPassword)

	loc := b.expect("GET", "/admin/applications", nil, http.StatusFound)
	if loc != "/admin/session/new?redirect_to=%2Fadmin%2Fapplications" {
		t.Fatalf("admin page sent the session to %q", loc)
	}
	if loc := b.expect("POST", "/admin/applications", url.Values{"name": {"x"}, "redirect_uri": {"https://x.example/cb"}},
		http.StatusFound); loc != "/admin/session/new" {
		t.Fatalf("admin form post sent the session to %q", loc)
	}
	b.expect("GET", "/api/v4/applications", nil, http.StatusForbidden)
	b.expect("POST", "/api/v4/users", url.Values{"username": {"mallory"}, "email": {"m@example.com"}, "name": {"M"},
		"password": {"mallory-password"}}, http.StatusForbidden)
	b.expect("GET", "/api/v4/users/1/impersonation_tokens", nil, http.StatusForbidden)

	// A wrong password keeps the session out; the right one lets it in
	// and goes back where it was sent from.
	b.expect("GET", "/admin/session/new?redirect_to=%2Fadmin%2Fapplications", nil, http.StatusOK)
	b.expect("POST", "/admin/session", url.Values{"user[password]": {"wrong"}, "redirect_to": {"/admin/applications"}}, http.StatusUnauthorized)
	b.expect("GET", "/api/v4/applications", nil, http.StatusForbidden)
	if loc := b.expect("POST", "/admin/session", url.Values{"user[password]": {s.Config.RootPassword},
		"redirect_to": {"/admin/applications"}}, http.StatusFound); loc != "/admin/applications" {
		t.Fatalf("entered admin mode, sent to %q", loc)
	}
	b.expect("GET", "/admin/applications", nil, http.StatusOK)
	b.expect("GET", "/api/v4/applications", nil, http.StatusOK)
	// Entering once more goes straight on.
	b.expect("GET", "/admin/session/new", nil, http.StatusFound)

	// Admin Mode lasts six hours from entering, then the session is a
	// regular user's again.
	ctx := context.Background()
	sess := rootSession(t, s, b)
	if sess.AdminModeUntil == nil || time.Until(*sess.AdminModeUntil) > auth.AdminModeLifetime ||
		time.Until(*sess.AdminModeUntil) < auth.AdminModeLifetime-time.Minute {
		t.Fatalf("admin mode until %v", sess.AdminModeUntil)
	}
	past := time.Now().Add(-time.Second)
	if err := s.Srv.DB.Queries().SetSessionAdminMode(ctx, sess.ID, &past); err != nil {
		t.Fatal(err)
	}
	b.expect("GET", "/api/v4/applications", nil, http.StatusForbidden)
	b.expect("GET", "/admin/applications", nil, http.StatusFound)

	// Leaving ends it at once.
	b.expect("POST", "/admin/session", url.Values{"user[password]": {s.Config.RootPassword}}, http.StatusFound)
	b.expect("GET", "/api/v4/applications", nil, http.StatusOK)
	b.expect("POST", "/admin/session/destroy", nil, http.StatusFound)
	b.expect("GET", "/api/v4/applications", nil, http.StatusForbidden)

	// Tokens: the admin_mode scope still decides.
	r := s.Do(t, labtest.Request{Path: "/applications", Token: s.RootToken})
	if r.Status != http.StatusOK {
		t.Fatalf("admin_mode token = %d", r.Status)
	}
	s.Do(t, labtest.Request{Path: "/applications", Token: s.NewToken(t, 1, "api")}).ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)

}

// TestAdminModePagesHiddenFromUsers: the Admin Mode pages are an
// administrator's only, as GitLab's Admin::SessionsController renders 404
// to others; without the instance's Admin Mode setting a session acts as
// an administrator at once, as before.
func TestAdminModePagesHiddenFromUsers(t *testing.T) {
	for _, on := range []bool{true, false} {
		s := labtest.Start(t, func(c *config.Config) { c.AdminMode = on })
		if _, _, err := s.Client(t, s.RootToken).Users.CreateUser(&gitlab.CreateUserOptions{Username: gitlab.Ptr("alice"),
			Email: gitlab.Ptr("alice@example.com"), Name: gitlab.Ptr("Alice"), Password: gitlab.Ptr("alice-password-1")}); err != nil {
			t.Fatal(err)
		}
		alice := signInAs(t, s, "alice", "alice-password-1")
		alice.expect("GET", "/admin/session/new", nil, http.StatusNotFound)
		alice.expect("POST", "/admin/session", url.Values{"user[password]": {"alice-password-1"}}, http.StatusNotFound)
		alice.expect("POST", "/admin/session/destroy", nil, http.StatusNotFound)
		alice.expect("GET", "/admin/applications", nil, http.StatusNotFound)
		if on {
			continue
		}
		root := signInAs(t, s, "root", s.Config.RootPassword)
		root.expect("GET", "/api/v4/applications", nil, http.StatusOK)
		root.expect("GET", "/admin/applications", nil, http.StatusOK)
		root.expect("GET", "/admin/session/new", nil, http.StatusFound)
	}
}

// rootSession reads the browser's session row.
func rootSession(t *testing.T, s *labtest.Server, b *adminBrowser) *sessionRow {
	t.Helper()
	for _, ck := range b.c.Jar.Cookies(mustURL(t, s.URL)) {
		if ck.Name == auth.SessionCookie {
			sw, err := s.Srv.DB.Queries().SessionByDigest(context.Background(), auth.Digest(ck.Value))
			if err != nil {
				t.Fatal(err)
			}
			return &sessionRow{ID: sw.Session.ID, AdminModeUntil: sw.Session.AdminModeUntil}
		}
	}
	t.Fatal("no session cookie")
	return nil
}

type sessionRow struct {
	ID             int64
	AdminModeUntil *time.Time
}
