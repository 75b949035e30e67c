package hooks_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// ciRunnerToken stores an instance runner and returns its token.
func ciRunnerToken(t *testing.T, s *labtest.Server) string {
	t.Helper()
	token := auth.NewSecret("glrt-", 27)
	r := &model.Runner{RunnerType: model.RunnerInstance, TokenDigest: auth.Digest(token), RunUntagged: true,
		AccessLevel: "not_protected", RegistrationType: "authenticated_user", Description: "hooks"}
	err := s.Srv.DB.WithTx(context.Background(), func(q *store.Queries) error { return q.InsertRunner(context.Background(), r) })
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// TestPipelineAndJobHooks: a pipeline run by a runner sends its job's
// status changes as Job Hooks and the pipeline's as Pipeline Hooks, in
// GitLab's shapes, to project and group hooks that take them; the test
// triggers send the newest pipeline and job.
func TestPipelineAndJobHooks(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	setLocalHooks(t, s, true)
	mc := s.Client(t, f.Maintainer.Token)
	recv, groupRecv := newHookReceiver(t, http.StatusOK), newHookReceiver(t, http.StatusOK)
	base := "/projects/" + itoa(f.Project.ID) + "/hooks"

	// Test triggers before there is anything to send.
	hook, _, err := mc.Projects.AddProjectHook(f.Project.ID, &gitlab.AddProjectHookOptions{URL: gitlab.Ptr(recv.URL),
		PushEvents: gitlab.Ptr(false), PipelineEvents: gitlab.Ptr(true), JobEvents: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	s.Do(t, labtest.Request{Method: "POST", Path: base + "/" + itoa(hook.ID) + "/test/pipeline_events", Token: f.Maintainer.Token}).
		ExpectError(t, http.StatusUnprocessableEntity, `{"message":"Ensure the project has CI pipelines."}`)
	oc := s.Client(t, f.Owner.Token)
	if _, _, err := oc.Groups.AddGroupHook(f.Group.ID, &gitlab.AddGroupHookOptions{URL: gitlab.Ptr(groupRecv.URL),
		PushEvents: gitlab.Ptr(false), PipelineEvents: gitlab.Ptr(true)}); err != nil {
		t.Fatal(err)
	}

	if _, _, err := mc.Commits.CreateCommit(f.Project.ID, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"),
		CommitMessage: gitlab.Ptr("add ci"), Actions: []*gitlab.CommitActionOptions{{Action: gitlab.Ptr(gitlab.FileCreate),
			FilePath: gitlab.Ptr(".gitlab-ci.yml"), Content: gitlab.Ptr("build:\n  stage: test\n  script: [make]\n")}}}); err != nil {
		t.Fatal(err)
	}
	buildStatus := func(status string) func(receivedHook) bool {
		return func(r receivedHook) bool { return r.body["build_status"] == status }
	}
	pipelineStatus := func(status string) func(receivedHook) bool {
		return func(r receivedHook) bool {
			return r.body["object_attributes"].(map[string]any)["status"] == status
		}
	}
	created := recv.wait(t, "Job Hook", buildStatus("created")).body
	jobID := int64(created["build_id"].(float64))
	recv.wait(t, "Job Hook", buildStatus("pending"))
	pending := recv.wait(t, "Pipeline Hook", pipelineStatus("pending")).body
	groupRecv.wait(t, "Pipeline Hook", pipelineStatus("pending"))

	runnerToken := ciRunnerToken(t, s)
	resp := s.Do(t, labtest.Request{Method: "POST", Path: "/jobs/request", JSON: map[string]any{"token": runnerToken}})
	var job struct {
		ID    int64
		Token string
	}
	resp.JSON(t, &job)
	if job.ID != jobID {
		t.Fatalf("runner got job %d, want %d", job.ID, jobID)
	}
	running := recv.wait(t, "Job Hook", buildStatus("running")).body
	if r, _ := running["runner"].(map[string]any); r == nil || r["description"] != "hooks" || r["is_shared"] != true {
		t.Fatalf("running job's runner = %v", running["runner"])
	}
	recv.wait(t, "Pipeline Hook", pipelineStatus("running"))
	if done := s.Do(t, labtest.Request{Method: "PUT", Path: "/jobs/" + itoa(job.ID),
		JSON: map[string]any{"token": job.Token, "state": "failed", "failure_reason": "script_failure"}}); done.Status != http.StatusOK {
		t.Fatalf("PUT /jobs: %d %s", done.Status, done.Body)
	}
	failed := recv.wait(t, "Job Hook", buildStatus("failed"))
	b := failed.body
	commit, _ := b["commit"].(map[string]any)
	if b["object_kind"] != "build" || b["build_name"] != "build" || b["build_stage"] != "test" || b["ref"] != "main" ||
		b["build_failure_reason"] != "script_failure" || b["project_id"] != float64(f.Project.ID) ||
		b["pipeline_id"] != pending["object_attributes"].(map[string]any)["id"] || commit == nil ||
		strings.TrimSpace(commit["message"].(string)) != "add ci" || commit["sha"] != b["sha"] || b["build_duration"] == nil ||
		b["repository"].(map[string]any)["git_http_url"] == nil || b["retries_count"] != float64(0) {
		t.Fatalf("job payload = %v", b)
	}
	pl := recv.wait(t, "Pipeline Hook", pipelineStatus("failed")).body
	attrs := pl["object_attributes"].(map[string]any)
	builds, _ := pl["builds"].([]any)
	if pl["object_kind"] != "pipeline" || attrs["ref"] != "main" || attrs["source"] != "push" ||
		attrs["detailed_status"] != "failed" || len(builds) != 1 || attrs["finished_at"] == nil ||
		pl["commit"].(map[string]any)["title"] != "add ci" || pl["project"].(map[string]any)["id"] != float64(f.Project.ID) ||
		pl["user"].(map[string]any)["username"] != f.Maintainer.Username {
		t.Fatalf("pipeline payload = %v", pl)
	}
	if bj := builds[0].(map[string]any); bj["id"] != float64(jobID) || bj["status"] != "failed" ||
		bj["failure_reason"] != "script_failure" || bj["runner"] == nil {
		t.Fatalf("pipeline's build = %v", bj)
	}
	if st := attrs["stages"].([]any); len(st) != 1 || st[0] != "test" {
		t.Fatalf("stages = %v", st)
	}
	groupRecv.wait(t, "Pipeline Hook", pipelineStatus("failed"))
	if n := groupRecv.count("Job Hook"); n != 0 {
		t.Fatalf("a group hook without job_events got %d job events", n)
	}

	// The test triggers send the newest pipeline and job.
	for _, trigger := range []string{"pipeline_events", "job_events"} {
		if r := s.Do(t, labtest.Request{Method: "POST", Path: base + "/" + itoa(hook.ID) + "/test/" + trigger,
			Token: f.Maintainer.Token}); r.Status != http.StatusCreated {
			t.Fatalf("test/%s: %d %s", trigger, r.Status, r.Body)
		}
	}
	if n := recv.count("Pipeline Hook"); n < 4 {
		t.Fatalf("pipeline events after the test: %d", n)
	}
}
