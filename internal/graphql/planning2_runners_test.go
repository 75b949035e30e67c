package graphql_test

import (
	"fmt"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLRunners lists runners as REST's /runners/all (administrators)
// and /projects/:id/runners (Maintainers) do, null for anyone else.
func TestGraphQLRunners(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	root := s.Client(t, s.RootToken)
	inst, _, err := root.Users.CreateUserRunner(&gitlab.CreateUserRunnerOptions{RunnerType: gitlab.Ptr("instance_type"),
		Description: gitlab.Ptr("shared"), TagList: &[]string{"linux"}})
	if err != nil {
		t.Fatal(err)
	}
	proj, _, err := s.Client(t, tm.Maintainer.Token).Users.CreateUserRunner(&gitlab.CreateUserRunnerOptions{
		RunnerType: gitlab.Ptr("project_type"), ProjectID: gitlab.Ptr(int64(tm.Project.ID)), Description: gitlab.Ptr("own")})
	if err != nil {
		t.Fatal(err)
	}
	const all = `query($t: CiRunnerType) { runners(first: 10, type: $t) { count nodes { id description runnerType paused tagList } } }`
	_, r := post(t, s, s.RootToken, all, nil)
	d := mustData(t, r)
	restAll, _, err := root.Runners.ListAllRunners(&gitlab.ListRunnersOptions{})
	if err != nil || dig(d, "runners", "count") != float64(len(restAll)) || len(restAll) != 2 {
		t.Errorf("admin runners = %v, REST %v %v", d, restAll, err)
	}
	_, r = post(t, s, s.RootToken, all, map[string]any{"t": "INSTANCE_TYPE"})
	nodes, _ := dig(mustData(t, r), "runners", "nodes").([]any)
	if len(nodes) != 1 || dig(nodes[0], "id") != fmt.Sprintf("gid://gitlab/Ci::Runner/%d", inst.ID) ||
		dig(nodes[0], "description") != "shared" || fmt.Sprint(dig(nodes[0], "tagList")) != "[linux]" {
		t.Errorf("instance runners = %v", nodes)
	}
	// Not an administrator: null, as REST's 403.
	_, r = post(t, s, tm.Owner.Token, all, nil)
	if dig(mustData(t, r), "runners") != nil {
		t.Errorf("owner's runners = %v", r.Data)
	}
	if _, resp, err := s.Client(t, tm.Owner.Token).Runners.ListAllRunners(&gitlab.ListRunnersOptions{}); err == nil || resp.StatusCode != 403 {
		t.Errorf("REST owner: %v", err)
	}

	const pq = `query($p: ID!) { project(fullPath: $p) { runners(first: 10) { count nodes { id runnerType } } } }`
	_, r = post(t, s, tm.Maintainer.Token, pq, map[string]any{"p": tm.Project.PathWithNamespace})
	d = mustData(t, r)
	restP, _, err := s.Client(t, tm.Maintainer.Token).Runners.ListProjectRunners(tm.Project.ID, &gitlab.ListProjectRunnersOptions{})
	if err != nil || dig(d, "project", "runners", "count") != float64(len(restP)) {
		t.Errorf("maintainer's project runners = %v, REST %v %v", d, restP, err)
	}
	found := false
	for _, n := range dig(d, "project", "runners", "nodes").([]any) {
		found = found || dig(n, "id") == fmt.Sprintf("gid://gitlab/Ci::Runner/%d", proj.ID) && dig(n, "runnerType") == "PROJECT_TYPE"
	}
	if !found {
		t.Errorf("project runner missing: %v", d)
	}
	_, r = post(t, s, tm.Developer.Token, pq, map[string]any{"p": tm.Project.PathWithNamespace})
	if dig(mustData(t, r), "project", "runners") != nil {
		t.Errorf("developer's project runners = %v", r.Data)
	}
	if _, resp, err := s.Client(t, tm.Developer.Token).Runners.ListProjectRunners(tm.Project.ID,
		&gitlab.ListProjectRunnersOptions{}); err == nil || resp.StatusCode != 403 {
		t.Errorf("REST developer: %v", err)
	}
}
