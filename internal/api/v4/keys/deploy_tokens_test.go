package keys_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestProjectDeployTokens: a project's Maintainer creates, lists, reads
// and deletes deploy tokens through client-go; the token is shown once,
// with GitLab's prefix and default username.
func TestProjectDeployTokens(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	mc := s.Client(t, f.Maintainer.Token)
	expires := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Second)
	dt, resp, err := mc.DeployTokens.CreateProjectDeployToken(f.Project.ID, &gitlab.CreateProjectDeployTokenOptions{
		Name: gitlab.Ptr("ci"), ExpiresAt: &expires, Scopes: &[]string{"read_registry", "read_repository"}})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %v", err)
	}
	if !strings.HasPrefix(dt.Token, "gldt-") || len(dt.Token) != 25 || dt.Username != "gitlab+deploy-token-"+itoa(dt.ID) ||
		dt.Revoked || dt.Expired || dt.ExpiresAt == nil || !dt.ExpiresAt.Equal(expires) {
		t.Fatalf("created = %+v", dt)
	}
	// Scopes come back in GitLab's order.
	if strings.Join(dt.Scopes, ",") != "read_repository,read_registry" {
		t.Fatalf("scopes = %v", dt.Scopes)
	}
	named, _, err := mc.DeployTokens.CreateProjectDeployToken(f.Project.ID, &gitlab.CreateProjectDeployTokenOptions{
		Name: gitlab.Ptr("named"), Username: gitlab.Ptr("deployer+1.x"), Scopes: &[]string{"read_repository"}})
	if err != nil || named.Username != "deployer+1.x" || named.ExpiresAt != nil {
		t.Fatalf("named = %+v, %v", named, err)
	}

	list, _, err := mc.DeployTokens.ListProjectDeployTokens(f.Project.ID, nil)
	if err != nil || len(list) != 2 || list[0].ID != dt.ID || list[0].Token != "" {
		t.Fatalf("list = %+v, %v", list, err)
	}
	got, _, err := mc.DeployTokens.GetProjectDeployToken(f.Project.ID, named.ID)
	if err != nil || got.Name != "named" || got.Token != "" {
		t.Fatalf("get = %+v, %v", got, err)
	}
	// The raw answer never carries the token after creation.
	base := "/projects/" + itoa(f.Project.ID) + "/deploy_tokens"
	if r := s.Do(t, labtest.Request{Path: base + "/" + itoa(dt.ID), Token: f.Maintainer.Token}); strings.Contains(string(r.Body), "token\"") {
		t.Fatalf("get shows the token: %s", r.Body)
	}

	// Another project's token is not found there.
	root := s.Client(t, s.RootToken)
	other, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Other"), NamespaceID: gitlab.Ptr(f.Group.ID)})
	if err != nil {
		t.Fatal(err)
	}
	od, _, err := root.DeployTokens.CreateProjectDeployToken(other.ID, &gitlab.CreateProjectDeployTokenOptions{
		Name: gitlab.Ptr("o"), Scopes: &[]string{"read_repository"}})
	if err != nil {
		t.Fatal(err)
	}
	s.Do(t, labtest.Request{Path: base + "/" + itoa(od.ID), Token: f.Maintainer.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Not found"}`)
	s.Do(t, labtest.Request{Method: "DELETE", Path: base + "/" + itoa(od.ID), Token: f.Maintainer.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Not found"}`)
	s.Do(t, labtest.Request{Path: base + "/abc", Token: f.Maintainer.Token}).
		ExpectError(t, http.StatusBadRequest, `{"error":"token_id is invalid"}`)

	if resp, err := mc.DeployTokens.DeleteProjectDeployToken(f.Project.ID, dt.ID); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %v", err)
	}
	if list, _, _ := mc.DeployTokens.ListProjectDeployTokens(f.Project.ID, nil); len(list) != 1 || list[0].ID != named.ID {
		t.Fatalf("after delete = %+v", list)
	}
}

// TestDeployTokenPermissions: deploy tokens take a project's Maintainer;
// a group's Maintainer reads, its Owner creates and deletes; hidden
// projects and groups are not found; the instance list is for admins.
func TestDeployTokenPermissions(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	pbase := "/projects/" + itoa(f.Project.ID) + "/deploy_tokens"
	gbase := "/groups/" + itoa(f.Group.ID) + "/deploy_tokens"
	body := map[string]any{"name": "x", "scopes": []string{"read_repository"}}
	forbidden := `{"message":"403 Forbidden"}`

	s.Do(t, labtest.Request{Path: pbase, Token: f.Developer.Token}).ExpectError(t, http.StatusForbidden, forbidden)
	s.Do(t, labtest.Request{Method: "POST", Path: pbase, Token: f.Developer.Token, JSON: body}).ExpectError(t, http.StatusForbidden, forbidden)
	stranger := s.NewUser(t, "stranger")
	s.Do(t, labtest.Request{Path: pbase, Token: stranger.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Project Not Found"}`)
	s.Do(t, labtest.Request{Path: gbase, Token: stranger.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Group Not Found"}`)
	s.Do(t, labtest.Request{Path: pbase}).ExpectError(t, http.StatusUnauthorized, `{"message":"401 Unauthorized"}`)

	// Group: Maintainer reads, Owner writes.
	gm := s.Client(t, f.GroupMaintainer.Token)
	if _, _, err := gm.DeployTokens.ListGroupDeployTokens(f.Group.ID, nil); err != nil {
		t.Fatalf("group maintainer list: %v", err)
	}
	s.Do(t, labtest.Request{Method: "POST", Path: gbase, Token: f.GroupMaintainer.Token, JSON: body}).ExpectError(t, http.StatusForbidden, forbidden)
	oc := s.Client(t, f.Owner.Token)
	gt, resp, err := oc.DeployTokens.CreateGroupDeployToken(f.Group.ID, &gitlab.CreateGroupDeployTokenOptions{
		Name: gitlab.Ptr("group"), Scopes: &[]string{"read_repository"}})
	if err != nil || resp.StatusCode != http.StatusCreated || !strings.HasPrefix(gt.Token, "gldt-") {
		t.Fatalf("group create = %+v, %v", gt, err)
	}
	if got, _, err := gm.DeployTokens.GetGroupDeployToken(f.Group.ID, gt.ID); err != nil || got.Name != "group" {
		t.Fatalf("group get = %+v, %v", got, err)
	}
	s.Do(t, labtest.Request{Method: "DELETE", Path: gbase + "/" + itoa(gt.ID), Token: f.GroupMaintainer.Token}).ExpectError(t, http.StatusForbidden, forbidden)
	// A group token is not the project's, nor the other way round.
	s.Do(t, labtest.Request{Path: pbase + "/" + itoa(gt.ID), Token: f.Maintainer.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Not found"}`)

	// The instance list: administrators only, with the active filter.
	s.Do(t, labtest.Request{Path: "/deploy_tokens", Token: f.Owner.Token}).ExpectError(t, http.StatusForbidden, forbidden)
	root := s.Client(t, s.RootToken)
	past := time.Now().UTC().Add(-time.Hour)
	expired, _, err := root.DeployTokens.CreateProjectDeployToken(f.Project.ID, &gitlab.CreateProjectDeployTokenOptions{
		Name: gitlab.Ptr("old"), ExpiresAt: &past, Scopes: &[]string{"read_repository"}})
	if err != nil || !expired.Expired {
		t.Fatalf("expired token = %+v, %v", expired, err)
	}
	all, _, err := root.DeployTokens.ListAllDeployTokens()
	if err != nil || len(all) != 2 {
		t.Fatalf("all = %+v, %v", all, err)
	}
	var active []map[string]any
	s.Do(t, labtest.Request{Path: "/deploy_tokens?active=true", Token: s.RootToken}).JSON(t, &active)
	if len(active) != 1 || active[0]["name"] != "group" {
		t.Fatalf("active = %v", active)
	}
	if resp, err := oc.DeployTokens.DeleteGroupDeployToken(f.Group.ID, gt.ID); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("group delete: %v", err)
	}
}

// TestDeployTokenValidation: GitLab's parameter and model errors.
func TestDeployTokenValidation(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	base := "/projects/" + itoa(f.Project.ID) + "/deploy_tokens"
	post := func(body map[string]any) *labtest.Response {
		return s.Do(t, labtest.Request{Method: "POST", Path: base, Token: f.Maintainer.Token, JSON: body})
	}
	post(map[string]any{}).ExpectError(t, http.StatusBadRequest, `{"error":"name is missing, scopes is missing"}`)
	post(map[string]any{"name": "x", "scopes": []string{"read_repository", "api"}}).
		ExpectError(t, http.StatusBadRequest, `{"error":"scopes does not have a valid value"}`)
	post(map[string]any{"name": "x", "scopes": []string{}}).
		ExpectError(t, http.StatusBadRequest, `{"message":"Scopes can't be blank"}`)
	post(map[string]any{"name": "x", "scopes": "read_repository", "expires_at": "tomorrow"}).
		ExpectError(t, http.StatusBadRequest, `{"error":"expires_at is invalid"}`)
	post(map[string]any{"name": strings.Repeat("n", 256), "scopes": []string{"read_repository"}, "username": "bad name"}).
		ExpectError(t, http.StatusBadRequest,
			`{"message":"Username can contain only letters, digits, '_', '-', '+', and '.' and Name is too long (maximum is 255 characters)"}`)
	post(map[string]any{"name": "x", "scopes": 7}).ExpectError(t, http.StatusBadRequest, `{"error":"scopes is invalid"}`)
	// Nothing was written by the refusals.
	var list []map[string]any
	s.Do(t, labtest.Request{Path: base, Token: f.Maintainer.Token}).JSON(t, &list)
	if len(list) != 0 {
		t.Fatalf("tokens after refusals = %v", list)
	}
	// A comma-separated scopes string, as Grape coerces it; a null
	// expires_at is no expiry.
	r := post(map[string]any{"name": "x", "scopes": "read_repository,write_registry", "expires_at": nil})
	if r.Status != http.StatusCreated || !strings.Contains(string(r.Body), `"scopes":["read_repository","write_registry"]`) ||
		!strings.Contains(string(r.Body), `"expires_at":null`) {
		t.Fatalf("comma scopes = %d %s", r.Status, r.Body)
	}
	// A hostile name is refused whole, nothing written.
	post(map[string]any{"name": "a\x00b", "scopes": []string{"read_repository"}}).
		ExpectError(t, http.StatusBadRequest, `{"error":"name is invalid"}`)
	s.Do(t, labtest.Request{Path: base + "?active=maybe", Token: f.Maintainer.Token}).
		ExpectError(t, http.StatusBadRequest, `{"error":"active is invalid"}`)
}
