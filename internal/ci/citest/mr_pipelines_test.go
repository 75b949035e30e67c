package citest_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// mrPipelinesYAML has a job for merge request pipelines only, which
// prints their variables, and one for branch pipelines only (only's
// default).
const mrPipelinesYAML = `
mr:
  script:
    - echo "iid=$CI_MERGE_REQUEST_IID source=$CI_MERGE_REQUEST_SOURCE_BRANCH_NAME target=$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"
    - echo "ref=$CI_COMMIT_REF_NAME branch=${CI_COMMIT_BRANCH:-none} event=$CI_MERGE_REQUEST_EVENT_TYPE labels=$CI_MERGE_REQUEST_LABELS"
    - echo "title=$CI_MERGE_REQUEST_TITLE ref_path=$CI_MERGE_REQUEST_REF_PATH source_sha=[$CI_MERGE_REQUEST_SOURCE_BRANCH_SHA]"
    - test "$(git rev-parse HEAD)" = "$CI_COMMIT_SHA" && echo "checked out the head"
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
branch:
  script: echo "branch pipeline on $CI_COMMIT_BRANCH"
`

// mrCommit commits one file to branch (created from main when new).
func mrCommit(t *testing.T, c *gitlab.Client, projectID int64, branch, path string, create bool) *gitlab.Commit {
	t.Helper()
	opts := &gitlab.CreateCommitOptions{Branch: gitlab.Ptr(branch), CommitMessage: gitlab.Ptr("change " + path),
		Actions: []*gitlab.CommitActionOptions{{Action: gitlab.Ptr(gitlab.FileCreate), FilePath: gitlab.Ptr(path),
			Content: gitlab.Ptr(path)}}}
	if create {
		opts.StartBranch = gitlab.Ptr("main")
	}
	commit, _, err := c.Commits.CreateCommit(projectID, opts)
	if err != nil {
		t.Fatal(err)
	}
	return commit
}

// mrPipelineIDs lists a merge request's pipelines as "source@sha[:8]"
// strings and ids, in the API's order.
func mrPipelineIDs(t *testing.T, c *gitlab.Client, projectID, iid int64) ([]*gitlab.PipelineInfo, []string) {
	t.Helper()
	list, _, err := c.MergeRequests.ListMergeRequestPipelines(projectID, iid)
	if err != nil {
		t.Fatal(err)
	}
	var desc []string
	for _, pl := range list {
		desc = append(desc, pl.Source+"@"+pl.SHA[:8])
	}
	return list, desc
}

// TestMergeRequestPipelines opens a merge request whose configuration has
// a merge-request-only job: a detached pipeline runs on
// refs/merge-requests/1/head with the merge request's variables; a push
// to the source branch runs another next to the branch pipeline; the
// list holds them all, newest first; head_pipeline follows the newest at
// the head; POST runs one more; and with only_allow_merge_if_pipeline_succeeds
// the merge request merges once its head pipeline passed.
func TestMergeRequestPipelines(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 2)
	p, push := pipelineProject(t, c, "mrpl", map[string]string{".gitlab-ci.yml": mrPipelinesYAML})
	pipelineWait(t, c, p.ID, push.ID, "success", "failed")
	if _, _, err := c.Projects.EditProject(p.ID, &gitlab.EditProjectOptions{
		OnlyAllowMergeIfPipelineSucceeds: gitlab.Ptr(true)}); err != nil {
		t.Fatal(err)
	}

	first := mrCommit(t, c, p.ID, "feature", "a.txt", true)
	mr, _, err := c.MergeRequests.CreateMergeRequest(p.ID, &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr("Add a"),
		SourceBranch: gitlab.Ptr("feature"), TargetBranch: gitlab.Ptr("main"), Labels: &gitlab.LabelOptions{"b", "a"}})
	if err != nil {
		t.Fatal(err)
	}
	list, desc := mrPipelineIDs(t, c, p.ID, mr.IID)
	want := []string{"merge_request_event@" + first.ID[:8], "push@" + first.ID[:8]}
	if strings.Join(desc, " ") != strings.Join(want, " ") {
		t.Fatalf("pipelines after opening: %v, want %v", desc, want)
	}
	mr1 := list[0]
	if mr1.Ref != "refs/merge-requests/1/head" {
		t.Errorf("merge request pipeline ref %q", mr1.Ref)
	}
	pl := pipelineWait(t, c, p.ID, mr1.ID, "success", "failed")
	jobs := pipelineJobs(t, c, p.ID, mr1.ID)
	if len(jobs) != 1 || jobs["mr"] == nil {
		t.Fatalf("merge request pipeline jobs: %v", jobs)
	}
	trace := pipelineTrace(t, c, p.ID, jobs["mr"].ID)
	for _, line := range []string{"iid=1 source=feature target=main", "ref=feature branch=none event=detached labels=a,b",
		"title=Add a ref_path=refs/merge-requests/1/head source_sha=[]", "checked out the head"} {
		if !strings.Contains(trace, line) {
			t.Errorf("merge request job's log lacks %q:\n%s", line, trace)
		}
	}
	if pl.Status != "success" {
		t.Fatalf("merge request pipeline: %s", pl.Status)
	}

	// A push to the source branch: its branch pipeline, then the merge
	// request's.
	second := mrCommit(t, c, p.ID, "feature", "b.txt", false)
	list, desc = mrPipelineIDs(t, c, p.ID, mr.IID)
	want = append([]string{"merge_request_event@" + second.ID[:8], "push@" + second.ID[:8]}, want...)
	if strings.Join(desc, " ") != strings.Join(want, " ") {
		t.Fatalf("pipelines after a push: %v, want %v", desc, want)
	}
	mr2 := list[0]
	got, _, err := c.MergeRequests.GetMergeRequest(p.ID, mr.IID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.HeadPipeline == nil || got.HeadPipeline.ID != mr2.ID || got.HeadPipeline.Source != "merge_request_event" ||
		got.Pipeline == nil || got.Pipeline.ID != mr2.ID {
		t.Fatalf("head_pipeline %+v pipeline %+v, want %d", got.HeadPipeline, got.Pipeline, mr2.ID)
	}
	pipelineWait(t, c, p.ID, mr2.ID, "success")

	// POST runs one more at the same head, which becomes the head
	// pipeline.
	mr3, resp, err := c.MergeRequests.CreateMergeRequestPipeline(p.ID, mr.IID)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("create merge request pipeline: %v", err)
	}
	if mr3.Source != "merge_request_event" || mr3.SHA != second.ID || mr3.Ref != "refs/merge-requests/1/head" {
		t.Fatalf("created pipeline: %+v", mr3)
	}
	pipelineWait(t, c, p.ID, mr3.ID, "success")
	got, _, err = c.MergeRequests.GetMergeRequest(p.ID, mr.IID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.HeadPipeline == nil || got.HeadPipeline.ID != mr3.ID || got.HeadPipeline.Status != "success" {
		t.Fatalf("head_pipeline after POST: %+v, want %d", got.HeadPipeline, mr3.ID)
	}
	if got.DetailedMergeStatus != "mergeable" {
		t.Fatalf("detailed_merge_status %q with a passed head pipeline", got.DetailedMergeStatus)
	}
	merged, _, err := c.MergeRequests.AcceptMergeRequest(p.ID, mr.IID, nil)
	if err != nil || merged.State != "merged" {
		t.Fatalf("merge: %v", err)
	}
}

// TestMergeRequestPipelinesNone: a configuration without merge request
// jobs gives no merge request pipeline, POST answers GitLab's 400, and
// while the head's branch pipeline has not run the merge request waits
// for it (ci_still_running) under only_allow_merge_if_pipeline_succeeds.
func TestMergeRequestPipelinesNone(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	p, _ := pipelineProject(t, c, "nomr", map[string]string{".gitlab-ci.yml": "branch:\n  script: echo hi\n"})
	if _, _, err := c.Projects.EditProject(p.ID, &gitlab.EditProjectOptions{
		OnlyAllowMergeIfPipelineSucceeds: gitlab.Ptr(true)}); err != nil {
		t.Fatal(err)
	}
	head := mrCommit(t, c, p.ID, "feature", "a.txt", true)
	mr, _, err := c.MergeRequests.CreateMergeRequest(p.ID, &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr("a"),
		SourceBranch: gitlab.Ptr("feature"), TargetBranch: gitlab.Ptr("main")})
	if err != nil {
		t.Fatal(err)
	}
	_, desc := mrPipelineIDs(t, c, p.ID, mr.IID)
	if strings.Join(desc, " ") != "push@"+head.ID[:8] {
		t.Fatalf("pipelines: %v, want the branch's only", desc)
	}
	resp := s.Do(t, labtest.Request{Method: http.MethodPost, Token: s.RootToken,
		Path: fmt.Sprintf("/projects/%d/merge_requests/%d/pipelines", p.ID, mr.IID)})
	if resp.Status != http.StatusBadRequest || strings.TrimSpace(string(resp.Body)) != `{"message":{"base":["No stages / jobs for this pipeline."]}}` {
		t.Fatalf("POST without merge request jobs: %d %s", resp.Status, resp.Body)
	}
	if _, desc = mrPipelineIDs(t, c, p.ID, mr.IID); len(desc) != 1 {
		t.Fatalf("a refused POST left pipelines: %v", desc)
	}
	got, _, err := c.MergeRequests.GetMergeRequest(p.ID, mr.IID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.HeadPipeline == nil || got.HeadPipeline.Source != "push" || got.DetailedMergeStatus != "ci_still_running" {
		t.Fatalf("head_pipeline %+v, detailed_merge_status %q", got.HeadPipeline, got.DetailedMergeStatus)
	}
	if _, resp, err := c.MergeRequests.AcceptMergeRequest(p.ID, mr.IID, nil); err == nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("merge before the pipeline ran: %v", err)
	}
}

// TestMergeRequestRebaseSkipCI: a rebase with skip_ci moves the source
// branch without pipelines; one without runs the branch's and the merge
// request's.
func TestMergeRequestRebaseSkipCI(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	p, _ := pipelineProject(t, c, "rebased", map[string]string{".gitlab-ci.yml": mrPipelinesYAML})
	mrCommit(t, c, p.ID, "feature", "a.txt", true)
	mr, _, err := c.MergeRequests.CreateMergeRequest(p.ID, &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr("a"),
		SourceBranch: gitlab.Ptr("feature"), TargetBranch: gitlab.Ptr("main")})
	if err != nil {
		t.Fatal(err)
	}
	rebase := func(skip bool) string {
		t.Helper()
		mrCommit(t, c, p.ID, "main", fmt.Sprintf("main-%v.txt", skip), false)
		if _, err := c.MergeRequests.RebaseMergeRequest(p.ID, mr.IID, &gitlab.RebaseMergeRequestOptions{SkipCI: gitlab.Ptr(skip)}); err != nil {
			t.Fatal(err)
		}
		b, _, err := c.Branches.GetBranch(p.ID, "feature")
		if err != nil {
			t.Fatal(err)
		}
		return b.Commit.ID
	}
	// The old head's branch pipeline is no longer the merge request's
	// (its commit is not), its own pipeline stays.
	head := rebase(true)
	if _, after := mrPipelineIDs(t, c, p.ID, mr.IID); strings.Contains(strings.Join(after, " "), head[:8]) || len(after) != 1 {
		t.Fatalf("pipelines after a rebase with skip_ci to %s: %v", head[:8], after)
	}
	head = rebase(false)
	_, after := mrPipelineIDs(t, c, p.ID, mr.IID)
	want := []string{"merge_request_event@" + head[:8], "push@" + head[:8]}
	if len(after) != 3 || strings.Join(after[:2], " ") != strings.Join(want, " ") {
		t.Fatalf("pipelines after a rebase: %v, want %v and the first merge request pipeline", after, want)
	}
}
