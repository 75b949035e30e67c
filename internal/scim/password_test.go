package scim_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// TestSCIMUserHasNoPassword: a user the identity provider creates signs
// in through it only; no password, not even an empty one, opens the
// account (GitLab gives such users a random password nobody knows).
func TestSCIMUserHasNoPassword(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t, func(c *config.Config) { c.OAuthPasswordGrant = true })
	team := s.NewTeam(t)
	var tok struct{ Token string }
	s.Do(t, labtest.Request{Method: "POST", Path: fmt.Sprintf("/groups/%d/scim/tokens", team.Group.ID),
		Token: team.Owner.Token}).JSON(t, &tok)
	idp := &scimClient{s: s, base: "/api/scim/v2/groups/team", token: tok.Token}
	want(t, idp.do(t, "POST", "/Users", gitlabCreate), http.StatusCreated, "")

	for _, password := range []string{"", "password", "username"} {
		form := url.Values{"grant_type": {"password"}, "username": {"username"}, "password": {password}}
		resp, err := http.Post(s.URL+"/oauth/token", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("password grant for a SCIM user with password %q: %d, want 400", password, resp.StatusCode)
		}
	}
	// The same grant works for a user who has a password: the refusal above
	// is the SCIM user's, not the grant's.
	form := url.Values{"grant_type": {"password"}, "username": {"root"}, "password": {s.Config.RootPassword}}
	resp, err := http.Post(s.URL+"/oauth/token", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("password grant for root: %d", resp.StatusCode)
	}
}
