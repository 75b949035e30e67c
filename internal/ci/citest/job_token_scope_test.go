package citest_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// jobTokenRunning takes the next pending job with a runner token, as a
// runner would, and returns its id and job token: valid while it runs.
func jobTokenRunning(t *testing.T, s *labtest.Server, runnerToken string) (int64, string) {
	t.Helper()
	resp := s.Do(t, labtest.Request{Method: "POST", Path: "/jobs/request", JSON: map[string]any{"token": runnerToken}})
	if resp.Status != http.StatusCreated {
		t.Fatalf("POST /jobs/request: %d %s", resp.Status, resp.Body)
	}
	var job struct {
		ID    int64
		Token string
	}
	resp.JSON(t, &job)
	return job.ID, job.Token
}

// jobTokenGit is the status of a git fetch's ref advertisement of
// fullPath as gitlab-ci-token.
func jobTokenGit(t *testing.T, s *labtest.Server, token, fullPath string) int {
	t.Helper()
	basic := base64.StdEncoding.EncodeToString([]byte("gitlab-ci-token:" + token))
	return s.Do(t, labtest.Request{Method: "GET", Path: s.URL + "/" + fullPath + ".git/info/refs?service=git-upload-pack",
		Header: map[string]string{"Authorization": "Basic " + basic}}).Status
}

// TestJobTokenScopeReach: a job token reaches another project only
// through that project's inbound scope — its allowlist of projects and
// groups, or the scope disabled — and only where the job's user may go;
// outside it a public project is read as anyone reads it.
func TestJobTokenScopeReach(t *testing.T) {
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	g, _, err := root.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("team"), Path: gitlab.Ptr("team")})
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("a"), NamespaceID: gitlab.Ptr(g.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := root.Commits.CreateCommit(a.ID, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"), CommitMessage: gitlab.Ptr("ci"),
		Actions: []*gitlab.CommitActionOptions{{Action: gitlab.Ptr(gitlab.FileCreate), FilePath: gitlab.Ptr(".gitlab-ci.yml"),
			Content: gitlab.Ptr("job:\n  script: [sleep 1]\n")}}}); err != nil {
		t.Fatal(err)
	}
	b, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("b"), InitializeWithReadme: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	pub, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("pub"), InitializeWithReadme: gitlab.Ptr(true),
		Visibility: gitlab.Ptr(gitlab.PublicVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	_, token := jobTokenRunning(t, s, pipelineRunnerToken(t, s))
	reach := func(p *gitlab.Project) (api, git int) {
		api = s.Do(t, labtest.Request{Method: "GET", Path: fmt.Sprintf("/projects/%d/jobs", p.ID), Header: map[string]string{"JOB-TOKEN": token}}).Status
		return api, jobTokenGit(t, s, token, p.PathWithNamespace)
	}
	check := func(what string, p *gitlab.Project, wantAPI, wantGit int) {
		t.Helper()
		if api, git := reach(p); api != wantAPI || git != wantGit {
			t.Errorf("%s: jobs API %d, git %d; want %d, %d", what, api, git, wantAPI, wantGit)
		}
	}
	check("own project", a, 200, 200)
	check("private project, not allowlisted", b, 404, 404)
	// Public: the jobs API takes read_build, which a token outside the scope keeps with anonymous rights.
	check("public project, not allowlisted", pub, 200, 200)

	if _, _, err := root.JobTokenScope.AddProjectToJobScopeAllowList(b.ID, &gitlab.JobTokenInboundAllowOptions{TargetProjectID: gitlab.Ptr(a.ID)}); err != nil {
		t.Fatal(err)
	}
	check("allowlisted project", b, 200, 200)
	if _, err := root.JobTokenScope.RemoveProjectFromJobScopeAllowList(b.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	check("removed from the allowlist", b, 404, 404)
	if _, _, err := root.JobTokenScope.AddGroupToJobTokenAllowlist(b.ID, &gitlab.AddGroupToJobTokenAllowlistOptions{TargetGroupID: gitlab.Ptr(g.ID)}); err != nil {
		t.Fatal(err)
	}
	check("group allowlisted", b, 200, 200)
	if _, err := root.JobTokenScope.RemoveGroupFromJobTokenAllowlist(b.ID, g.ID); err != nil {
		t.Fatal(err)
	}
	check("group removed", b, 404, 404)
	if _, err := root.JobTokenScope.PatchProjectJobTokenAccessSettings(b.ID, &gitlab.PatchProjectJobTokenAccessSettingsOptions{Enabled: false}); err != nil {
		t.Fatal(err)
	}
	check("scope disabled", b, 200, 200)

	// The scope opens the door only to what the job's user may see.
	other := s.NewUser(t, "other")
	oc := s.Client(t, other.Token)
	c, _, err := oc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("c")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oc.JobTokenScope.PatchProjectJobTokenAccessSettings(c.ID, &gitlab.PatchProjectJobTokenAccessSettingsOptions{Enabled: false}); err != nil {
		t.Fatal(err)
	}
	check("scope disabled on a project the job's user may not see", c, 404, 404)
}

const jobTokenSourceYAML = `
build:
  script:
    - mkdir -p out && echo from-b > out/b.txt
  artifacts:
    paths: [out/]
`

// jobTokenReaderYAML tries, with its job token, to clone project b and to
// download the artifacts of b's build job on main.
const jobTokenReaderYAML = `
read:
  variables:
    GIT_TERMINAL_PROMPT: "0"
  script:
    - |
      code=$(curl -s -o b.zip -w '%%{http_code}' -H "JOB-TOKEN: $CI_JOB_TOKEN" "$CI_API_V4_URL/projects/%d/jobs/artifacts/main/download?job=build")
      echo "artifacts=$code"
    - |
      if git clone -q "$CI_SERVER_PROTOCOL://gitlab-ci-token:$CI_JOB_TOKEN@$CI_SERVER_FQDN/%s.git" b-clone; then echo "clone=ok $(ls b-clone)"; else echo clone=refused; fi
`

// TestJobTokenScopeWithRunner: a job of project a, run by the built-in
// runner, clones project b and downloads b's artifacts only after b
// allowlists a.
func TestJobTokenScopeWithRunner(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 1)
	b, binfo := pipelineProject(t, c, "b", map[string]string{".gitlab-ci.yml": jobTokenSourceYAML, "README.md": "b\n"})
	if pl := pipelineWait(t, c, b.ID, binfo.ID, "success", "failed"); pl.Status != "success" {
		t.Fatalf("b's pipeline: %s", pl.Status)
	}
	a, ainfo := pipelineProject(t, c, "a", map[string]string{".gitlab-ci.yml": fmt.Sprintf(jobTokenReaderYAML, b.ID, b.PathWithNamespace)})
	run := func(id int64) string {
		t.Helper()
		pl := pipelineWait(t, c, a.ID, id, "success", "failed")
		jobs := pipelineJobs(t, c, a.ID, pl.ID)
		if jobs["read"] == nil {
			t.Fatalf("a's pipeline %s has no read job (yaml errors %q)", pl.Status, pl.YamlErrors)
		}
		trace := pipelineTrace(t, c, a.ID, jobs["read"].ID)
		if pl.Status != "success" {
			t.Fatalf("a's pipeline: %s\n%s", pl.Status, trace)
		}
		return trace
	}
	before := run(ainfo.ID)
	if !strings.Contains(before, "artifacts=404") || !strings.Contains(before, "clone=refused") {
		t.Errorf("before b allowlists a:\n%s", before)
	}
	if _, _, err := c.JobTokenScope.AddProjectToJobScopeAllowList(b.ID, &gitlab.JobTokenInboundAllowOptions{TargetProjectID: gitlab.Ptr(a.ID)}); err != nil {
		t.Fatal(err)
	}
	pl, _, err := c.Pipelines.CreatePipeline(a.ID, &gitlab.CreatePipelineOptions{Ref: gitlab.Ptr("main")})
	if err != nil {
		t.Fatal(err)
	}
	after := run(pl.ID)
	if !strings.Contains(after, "artifacts=200") || !strings.Contains(after, "clone=ok") || !strings.Contains(after, "README.md") {
		t.Errorf("after b allowlists a:\n%s", after)
	}
}

// TestJobTokenScopeAPI: the scope's settings and allowlists as GitLab's
// API answers them, with its validation errors.
func TestJobTokenScopeAPI(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	mk := func(name string, vis gitlab.VisibilityValue) *gitlab.Project {
		p, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr(name), Visibility: gitlab.Ptr(vis)})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	src, tgt := mk("src", gitlab.PrivateVisibility), mk("tgt", gitlab.PrivateVisibility)
	g, _, err := c.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("grp"), Path: gitlab.Ptr("grp")})
	if err != nil {
		t.Fatal(err)
	}
	settings, _, err := c.JobTokenScope.GetProjectJobTokenAccessSettings(src.ID)
	if err != nil || !settings.InboundEnabled {
		t.Fatalf("a new project's scope: %+v %v, want inbound_enabled", settings, err)
	}
	base := fmt.Sprintf("/projects/%d/job_token_scope", src.ID)
	raw := s.Do(t, labtest.Request{Method: "GET", Path: base, Token: s.RootToken})
	if strings.TrimSpace(string(raw.Body)) != `{"inbound_enabled":true,"outbound_enabled":false}` {
		t.Errorf("GET job_token_scope = %s", raw.Body)
	}
	s.Do(t, labtest.Request{Method: "PATCH", Path: base, Token: s.RootToken, JSON: map[string]any{}}).
		ExpectError(t, 400, `{"error":"enabled is missing"}`)
	s.Do(t, labtest.Request{Method: "PATCH", Path: base, Token: s.RootToken, JSON: map[string]any{"enabled": "maybe"}}).
		ExpectError(t, 400, `{"error":"enabled is invalid"}`)
	if _, err := c.JobTokenScope.PatchProjectJobTokenAccessSettings(src.ID, &gitlab.PatchProjectJobTokenAccessSettingsOptions{Enabled: false}); err != nil {
		t.Fatal(err)
	}
	if settings, _, _ := c.JobTokenScope.GetProjectJobTokenAccessSettings(src.ID); settings.InboundEnabled {
		t.Error("PATCH enabled=false did not stick")
	}

	// Projects: the list holds the project itself first.
	link, resp, err := c.JobTokenScope.AddProjectToJobScopeAllowList(src.ID, &gitlab.JobTokenInboundAllowOptions{TargetProjectID: gitlab.Ptr(tgt.ID)})
	if err != nil || resp.StatusCode != 201 || link.SourceProjectID != src.ID || link.TargetProjectID != tgt.ID {
		t.Fatalf("add project: %+v %v", link, err)
	}
	list, _, err := c.JobTokenScope.GetProjectJobTokenInboundAllowList(src.ID, &gitlab.GetJobTokenInboundAllowListOptions{})
	if err != nil || len(list) != 2 || list[0].ID != src.ID || list[1].ID != tgt.ID || list[1].PathWithNamespace != "root/tgt" {
		t.Fatalf("allowlist: %v %v", list, err)
	}
	allow := base + "/allowlist"
	s.Do(t, labtest.Request{Method: "POST", Path: allow, Token: s.RootToken, JSON: map[string]any{"target_project_id": tgt.ID}}).
		ExpectError(t, 400, `{"message":"400 Bad request - Target project is already in the job token scope"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: allow, Token: s.RootToken, JSON: map[string]any{"target_project_id": src.ID}}).
		ExpectError(t, 400, `{"message":"400 Bad request - Validation failed: Target project can't be the same as the source project"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: allow, Token: s.RootToken, JSON: map[string]any{"target_project_id": 999999}}).
		ExpectError(t, 404, `{"message":"404 target_project_id not found Not Found"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: allow, Token: s.RootToken, JSON: map[string]any{}}).
		ExpectError(t, 400, `{"error":"target_project_id is missing"}`)
	s.Do(t, labtest.Request{Method: "DELETE", Path: allow + "/x", Token: s.RootToken}).
		ExpectError(t, 400, `{"error":"target_project_id is invalid"}`)
	s.Do(t, labtest.Request{Method: "DELETE", Path: fmt.Sprintf("%s/%d", allow, src.ID), Token: s.RootToken}).
		ExpectError(t, 400, `{"message":"400 Bad request - Source project cannot be removed from the job token scope"}`)
	if _, err := c.JobTokenScope.RemoveProjectFromJobScopeAllowList(src.ID, tgt.ID); err != nil {
		t.Fatal(err)
	}
	s.Do(t, labtest.Request{Method: "DELETE", Path: fmt.Sprintf("%s/%d", allow, tgt.ID), Token: s.RootToken}).
		ExpectError(t, 400, `{"message":"400 Bad request - Target project is not in the job token scope"}`)

	// A project the caller may not see is not theirs to add.
	other := s.NewUser(t, "other")
	oc := s.Client(t, other.Token)
	mine, _, err := oc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("mine")})
	if err != nil {
		t.Fatal(err)
	}
	s.Do(t, labtest.Request{Method: "POST", Path: fmt.Sprintf("/projects/%d/job_token_scope/allowlist", mine.ID), Token: other.Token,
		JSON: map[string]any{"target_project_id": tgt.ID}}).
		ExpectError(t, 400, `{"message":"400 Bad request - The target_project that you are attempting to access does not exist or you don't have permission to perform this action"}`)
	s.Do(t, labtest.Request{Method: "GET", Path: base, Token: other.Token}).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)

	// Groups.
	glink, _, err := c.JobTokenScope.AddGroupToJobTokenAllowlist(src.ID, &gitlab.AddGroupToJobTokenAllowlistOptions{TargetGroupID: gitlab.Ptr(g.ID)})
	if err != nil || glink.SourceProjectID != src.ID || glink.TargetGroupID != g.ID {
		t.Fatalf("add group: %+v %v", glink, err)
	}
	groups, _, err := c.JobTokenScope.GetJobTokenAllowlistGroups(src.ID, &gitlab.GetJobTokenAllowlistGroupsOptions{})
	if err != nil || len(groups) != 1 || groups[0].ID != g.ID || groups[0].Name != "grp" || !strings.HasSuffix(groups[0].WebURL, "/groups/grp") {
		t.Fatalf("groups allowlist: %v %v", groups, err)
	}
	gallow := base + "/groups_allowlist"
	s.Do(t, labtest.Request{Method: "POST", Path: gallow, Token: s.RootToken, JSON: map[string]any{"target_group_id": g.ID}}).
		ExpectError(t, 400, `{"message":"400 Bad request - Target group is already in the job token scope"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: gallow, Token: s.RootToken, JSON: map[string]any{"target_group_id": 999999}}).
		ExpectError(t, 404, `{"message":"404 target_group_id not found Not Found"}`)
	if _, err := c.JobTokenScope.RemoveGroupFromJobTokenAllowlist(src.ID, g.ID); err != nil {
		t.Fatal(err)
	}
	s.Do(t, labtest.Request{Method: "DELETE", Path: fmt.Sprintf("%s/%d", gallow, g.ID), Token: s.RootToken}).
		ExpectError(t, 400, `{"message":"400 Bad request - Target group is not in the job token scope"}`)
	var empty []any
	s.Do(t, labtest.Request{Method: "GET", Path: gallow, Token: s.RootToken}).JSON(t, &empty)
	if b, _ := json.Marshal(empty); string(b) != "[]" {
		t.Errorf("groups allowlist after removal: %s", b)
	}
}
