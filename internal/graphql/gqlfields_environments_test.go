package graphql_test

import (
	"fmt"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLEnvironmentDeployments lists an environment's deployments as
// REST's deployments route does, filtered by statuses and ordered; GitLab
// resolves the field for one environment per request, and who may not
// read the project sees nothing.
func TestGraphQLEnvironmentDeployments(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	p := tm.Project.PathWithNamespace
	seedFile(t, s, tm)
	mc := s.Client(t, tm.Maintainer.Token)
	br, _, err := mc.Branches.GetBranch(tm.Project.ID, "main")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []struct {
		env    string
		status gitlab.DeploymentStatusValue
	}{{"production", gitlab.DeploymentStatusSuccess}, {"production", gitlab.DeploymentStatusFailed},
		{"production", gitlab.DeploymentStatusRunning}, {"staging", gitlab.DeploymentStatusSuccess}} {
		if _, _, err := mc.Deployments.CreateProjectDeployment(tm.Project.ID, &gitlab.CreateProjectDeploymentOptions{
			Environment: gitlab.Ptr(d.env), Ref: gitlab.Ptr("main"), SHA: gitlab.Ptr(br.Commit.ID),
			Tag: gitlab.Ptr(false), Status: gitlab.Ptr(d.status)}); err != nil {
			t.Fatal(err)
		}
	}
	const q = `query($p: ID!, $s: [DeploymentStatus!], $o: DeploymentsOrderByInput) { project(fullPath: $p) {
		environment(name: "production") { deployments(first: 5, statuses: $s, orderBy: $o) { count
		nodes { iid ref sha status triggerer { username } } } } } }`
	list := func(token string, vars map[string]any) (string, gqlResult) {
		t.Helper()
		vars["p"] = p
		_, r := post(t, s, token, q, vars)
		var out []string
		nodes, _ := dig(r.Data, "project", "environment", "deployments", "nodes").([]any)
		for _, n := range nodes {
			if dig(n, "sha") != br.Commit.ID || dig(n, "ref") != "main" || dig(n, "triggerer", "username") != "mia" {
				t.Errorf("deployment = %v", n)
			}
			out = append(out, fmt.Sprint(dig(n, "iid"), ":", dig(n, "status")))
		}
		if c := dig(r.Data, "project", "environment", "deployments", "count"); nodes != nil && c != float64(len(out)) {
			t.Errorf("count %v of %v", c, out)
		}
		return strings.Join(out, " "), r
	}
	if got, r := list(tm.Developer.Token, map[string]any{}); got != "1:SUCCESS 2:FAILED 3:RUNNING" {
		t.Errorf("deployments = %s %v", got, r)
	}
	if got, _ := list(tm.Developer.Token, map[string]any{"s": []string{"SUCCESS"}}); got != "1:SUCCESS" {
		t.Errorf("successful = %s", got)
	}
	if got, _ := list(tm.Developer.Token, map[string]any{"s": []string{"SUCCESS", "RUNNING"},
		"o": map[string]any{"createdAt": "DESC"}}); got != "3:RUNNING 1:SUCCESS" {
		t.Errorf("successful or running, newest first = %s", got)
	}
	// lastDeployment in any status, for a page of environments at once.
	_, r := post(t, s, tm.Developer.Token, `query($p: ID!) { project(fullPath: $p) { environments(first: 5) { nodes { name
		ok: lastDeployment(status: SUCCESS) { iid } failed: lastDeployment(status: FAILED) { iid }
		running: lastDeployment(status: RUNNING) { iid status } } } } }`, map[string]any{"p": p})
	if got := fmt.Sprint(dig(mustData(t, r), "project", "environments", "nodes")); got !=
		"[map[failed:map[iid:2] name:production ok:map[iid:1] running:map[iid:3 status:RUNNING]] map[failed:<nil> name:staging ok:map[iid:4] running:<nil>]]" {
		t.Errorf("last deployments = %s", got)
	}
	// Bad input: a status GitLab does not know.
	if _, r := list(tm.Developer.Token, map[string]any{"s": []string{"DONE"}}); len(r.Errors) == 0 {
		t.Errorf("status DONE = %v", r)
	}
	// One environment per request, in GitLab's words.
	_, r = post(t, s, tm.Developer.Token, `query($p: ID!) { project(fullPath: $p) { environments(first: 2) { nodes {
		name deployments(first: 2) { count } } } } }`, map[string]any{"p": p})
	if len(r.Errors) != 1 || r.Errors[0]["message"] != `"deployments" field can be requested only for 1 Environment(s) at a time.` {
		t.Errorf("two environments = %v", r)
	}
	outsider := s.NewUser(t, "outsider")
	if _, r := list(outsider.Token, map[string]any{}); dig(mustData(t, r), "project") != nil {
		t.Errorf("outsider = %v", r.Data)
	}
}
