package citest_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/runner"
	"github.com/lablet/lablet/internal/store"
)

// pipelineRunnerToken stores an instance runner and returns its token.
func pipelineRunnerToken(t *testing.T, s *labtest.Server, tags ...string) string {
	t.Helper()
	token := auth.NewSecret("glrt-", 27)
	r := &model.Runner{RunnerType: model.RunnerInstance, TokenDigest: auth.Digest(token), RunUntagged: true,
		AccessLevel: "not_protected", RegistrationType: "authenticated_user", Tags: tags, Description: "e2e"}
	err := s.Srv.DB.WithTx(context.Background(), func(q *store.Queries) error { return q.InsertRunner(context.Background(), r) })
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// pipelineStartRunner runs `lablet runner run`'s loop in-process against
// s until the test ends.
func pipelineStartRunner(t *testing.T, s *labtest.Server, token string, concurrent int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	logOut := io.Discard
	if os.Getenv("LABLET_TEST_LOG") != "" {
		logOut = os.Stderr
	}
	cfg := runner.Config{Concurrent: concurrent, PollInterval: 200 * time.Millisecond, Version: "test",
		Runners: []runner.RunnerConfig{{Name: "e2e", URL: s.URL, Token: token, Executor: "shell",
			BuildsDir: t.TempDir(), CacheDir: t.TempDir()}}}
	go func() { done <- runner.Run(ctx, cfg, slog.New(slog.NewTextHandler(logOut, nil))) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("runner did not stop")
		}
	})
}

// pipelineProject creates a project whose main branch holds files, and
// returns it with the pipeline that commit started.
func pipelineProject(t *testing.T, c *gitlab.Client, name string, files map[string]string) (*gitlab.Project, *gitlab.PipelineInfo) {
	t.Helper()
	p, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr(name)})
	if err != nil {
		t.Fatal(err)
	}
	var actions []*gitlab.CommitActionOptions
	for path, content := range files {
		actions = append(actions, &gitlab.CommitActionOptions{Action: gitlab.Ptr(gitlab.FileCreate),
			FilePath: gitlab.Ptr(path), Content: gitlab.Ptr(content)})
	}
	if _, _, err := c.Commits.CreateCommit(p.ID, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"),
		CommitMessage: gitlab.Ptr("ci"), Actions: actions}); err != nil {
		t.Fatal(err)
	}
	list, _, err := c.Pipelines.ListProjectPipelines(p.ID, &gitlab.ListProjectPipelinesOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("pipelines after the first commit: %d, want 1", len(list))
	}
	return p, list[0]
}

// pipelineMembers makes each user a member of the project at its level.
func pipelineMembers(t *testing.T, c *gitlab.Client, projectID int64, levels map[*labtest.User]gitlab.AccessLevelValue) {
	t.Helper()
	for u, level := range levels {
		if _, _, err := c.ProjectMembers.AddProjectMember(projectID, &gitlab.AddProjectMemberOptions{
			UserID: gitlab.Ptr(u.ID), AccessLevel: gitlab.Ptr(level)}); err != nil {
			t.Fatal(err)
		}
	}
}

// pipelineWait polls a pipeline until it reaches one of statuses.
func pipelineWait(t *testing.T, c *gitlab.Client, projectID, pipelineID int64, statuses ...string) *gitlab.Pipeline {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		pl, _, err := c.Pipelines.GetPipeline(projectID, pipelineID)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range statuses {
			if pl.Status == s {
				return pl
			}
		}
		if time.Now().After(deadline) {
			jobs, _, _ := c.Jobs.ListPipelineJobs(projectID, pipelineID, &gitlab.ListJobsOptions{})
			for _, j := range jobs {
				t.Logf("job %s: %s", j.Name, j.Status)
			}
			t.Fatalf("pipeline %d is %s, want one of %v", pipelineID, pl.Status, statuses)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// pipelineJobs returns a pipeline's jobs by name.
func pipelineJobs(t *testing.T, c *gitlab.Client, projectID, pipelineID int64) map[string]*gitlab.Job {
	t.Helper()
	jobs, _, err := c.Jobs.ListPipelineJobs(projectID, pipelineID, &gitlab.ListJobsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*gitlab.Job{}
	for _, j := range jobs {
		out[j.Name] = j
	}
	return out
}

func pipelineTrace(t *testing.T, c *gitlab.Client, projectID, jobID int64) string {
	t.Helper()
	r, _, err := c.Jobs.GetTraceFile(projectID, jobID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	return string(b)
}

const pipelineYAML = `
stages: [build, test]
variables:
  GREETING: hello
build:
  stage: build
  script:
    - echo "$GREETING from $CI_JOB_NAME on $CI_COMMIT_REF_NAME"
    - echo "token=$CI_JOB_TOKEN"
    - mkdir -p out && echo "built-$CI_COMMIT_SHORT_SHA" > out/result.txt
    - echo "$CI_JOB_TOKEN" > out/token
  artifacts:
    paths: [out/]
test:
  stage: test
  script:
    - test "$(cat out/result.txt)" = "built-$CI_COMMIT_SHORT_SHA"
    - 'curl -sf -H "JOB-TOKEN: $CI_JOB_TOKEN" "$CI_API_V4_URL/job" > job.json'
    - grep -q '"name":"test"' job.json && echo job token works
lint:
  stage: test
  script:
    - echo linting
    - exit 3
  allow_failure: true
`

// TestPipelineEndToEnd pushes a .gitlab-ci.yml through the API and lets
// the built-in runner run it: artifacts pass from build to test, the job
// token fetches the repository and calls the API while its job runs and
// stops working after, it never shows in a log, and a job allowed to fail
// leaves the pipeline passed.
func TestPipelineEndToEnd(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 2)
	p, info := pipelineProject(t, c, "e2e", map[string]string{".gitlab-ci.yml": pipelineYAML})
	if info.Source != "push" || info.Ref != "main" {
		t.Errorf("pipeline source %q ref %q, want push main", info.Source, info.Ref)
	}
	pl := pipelineWait(t, c, p.ID, info.ID, "success", "failed", "canceled")
	if pl.Status != "success" {
		for n, j := range pipelineJobs(t, c, p.ID, pl.ID) {
			t.Logf("%s: %s %v\n%s", n, j.Status, j.FailureReason, pipelineTrace(t, c, p.ID, j.ID))
		}
		t.Fatalf("pipeline %s (yaml errors %q), want success", pl.Status, pl.YamlErrors)
	}
	jobs := pipelineJobs(t, c, p.ID, pl.ID)
	if len(jobs) != 3 || jobs["build"].Status != "success" || jobs["test"].Status != "success" ||
		jobs["lint"].Status != "failed" || !jobs["lint"].AllowFailure {
		for n, j := range jobs {
			t.Logf("%s: %s allow_failure=%v", n, j.Status, j.AllowFailure)
		}
		t.Fatal("jobs did not end as expected")
	}
	build := pipelineTrace(t, c, p.ID, jobs["build"].ID)
	if !strings.Contains(build, "hello from build on main") {
		t.Errorf("build log lacks its output:\n%s", build)
	}
	if !strings.Contains(build, "token=[MASKED]") {
		t.Errorf("build log does not mask the job token:\n%s", build)
	}
	if test := pipelineTrace(t, c, p.ID, jobs["test"].ID); !strings.Contains(test, "job token works") {
		t.Errorf("test log:\n%s", test)
	}
	if lint := pipelineTrace(t, c, p.ID, jobs["lint"].ID); !strings.Contains(lint, "linting") {
		t.Errorf("lint log:\n%s", lint)
	}

	// The build's artifacts, as a user downloads them.
	zipped, _, err := c.Jobs.GetJobArtifacts(p.ID, jobs["build"].ID)
	if err != nil {
		t.Fatal(err)
	}
	files := pipelineUnzip(t, zipped)
	if got := strings.TrimSpace(files["out/result.txt"]); !strings.HasPrefix(got, "built-") {
		t.Errorf("out/result.txt = %q", got)
	}
	// One file of the archive.
	one, _, err := c.Jobs.DownloadSingleArtifactsFile(p.ID, jobs["build"].ID, "out/result.txt")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(one); string(b) != files["out/result.txt"] {
		t.Errorf("out/result.txt alone = %q, in the archive %q", b, files["out/result.txt"])
	}
	if _, resp, err := c.Jobs.DownloadSingleArtifactsFile(p.ID, jobs["build"].ID, "out/missing"); err == nil || resp.StatusCode != 404 {
		t.Errorf("a file the archive lacks: %v, want 404", err)
	}
	// The build's token ended with its job.
	token := strings.TrimSpace(files["out/token"])
	if !strings.HasPrefix(token, "glcbt-") {
		t.Fatalf("out/token = %q", token)
	}
	resp := s.Do(t, labtest.Request{Method: http.MethodGet, Path: "/job", Header: map[string]string{"JOB-TOKEN": token}})
	if resp.Status != http.StatusUnauthorized {
		t.Errorf("GET /job with a finished job's token: %d, want 401", resp.Status)
	}
}

func pipelineUnzip(t *testing.T, r io.Reader) map[string]string {
	t.Helper()
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		out[f.Name] = string(b)
	}
	return out
}
