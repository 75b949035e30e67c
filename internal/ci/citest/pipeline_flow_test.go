package citest_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestPipelineFailureAndRetry: a failing job fails the pipeline and skips
// the stages after it; once the cause is gone, retrying the pipeline runs
// the failed job again and the skipped ones after it.
func TestPipelineFailureAndRetry(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 2)
	marker := filepath.Join(t.TempDir(), "pass")
	yml := `
stages: [check, after]
check:
  stage: check
  script:
    - test -f ` + marker + ` && echo passing
after:
  stage: after
  script: echo after
`
	p, info := pipelineProject(t, c, "retry", map[string]string{".gitlab-ci.yml": yml})
	pl := pipelineWait(t, c, p.ID, info.ID, "success", "failed", "canceled")
	if pl.Status != "failed" {
		t.Fatalf("pipeline %s, want failed", pl.Status)
	}
	jobs := pipelineJobs(t, c, p.ID, pl.ID)
	if jobs["check"].Status != "failed" || jobs["check"].FailureReason != "script_failure" || jobs["after"].Status != "skipped" {
		t.Fatalf("check %s (%s), after %s; want failed (script_failure), skipped",
			jobs["check"].Status, jobs["check"].FailureReason, jobs["after"].Status)
	}

	if err := os.WriteFile(marker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Pipelines.RetryPipelineBuild(p.ID, pl.ID); err != nil {
		t.Fatal(err)
	}
	pl = pipelineWait(t, c, p.ID, pl.ID, "success", "failed", "canceled")
	if pl.Status != "success" {
		t.Fatalf("retried pipeline %s, want success", pl.Status)
	}
	all, _, err := c.Jobs.ListPipelineJobs(p.ID, pl.ID, &gitlab.ListJobsOptions{IncludeRetried: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Errorf("jobs with retried ones: %d, want 3 (check twice, after once)", len(all))
	}
	jobs = pipelineJobs(t, c, p.ID, pl.ID)
	if jobs["check"].Status != "success" || jobs["after"].Status != "success" {
		t.Errorf("after retry: check %s, after %s", jobs["check"].Status, jobs["after"].Status)
	}
	if !strings.Contains(pipelineTrace(t, c, p.ID, jobs["check"].ID), "passing") {
		t.Error("the retried job's log lacks its output")
	}
}

// TestPipelineCancelKillsJob: canceling a pipeline stops its running
// job's processes on the runner, and the pipeline ends canceled.
func TestPipelineCancelKillsJob(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 1)
	pidFile := filepath.Join(t.TempDir(), "pid")
	yml := `
sleeper:
  script:
    - sleep 300 &
    - echo $! > ` + pidFile + `
    - wait
`
	p, info := pipelineProject(t, c, "cancel", map[string]string{".gitlab-ci.yml": yml})
	pid := 0
	deadline := time.Now().Add(60 * time.Second)
	for pid == 0 {
		if b, err := os.ReadFile(pidFile); err == nil && len(strings.TrimSpace(string(b))) > 0 {
			pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		}
		if time.Now().After(deadline) {
			t.Fatal("the job never started its sleep")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, _, err := c.Pipelines.CancelPipelineBuild(p.ID, info.ID); err != nil {
		t.Fatal(err)
	}
	pl := pipelineWait(t, c, p.ID, info.ID, "canceled", "success", "failed")
	if pl.Status != "canceled" {
		t.Fatalf("pipeline %s, want canceled", pl.Status)
	}
	for deadline := time.Now().Add(30 * time.Second); syscall.Kill(pid, 0) == nil; {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatal("the canceled job's sleep is still running")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestPipelineManualAndDelayed: a manual job waits for a play (and, as
// it may fail by default, does not hold the pipeline back); a delayed
// job starts by itself once its start_in passed, soon after.
func TestPipelineManualAndDelayed(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 2)
	yml := `
build:
  stage: build
  script: echo built
deploy:
  stage: deploy
  script: echo deployed by $GITLAB_USER_LOGIN
  when: manual
later:
  stage: deploy
  script: echo later
  when: delayed
  start_in: 1 second
`
	p, info := pipelineProject(t, c, "manual", map[string]string{".gitlab-ci.yml": yml})
	pl := pipelineWait(t, c, p.ID, info.ID, "success", "failed", "canceled")
	if pl.Status != "success" {
		t.Fatalf("pipeline %s, want success (the manual job may fail, so it does not block)", pl.Status)
	}
	jobs := pipelineJobs(t, c, p.ID, pl.ID)
	if jobs["deploy"].Status != "manual" {
		t.Fatalf("deploy is %s, want manual", jobs["deploy"].Status)
	}
	// The delayed job is scheduled when build finishes (plus the
	// pipeline's processing); River's ci_housekeeping, every second,
	// starts it, so its start lags by that period, a fetch poll and a
	// runner poll: about 3 seconds idle. The bound leaves room for the
	// race detector on two busy cores (4.4 s seen in CI) while still
	// failing a start left to a slower period or to nothing at all.
	if later := jobs["later"]; later.Status != "success" || later.StartedAt == nil ||
		later.StartedAt.Sub(*jobs["build"].FinishedAt) < time.Second ||
		later.StartedAt.Sub(*jobs["build"].FinishedAt) > 10*time.Second {
		t.Errorf("later: %s, started %v, build finished %v; want success 1 to 10 seconds after build",
			later.Status, later.StartedAt, jobs["build"].FinishedAt)
	}
	eventually(t, 5*time.Second, "no ci_housekeeping run completed on River", func() bool { return riverRuns(t, s, "ci_housekeeping") > 0 })
	// Played by another Maintainer, the job becomes theirs (its user, and
	// GITLAB_USER_LOGIN in its log), as GitLab's play does.
	player := s.NewUser(t, "player")
	pipelineMembers(t, c, p.ID, map[*labtest.User]gitlab.AccessLevelValue{player: gitlab.MaintainerPermissions})
	played, _, err := s.Client(t, player.Token).Jobs.PlayJob(p.ID, jobs["deploy"].ID, &gitlab.PlayJobOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if played.User == nil || played.User.ID != player.ID {
		t.Errorf("played job's user %+v, want %s", played.User, player.Username)
	}
	for deadline := time.Now().Add(60 * time.Second); ; {
		j, _, err := c.Jobs.GetJob(p.ID, jobs["deploy"].ID)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status == "success" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("played job is %s", j.Status)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(pipelineTrace(t, c, p.ID, jobs["deploy"].ID), "deployed by player") {
		t.Error("the played job's log lacks its output")
	}
	// A job that is not manual does not play.
	resp := s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + strconv.FormatInt(p.ID, 10) + "/jobs/" +
		strconv.FormatInt(jobs["build"].ID, 10) + "/play", Token: s.RootToken})
	resp.ExpectError(t, 400, `{"message":"400 Bad request - Unplayable Job"}`)
}
