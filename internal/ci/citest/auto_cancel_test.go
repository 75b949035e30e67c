package citest_test

import (
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// autoCancelYAML's work job sleeps until its commit holds the file
// "fast"; INTERRUPTIBLE stands for its interruptible keyword. Its deploy
// job, never interruptible, waits in the next stage.
const autoCancelYAML = `
stages: [work, deploy]
work:
  stage: work
  interruptible: INTERRUPTIBLE
  script:
    - test -f fast || sleep 120
deploy:
  stage: deploy
  script: echo deployed
`

// autoCancelSetUp starts a server and runner, and a project whose first
// pipeline, on main, has its work job running.
func autoCancelSetUp(t *testing.T, name, interruptible string) (*gitlab.Client, *gitlab.Project, *gitlab.PipelineInfo) {
	t.Helper()
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 3)
	yml := strings.ReplaceAll(autoCancelYAML, "INTERRUPTIBLE", interruptible)
	p, first := pipelineProject(t, c, name, map[string]string{".gitlab-ci.yml": yml})
	autoCancelWaitJob(t, c, p.ID, first.ID, "work", "running")
	return c, p, first
}

// autoCancelWaitJob waits until a pipeline's job reaches status.
func autoCancelWaitJob(t *testing.T, c *gitlab.Client, projectID, pipelineID int64, name, status string) {
	t.Helper()
	eventually(t, 60*time.Second, name+" "+status, func() bool {
		j := pipelineJobs(t, c, projectID, pipelineID)[name]
		return j != nil && j.Status == status
	})
}

// autoCancelPipelineAt is the pipeline of branch at sha.
func autoCancelPipelineAt(t *testing.T, c *gitlab.Client, projectID int64, branch, sha string) *gitlab.PipelineInfo {
	t.Helper()
	list, _, err := c.Pipelines.ListProjectPipelines(projectID, &gitlab.ListProjectPipelinesOptions{
		Ref: gitlab.Ptr(branch), SHA: gitlab.Ptr(sha)})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("pipelines of %s at %s: %d, want 1", branch, sha, len(list))
	}
	return list[0]
}

// autoCancelPasses waits until main's pipeline at sha passes.
func autoCancelPasses(t *testing.T, c *gitlab.Client, projectID int64, sha string) *gitlab.PipelineInfo {
	t.Helper()
	info := autoCancelPipelineAt(t, c, projectID, "main", sha)
	if pl := pipelineWait(t, c, projectID, info.ID, "success", "failed", "canceled"); pl.Status != "success" {
		t.Errorf("pipeline at %s: %s, want success", sha, pl.Status)
	}
	return info
}

// autoCancelStop cancels a pipeline left running, so that its runner
// stops its sleeping job.
func autoCancelStop(t *testing.T, c *gitlab.Client, projectID, pipelineID int64) {
	t.Helper()
	if _, _, err := c.Pipelines.CancelPipelineBuild(projectID, pipelineID); err != nil {
		t.Fatal(err)
	}
}

// autoCancelWant checks that a pipeline's status is want now.
func autoCancelWant(t *testing.T, c *gitlab.Client, projectID, pipelineID int64, what, want string) {
	t.Helper()
	pl, _, err := c.Pipelines.GetPipeline(projectID, pipelineID)
	if err != nil {
		t.Fatal(err)
	}
	if pl.Status != want {
		t.Errorf("%s: %s, want %s", what, pl.Status, want)
	}
}

// TestAutoCancelRedundantPipeline: a push to main cancels main's older
// pipeline, whose started job is interruptible (its deploy job, not yet
// started, does not hold it), while its runner is running it; the new
// pipeline passes; another branch's pipeline at the same commit as the
// old one runs on.
func TestAutoCancelRedundantPipeline(t *testing.T) {
	c, p, first := autoCancelSetUp(t, "autocancel", "true")
	other := mrCommit(t, c, p.ID, "other", "other.txt", true)
	otherPl := autoCancelPipelineAt(t, c, p.ID, "other", other.ID)
	autoCancelWaitJob(t, c, p.ID, otherPl.ID, "work", "running")

	second := mrCommit(t, c, p.ID, "main", "fast", false)
	// The push cancels before it answers.
	autoCancelWant(t, c, p.ID, first.ID, "first pipeline after the second push", "canceled")
	jobs := pipelineJobs(t, c, p.ID, first.ID)
	if jobs["work"].Status != "canceled" || jobs["deploy"].Status != "canceled" {
		t.Errorf("first pipeline's jobs: work %s deploy %s, want canceled", jobs["work"].Status, jobs["deploy"].Status)
	}
	autoCancelPasses(t, c, p.ID, second.ID)
	autoCancelWant(t, c, p.ID, otherPl.ID, "other branch's pipeline", "running")
	autoCancelStop(t, c, p.ID, otherPl.ID)
}

// TestAutoCancelKeepsUninterruptible: an older pipeline whose running job
// is not interruptible is not canceled by a newer commit; both pass.
func TestAutoCancelKeepsUninterruptible(t *testing.T) {
	c, p, first := autoCancelSetUp(t, "keep", "false")
	second := mrCommit(t, c, p.ID, "main", "fast", false)
	autoCancelWant(t, c, p.ID, first.ID, "first pipeline after the second push", "running")
	autoCancelPasses(t, c, p.ID, second.ID)
	autoCancelWant(t, c, p.ID, first.ID, "first pipeline after the second passed", "running")
	autoCancelStop(t, c, p.ID, first.ID)
}

// TestAutoCancelDisabled: with the project's auto_cancel_pending_pipelines
// disabled, a newer commit cancels nothing.
func TestAutoCancelDisabled(t *testing.T) {
	c, p, first := autoCancelSetUp(t, "disabled", "true")
	if _, _, err := c.Projects.EditProject(p.ID, &gitlab.EditProjectOptions{
		AutoCancelPendingPipelines: gitlab.Ptr("disabled")}); err != nil {
		t.Fatal(err)
	}
	second := mrCommit(t, c, p.ID, "main", "fast", false)
	autoCancelWant(t, c, p.ID, first.ID, "first pipeline after the second push", "running")
	autoCancelPasses(t, c, p.ID, second.ID)
	autoCancelStop(t, c, p.ID, first.ID)
}

// TestAutoCancelChildPipelines: a push cancels the older pipeline whose
// only job is a bridge, and its child pipeline, judged on its own
// interruptible job; the new pipeline's own child pipeline, created
// after it, cancels nothing, and both pass.
func TestAutoCancelChildPipelines(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 2)
	p, first := pipelineProject(t, c, "children", map[string]string{
		".gitlab-ci.yml": "child:\n  trigger:\n    include: child.yml\n    strategy: depend\n",
		"child.yml":      "work:\n  interruptible: true\n  script: test -f fast || sleep 120\n"})
	firstChild := downstreamWaitBridge(t, c, p.ID, first.ID, "child").DownstreamPipeline
	autoCancelWaitJob(t, c, p.ID, firstChild.ID, "work", "running")

	second := mrCommit(t, c, p.ID, "main", "fast", false)
	for what, id := range map[string]int64{"parent": first.ID, "child": firstChild.ID} {
		autoCancelWant(t, c, p.ID, id, "first "+what+" pipeline after the second push", "canceled")
	}
	secondPl := autoCancelPasses(t, c, p.ID, second.ID)
	secondChild := downstreamWaitBridge(t, c, p.ID, secondPl.ID, "child").DownstreamPipeline
	autoCancelWant(t, c, p.ID, secondChild.ID, "second child pipeline", "success")
}

// autoCancelOnNewCommitYAML has two jobs sleeping side by side until
// their commit holds "fast", stop interruptible; ON_NEW_COMMIT stands for
// workflow:auto_cancel:on_new_commit and KEEP for keep's interruptible.
const autoCancelOnNewCommitYAML = `
workflow:
  auto_cancel:
    on_new_commit: ON_NEW_COMMIT
stop:
  interruptible: true
  script: test -f fast || sleep 120
keep:
  interruptible: KEEP
  script: test -f fast || sleep 120
`

// TestAutoCancelOnNewCommit: with workflow:auto_cancel:on_new_commit
// interruptible a newer commit cancels the older pipeline's
// interruptible job only, though its other job has started (conservative
// would cancel nothing); with none it cancels nothing, though every job
// is interruptible (conservative would cancel all).
func TestAutoCancelOnNewCommit(t *testing.T) {
	for _, tc := range []struct {
		mode, keepInterruptible string
		want                    map[string]string
	}{
		{"interruptible", "false", map[string]string{"stop": "canceled", "keep": "running"}},
		{"none", "true", map[string]string{"stop": "running", "keep": "running"}},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			s := labtest.Start(t)
			c := s.Client(t, s.RootToken)
			pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 3)
			yml := strings.NewReplacer("ON_NEW_COMMIT", tc.mode, "KEEP", tc.keepInterruptible).Replace(autoCancelOnNewCommitYAML)
			p, first := pipelineProject(t, c, "oncommit", map[string]string{".gitlab-ci.yml": yml})
			autoCancelWaitJob(t, c, p.ID, first.ID, "stop", "running")
			autoCancelWaitJob(t, c, p.ID, first.ID, "keep", "running")
			second := mrCommit(t, c, p.ID, "main", "fast", false)
			jobs := pipelineJobs(t, c, p.ID, first.ID)
			for name, status := range tc.want {
				if jobs[name].Status != status {
					t.Errorf("first pipeline's %s after the second push: %s, want %s", name, jobs[name].Status, status)
				}
			}
			autoCancelWant(t, c, p.ID, first.ID, "first pipeline", "running")
			autoCancelPasses(t, c, p.ID, second.ID)
			autoCancelStop(t, c, p.ID, first.ID)
		})
	}
}
