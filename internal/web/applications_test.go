package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lablet/lablet/internal/labtest"
)

// signedIn is a cookie-keeping client signed in through the form.
func signedIn(t *testing.T, s *labtest.Server, login, password string) *http.Client {
	t.Helper()
	c := newClient(t)
	resp := roundTrip(t, c, "POST", s.URL+"/users/sign_in", url.Values{
		"authenticity_token": {formToken(t, c, s.URL+"/users/sign_in")},
		"user[login]":        {login}, "user[password]": {password}})
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("sign in as %s = %d", login, resp.StatusCode)
	}
	return c
}

// TestApplicationPagesRefuseForbiddenRedirectURIs checks the application
// forms use the same redirect URI rules as the API and registration.
func TestApplicationPagesRefuseForbiddenRedirectURIs(t *testing.T) {
	s := labtest.Start(t)
	c := signedIn(t, s, "root", s.Config.RootPassword)
	for _, base := range []string{"/-/user_settings/applications", "/admin/applications"} {
		for _, uri := range []string{"vbscript:msgbox(1)", "javascript:alert(1)", "data:text/html,x", "file:///etc/passwd"} {
			form := url.Values{"authenticity_token": {formToken(t, c, s.URL+base)}, "name": {"App"},
				"redirect_uri": {uri}, "scopes": {"read_user"}}
			resp, err := c.PostForm(s.URL+base, form)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnprocessableEntity ||
				!strings.Contains(string(body), "Redirect uri is forbidden by the server.") {
				t.Fatalf("POST %s with %q = %d\n%s", base, uri, resp.StatusCode, body)
			}
		}
	}
	apps := s.Do(t, labtest.Request{Path: "/applications", Token: s.RootToken})
	if apps.Status != http.StatusOK || strings.TrimSpace(string(apps.Body)) != "[]" {
		t.Fatalf("applications after refused forms = %d %s", apps.Status, apps.Body)
	}
}
