package instance_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestLicenseTemplates: anyone lists the licences (popular filters them)
// and reads one with the year, holder and project filled in.
func TestLicenseTemplates(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	anon := s.Client(t, "")
	all, _, err := anon.LicenseTemplates.ListLicenseTemplates(&gitlab.ListLicenseTemplatesOptions{})
	if err != nil || len(all) != 7 {
		t.Fatalf("licences = %d, %v", len(all), err)
	}
	popular, _, err := anon.LicenseTemplates.ListLicenseTemplates(&gitlab.ListLicenseTemplatesOptions{Popular: gitlab.Ptr(true)})
	if err != nil || len(popular) != 3 {
		t.Fatalf("popular = %+v, %v", popular, err)
	}
	year := strconv.Itoa(time.Now().Year())
	mit, _, err := anon.LicenseTemplates.GetLicenseTemplate("MIT", &gitlab.GetLicenseTemplateOptions{Fullname: gitlab.Ptr("Ada Lovelace")})
	if err != nil {
		t.Fatal(err)
	}
	if mit.Key != "mit" || mit.HTMLURL != "http://choosealicense.com/licenses/mit/" ||
		!strings.Contains(mit.Content, "Copyright (c) "+year+" Ada Lovelace\n") || len(mit.Permissions) != 4 {
		t.Fatalf("mit = %+v", mit)
	}
	gpl, _, err := anon.LicenseTemplates.GetLicenseTemplate("gpl-3.0", &gitlab.GetLicenseTemplateOptions{
		Project: gitlab.Ptr("Analytical Engine"), Fullname: gitlab.Ptr("Ada")})
	if err != nil || gpl.Nickname != "GNU GPLv3" || !strings.Contains(gpl.Content, "    Analytical Engine\n    Copyright (C) "+year+"  Ada\n") {
		t.Fatalf("gpl = %v %v", gpl, err)
	}
	// Signed in, the holder is the caller's name by default.
	alice := s.NewUser(t, "alice")
	bsd, _, err := s.Client(t, alice.Token).LicenseTemplates.GetLicenseTemplate("bsd-3-clause", nil)
	if err != nil || !strings.Contains(bsd.Content, "Copyright (c) "+year+", "+alice.Name+"\n") {
		t.Fatalf("bsd = %v %v", bsd, err)
	}
	s.Do(t, labtest.Request{Path: "/templates/licenses/nope"}).ExpectError(t, http.StatusNotFound, `{"message":"404 License Not Found"}`)
	s.Do(t, labtest.Request{Path: "/templates/licenses?popular=maybe"}).ExpectError(t, http.StatusBadRequest, `{"error":"popular is invalid"}`)
}

// TestFileTemplates: gitignores, CI/CD configurations (the templates
// include:template reads) and Dockerfiles, listed and read by anyone.
func TestFileTemplates(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	anon := s.Client(t, "")
	ignores, _, err := anon.GitIgnoreTemplates.ListTemplates(nil)
	if err != nil || len(ignores) == 0 || ignores[0].Key != "Go" {
		t.Fatalf("gitignores = %+v, %v", ignores, err)
	}
	goIgnore, _, err := anon.GitIgnoreTemplates.GetTemplate("Go")
	if err != nil || goIgnore.Name != "Go" || !strings.Contains(goIgnore.Content, "*.test") {
		t.Fatalf("Go.gitignore = %+v, %v", goIgnore, err)
	}
	ymls, _, err := anon.CIYMLTemplate.ListAllTemplates(nil)
	if err != nil || len(ymls) != 2 || ymls[0].Key != "Bash" || ymls[1].Key != "Go" {
		t.Fatalf("gitlab_ci_ymls = %+v, %v", ymls, err)
	}
	bash, _, err := anon.CIYMLTemplate.GetTemplate("Bash")
	if err != nil || bash.Content == "" {
		t.Fatalf("Bash = %+v, %v", bash, err)
	}
	docker, _, err := anon.DockerfileTemplate.ListTemplates(nil)
	if err != nil || len(docker) < 2 {
		t.Fatalf("dockerfiles = %+v, %v", docker, err)
	}
	golang, _, err := anon.DockerfileTemplate.GetTemplate("Golang")
	if err != nil || !strings.HasPrefix(golang.Content, "FROM golang") {
		t.Fatalf("Golang = %+v, %v", golang, err)
	}
	s.Do(t, labtest.Request{Path: "/templates/gitignores/Nope"}).ExpectError(t, http.StatusNotFound, `{"message":"404 gitignore Not Found"}`)
	s.Do(t, labtest.Request{Path: "/templates/dockerfiles/..%2Fgitignores%2FGo"}).ExpectError(t, http.StatusNotFound, `{"message":"404 dockerfile Not Found"}`)
	s.Do(t, labtest.Request{Path: "/templates/gitlab_ci_ymls/Workflows%2FBranch-Pipelines"}).ExpectError(t, http.StatusNotFound, `{"message":"404 gitlab_ci_yml Not Found"}`)
}

// TestProjectTemplates: a project offers the instance's templates and
// its repository's issue templates, to whoever sees the project.
func TestProjectTemplates(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	ac := s.Client(t, alice.Token)
	p, _, err := ac.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("tpl"),
		InitializeWithReadme: gitlab.Ptr(true), Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ac.RepositoryFiles.CreateFile(p.ID, ".gitlab/issue_templates/Bug.md", &gitlab.CreateFileOptions{
		Branch: gitlab.Ptr("main"), Content: gitlab.Ptr("## Steps\n"), CommitMessage: gitlab.Ptr("bug template")}); err != nil {
		t.Fatal(err)
	}
	issues, _, err := ac.ProjectTemplates.ListTemplates(p.ID, "issues", nil)
	if err != nil || len(issues) != 1 || issues[0].Key != "Bug" {
		t.Fatalf("issue templates = %+v, %v", issues, err)
	}
	bug, _, err := ac.ProjectTemplates.GetProjectTemplate(p.ID, "issues", "Bug")
	if err != nil || bug.Name != "Bug" || bug.Content != "## Steps\n" {
		t.Fatalf("Bug = %+v, %v", bug, err)
	}
	lic, _, err := ac.ProjectTemplates.GetProjectTemplate(p.ID, "licenses", "mit")
	if err != nil || lic.Key != "mit" || !strings.Contains(lic.Content, alice.Name) {
		t.Fatalf("mit = %+v, %v", lic, err)
	}
	mrs, _, err := ac.ProjectTemplates.ListTemplates(p.ID, "merge_requests", nil)
	if err != nil || len(mrs) != 0 {
		t.Fatalf("merge request templates = %+v, %v", mrs, err)
	}
	path := "/projects/" + strconv.FormatInt(p.ID, 10) + "/templates/"
	s.Do(t, labtest.Request{Path: path + "wikis", Token: alice.Token}).ExpectError(t, http.StatusBadRequest, `{"error":"type does not have a valid value"}`)
	s.Do(t, labtest.Request{Path: path + "issues/Nope", Token: alice.Token}).ExpectError(t, http.StatusNotFound, `{"message":"404 Template Not Found"}`)
	bob := s.NewUser(t, "bob")
	s.Do(t, labtest.Request{Path: path + "licenses", Token: bob.Token}).ExpectError(t, http.StatusNotFound, `{"message":"404 Project Not Found"}`)
}
