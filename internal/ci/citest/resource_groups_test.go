package citest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// resourceYAML's deploy holds the production resource group until the
// test opens its pipeline's gate (a file), so the test decides when each
// holder ends; unit has no resource group.
const resourceYAML = `
stages: [test, deploy]
unit:
  stage: test
  script: [echo unit]
deploy:
  stage: deploy
  resource_group: production
  script:
    - for i in $(seq 600); do test -f "%s/$CI_PIPELINE_ID" && break; sleep 0.1; done
    - test -f "%[1]s/$CI_PIPELINE_ID"
`

// resourceJobWait polls a pipeline's job until it has status.
func resourceJobWait(t *testing.T, c *gitlab.Client, projectID, pipelineID int64, name, status string) *gitlab.Job {
	t.Helper()
	var j *gitlab.Job
	eventually(t, 90*time.Second, fmt.Sprintf("job %s of pipeline %d is not %s", name, pipelineID, status), func() bool {
		j = pipelineJobs(t, c, projectID, pipelineID)[name]
		return j != nil && j.Status == status
	})
	return j
}

// TestResourceGroupOneHolderAtATime: of four pipelines whose deploy job
// is in the production resource group, with a runner that runs two jobs
// at once, one deploy runs while the others wait for the resource
// (their pipelines showing waiting_for_resource), a job without resource
// group runs meanwhile, a waiting job can be canceled, and the group
// passes to the oldest waiting job when its holder ends: the deploys
// never overlap.
func TestResourceGroupOneHolderAtATime(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 2)
	gates := t.TempDir()
	open := func(pipelineID int64) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(gates, strconv.FormatInt(pipelineID, 10)), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p, first := pipelineProject(t, c, "deployer", map[string]string{".gitlab-ci.yml": fmt.Sprintf(resourceYAML, gates)})
	resourceJobWait(t, c, p.ID, first.ID, "deploy", "running")

	ids := []int64{first.ID}
	for range 3 {
		pl, _, err := c.Pipelines.CreatePipeline(p.ID, &gitlab.CreatePipelineOptions{Ref: gitlab.Ptr("main")})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, pl.ID)
	}
	// The others' unit jobs run while the first deploy holds the group;
	// their deploys wait, and so do their pipelines.
	for _, id := range ids[1:] {
		resourceJobWait(t, c, p.ID, id, "unit", "success")
		resourceJobWait(t, c, p.ID, id, "deploy", "waiting_for_resource")
		pipelineWait(t, c, p.ID, id, "waiting_for_resource")
	}
	if j := pipelineJobs(t, c, p.ID, first.ID)["deploy"]; j.Status != "running" {
		t.Fatalf("first deploy is %s while the others wait, want running", j.Status)
	}

	// A waiting job is canceled; it never takes the group.
	canceled := pipelineJobs(t, c, p.ID, ids[3])["deploy"]
	if j, _, err := c.Jobs.CancelJob(p.ID, canceled.ID); err != nil || j.Status != "canceled" {
		t.Fatalf("cancel a waiting job: %v, %+v", err, j)
	}
	pipelineWait(t, c, p.ID, ids[3], "canceled")

	// Each end passes the group to the oldest waiting deploy only.
	open(ids[0])
	resourceJobWait(t, c, p.ID, ids[1], "deploy", "running")
	if j := pipelineJobs(t, c, p.ID, ids[2])["deploy"]; j.Status != "waiting_for_resource" {
		t.Fatalf("third deploy is %s while the second holds the group, want waiting_for_resource", j.Status)
	}
	open(ids[1])
	open(ids[2])
	var deploys []*gitlab.Job
	for _, id := range ids[:3] {
		pipelineWait(t, c, p.ID, id, "success")
		deploys = append(deploys, pipelineJobs(t, c, p.ID, id)["deploy"])
	}
	for i := 1; i < len(deploys); i++ {
		before, after := deploys[i-1], deploys[i]
		if after.StartedAt == nil || before.FinishedAt == nil || after.StartedAt.Before(*before.FinishedAt) {
			t.Errorf("deploy %d started at %v, before deploy %d finished at %v", after.ID, after.StartedAt,
				before.ID, before.FinishedAt)
		}
	}
	if j := pipelineJobs(t, c, p.ID, ids[3])["deploy"]; j.Status != "canceled" || j.StartedAt != nil {
		t.Errorf("canceled deploy is %s, started at %v", j.Status, j.StartedAt)
	}
	// unit of the second pipeline ran while the first deploy held the group.
	unit := pipelineJobs(t, c, p.ID, ids[1])["unit"]
	if unit.FinishedAt == nil || !unit.FinishedAt.Before(*deploys[0].FinishedAt) {
		t.Errorf("unit without resource group finished at %v, after the holder's end %v", unit.FinishedAt,
			deploys[0].FinishedAt)
	}
}

// TestResourceGroupDeletedHolder: deleting the pipeline of the job that
// holds a resource group passes the group to the job waiting for it.
func TestResourceGroupDeletedHolder(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 2)
	gates := t.TempDir()
	p, first := pipelineProject(t, c, "deleter", map[string]string{".gitlab-ci.yml": fmt.Sprintf(resourceYAML, gates)})
	resourceJobWait(t, c, p.ID, first.ID, "deploy", "running")
	second, _, err := c.Pipelines.CreatePipeline(p.ID, &gitlab.CreatePipelineOptions{Ref: gitlab.Ptr("main")})
	if err != nil {
		t.Fatal(err)
	}
	resourceJobWait(t, c, p.ID, second.ID, "deploy", "waiting_for_resource")
	if _, err := c.Pipelines.DeletePipeline(p.ID, first.ID); err != nil {
		t.Fatal(err)
	}
	resourceJobWait(t, c, p.ID, second.ID, "deploy", "running")
	if err := os.WriteFile(filepath.Join(gates, strconv.FormatInt(second.ID, 10)), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	pipelineWait(t, c, p.ID, second.ID, "success")
}

// TestResourceGroupPlayedJobWaits: a manual job of a resource group,
// played while another job holds the group, waits for it, then runs.
func TestResourceGroupPlayedJobWaits(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 2)
	gates := t.TempDir()
	yml := fmt.Sprintf(resourceYAML, gates) + `
rollback:
  stage: deploy
  when: manual
  resource_group: production
  script: [echo rollback]
`
	p, pl := pipelineProject(t, c, "player", map[string]string{".gitlab-ci.yml": yml})
	resourceJobWait(t, c, p.ID, pl.ID, "deploy", "running")
	rollback := resourceJobWait(t, c, p.ID, pl.ID, "rollback", "manual")
	if j, _, err := c.Jobs.PlayJob(p.ID, rollback.ID, nil); err != nil || j.Status != "waiting_for_resource" {
		t.Fatalf("play while deploy holds the group: %v, %+v", err, j)
	}
	if err := os.WriteFile(filepath.Join(gates, strconv.FormatInt(pl.ID, 10)), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	pipelineWait(t, c, p.ID, pl.ID, "success")
	jobs := pipelineJobs(t, c, p.ID, pl.ID)
	if r := jobs["rollback"]; r.Status != "success" || r.StartedAt.Before(*jobs["deploy"].FinishedAt) {
		t.Errorf("rollback %s, started at %v, deploy finished at %v", r.Status, r.StartedAt, jobs["deploy"].FinishedAt)
	}
}
