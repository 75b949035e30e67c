package graphql_test

import (
	"fmt"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLMergeRequestChanges reads a merge request's commits, diff
// stats and pipelines as REST's …/commits, …/diffs and …/pipelines list
// them; who may not read the project sees nothing, and a bad window is an
// error.
func TestGraphQLMergeRequestChanges(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	outsider := s.NewUser(t, "outsider")
	dev := s.Client(t, tm.Developer.Token)
	mrBranches(t, s, tm, "topic")
	mr, _, err := dev.MergeRequests.CreateMergeRequest(tm.Project.ID, &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr("mr"),
		SourceBranch: gitlab.Ptr("topic"), TargetBranch: gitlab.Ptr("main")})
	if err != nil {
		t.Fatal(err)
	}
	// A second commit: README's one line becomes two, and a CI file (2
	// lines) starts pipelines for the merge request.
	if _, _, err := dev.Commits.CreateCommit(tm.Project.ID, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("topic"),
		CommitMessage: gitlab.Ptr("more"), Actions: []*gitlab.CommitActionOptions{
			{Action: gitlab.Ptr(gitlab.FileUpdate), FilePath: gitlab.Ptr("README"), Content: gitlab.Ptr("y\nz\n")},
			{Action: gitlab.Ptr(gitlab.FileCreate), FilePath: gitlab.Ptr(".gitlab-ci.yml"),
				Content: gitlab.Ptr("build:\n  script: [make]\n")}}}); err != nil {
		t.Fatal(err)
	}
	commits, _, err := dev.MergeRequests.GetMergeRequestCommits(tm.Project.ID, mr.IID, nil)
	if err != nil || len(commits) != 2 {
		t.Fatalf("REST commits = %v %v", commits, err)
	}
	pls, _, err := dev.MergeRequests.ListMergeRequestPipelines(tm.Project.ID, mr.IID)
	if err != nil || len(pls) == 0 {
		t.Fatalf("REST pipelines = %v %v", pls, err)
	}
	var wantPls []string
	for _, pl := range pls {
		wantPls = append(wantPls, fmt.Sprintf("map[iid:%d source:%s]", pl.IID, pl.Source))
	}

	const q = `query($p: ID!) { project(fullPath: $p) { mergeRequests(first: 1) { nodes {
		commitCount commits(first: 1) { count pageInfo { hasNextPage } nodes { sha title } }
		diffStats { path additions deletions } readme: diffStats(path: "README") { path additions deletions }
		diffStatsSummary { additions deletions changes fileCount }
		pipelines(first: 10) { count nodes { iid source } } } } } }`
	_, r := post(t, s, tm.Developer.Token, q, map[string]any{"p": tm.Project.PathWithNamespace})
	nodes, _ := dig(mustData(t, r), "project", "mergeRequests", "nodes").([]any)
	if len(nodes) != 1 {
		t.Fatalf("merge requests = %v", r)
	}
	n := nodes[0]
	if got := fmt.Sprint(dig(n, "commits")); dig(n, "commitCount") != float64(2) ||
		got != fmt.Sprintf("map[count:2 nodes:[map[sha:%s title:more]] pageInfo:map[hasNextPage:true]]", commits[0].ID) {
		t.Errorf("commits = %s (count %v), REST's first = %s", got, dig(n, "commitCount"), commits[0].ID)
	}
	if got := fmt.Sprint(dig(n, "diffStats")); got != "[map[additions:2 deletions:0 path:.gitlab-ci.yml] "+
		"map[additions:2 deletions:1 path:README] map[additions:1 deletions:0 path:topic]]" {
		t.Errorf("diffStats = %s", got)
	}
	if got := fmt.Sprint(dig(n, "readme"), dig(n, "diffStatsSummary")); got != "[map[additions:2 deletions:1 path:README]] "+
		"map[additions:5 changes:6 deletions:1 fileCount:3]" {
		t.Errorf("README's stats, summary = %s", got)
	}
	if got := fmt.Sprint(dig(n, "pipelines", "nodes")); dig(n, "pipelines", "count") != float64(len(pls)) ||
		got != fmt.Sprint(wantPls) {
		t.Errorf("pipelines = %s, REST's = %v", got, wantPls)
	}

	// Who may not read the private project sees nothing of it.
	_, r = post(t, s, outsider.Token, q, map[string]any{"p": tm.Project.PathWithNamespace})
	if dig(mustData(t, r), "project") != nil {
		t.Errorf("outsider = %v", r.Data)
	}
	_, r = post(t, s, tm.Developer.Token, `query($p: ID!) { project(fullPath: $p) { mergeRequests { nodes { commits(first: -1) { count } } } } }`,
		map[string]any{"p": tm.Project.PathWithNamespace})
	if len(r.Errors) == 0 {
		t.Errorf("first: -1 = %v", r)
	}
}
