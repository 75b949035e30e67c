package scim_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lablet/lablet/internal/labtest"
)

// scimClient drives one SCIM base the way an identity provider does.
type scimClient struct {
	s     *labtest.Server
	base  string // below the server's root, e.g. /api/scim/v2/groups/team
	token string
}

func (c *scimClient) do(t *testing.T, method, path, body string, header ...string) *labtest.Response {
	t.Helper()
	h := map[string]string{"Accept": "application/scim+json"}
	if c.token != "" {
		h["Authorization"] = "Bearer " + c.token
	}
	for i := 0; i+1 < len(header); i += 2 {
		h[header[i]] = header[i+1]
	}
	return c.s.Do(t, labtest.Request{Method: method, Path: c.s.URL + c.base + path, RawBody: body,
		ContentType: "application/scim+json", Header: h})
}

// want fails t unless r has status and, for an error, SCIM's error shape
// with scimType (when given).
func want(t *testing.T, r *labtest.Response, status int, scimType string) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if len(r.Body) == 0 {
		return nil
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/scim+json" {
		t.Errorf("Content-Type %q, want application/scim+json", ct)
	}
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body %s: %v", r.Body, err)
	}
	if status >= 400 {
		if s, _ := m["schemas"].([]any); len(s) != 1 || s[0] != "urn:ietf:params:scim:api:messages:2.0:Error" {
			t.Errorf("error schemas %v", m["schemas"])
		}
		if m["status"] != fmt.Sprint(status) || m["detail"] == "" {
			t.Errorf("error body %s", r.Body)
		}
		if scimType != "" && m["scimType"] != scimType {
			t.Errorf("scimType %v, want %s: %s", m["scimType"], scimType, r.Body)
		}
	}
	return m
}

func filterQuery(f string) string { return "/Users?filter=" + url.QueryEscape(f) }

// gitlabCreate is the request of GitLab's "Create a SCIM provisioned user"
// example.
const gitlabCreate = `{"externalId":"test_uid","active":null,"userName":"username",
 "emails":[{"primary":true,"type":"work","value":"name@example.com"}],
 "name":{"formatted":"Test User","familyName":"User","givenName":"Test"},
 "schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"meta":{"resourceType":"User"}}`

func newUserBody(uid, name string) string {
	return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":%q,"userName":%q,
		"name":{"givenName":"Given","familyName":%q},"emails":[{"type":"work","value":"%s@example.com"}]}`, uid, name, name, name)
}

// memberLevel is the user's direct level in the group, 0 for none.
func memberLevel(t *testing.T, s *labtest.Server, groupID int64, userID any) int {
	t.Helper()
	r := s.Do(t, labtest.Request{Path: fmt.Sprintf("/groups/%d/members/%v", groupID, userID), Token: s.RootToken})
	if r.Status == http.StatusNotFound {
		return 0
	}
	var m struct {
		AccessLevel int `json:"access_level"`
	}
	r.JSON(t, &m)
	return m.AccessLevel
}

// userByUsername is the lablet user of username, as root sees it.
func userByUsername(t *testing.T, s *labtest.Server, username string) map[string]any {
	t.Helper()
	var list []map[string]any
	s.Do(t, labtest.Request{Path: "/users?username=" + username, Token: s.RootToken}).JSON(t, &list)
	if len(list) != 1 {
		t.Fatalf("users named %s: %v", username, list)
	}
	return list[0]
}

// TestSCIMGroupProvisioningLifecycle drives a group's SCIM API as an
// identity provider does: token, create, find by filter, patch,
// deactivate, reactivate, replace, delete; with the refusals on the way.
func TestSCIMGroupProvisioningLifecycle(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	team := s.NewTeam(t)
	gid := team.Group.ID

	var tok struct {
		SCIMAPIURL string `json:"scim_api_url"`
		Token      string `json:"token"`
	}
	t.Run("token", func(t *testing.T) {
		r := s.Do(t, labtest.Request{Method: "POST", Path: fmt.Sprintf("/groups/%d/scim/tokens", gid), Token: team.GroupMaintainer.Token})
		if r.Status != http.StatusForbidden {
			t.Fatalf("a Maintainer resets the token: %d %s", r.Status, r.Body)
		}
		r = s.Do(t, labtest.Request{Method: "POST", Path: fmt.Sprintf("/groups/%d/scim/tokens", gid), Token: team.Owner.Token})
		if r.Status != http.StatusCreated {
			t.Fatalf("owner resets the token: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &tok)
		if !strings.HasSuffix(tok.SCIMAPIURL, "/api/scim/v2/groups/team") || !strings.HasPrefix(tok.Token, "glsoat-") {
			t.Fatalf("token answer %+v", tok)
		}
	})
	idp := &scimClient{s: s, base: "/api/scim/v2/groups/team", token: tok.Token}

	t.Run("other group's token and no token are 401", func(t *testing.T) {
		r := s.Do(t, labtest.Request{Method: "POST", Path: "/groups", Token: s.RootToken,
			JSON: map[string]any{"name": "other", "path": "other"}})
		var g struct{ ID int64 }
		r.JSON(t, &g)
		var other struct{ Token string }
		s.Do(t, labtest.Request{Method: "POST", Path: fmt.Sprintf("/groups/%d/scim/tokens", g.ID), Token: s.RootToken}).JSON(t, &other)
		wrong := &scimClient{s: s, base: idp.base, token: other.Token}
		want(t, wrong.do(t, "GET", "/Users", ""), http.StatusUnauthorized, "")
		want(t, (&scimClient{s: s, base: idp.base}).do(t, "GET", "/Users", ""), http.StatusUnauthorized, "")
		// A user's personal access token is no SCIM token.
		want(t, (&scimClient{s: s, base: idp.base, token: team.Owner.Token}).do(t, "GET", "/Users", ""), http.StatusUnauthorized, "")
		// The group's own token works for its base only.
		want(t, (&scimClient{s: s, base: "/api/scim/v2/groups/other", token: tok.Token}).do(t, "GET", "/Users", ""),
			http.StatusUnauthorized, "")
		want(t, (&scimClient{s: s, base: "/api/scim/v2/application", token: tok.Token}).do(t, "GET", "/Users", ""),
			http.StatusUnauthorized, "")
	})

	var created map[string]any
	t.Run("create (GitLab's example)", func(t *testing.T) {
		r := idp.do(t, "POST", "/Users", gitlabCreate)
		created = want(t, r, http.StatusCreated, "")
		if created["id"] != "test_uid" || created["userName"] != "username" || created["active"] != true ||
			created["name.formatted"] != "Test User" {
			t.Fatalf("created %s", r.Body)
		}
		emails, _ := created["emails"].([]any)
		if len(emails) != 1 || emails[0].(map[string]any)["value"] != "name@example.com" {
			t.Errorf("emails %v", created["emails"])
		}
		if r.Header.Get("ETag") != `W/"1"` {
			t.Errorf("ETag %q", r.Header.Get("ETag"))
		}
		u := userByUsername(t, s, "username")
		if u["email"] != "name@example.com" || u["name"] != "Test User" {
			t.Errorf("lablet user %v", u)
		}
		if lvl := memberLevel(t, s, gid, u["id"]); lvl != 10 {
			t.Errorf("member level %d, want Guest (10)", lvl)
		}
	})

	t.Run("bad input", func(t *testing.T) {
		want(t, idp.do(t, "POST", "/Users", gitlabCreate), http.StatusConflict, "uniqueness")
		want(t, idp.do(t, "POST", "/Users", newUserBody("other_uid", "USERNAME")), http.StatusConflict, "uniqueness")
		want(t, idp.do(t, "POST", "/Users", `{"userName":"x","emails":[{"value":"x@example.com"}]}`), http.StatusBadRequest, "invalidValue")
		want(t, idp.do(t, "POST", "/Users", `{"externalId":1}`), http.StatusBadRequest, "invalidSyntax")
		want(t, idp.do(t, "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"externalId":"g","userName":"g",
			"emails":[{"value":"g@example.com"}]}`), http.StatusBadRequest, "invalidValue")
		for _, f := range []string{`userName co "user"`, `userName eq`, `emails eq "name@example.com"`,
			`userName eq "a" or userName eq "b"`, `(((`} {
			want(t, idp.do(t, "GET", filterQuery(f), ""), http.StatusBadRequest, "invalidFilter")
		}
		want(t, idp.do(t, "GET", "/Users?count=many", ""), http.StatusBadRequest, "invalidValue")
		// None of it left a user behind.
		var list []map[string]any
		s.Do(t, labtest.Request{Path: "/users?username=x", Token: s.RootToken}).JSON(t, &list)
		if len(list) != 0 {
			t.Errorf("a refused create made a user: %v", list)
		}
	})

	t.Run("find by filter and page", func(t *testing.T) {
		for _, f := range []string{`userName eq "username"`, `userName EQ "UserName"`, `externalId eq "test_uid"`, `id eq "test_uid"`} {
			m := want(t, idp.do(t, "GET", filterQuery(f), ""), http.StatusOK, "")
			res, _ := m["Resources"].([]any)
			if m["totalResults"] != float64(1) || len(res) != 1 || res[0].(map[string]any)["id"] != "test_uid" {
				t.Errorf("filter %s: %v", f, m)
			}
			if s, _ := m["schemas"].([]any); len(s) != 1 || s[0] != "urn:ietf:params:scim:api:messages:2.0:ListResponse" {
				t.Errorf("list schemas %v", m["schemas"])
			}
		}
		m := want(t, idp.do(t, "GET", filterQuery(`userName eq "nobody"`), ""), http.StatusOK, "")
		if m["totalResults"] != float64(0) {
			t.Errorf("no match: %v", m)
		}
		want(t, idp.do(t, "POST", "/Users", newUserBody("uid2", "second")), http.StatusCreated, "")
		want(t, idp.do(t, "POST", "/Users", newUserBody("uid3", "third")), http.StatusCreated, "")
		m = want(t, idp.do(t, "GET", "/Users?startIndex=2&count=1", ""), http.StatusOK, "")
		res, _ := m["Resources"].([]any)
		if m["totalResults"] != float64(3) || m["itemsPerPage"] != float64(1) || m["startIndex"] != float64(2) ||
			len(res) != 1 || res[0].(map[string]any)["id"] != "uid2" {
			t.Errorf("page 2 of 1: %v", m)
		}
		if got := want(t, idp.do(t, "GET", "/Users/uid2", ""), http.StatusOK, "")["name.formatted"]; got != "Given second" {
			t.Errorf("name from givenName and familyName: %v", got)
		}
	})

	uid := userByUsername(t, s, "username")["id"]
	patch := func(ops string, header ...string) *labtest.Response {
		return idp.do(t, "PATCH", "/Users/test_uid",
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":`+ops+`}`, header...)
	}
	t.Run("deactivate and reactivate", func(t *testing.T) {
		want(t, patch(`[{"op":"replace","path":"active","value":false}]`), http.StatusNoContent, "")
		if lvl := memberLevel(t, s, gid, uid); lvl != 0 {
			t.Errorf("a deactivated user is still a member (%d)", lvl)
		}
		if m := want(t, idp.do(t, "GET", "/Users/test_uid", ""), http.StatusOK, ""); m["active"] != false {
			t.Errorf("active after deactivation: %v", m["active"])
		}
		// GitLab's example sends the boolean as a string.
		want(t, patch(`[{"op":"Replace","path":"active","value":"True"}]`), http.StatusNoContent, "")
		if lvl := memberLevel(t, s, gid, uid); lvl != 10 {
			t.Errorf("a reactivated user is not a Guest again (%d)", lvl)
		}
	})

	t.Run("patch attributes, ETags", func(t *testing.T) {
		r := idp.do(t, "GET", "/Users/test_uid", "")
		tag := r.Header.Get("ETag")
		if r := idp.do(t, "GET", "/Users/test_uid", "", "If-None-Match", tag); r.Status != http.StatusNotModified {
			t.Errorf("If-None-Match of the current ETag: %d", r.Status)
		}
		want(t, patch(`[{"op":"replace","path":"nickName","value":"x"}]`), http.StatusBadRequest, "invalidPath")
		want(t, patch(`[{"op":"remove","path":"userName"}]`), http.StatusBadRequest, "mutability")
		want(t, patch(`[{"op":"replace","path":"userName","value":"second"}]`), http.StatusConflict, "uniqueness")
		want(t, patch(`[{"op":"replace","path":"active","value":"maybe"}]`), http.StatusBadRequest, "invalidValue")
		want(t, patch(`[{"op":"replace","path":"name.formatted","value":"Renamed"}]`, "If-Match", `W/"1"`),
			http.StatusPreconditionFailed, "")
		r = patch(`[{"op":"replace","path":"name.formatted","value":"Renamed User"},
			{"op":"replace","path":"userName","value":"renamed"},
			{"op":"replace","path":"emails[type eq \"work\"].value","value":"renamed@example.com"}]`, "If-Match", tag)
		want(t, r, http.StatusNoContent, "")
		if r.Header.Get("ETag") == tag {
			t.Errorf("the ETag did not move: %s", tag)
		}
		m := want(t, idp.do(t, "GET", "/Users/test_uid", ""), http.StatusOK, "")
		if m["userName"] != "renamed" || m["name.formatted"] != "Renamed User" ||
			m["emails"].([]any)[0].(map[string]any)["value"] != "renamed@example.com" {
			t.Errorf("after patch: %v", m)
		}
		var u map[string]any
		s.Do(t, labtest.Request{Path: fmt.Sprintf("/users/%v", uid), Token: s.RootToken}).JSON(t, &u)
		if u["name"] != "Renamed User" {
			t.Errorf("lablet user's name %v", u["name"])
		}
		// Azure's way: no path, the attributes in the value.
		want(t, patch(`[{"op":"Add","value":{"externalId":"new_uid","name.givenName":"Ignored"}}]`), http.StatusNoContent, "")
		want(t, idp.do(t, "GET", "/Users/test_uid", ""), http.StatusNotFound, "")
		want(t, idp.do(t, "GET", "/Users/new_uid", ""), http.StatusOK, "")
	})

	t.Run("replace with PUT", func(t *testing.T) {
		r := idp.do(t, "PUT", "/Users/new_uid", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"putname",
			"name":{"formatted":"Put Name"},"emails":[{"value":"put@example.com","primary":true}],"active":true}`)
		m := want(t, r, http.StatusOK, "")
		if m["id"] != "new_uid" || m["userName"] != "putname" || m["name.formatted"] != "Put Name" {
			t.Errorf("after PUT: %v", m)
		}
		want(t, idp.do(t, "PUT", "/Users/new_uid", `{"userName":""}`), http.StatusBadRequest, "invalidValue")
		want(t, idp.do(t, "PUT", "/Users/nobody", newUserBody("nobody", "nobody")), http.StatusNotFound, "")
	})

	t.Run("identities API", func(t *testing.T) {
		r := s.Do(t, labtest.Request{Path: fmt.Sprintf("/groups/%d/scim/identities", gid), Token: team.GroupMaintainer.Token})
		if r.Status != http.StatusForbidden {
			t.Errorf("a Maintainer lists identities: %d", r.Status)
		}
		var list []map[string]any
		s.Do(t, labtest.Request{Path: fmt.Sprintf("/groups/%d/scim/identities", gid), Token: team.Owner.Token}).JSON(t, &list)
		if len(list) != 3 || list[0]["extern_uid"] != "new_uid" || list[0]["user_id"] != uid || list[0]["active"] != true {
			t.Fatalf("identities %v", list)
		}
		var one map[string]any
		s.Do(t, labtest.Request{Path: fmt.Sprintf("/groups/%d/scim/uid3", gid), Token: team.Owner.Token}).JSON(t, &one)
		if one["extern_uid"] != "uid3" {
			t.Errorf("identity %v", one)
		}
		r = s.Do(t, labtest.Request{Method: "PATCH", Path: fmt.Sprintf("/groups/%d/scim/uid3", gid), Token: team.Owner.Token,
			JSON: map[string]any{"extern_uid": "uid3b"}})
		if r.Status != http.StatusNoContent {
			t.Fatalf("PATCH identity: %d %s", r.Status, r.Body)
		}
		want(t, idp.do(t, "GET", "/Users/uid3b", ""), http.StatusOK, "")
		r = s.Do(t, labtest.Request{Method: "PATCH", Path: fmt.Sprintf("/groups/%d/scim/uid3b", gid), Token: team.Owner.Token,
			JSON: map[string]any{"extern_uid": "uid2"}})
		if r.Status != http.StatusConflict {
			t.Errorf("PATCH identity onto another's uid: %d %s", r.Status, r.Body)
		}
		r = s.Do(t, labtest.Request{Method: "DELETE", Path: fmt.Sprintf("/groups/%d/scim/uid3b", gid), Token: team.Owner.Token})
		if r.Status != http.StatusNoContent {
			t.Fatalf("DELETE identity: %d %s", r.Status, r.Body)
		}
		want(t, idp.do(t, "GET", "/Users/uid3b", ""), http.StatusNotFound, "")
		r = s.Do(t, labtest.Request{Path: fmt.Sprintf("/groups/%d/scim/uid3b", gid), Token: team.Owner.Token})
		if r.Status != http.StatusNotFound {
			t.Errorf("deleted identity: %d", r.Status)
		}
	})

	t.Run("delete deprovisions", func(t *testing.T) {
		want(t, idp.do(t, "DELETE", "/Users/new_uid", ""), http.StatusNoContent, "")
		if lvl := memberLevel(t, s, gid, uid); lvl != 0 {
			t.Errorf("a deprovisioned user is still a member (%d)", lvl)
		}
		want(t, idp.do(t, "DELETE", "/Users/new_uid", ""), http.StatusNotFound, "")
		// The provider may provision the same person again.
		want(t, idp.do(t, "POST", "/Users", newUserBody("again", "putname")), http.StatusCreated, "")
	})

	t.Run("a reset token replaces the old one", func(t *testing.T) {
		var fresh struct{ Token string }
		s.Do(t, labtest.Request{Method: "POST", Path: fmt.Sprintf("/groups/%d/scim/tokens", gid), Token: team.Owner.Token}).JSON(t, &fresh)
		want(t, idp.do(t, "GET", "/Users", ""), http.StatusUnauthorized, "")
		want(t, (&scimClient{s: s, base: idp.base, token: fresh.Token}).do(t, "GET", "/Users", ""), http.StatusOK, "")
	})
}

// TestSCIMInstance drives the instance's SCIM API: an administrator's
// token; deactivation blocks the user.
func TestSCIMInstance(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	r := s.Do(t, labtest.Request{Method: "POST", Path: "/application/scim/tokens", Token: alice.Token})
	if r.Status != http.StatusForbidden {
		t.Fatalf("a user resets the instance token: %d %s", r.Status, r.Body)
	}
	var tok struct {
		SCIMAPIURL string `json:"scim_api_url"`
		Token      string `json:"token"`
	}
	s.Do(t, labtest.Request{Method: "POST", Path: "/application/scim/tokens", Token: s.RootToken}).JSON(t, &tok)
	if !strings.HasSuffix(tok.SCIMAPIURL, "/api/scim/v2/application") || tok.Token == "" {
		t.Fatalf("instance token %+v", tok)
	}
	idp := &scimClient{s: s, base: "/api/scim/v2/application", token: tok.Token}

	want(t, idp.do(t, "POST", "/Users", gitlabCreate), http.StatusCreated, "")
	// Linking by email: alice exists, so she is linked, not duplicated.
	m := want(t, idp.do(t, "POST", "/Users", newUserBody("alice_uid", "alice")), http.StatusCreated, "")
	if m["userName"] != "alice" {
		t.Errorf("linked %v", m)
	}
	state := func(username string) any { return userByUsername(t, s, username)["state"] }
	patch := func(uid, active string) {
		want(t, idp.do(t, "PATCH", "/Users/"+uid, `{"Operations":[{"op":"replace","path":"active","value":`+active+`}]}`),
			http.StatusNoContent, "")
	}
	patch("alice_uid", "false")
	if st := state("alice"); st != "blocked" {
		t.Errorf("deactivated user's state %v", st)
	}
	patch("alice_uid", "true")
	if st := state("alice"); st != "active" {
		t.Errorf("reactivated user's state %v", st)
	}
	want(t, idp.do(t, "DELETE", "/Users/test_uid", ""), http.StatusNoContent, "")
	if st := state("username"); st != "blocked" {
		t.Errorf("deprovisioned user's state %v", st)
	}
	m = want(t, idp.do(t, "GET", "/Users", ""), http.StatusOK, "")
	if m["totalResults"] != float64(1) {
		t.Errorf("after delete: %v", m)
	}

	t.Run("discovery", func(t *testing.T) {
		for _, base := range []string{"/api/scim/v2/application", "/api/scim/v2/groups/any"} {
			anon := &scimClient{s: s, base: base}
			m := want(t, anon.do(t, "GET", "/ServiceProviderConfig", ""), http.StatusOK, "")
			if m["etag"].(map[string]any)["supported"] != true || m["patch"].(map[string]any)["supported"] != true ||
				m["filter"].(map[string]any)["maxResults"] != float64(100) {
				t.Errorf("ServiceProviderConfig %v", m)
			}
			m = want(t, anon.do(t, "GET", "/Schemas", ""), http.StatusOK, "")
			if res := m["Resources"].([]any); len(res) != 1 || res[0].(map[string]any)["id"] != "urn:ietf:params:scim:schemas:core:2.0:User" {
				t.Errorf("Schemas %v", m)
			}
			m = want(t, anon.do(t, "GET", "/ResourceTypes", ""), http.StatusOK, "")
			if res := m["Resources"].([]any); len(res) != 1 || res[0].(map[string]any)["endpoint"] != "/Users" {
				t.Errorf("ResourceTypes %v", m)
			}
		}
	})
}
