package citest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// environmentsYAML deploys a review app named after the branch and
// stops it with a manual on_stop job.
const environmentsYAML = `
deploy:
  stage: deploy
  script:
    - echo "env=$CI_ENVIRONMENT_NAME slug=$CI_ENVIRONMENT_SLUG url=$CI_ENVIRONMENT_URL action=$CI_ENVIRONMENT_ACTION tier=$CI_ENVIRONMENT_TIER"
  environment:
    name: review/$CI_COMMIT_REF_SLUG
    url: https://$CI_COMMIT_REF_SLUG.example.com
    on_stop: stop_review
stop_review:
  stage: deploy
  script: [echo stopping]
  when: manual
  environment:
    name: review/$CI_COMMIT_REF_SLUG
    action: stop
`

// environmentWait polls an environment until it reaches state.
func environmentWait(t *testing.T, c *gitlab.Client, projectID, envID int64, state string) *gitlab.Environment {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		e, _, err := c.Environments.GetEnvironment(projectID, envID)
		if err != nil {
			t.Fatal(err)
		}
		if e.State == state {
			return e
		}
		if time.Now().After(deadline) {
			t.Fatalf("environment %d is %s, want %s", envID, e.State, state)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestEnvironmentsDeployAndStop runs a deploy job with a real runner: it
// creates its environment (name and URL expanded) and a successful
// deployment seen by both APIs, gets its environment's variables, and
// POST …/stop plays the on_stop job, after which the environment is
// stopped and may be deleted.
func TestEnvironmentsDeployAndStop(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 2)
	p, pl := pipelineProject(t, c, "review", map[string]string{".gitlab-ci.yml": environmentsYAML})
	if done := pipelineWait(t, c, p.ID, pl.ID, "success", "failed"); done.Status != "success" {
		t.Fatalf("pipeline %s", done.Status)
	}
	jobs := pipelineJobs(t, c, p.ID, pl.ID)

	envs, _, err := c.Environments.ListEnvironments(p.ID, &gitlab.ListEnvironmentsOptions{})
	if err != nil || len(envs) != 1 {
		t.Fatalf("environments: %d (%v), want 1", len(envs), err)
	}
	env := envs[0]
	if env.Project == nil || env.Project.ID != p.ID {
		t.Errorf("listed environment's project: %+v", env.Project)
	}
	if env.Name != "review/main" || env.State != "available" || env.Tier != "development" ||
		env.ExternalURL != "https://main.example.com" || !strings.HasPrefix(env.Slug, "review-main-") || len(env.Slug) != 18 {
		t.Fatalf("environment %+v", env)
	}
	log := pipelineTrace(t, c, p.ID, jobs["deploy"].ID)
	want := "env=review/main slug=" + env.Slug + " url=https://main.example.com action=start tier=development"
	if !strings.Contains(log, want) {
		t.Errorf("deploy log lacks %q:\n%s", want, log)
	}

	deps, _, err := c.Deployments.ListProjectDeployments(p.ID, &gitlab.ListProjectDeploymentsOptions{
		Environment: gitlab.Ptr("review/main")})
	if err != nil || len(deps) != 1 {
		t.Fatalf("deployments: %d (%v), want 1", len(deps), err)
	}
	d := deps[0]
	if d.IID != 1 || d.Status != "success" || d.Ref != "main" || d.SHA != pl.SHA || d.User == nil ||
		d.User.Username != "root" || d.Environment == nil || d.Environment.ID != env.ID ||
		d.Deployable.ID != jobs["deploy"].ID || d.Deployable.Status != "success" {
		t.Fatalf("deployment %+v", d)
	}
	one, _, err := c.Environments.GetEnvironment(p.ID, env.ID)
	if err != nil || one.LastDeployment == nil || one.LastDeployment.ID != d.ID ||
		one.LastDeployment.Deployable.Name != "deploy" || one.LastDeployment.Environment != nil || one.Project != nil {
		t.Fatalf("environment's last deployment: %+v (%v)", one, err)
	}

	// A CI deployment is not changed through the API, nor deleted while
	// it is the environment's last; an available environment stays.
	_, resp, _ := c.Deployments.UpdateProjectDeployment(p.ID, d.ID, &gitlab.UpdateProjectDeploymentOptions{
		Status: gitlab.Ptr(gitlab.DeploymentStatusFailed)})
	triggersStatus(t, "update a CI deployment", resp, nil, http.StatusForbidden)
	resp, _ = c.Deployments.DeleteProjectDeployment(p.ID, d.ID)
	triggersStatus(t, "delete the last deployment", resp, nil, http.StatusBadRequest)
	resp, _ = c.Environments.DeleteEnvironment(p.ID, env.ID)
	triggersStatus(t, "delete an available environment", resp, nil, http.StatusForbidden)

	stopped, resp, err := c.Environments.StopEnvironment(p.ID, env.ID, nil)
	triggersStatus(t, "stop", resp, err, http.StatusOK)
	if stopped.State != "stopping" && stopped.State != "stopped" {
		t.Fatalf("environment after stop: %s", stopped.State)
	}
	environmentWait(t, c, p.ID, env.ID, "stopped")
	if j := pipelineJobs(t, c, p.ID, pl.ID)["stop_review"]; j.Status != "success" || j.User == nil || j.User.Username != "root" {
		t.Fatalf("stop job: %+v", j)
	}
	list, _, err := c.Environments.ListEnvironments(p.ID, &gitlab.ListEnvironmentsOptions{States: gitlab.Ptr("stopped")})
	if err != nil || len(list) != 1 {
		t.Fatalf("stopped environments: %d (%v)", len(list), err)
	}
	resp, err = c.Environments.DeleteEnvironment(p.ID, env.ID)
	triggersStatus(t, "delete a stopped environment", resp, err, http.StatusNoContent)
}

// TestEnvironmentsFailedDeploy: a failing deploy job fails its
// deployment; its environment exists, with the tier the job names.
func TestEnvironmentsFailedDeploy(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 1)
	p, pl := pipelineProject(t, c, "broken", map[string]string{".gitlab-ci.yml": `
deploy:
  script: [exit 3]
  environment:
    name: live
    deployment_tier: staging
`})
	pipelineWait(t, c, p.ID, pl.ID, "failed")
	deps, _, err := c.Deployments.ListProjectDeployments(p.ID, &gitlab.ListProjectDeploymentsOptions{
		Status: gitlab.Ptr("failed")})
	if err != nil || len(deps) != 1 || deps[0].Status != "failed" || deps[0].Environment.Name != "live" {
		t.Fatalf("failed deployments: %+v (%v)", deps, err)
	}
	env, _, err := c.Environments.GetEnvironment(p.ID, deps[0].Environment.ID)
	if err != nil || env.Tier != "staging" || env.LastDeployment != nil {
		t.Fatalf("environment: %+v (%v)", env, err)
	}
}

// TestEnvironmentsAPIValidation checks the two APIs' refusals and
// deployments made through the API.
func TestEnvironmentsAPIValidation(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	p, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("api")})
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, resp *gitlab.Response, err error, status int, body string) {
		t.Helper()
		triggersStatus(t, what, resp, err, status)
		if body != "" && (err == nil || !strings.Contains(err.Error(), body)) {
			t.Errorf("%s: %v, want %q", what, err, body)
		}
	}
	sha := strings.Repeat("a", 40)
	create := func(env string, status gitlab.DeploymentStatusValue) (*gitlab.Deployment, *gitlab.Response, error) {
		return c.Deployments.CreateProjectDeployment(p.ID, &gitlab.CreateProjectDeploymentOptions{
			Environment: gitlab.Ptr(env), Ref: gitlab.Ptr("main"), SHA: gitlab.Ptr(sha), Tag: gitlab.Ptr(false),
			Status: gitlab.Ptr(status)})
	}
	_, resp, err := create("prod", "bogus")
	check("bad status", resp, err, http.StatusBadRequest, "status does not have a valid value")
	_, resp, err = create("/bad", "success")
	check("bad environment name", resp, err, http.StatusBadRequest, "cannot start or end with '/'")

	d, resp, err := create("production", gitlab.DeploymentStatusRunning)
	check("create deployment", resp, err, http.StatusCreated, "")
	if d.IID != 1 || d.Status != "running" || d.Environment.Name != "production" || d.Deployable.ID != 0 {
		t.Fatalf("created deployment %+v", d)
	}
	resp, err = c.Deployments.DeleteProjectDeployment(p.ID, d.ID)
	check("delete running", resp, err, http.StatusBadRequest, "Cannot destroy running deployment")
	d, resp, err = c.Deployments.UpdateProjectDeployment(p.ID, d.ID, &gitlab.UpdateProjectDeploymentOptions{
		Status: gitlab.Ptr(gitlab.DeploymentStatusSuccess)})
	check("update deployment", resp, err, http.StatusOK, "")
	if d.Status != "success" {
		t.Fatalf("updated deployment %+v", d)
	}
	old := d
	if _, resp, err = create("production", gitlab.DeploymentStatusSuccess); err != nil {
		check("second deployment", resp, err, http.StatusCreated, "")
	}
	resp, err = c.Deployments.DeleteProjectDeployment(p.ID, old.ID)
	check("delete an older deployment", resp, err, http.StatusNoContent, "")

	none, _, err := c.Deployments.ListProjectDeployments(p.ID, &gitlab.ListProjectDeploymentsOptions{
		Environment: gitlab.Ptr("nowhere")})
	if err != nil || len(none) != 0 {
		t.Fatalf("deployments of an unknown environment: %d (%v)", len(none), err)
	}
	at := time.Now()
	_, resp, err = c.Deployments.ListProjectDeployments(p.ID, &gitlab.ListProjectDeploymentsOptions{FinishedAfter: &at})
	check("finished_after alone", resp, err, http.StatusBadRequest, "`finished_at` filter and `finished_at` sorting must be paired")
	_, resp, err = c.Deployments.ListProjectDeployments(p.ID, &gitlab.ListProjectDeploymentsOptions{FinishedAfter: &at,
		OrderBy: gitlab.Ptr("finished_at")})
	check("finished_after without status", resp, err, http.StatusBadRequest, "must be combined with `success` status filter")
	past := at.Add(-time.Hour)
	recent, _, err := c.Deployments.ListProjectDeployments(p.ID, &gitlab.ListProjectDeploymentsOptions{FinishedAfter: &past,
		OrderBy: gitlab.Ptr("finished_at"), Status: gitlab.Ptr("success"), Sort: gitlab.Ptr("desc")})
	if err != nil || len(recent) != 1 {
		t.Fatalf("deployments finished in the last hour: %d (%v), want 1", len(recent), err)
	}
	_, resp, err = c.Deployments.ListProjectDeployments(p.ID, &gitlab.ListProjectDeploymentsOptions{OrderBy: gitlab.Ptr("name")})
	check("bad order_by", resp, err, http.StatusBadRequest, "order_by does not have a valid value")

	_, resp, err = c.Environments.GetEnvironment(p.ID, 999999)
	check("unknown environment", resp, err, http.StatusNotFound, "")
	_, resp, err = c.Environments.CreateEnvironment(p.ID, &gitlab.CreateEnvironmentOptions{Name: gitlab.Ptr("production")})
	check("duplicate name", resp, err, http.StatusBadRequest, "has already been taken")
	_, resp, err = c.Environments.CreateEnvironment(p.ID, &gitlab.CreateEnvironmentOptions{Name: gitlab.Ptr("qa"),
		ExternalURL: gitlab.Ptr("javascript:alert(1)")})
	check("bad url", resp, err, http.StatusBadRequest, "Only allowed schemes are http, https")
	_, resp, err = c.Environments.ListEnvironments(p.ID, &gitlab.ListEnvironmentsOptions{Search: gitlab.Ptr("pr")})
	check("short search", resp, err, http.StatusBadRequest, "Search query is less than 3 characters")
	e, resp, err := c.Environments.CreateEnvironment(p.ID, &gitlab.CreateEnvironmentOptions{Name: gitlab.Ptr("qa"),
		ExternalURL: gitlab.Ptr("https://qa.example.com"), Tier: gitlab.Ptr("testing")})
	check("create environment", resp, err, http.StatusCreated, "")
	if e.Slug != "qa" || e.State != "available" || e.Tier != "testing" {
		t.Fatalf("created environment %+v", e)
	}
	e, resp, err = c.Environments.StopEnvironment(p.ID, e.ID, &gitlab.StopEnvironmentOptions{Force: gitlab.Ptr(true)})
	check("force stop", resp, err, http.StatusOK, "")
	if e.State != "stopped" {
		t.Fatalf("force-stopped environment is %s", e.State)
	}
	// Search matches a prefix of the name, or of the name within its
	// folder.
	if _, resp, err := create("review/feature-x", gitlab.DeploymentStatusSuccess); err != nil {
		check("deploy to a folder", resp, err, http.StatusCreated, "")
	}
	for search, want := range map[string]string{"PROD": "production", "feat": "review/feature-x", "rev": "review/feature-x",
		"duct": "", "ure-x": ""} {
		found, _, err := c.Environments.ListEnvironments(p.ID, &gitlab.ListEnvironmentsOptions{Search: gitlab.Ptr(search)})
		if err != nil || want == "" && len(found) != 0 || want != "" && (len(found) != 1 || found[0].Name != want) {
			t.Errorf("search %q: %+v (%v), want %q", search, found, err, want)
		}
	}
}

// TestEnvironmentsAutoStop: an environment deployed with auto_stop_in
// stops by itself once that passed, its on_stop job played as the
// deploying user.
func TestEnvironmentsAutoStop(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 2)
	p, pl := pipelineProject(t, c, "ephemeral", map[string]string{".gitlab-ci.yml": `
deploy:
  script: [echo up]
  environment:
    name: ephemeral
    on_stop: teardown
    auto_stop_in: 1 second
teardown:
  script: [echo down]
  when: manual
  environment:
    name: ephemeral
    action: stop
`})
	pipelineWait(t, c, p.ID, pl.ID, "success")
	envs, _, err := c.Environments.ListEnvironments(p.ID, &gitlab.ListEnvironmentsOptions{Name: gitlab.Ptr("ephemeral")})
	if err != nil || len(envs) != 1 {
		t.Fatalf("environments: %d (%v)", len(envs), err)
	}
	environmentWait(t, c, p.ID, envs[0].ID, "stopped")
	if j := pipelineJobs(t, c, p.ID, pl.ID)["teardown"]; j.Status != "success" || j.User == nil || j.User.Username != "root" {
		t.Fatalf("teardown job: %+v", j)
	}
}
