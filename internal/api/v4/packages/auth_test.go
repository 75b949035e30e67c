package packages_test

import (
	"net/http"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestGenericPackagesCredentials: who may publish and download. A private
// project is 404 to outsiders; anonymous callers download from a public
// project but may not publish (401); a read_api token may not publish;
// deploy tokens (Deploy-Token header or HTTP Basic with their user name)
// reach their project with read_package_registry to download and
// write_package_registry to publish, nothing else; a personal access
// token works as the HTTP Basic password; a running job's token publishes
// and downloads as its user (JOB-TOKEN, or Basic as gitlab-ci-token).
func TestGenericPackagesCredentials(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	pid := f.Project.ID
	root := s.Client(t, s.RootToken)
	outsider := s.NewUser(t, "outsider")
	reader := s.NewUser(t, "reader", "read_api")
	if _, _, err := root.ProjectMembers.AddProjectMember(pid, &gitlab.AddProjectMemberOptions{UserID: reader.ID,
		AccessLevel: gitlab.Ptr(gitlab.DeveloperPermissions)}); err != nil {
		t.Fatal(err)
	}
	path := genericPath(pid, "lib", "1.0", "lib.tgz")
	put := func(token string, header map[string]string) *labtest.Response {
		return s.Do(t, labtest.Request{Method: "PUT", Path: path, Token: token, Header: header, RawBody: "lib",
			ContentType: "application/octet-stream"})
	}
	get := func(token string, header map[string]string) *labtest.Response {
		return s.Do(t, labtest.Request{Path: path, Token: token, Header: header})
	}
	if r := put(f.Developer.Token, nil); r.Status != http.StatusCreated {
		t.Fatalf("Developer publishes: %d %s", r.Status, r.Body)
	}
	put(outsider.Token, nil).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	get(outsider.Token, nil).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	get("", nil).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	put("", nil).ExpectError(t, 401, `{"message":"401 Unauthorized"}`)
	if r := put(reader.Token, nil); r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), "insufficient_scope") {
		t.Errorf("read_api token publishes: %d %s", r.Status, r.Body)
	}
	if r := get(reader.Token, nil); r.Status != http.StatusOK || string(r.Body) != "lib" {
		t.Errorf("read_api token downloads: %d %s", r.Status, r.Body)
	}
	if r := get("", basic("anyone", f.Developer.Token)); r.Status != http.StatusOK {
		t.Errorf("a personal access token over Basic: %d %s", r.Status, r.Body)
	}
	if r := get("", basic("anyone", "glpat-wrong")); r.Status != http.StatusUnauthorized {
		t.Errorf("a wrong Basic password: %d %s", r.Status, r.Body)
	}

	deployToken := func(project int64, name string, scopes ...string) *gitlab.DeployToken {
		dt, _, err := root.DeployTokens.CreateProjectDeployToken(project, &gitlab.CreateProjectDeployTokenOptions{
			Name: gitlab.Ptr(name), Username: gitlab.Ptr(name), Scopes: &scopes})
		if err != nil {
			t.Fatal(err)
		}
		return dt
	}
	ro := deployToken(pid, "ro", "read_package_registry")
	rw := deployToken(pid, "rw", "write_package_registry")
	repo := deployToken(pid, "repo", "read_repository")
	other, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Other")})
	if err != nil {
		t.Fatal(err)
	}
	elsewhere := deployToken(other.ID, "elsewhere", "read_package_registry", "write_package_registry")
	header := func(dt *gitlab.DeployToken) map[string]string { return map[string]string{"Deploy-Token": dt.Token} }
	for name, h := range map[string]map[string]string{"header": header(ro), "basic": basic("ro", ro.Token)} {
		if r := get("", h); r.Status != http.StatusOK || string(r.Body) != "lib" {
			t.Errorf("read deploy token (%s) downloads: %d %s", name, r.Status, r.Body)
		}
		put("", h).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	}
	if r := put("", basic("rw", rw.Token)); r.Status != http.StatusCreated {
		t.Errorf("write deploy token publishes: %d %s", r.Status, r.Body)
	}
	if r := get("", header(rw)); r.Status != http.StatusOK {
		t.Errorf("write deploy token downloads: %d %s", r.Status, r.Body)
	}
	get("", basic("someone-else", ro.Token)).ExpectError(t, 401, `{"message":"401 Unauthorized"}`)
	get("", header(repo)).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	get("", header(elsewhere)).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	put("", header(elsewhere)).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	// The packages API does not read deploy tokens: the caller is
	// anonymous there.
	s.Do(t, labtest.Request{Path: "/projects/" + itoa(pid) + "/packages", Header: header(ro)}).
		ExpectError(t, 404, `{"message":"404 Project Not Found"}`)

	job := runningJobToken(t, s, pid, f.Developer.ID)
	if r := put("", map[string]string{"JOB-TOKEN": job}); r.Status != http.StatusCreated {
		t.Errorf("job token publishes: %d %s", r.Status, r.Body)
	}
	if r := get("", basic("gitlab-ci-token", job)); r.Status != http.StatusOK {
		t.Errorf("job token over Basic downloads: %d %s", r.Status, r.Body)
	}
	if r := s.Do(t, labtest.Request{Path: "/projects/" + itoa(pid) + "/packages", Header: map[string]string{"JOB-TOKEN": job}}); r.Status != http.StatusOK {
		t.Errorf("job token lists: %d %s", r.Status, r.Body)
	}

	// A public project's packages are anyone's to download and list.
	if _, _, err := root.Groups.UpdateGroup(f.Group.ID, &gitlab.UpdateGroupOptions{Visibility: gitlab.Ptr(gitlab.PublicVisibility)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := root.Projects.EditProject(pid, &gitlab.EditProjectOptions{Visibility: gitlab.Ptr(gitlab.PublicVisibility)}); err != nil {
		t.Fatal(err)
	}
	if r := get("", nil); r.Status != http.StatusOK || string(r.Body) != "lib" {
		t.Errorf("anonymous download from a public project: %d %s", r.Status, r.Body)
	}
	anon := s.Client(t, "")
	if l, _, err := anon.Packages.ListProjectPackages(pid, nil); err != nil || len(l) != 1 || l[0].Links.DeleteAPIPath != "" {
		t.Errorf("anonymous list: %+v %v", l, err)
	}
	put(outsider.Token, nil).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	s.Do(t, labtest.Request{Method: "DELETE", Path: "/projects/" + itoa(pid) + "/packages/1", Token: f.Developer.Token}).
		ExpectError(t, 403, `{"message":"403 Forbidden"}`)
}
