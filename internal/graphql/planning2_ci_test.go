package graphql_test

import (
	"fmt"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLProjectCI reads a project's CI/CD variables and pipeline
// schedules with REST's permission answers.
func TestGraphQLProjectCI(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	mc := s.Client(t, tm.Maintainer.Token)
	if _, _, err := mc.RepositoryFiles.CreateFile(tm.Project.ID, "README.md", &gitlab.CreateFileOptions{
		Branch: gitlab.Ptr("main"), Content: gitlab.Ptr("hi"), CommitMessage: gitlab.Ptr("init")}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct{ key, value string }{{"A", "one"}, {"B", "two"}} {
		if _, _, err := mc.ProjectVariables.CreateVariable(tm.Project.ID, &gitlab.CreateProjectVariableOptions{
			Key: gitlab.Ptr(v.key), Value: gitlab.Ptr(v.value), Protected: gitlab.Ptr(true)}); err != nil {
			t.Fatal(err)
		}
	}
	sched, _, err := mc.PipelineSchedules.CreatePipelineSchedule(tm.Project.ID, &gitlab.CreatePipelineScheduleOptions{
		Description: gitlab.Ptr("nightly"), Ref: gitlab.Ptr("main"), Cron: gitlab.Ptr("0 1 * * *")})
	if err != nil {
		t.Fatal(err)
	}
	const q = `query($p: ID!) { project(fullPath: $p) { ciVariables(first: 10) { count nodes { id key value variableType protected masked environmentScope } }
		pipelineSchedules(first: 10) { count nodes { id description active cron cronTimezone ref owner { username } } } } }`
	read := func(token string) map[string]any {
		t.Helper()
		_, r := post(t, s, token, q, map[string]any{"p": tm.Project.PathWithNamespace})
		return mustData(t, r)
	}
	d := read(tm.Maintainer.Token)
	rest, _, err := mc.ProjectVariables.ListVariables(tm.Project.ID, &gitlab.ListProjectVariablesOptions{})
	if err != nil {
		t.Fatal(err)
	}
	vars, _ := dig(d, "project", "ciVariables", "nodes").([]any)
	if len(vars) != len(rest) || dig(d, "project", "ciVariables", "count") != float64(2) {
		t.Fatalf("variables = %v, REST %v", vars, rest)
	}
	for i, v := range vars {
		if dig(v, "key") != rest[i].Key || dig(v, "value") != rest[i].Value || dig(v, "variableType") != "ENV_VAR" ||
			dig(v, "protected") != true || dig(v, "environmentScope") != "*" {
			t.Errorf("variable %d = %v, REST %+v", i, v, rest[i])
		}
	}
	ss, _ := dig(d, "project", "pipelineSchedules", "nodes").([]any)
	if len(ss) != 1 || dig(ss[0], "id") != fmt.Sprintf("gid://gitlab/Ci::PipelineSchedule/%d", sched.ID) ||
		dig(ss[0], "description") != "nightly" || dig(ss[0], "cron") != "0 1 * * *" || dig(ss[0], "ref") != sched.Ref ||
		dig(ss[0], "active") != true || dig(ss[0], "owner", "username") != tm.Maintainer.Username {
		t.Errorf("schedules = %v", ss)
	}

	// A developer reads the schedules but not the variables (REST: 403).
	d = read(tm.Developer.Token)
	if dig(d, "project", "ciVariables") != nil || dig(d, "project", "pipelineSchedules", "count") != float64(1) {
		t.Errorf("developer = %v", d)
	}
	if _, resp, err := s.Client(t, tm.Developer.Token).ProjectVariables.ListVariables(tm.Project.ID,
		&gitlab.ListProjectVariablesOptions{}); err == nil || resp.StatusCode != 403 {
		t.Errorf("REST developer variables: %v", err)
	}
	restScheds, _, err := s.Client(t, tm.Developer.Token).PipelineSchedules.ListPipelineSchedules(tm.Project.ID,
		&gitlab.ListPipelineSchedulesOptions{})
	if err != nil || len(restScheds) != 1 {
		t.Errorf("REST developer schedules: %v %v", restScheds, err)
	}
	_, r := post(t, s, tm.Developer.Token, `query($p: ID!) { project(fullPath: $p) { pipelineSchedules(status: INACTIVE) { count } } }`,
		map[string]any{"p": tm.Project.PathWithNamespace})
	if dig(mustData(t, r), "project", "pipelineSchedules", "count") != float64(0) {
		t.Errorf("inactive = %v", r.Data)
	}
}
