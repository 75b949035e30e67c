package graphql_test

import (
	"fmt"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLProjectJobs lists a project's jobs as REST's
// GET /projects/:id/jobs does.
func TestGraphQLProjectJobs(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	mc := s.Client(t, tm.Maintainer.Token)
	yml := "build:\n  stage: build\n  script: [make]\n  tags: [linux]\ntest:\n  stage: test\n  script: [make test]\n"
	if _, _, err := mc.RepositoryFiles.CreateFile(tm.Project.ID, ".gitlab-ci.yml", &gitlab.CreateFileOptions{
		Branch: gitlab.Ptr("main"), Content: gitlab.Ptr(yml), CommitMessage: gitlab.Ptr("ci")}); err != nil {
		t.Fatal(err)
	}
	rest, _, err := s.Client(t, tm.Developer.Token).Jobs.ListProjectJobs(tm.Project.ID, &gitlab.ListJobsOptions{})
	if err != nil || len(rest) != 2 {
		t.Fatalf("REST jobs = %v %v", rest, err)
	}
	const q = `query($p: ID!, $s: [CiJobStatus!]) { project(fullPath: $p) { jobs(first: 10, statuses: $s) { count
		nodes { id name status stage allowFailure refName shortSha tags webPath } } } }`
	_, r := post(t, s, tm.Developer.Token, q, map[string]any{"p": tm.Project.PathWithNamespace})
	d := mustData(t, r)
	nodes, _ := dig(d, "project", "jobs", "nodes").([]any)
	if len(nodes) != 2 || dig(d, "project", "jobs", "count") != float64(2) {
		t.Fatalf("jobs = %v", d)
	}
	for i, n := range nodes {
		want := rest[i]
		if dig(n, "id") != fmt.Sprintf("gid://gitlab/Ci::Build/%d", want.ID) || dig(n, "name") != want.Name ||
			dig(n, "status") != map[string]string{"created": "CREATED", "pending": "PENDING"}[want.Status] ||
			dig(n, "stage") != want.Stage || dig(n, "refName") != want.Ref || dig(n, "shortSha") != want.Commit.ShortID ||
			dig(n, "webPath") != fmt.Sprintf("/%s/-/jobs/%d", tm.Project.PathWithNamespace, want.ID) {
			t.Errorf("job %d = %v, REST %+v", i, n, want)
		}
	}
	if tags := fmt.Sprint(dig(nodes[1], "tags")); tags != "[linux]" {
		t.Errorf("build's tags = %s", tags)
	}
	_, r = post(t, s, tm.Developer.Token, q, map[string]any{"p": tm.Project.PathWithNamespace, "s": []string{"SUCCESS"}})
	if dig(mustData(t, r), "project", "jobs", "count") != float64(0) {
		t.Errorf("successful jobs = %v", r.Data)
	}
	outsider := s.NewUser(t, "outsider")
	_, r = post(t, s, outsider.Token, q, map[string]any{"p": tm.Project.PathWithNamespace})
	if dig(mustData(t, r), "project") != nil {
		t.Errorf("outsider = %v", r.Data)
	}
}
