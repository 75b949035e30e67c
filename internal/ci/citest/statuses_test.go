package citest_test

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// statusesProject creates a private project with a README on main (no CI
// config) and returns it with main's commit id.
func statusesProject(t *testing.T, c *gitlab.Client, name string) (*gitlab.Project, string) {
	t.Helper()
	p, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr(name),
		InitializeWithReadme: gitlab.Ptr(true), Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := c.Branches.GetBranch(p.ID, "main")
	if err != nil {
		t.Fatal(err)
	}
	return p, b.Commit.ID
}

// statusesSet posts a status and fails the test unless it is created.
func statusesSet(t *testing.T, c *gitlab.Client, pid int64, sha string, opt *gitlab.SetCommitStatusOptions) *gitlab.CommitStatus {
	t.Helper()
	st, _, err := c.Commits.SetCommitStatus(pid, sha, opt)
	if err != nil {
		t.Fatalf("set status %s: %v", opt.State, err)
	}
	return st
}

// statusesRaw sends a request with root's token and checks its answer.
func statusesRaw(t *testing.T, token, method, url string, code int, body string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("PRIVATE-TOKEN", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != code || strings.TrimSpace(string(got)) != body {
		t.Fatalf("%s %s: %d %s, want %d %s", method, url, resp.StatusCode, got, code, body)
	}
}

// statusesCode is the HTTP status of a failed call.
func statusesCode(t *testing.T, resp *gitlab.Response, err error, want int, message string) {
	t.Helper()
	if err == nil || resp == nil || resp.StatusCode != want {
		t.Fatalf("got %v (%v), want %d", resp, err, want)
	}
	var er *gitlab.ErrorResponse
	if message != "" && (!errors.As(err, &er) || !strings.Contains(er.Message, message)) {
		t.Fatalf("error %v, want it to say %q", err, message)
	}
}

func TestStatusesExternalPipeline(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	p, sha := statusesProject(t, c, "ext")

	st := statusesSet(t, c, p.ID, sha, &gitlab.SetCommitStatusOptions{State: gitlab.Pending,
		Name: gitlab.Ptr("ci/ext"), TargetURL: gitlab.Ptr("https://ci.example.com/1"), Description: gitlab.Ptr("queued")})
	if st.Status != "pending" || st.Name != "ci/ext" || st.Ref != "main" || st.SHA != sha ||
		st.TargetURL != "https://ci.example.com/1" || st.Description != "queued" || st.Author.Username != "root" ||
		st.PipelineID == 0 || st.CreatedAt == nil {
		t.Fatalf("created status: %+v", st)
	}
	pl, _, err := c.Pipelines.GetPipeline(p.ID, st.PipelineID)
	if err != nil {
		t.Fatal(err)
	}
	if pl.Source != "external" || pl.Status != "pending" || pl.Ref != "main" || pl.SHA != sha {
		t.Fatalf("external pipeline: source %q status %q ref %q sha %q", pl.Source, pl.Status, pl.Ref, pl.SHA)
	}

	// running moves the same status on; running again is refused as
	// GitLab's state machine refuses it.
	run := statusesSet(t, c, p.ID, sha, &gitlab.SetCommitStatusOptions{State: gitlab.Running, Name: gitlab.Ptr("ci/ext")})
	if run.ID != st.ID || run.Status != "running" || run.StartedAt == nil || run.TargetURL != st.TargetURL {
		t.Fatalf("running status: %+v (first %d)", run, st.ID)
	}
	if pl := pipelineWait(t, c, p.ID, st.PipelineID, "running"); pl.Status != "running" {
		t.Fatal(pl.Status)
	}
	_, resp, err := c.Commits.SetCommitStatus(p.ID, sha, &gitlab.SetCommitStatusOptions{State: gitlab.Running,
		Name: gitlab.Ptr("ci/ext")})
	statusesCode(t, resp, err, http.StatusBadRequest, "Cannot transition status via :run from :running")

	done := statusesSet(t, c, p.ID, sha, &gitlab.SetCommitStatusOptions{State: gitlab.Success,
		Name: gitlab.Ptr("ci/ext"), Coverage: gitlab.Ptr(81.5)})
	if done.ID != st.ID || done.Status != "success" || done.FinishedAt == nil || done.Coverage != 81.5 {
		t.Fatalf("success status: %+v", done)
	}
	pipelineWait(t, c, p.ID, st.PipelineID, "success")

	// The commit shows its newest pipeline.
	cm, _, err := c.Commits.GetCommit(p.ID, sha, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cm.LastPipeline == nil || cm.LastPipeline.ID != st.PipelineID || cm.LastPipeline.Status != "success" ||
		cm.Status == nil || *cm.Status != gitlab.Success {
		t.Fatalf("last_pipeline %+v status %v", cm.LastPipeline, cm.Status)
	}

	// A new status of the name replaces the finished one; a second name
	// that fails fails the pipeline.
	again := statusesSet(t, c, p.ID, sha, &gitlab.SetCommitStatusOptions{State: gitlab.Pending, Name: gitlab.Ptr("ci/ext")})
	if again.ID == st.ID || again.PipelineID != st.PipelineID {
		t.Fatalf("new status %d in pipeline %d, first %d in %d", again.ID, again.PipelineID, st.ID, st.PipelineID)
	}
	statusesSet(t, c, p.ID, sha, &gitlab.SetCommitStatusOptions{State: gitlab.Failed, Name: gitlab.Ptr("lint")})
	// pending and failed make a running pipeline (GitLab's
	// Ci::Status::Composite); it fails once nothing is open.
	pipelineWait(t, c, p.ID, st.PipelineID, "running")
	statusesSet(t, c, p.ID, sha, &gitlab.SetCommitStatusOptions{State: gitlab.Canceled, Name: gitlab.Ptr("ci/ext")})
	pipelineWait(t, c, p.ID, st.PipelineID, "failed")

	list, resp, err := c.Commits.GetCommitStatuses(p.ID, sha, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != again.ID || list[0].Status != "canceled" || list[1].Name != "lint" ||
		list[1].Status != "failed" ||
		resp.TotalItems != 2 {
		t.Fatalf("latest statuses: %d (total %d)", len(list), resp.TotalItems)
	}
	all, _, err := c.Commits.GetCommitStatuses(p.ID, sha, &gitlab.GetCommitStatusesOptions{All: gitlab.Ptr(true)})
	if err != nil || len(all) != 3 || all[0].ID != st.ID || all[0].Status != "success" {
		t.Fatalf("all statuses: %d, %v", len(all), err)
	}
	named, _, err := c.Commits.GetCommitStatuses(p.ID, sha, &gitlab.GetCommitStatusesOptions{Name: gitlab.Ptr("lint")})
	if err != nil || len(named) != 1 || named[0].Name != "lint" {
		t.Fatalf("statuses named lint: %d, %v", len(named), err)
	}
	staged, _, err := c.Commits.GetCommitStatuses(p.ID, sha, &gitlab.GetCommitStatusesOptions{Stage: gitlab.Ptr("test")})
	if err != nil || len(staged) != 0 {
		t.Fatalf("statuses of stage test: %d, %v", len(staged), err)
	}

	// Statuses are not jobs of the jobs API.
	jobs, _, err := c.Jobs.ListProjectJobs(p.ID, &gitlab.ListJobsOptions{})
	if err != nil || len(jobs) != 0 {
		t.Fatalf("project jobs: %d, %v", len(jobs), err)
	}
	_, resp, err = c.Jobs.GetJob(p.ID, st.ID)
	statusesCode(t, resp, err, http.StatusNotFound, "")
}

func TestStatusesErrors(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	p, sha := statusesProject(t, c, "errs")

	_, resp, err := c.Commits.SetCommitStatus(p.ID, sha, &gitlab.SetCommitStatusOptions{State: "done"})
	statusesCode(t, resp, err, http.StatusBadRequest, "state does not have a valid value")
	// client-go drops the body of a 404: these speak HTTP.
	base := s.URL + "/api/v4/projects/" + strconv.FormatInt(p.ID, 10)
	statusesRaw(t, s.RootToken, "POST", base+"/statuses/"+strings.Repeat("a", 40)+"?state=success",
		http.StatusNotFound, `{"message":"404 Commit Not Found"}`)
	statusesRaw(t, s.RootToken, "POST", base+"/statuses/"+sha+"?state=success&pipeline_id=99999",
		http.StatusNotFound, `{"message":"404 Pipeline for pipeline_id, sha and ref Not Found"}`)
	statusesRaw(t, s.RootToken, "POST", base+"/statuses/"+sha, http.StatusBadRequest, `{"error":"state is missing"}`)
	statusesRaw(t, s.RootToken, "GET", base+"/repository/commits/"+strings.Repeat("b", 40)+"/statuses",
		http.StatusNotFound, `{"message":"404 Commit Not Found"}`)
	// A refused transition leaves nothing behind.
	_, resp, err = c.Commits.SetCommitStatus(p.ID, sha, &gitlab.SetCommitStatusOptions{State: gitlab.Pending})
	if err != nil {
		t.Fatal(err)
	}
	_, resp, err = c.Commits.SetCommitStatus(p.ID, sha, &gitlab.SetCommitStatusOptions{State: gitlab.Pending})
	statusesCode(t, resp, err, http.StatusBadRequest, "Cannot transition status via :enqueue from :pending")
	list, _, err := c.Commits.GetCommitStatuses(p.ID, sha, &gitlab.GetCommitStatusesOptions{All: gitlab.Ptr(true)})
	if err != nil || len(list) != 1 || list[0].Name != "default" {
		t.Fatalf("statuses after a refused transition: %d, %v", len(list), err)
	}

	// Reporters read statuses but may not set them; outsiders see no
	// private project.
	reporter, outsider := s.NewUser(t, "reporter"), s.NewUser(t, "outsider")
	if _, _, err := c.ProjectMembers.AddProjectMember(p.ID, &gitlab.AddProjectMemberOptions{UserID: gitlab.Ptr(reporter.ID),
		AccessLevel: gitlab.Ptr(gitlab.ReporterPermissions)}); err != nil {
		t.Fatal(err)
	}
	rc := s.Client(t, reporter.Token)
	if got, _, err := rc.Commits.GetCommitStatuses(p.ID, sha, nil); err != nil || len(got) != 1 {
		t.Fatalf("reporter's list: %d, %v", len(got), err)
	}
	_, resp, err = rc.Commits.SetCommitStatus(p.ID, sha, &gitlab.SetCommitStatusOptions{State: gitlab.Success})
	statusesCode(t, resp, err, http.StatusForbidden, "")
	oc := s.Client(t, outsider.Token)
	_, resp, err = oc.Commits.GetCommitStatuses(p.ID, sha, nil)
	statusesCode(t, resp, err, http.StatusNotFound, "")
}

// A status joins the commit's CI pipeline; runners never take it, and
// the pipeline ends only once it does.
func TestStatusesJoinCIPipeline(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	p, info := pipelineProject(t, c, "joined", map[string]string{".gitlab-ci.yml": "build:\n  script: echo built\n"})

	ext := statusesSet(t, c, p.ID, info.SHA, &gitlab.SetCommitStatusOptions{State: gitlab.Pending, Name: gitlab.Ptr("deploy")})
	if ext.PipelineID != info.ID || ext.Ref != "main" {
		t.Fatalf("status in pipeline %d ref %q, want %d main", ext.PipelineID, ext.Ref, info.ID)
	}
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 1)
	deadline := time.Now().Add(90 * time.Second)
	for pipelineJobs(t, c, p.ID, info.ID)["build"].Status != "success" {
		if time.Now().After(deadline) {
			t.Fatal("build did not succeed")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if pl := pipelineWait(t, c, p.ID, info.ID, "running"); pl.Status != "running" {
		t.Fatal(pl.Status)
	}
	got, _, err := c.Commits.GetCommitStatuses(p.ID, info.SHA, &gitlab.GetCommitStatusesOptions{Name: gitlab.Ptr("deploy")})
	if err != nil || len(got) != 1 || got[0].Status != "pending" {
		t.Fatalf("deploy status after the runner ran: %+v, %v", got, err)
	}
	statusesSet(t, c, p.ID, info.SHA, &gitlab.SetCommitStatusOptions{State: gitlab.Success, Name: gitlab.Ptr("deploy"),
		PipelineID: gitlab.Ptr(info.ID)})
	pipelineWait(t, c, p.ID, info.ID, "success")
	cm, _, err := c.Commits.GetCommit(p.ID, info.SHA, nil)
	if err != nil || cm.LastPipeline == nil || cm.LastPipeline.ID != info.ID {
		t.Fatalf("last_pipeline %+v, %v", cm.LastPipeline, err)
	}
}
