package graphql_test

import (
	"fmt"
	"sort"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLPipelineJobs lists a pipeline's jobs as REST's
// GET /projects/:id/pipelines/:id/jobs does, with the statuses and
// retried filters; who may not read pipelines sees nothing.
func TestGraphQLPipelineJobs(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	mc := s.Client(t, tm.Maintainer.Token)
	p := tm.Project.PathWithNamespace
	yml := "build:\n  stage: build\n  script: [make]\ntest:\n  stage: test\n  script: [make test]\n"
	if _, _, err := mc.RepositoryFiles.CreateFile(tm.Project.ID, ".gitlab-ci.yml", &gitlab.CreateFileOptions{
		Branch: gitlab.Ptr("main"), Content: gitlab.Ptr(yml), CommitMessage: gitlab.Ptr("ci")}); err != nil {
		t.Fatal(err)
	}
	pls, _, err := mc.Pipelines.ListProjectPipelines(tm.Project.ID, &gitlab.ListProjectPipelinesOptions{})
	if err != nil || len(pls) != 1 {
		t.Fatalf("pipelines = %v %v", pls, err)
	}
	rest, _, err := mc.Jobs.ListPipelineJobs(tm.Project.ID, pls[0].ID, &gitlab.ListJobsOptions{})
	if err != nil || len(rest) != 2 {
		t.Fatalf("REST jobs = %v %v", rest, err)
	}
	// Cancel and retry build: the canceled one becomes retried.
	var build *gitlab.Job
	for _, j := range rest {
		if j.Name == "build" {
			build = j
		}
	}
	if _, _, err := mc.Jobs.CancelJob(tm.Project.ID, build.ID); err != nil {
		t.Fatal(err)
	}
	retry, _, err := mc.Jobs.RetryJob(tm.Project.ID, build.ID)
	if err != nil {
		t.Fatal(err)
	}

	const q = `query($p: ID!, $s: [CiJobStatus!], $r: Boolean) { project(fullPath: $p) { pipelines(first: 2) { nodes {
		jobs(first: 5, statuses: $s, retried: $r) { count nodes { id name status stage retried } } } } } }`
	jobs := func(token string, vars map[string]any) []string {
		t.Helper()
		vars["p"] = p
		_, r := post(t, s, token, q, vars)
		nodes, _ := dig(mustData(t, r), "project", "pipelines", "nodes").([]any)
		if len(nodes) != 1 {
			t.Fatalf("pipelines = %v", r.Data)
		}
		var out []string
		for _, n := range dig(nodes[0], "jobs", "nodes").([]any) {
			out = append(out, fmt.Sprintf("%v:%v:%v:%v", dig(n, "name"), dig(n, "status"), dig(n, "stage"), dig(n, "retried")))
		}
		sort.Strings(out)
		if c := dig(nodes[0], "jobs", "count"); c != float64(len(out)) {
			t.Errorf("count %v of %v", c, out)
		}
		return out
	}
	if got := fmt.Sprint(jobs(tm.Developer.Token, map[string]any{})); got !=
		"[build:CANCELED:build:true build:PENDING:build:false test:CREATED:test:false]" {
		t.Errorf("all jobs = %s", got)
	}
	if got := fmt.Sprint(jobs(tm.Developer.Token, map[string]any{"r": false})); got != "[build:PENDING:build:false test:CREATED:test:false]" {
		t.Errorf("latest jobs = %s", got)
	}
	if got := fmt.Sprint(jobs(tm.Developer.Token, map[string]any{"r": true})); got != "[build:CANCELED:build:true]" {
		t.Errorf("retried jobs = %s", got)
	}
	if got := fmt.Sprint(jobs(tm.Developer.Token, map[string]any{"s": []string{"CREATED", "CANCELED"}})); got !=
		"[build:CANCELED:build:true test:CREATED:test:false]" {
		t.Errorf("created or canceled jobs = %s", got)
	}
	_, r := post(t, s, tm.Developer.Token, `query($p: ID!, $i: CiPipelineID!) { project(fullPath: $p) { pipeline(id: $i) {
		jobs(first: 1) { count pageInfo { hasNextPage } nodes { id } } } } }`, map[string]any{"p": p, "i": fmt.Sprint("gid://gitlab/Ci::Pipeline/", pls[0].ID)})
	pj := dig(mustData(t, r), "project", "pipeline", "jobs")
	if dig(pj, "count") != float64(3) || dig(pj, "pageInfo", "hasNextPage") != true ||
		fmt.Sprint(dig(pj, "nodes")) != fmt.Sprintf("[map[id:gid://gitlab/Ci::Build/%d]]", retry.ID) {
		t.Errorf("pipeline's first job = %v", pj)
	}
	// A bad status is refused; an outsider sees no project.
	_, r = post(t, s, tm.Developer.Token, q, map[string]any{"p": p, "s": []string{"DONE"}})
	if len(r.Errors) == 0 {
		t.Errorf("status DONE = %v", r)
	}
	outsider := s.NewUser(t, "outsider")
	_, r = post(t, s, outsider.Token, q, map[string]any{"p": p})
	if dig(mustData(t, r), "project") != nil {
		t.Errorf("outsider = %v", r.Data)
	}
}

// TestGraphQLPipelineJobsNoNPlusOne: the jobs of a page of 6 pipelines
// cost the statements those of 2 cost.
func TestGraphQLPipelineJobsNoNPlusOne(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t, func(c *config.Config) { c.CachesOff = true })
	tm := s.NewTeam(t)
	mc := s.Client(t, tm.Maintainer.Token)
	for i := range 6 {
		if _, _, err := mc.RepositoryFiles.CreateFile(tm.Project.ID, fmt.Sprintf("f%d/.gitlab-ci.yml", i), &gitlab.CreateFileOptions{
			Branch: gitlab.Ptr("main"), Content: gitlab.Ptr("x"), CommitMessage: gitlab.Ptr("x")}); err != nil {
			t.Fatal(err)
		}
		yml := fmt.Sprintf("job%d:\n  script: [make]\n", i)
		action := gitlab.FileUpdate
		if i == 0 {
			action = gitlab.FileCreate
		}
		if _, _, err := mc.Commits.CreateCommit(tm.Project.ID, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"),
			CommitMessage: gitlab.Ptr("ci"), Actions: []*gitlab.CommitActionOptions{{Action: gitlab.Ptr(action),
				FilePath: gitlab.Ptr(".gitlab-ci.yml"), Content: gitlab.Ptr(yml)}}}); err != nil {
			t.Fatal(err)
		}
	}
	statements := func(first int) int64 {
		q := fmt.Sprintf(`query($p: ID!) { project(fullPath: $p) { pipelines(first: %d) { nodes { jobs(first: 5) { nodes { name } } } } } }`, first)
		vars := map[string]any{"p": tm.Project.PathWithNamespace}
		post(t, s, tm.Developer.Token, q, vars)
		r, n := countedPost(t, s, tm.Developer.Token, q, vars)
		nodes, _ := dig(mustData(t, r), "project", "pipelines", "nodes").([]any)
		if len(nodes) != first {
			t.Fatalf("pipelines = %v", r.Data)
		}
		for _, node := range nodes {
			if js, _ := dig(node, "jobs", "nodes").([]any); len(js) != 1 {
				t.Fatalf("pipeline = %v", node)
			}
		}
		return n
	}
	few, many := statements(2), statements(6)
	if few == 0 || many > few+3 {
		t.Errorf("6 pipelines ran %d statements, 2 ran %d", many, few)
	}
	t.Logf("statements: 2 pipelines %d, 6 pipelines %d", few, many)
}
