package citest_test

import (
	"io"
	"strconv"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestArtifactsManage: a ref's newest artifacts file by path, keeping a
// job's artifacts, deleting them, and deleting a project's — which spares
// the newest successful pipeline of each ref — as GitLab's job artifacts
// API does.
func TestArtifactsManage(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 2)
	yml := `
build:
  script: mkdir out && echo "built $CI_PIPELINE_ID" > out/a.txt
  artifacts:
    paths: [out/]
    expire_in: 1 week
`
	p, info := pipelineProject(t, c, "artifacts-manage", map[string]string{".gitlab-ci.yml": yml})
	run := func(id int64) *gitlab.Job {
		t.Helper()
		if pl := pipelineWait(t, c, p.ID, id, "success", "failed", "canceled"); pl.Status != "success" {
			t.Fatalf("pipeline %d: %s", id, pl.Status)
		}
		return pipelineJobs(t, c, p.ID, id)["build"]
	}
	old := run(info.ID)
	var jobs []*gitlab.Job
	for range 2 {
		pl, _, err := c.Pipelines.CreatePipeline(p.ID, &gitlab.CreatePipelineOptions{Ref: gitlab.Ptr("main")})
		if err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, run(pl.ID))
	}
	middle, latest := jobs[0], jobs[1]

	// The ref's newest successful build's file, by path.
	opt := &gitlab.DownloadArtifactsFileOptions{Job: gitlab.Ptr("build")}
	f, _, err := c.Jobs.DownloadSingleArtifactsFileByTagOrBranch(p.ID, "main", "out/a.txt", opt)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(f); string(b) != "built "+strconv.FormatInt(latest.Pipeline.ID, 10)+"\n" {
		t.Errorf("raw file of main's newest build = %q, want pipeline %d's", b, latest.Pipeline.ID)
	}
	if _, resp, err := c.Jobs.DownloadSingleArtifactsFileByTagOrBranch(p.ID, "main", "out/missing.txt", opt); err == nil || resp.StatusCode != 404 {
		t.Errorf("a missing file: %v, want 404", err)
	}

	// Keep: the expiry goes.
	if old.ArtifactsExpireAt == nil {
		t.Fatal("expire_in: 1 week gave no artifacts_expire_at")
	}
	kept, _, err := c.Jobs.KeepArtifacts(p.ID, middle.ID)
	if err != nil {
		t.Fatal(err)
	}
	if kept.ArtifactsExpireAt != nil {
		t.Errorf("kept job's artifacts_expire_at = %v, want null", kept.ArtifactsExpireAt)
	}
	var expiring int
	if err := s.Srv.DB.SQL().QueryRow("SELECT count(*) FROM ci_job_artifacts WHERE expire_at IS NOT NULL AND job_id = " +
		strconv.FormatInt(middle.ID, 10)).Scan(&expiring); err != nil || expiring != 0 {
		t.Errorf("kept job's artifacts that still expire: %d (%v)", expiring, err)
	}

	// Delete one job's artifacts: the archive goes, the log stays, and
	// there is nothing left to keep.
	if resp, err := c.Jobs.DeleteArtifacts(p.ID, old.ID); err != nil || resp.StatusCode != 204 {
		t.Fatalf("delete job artifacts: %v", err)
	}
	if _, resp, err := c.Jobs.GetJobArtifacts(p.ID, old.ID); err == nil || resp.StatusCode != 404 {
		t.Errorf("deleted artifacts: %v, want 404", err)
	}
	if trace := pipelineTrace(t, c, p.ID, old.ID); trace == "" {
		t.Error("deleting a job's artifacts took its log too")
	}
	if _, resp, err := c.Jobs.KeepArtifacts(p.ID, old.ID); err == nil || resp.StatusCode != 404 {
		t.Errorf("keep without artifacts: %v, want 404", err)
	}

	// Delete the project's: the middle build's go (kept or not), the
	// newest successful pipeline's stay.
	if resp, err := c.Jobs.DeleteProjectArtifacts(p.ID); err != nil || resp.StatusCode != 202 {
		t.Fatalf("delete project artifacts: %v", err)
	}
	eventually(t, 20*time.Second, "the middle build's artifacts are still served", func() bool {
		_, resp, err := c.Jobs.GetJobArtifacts(p.ID, middle.ID)
		return err != nil && resp != nil && resp.StatusCode == 404
	})
	if _, _, err := c.Jobs.GetJobArtifacts(p.ID, latest.ID); err != nil {
		t.Errorf("the newest successful pipeline's artifacts: %v", err)
	}
}
