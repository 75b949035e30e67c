package graphql_test

import (
	"fmt"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLPipelines: a project's pipelines list newest first with
// GitLab's status enum, filter by status and ref, and one is read by its
// global ID; a caller who cannot see the project gets null.
func TestGraphQLPipelines(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	outsider := s.NewUser(t, "outsider")
	mc := s.Client(t, tm.Maintainer.Token)
	var shas []string
	for i, b := range []string{"main", "topic"} {
		opts := &gitlab.CreateCommitOptions{Branch: gitlab.Ptr(b), CommitMessage: gitlab.Ptr("c" + b),
			Actions: []*gitlab.CommitActionOptions{{Action: gitlab.Ptr(gitlab.FileCreate),
				FilePath: gitlab.Ptr(fmt.Sprintf("f%d.txt", i)), Content: gitlab.Ptr("x\n")}}}
		if b != "main" {
			opts.StartBranch = gitlab.Ptr("main")
		}
		c, _, err := mc.Commits.CreateCommit(tm.Project.ID, opts)
		if err != nil {
			t.Fatal(err)
		}
		shas = append(shas, c.ID)
	}
	for i, state := range []gitlab.BuildStateValue{gitlab.Success, gitlab.Failed} {
		ref := []string{"main", "topic"}[i]
		if _, _, err := mc.Commits.SetCommitStatus(tm.Project.ID, shas[i], &gitlab.SetCommitStatusOptions{State: state,
			Name: gitlab.Ptr("ext"), Ref: gitlab.Ptr(ref)}); err != nil {
			t.Fatal(err)
		}
	}
	list := func(token, args string) map[string]any {
		t.Helper()
		_, r := post(t, s, token, `query($p: ID!) { project(fullPath: $p) { pipelines`+args+` { count
			nodes { id iid ref sha status active source user { username } path } } } }`,
			map[string]any{"p": tm.Project.PathWithNamespace})
		return mustData(t, r)
	}
	d := list(tm.Developer.Token, "(first: 10)")
	nodes, _ := dig(d, "project", "pipelines", "nodes").([]any)
	if dig(d, "project", "pipelines", "count") != float64(2) || len(nodes) != 2 || dig(nodes[0], "ref") != "topic" ||
		dig(nodes[0], "status") != "FAILED" || dig(nodes[1], "status") != "SUCCESS" || dig(nodes[0], "active") != false ||
		dig(nodes[0], "sha") != shas[1] || dig(nodes[0], "user", "username") != "mia" || dig(nodes[0], "source") != "external" {
		t.Fatalf("pipelines = %v", d)
	}
	if d := list(tm.Developer.Token, "(first: 10, status: SUCCESS)"); dig(d, "project", "pipelines", "count") != float64(1) {
		t.Fatalf("status filter = %v", d)
	}
	if d := list(tm.Developer.Token, `(first: 10, ref: "topic")`); dig(d, "project", "pipelines", "count") != float64(1) {
		t.Fatalf("ref filter = %v", d)
	}
	id := dig(nodes[1], "id").(string)
	_, r := post(t, s, tm.Developer.Token, `query($p: ID!, $id: CiPipelineID!) { project(fullPath: $p) { pipeline(id: $id) { ref status } } }`,
		map[string]any{"p": tm.Project.PathWithNamespace, "id": id})
	if d := mustData(t, r); dig(d, "project", "pipeline", "ref") != "main" || dig(d, "project", "pipeline", "status") != "SUCCESS" {
		t.Fatalf("pipeline(id:) = %v", d)
	}
	if d := list(outsider.Token, "(first: 10)"); dig(d, "project") != nil {
		t.Fatalf("outsider = %v", d)
	}
}
