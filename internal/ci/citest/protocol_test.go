package citest_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/lablet/lablet/internal/labtest"
)

// TestProtocolAsGitLabRunnerSpeaksIt replays the requests GitLab Runner
// sends for one job (common/network.go, network/gitlab.go) and checks the
// answers it relies on: the job payload's fields, the trace's Range and
// 416 at a wrong offset, 403 with Job-Status once the job ended, 403 for
// a wrong runner or job token.
func TestProtocolAsGitLabRunnerSpeaksIt(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	token := pipelineRunnerToken(t, s)
	p, _ := pipelineProject(t, c, "protocol", map[string]string{".gitlab-ci.yml": "job:\n  script: echo hi\n  artifacts:\n    paths: [a]\n"})

	s.Do(t, labtest.Request{Method: "POST", Path: "/jobs/request", JSON: map[string]any{"token": "glrt-wrong"}}).
		ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	resp := s.Do(t, labtest.Request{Method: "POST", Path: "/jobs/request", JSON: map[string]any{"token": token,
		"info": map[string]any{"name": "gitlab-runner", "version": "17.5.0", "executor": "shell",
			"features": map[string]any{"variables": true, "artifacts": true, "trace_checksum": true}}}})
	if resp.Status != http.StatusCreated {
		t.Fatalf("POST /jobs/request: %d %s", resp.Status, resp.Body)
	}
	if resp.Header.Get("X-GitLab-Last-Update") == "" {
		t.Error("no X-GitLab-Last-Update")
	}
	var job struct {
		ID      int64  `json:"id"`
		Token   string `json:"token"`
		JobInfo struct {
			Name      string `json:"name"`
			Stage     string `json:"stage"`
			ProjectID int64  `json:"project_id"`
		} `json:"job_info"`
		GitInfo struct {
			RepoURL  string   `json:"repo_url"`
			Ref      string   `json:"ref"`
			Sha      string   `json:"sha"`
			RefType  string   `json:"ref_type"`
			Refspecs []string `json:"refspecs"`
			Depth    int      `json:"depth"`
		} `json:"git_info"`
		RunnerInfo struct {
			Timeout int `json:"timeout"`
		} `json:"runner_info"`
		Variables []struct {
			Key    string `json:"key"`
			Value  string `json:"value"`
			Masked bool   `json:"masked"`
		} `json:"variables"`
		Steps []struct {
			Name   string   `json:"name"`
			Script []string `json:"script"`
			When   string   `json:"when"`
		} `json:"steps"`
		Artifacts []struct {
			Paths []string `json:"paths"`
			Type  string   `json:"artifact_type"`
		} `json:"artifacts"`
	}
	if err := json.Unmarshal(resp.Body, &job); err != nil {
		t.Fatal(err)
	}
	if job.JobInfo.Name != "job" || job.JobInfo.Stage != "test" || job.JobInfo.ProjectID != p.ID ||
		job.GitInfo.Ref != "main" || job.GitInfo.RefType != "branch" || len(job.GitInfo.Sha) != 40 ||
		!strings.Contains(job.GitInfo.RepoURL, "gitlab-ci-token:"+job.Token+"@") || job.RunnerInfo.Timeout != 3600 ||
		len(job.Steps) != 1 || job.Steps[0].Name != "script" || job.Steps[0].Script[0] != "echo hi" ||
		len(job.Artifacts) != 1 || job.Artifacts[0].Type != "archive" {
		t.Errorf("job payload: %s", resp.Body)
	}
	vars := map[string]string{}
	for _, v := range job.Variables {
		vars[v.Key] = v.Value
		if v.Key == "CI_JOB_TOKEN" && !v.Masked {
			t.Error("CI_JOB_TOKEN is not masked")
		}
	}
	for k, want := range map[string]string{"CI": "true", "GITLAB_CI": "true", "CI_JOB_ID": strconv.FormatInt(job.ID, 10),
		"CI_JOB_TOKEN": job.Token, "CI_COMMIT_SHA": job.GitInfo.Sha, "CI_COMMIT_REF_NAME": "main",
		"CI_PROJECT_PATH": p.PathWithNamespace, "CI_API_V4_URL": s.URL + "/api/v4", "CI_SERVER_URL": s.URL,
		"CI_PIPELINE_SOURCE": "push", "GITLAB_USER_LOGIN": "root", "CI_DEFAULT_BRANCH": "main"} {
		if vars[k] != want {
			t.Errorf("%s = %q, want %q", k, vars[k], want)
		}
	}
	path := "/jobs/" + strconv.FormatInt(job.ID, 10)

	trace := func(rng, body, tok string) *labtest.Response {
		return s.Do(t, labtest.Request{Method: "PATCH", Path: path + "/trace", RawBody: body, ContentType: "text/plain",
			Header: map[string]string{"JOB-TOKEN": tok, "Content-Range": rng}})
	}
	if r := trace("0-5", "hello\n", job.Token); r.Status != http.StatusAccepted || r.Header.Get("Range") != "0-6" ||
		r.Header.Get("Job-Status") != "running" {
		t.Errorf("first PATCH: %d Range %q Job-Status %q", r.Status, r.Header.Get("Range"), r.Header.Get("Job-Status"))
	}
	if r := trace("3-8", "again\n", job.Token); r.Status != http.StatusRequestedRangeNotSatisfiable || r.Header.Get("Range") != "0-6" {
		t.Errorf("PATCH at a wrong offset: %d Range %q, want 416 0-6", r.Status, r.Header.Get("Range"))
	}
	if r := trace("6-11", "world\n", "glcbt-wrong"); r.Status != http.StatusForbidden {
		t.Errorf("PATCH with a wrong job token: %d, want 403", r.Status)
	}
	s.Do(t, labtest.Request{Method: "PUT", Path: path, JSON: map[string]any{"token": "glcbt-wrong", "state": "success"}}).
		ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	if r := s.Do(t, labtest.Request{Method: "PUT", Path: path, JSON: map[string]any{"token": job.Token, "state": "success",
		"output": map[string]any{"checksum": "crc32:00000000", "bytesize": 6}}}); r.Status != http.StatusOK ||
		r.Header.Get("Job-Status") != "success" {
		t.Fatalf("PUT success: %d %s Job-Status %q", r.Status, r.Body, r.Header.Get("Job-Status"))
	}
	// The job ended: its token no longer appends, and the runner is told why.
	if r := trace("6-11", "world\n", job.Token); r.Status != http.StatusForbidden {
		t.Errorf("PATCH after the end: %d, want 403", r.Status)
	}
	got := pipelineTrace(t, c, p.ID, job.ID)
	if got != "hello\n" {
		t.Errorf("archived trace %q, want %q", got, "hello\n")
	}
	if r := s.Do(t, labtest.Request{Method: "POST", Path: "/jobs/request", JSON: map[string]any{"token": token}}); r.Status != http.StatusNoContent {
		t.Errorf("POST /jobs/request with nothing queued: %d, want 204", r.Status)
	}
}
