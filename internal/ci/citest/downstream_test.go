package citest_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// downstreamBridges returns a pipeline's bridges by name.
func downstreamBridges(t *testing.T, c *gitlab.Client, projectID, pipelineID int64) map[string]*gitlab.Bridge {
	t.Helper()
	list, _, err := c.Jobs.ListPipelineBridges(projectID, pipelineID, &gitlab.ListJobsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*gitlab.Bridge{}
	for _, b := range list {
		out[b.Name] = b
	}
	return out
}

// downstreamWaitBridge polls a pipeline's bridge until it has a
// downstream pipeline or ends.
func downstreamWaitBridge(t *testing.T, c *gitlab.Client, projectID, pipelineID int64, name string) *gitlab.Bridge {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		b := downstreamBridges(t, c, projectID, pipelineID)[name]
		if b != nil && (b.DownstreamPipeline != nil || b.Status == "failed") {
			return b
		}
		if time.Now().After(deadline) {
			t.Fatalf("bridge %s of pipeline %d: %+v", name, pipelineID, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

const downstreamParentYAML = `
variables:
  FROM_PARENT: "yes"
build:
  stage: build
  script: echo built
child:
  stage: test
  trigger:
    include: ci/child.yml
    strategy: depend
`

// TestDownstreamChildPipeline: a trigger:include job creates a child
// pipeline of the same project and commit, source parent_pipeline, that
// runs on the runner with the parent's YAML variables; with strategy
// depend the bridge and the parent pass when it does. The bridges API
// shows the child; the jobs API does not list the bridge; the pipeline
// list filters by source.
func TestDownstreamChildPipeline(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 2)
	p, info := pipelineProject(t, c, "parent", map[string]string{".gitlab-ci.yml": downstreamParentYAML,
		"ci/child.yml": "include: ci/inner.yml\n", "ci/inner.yml": "inner:\n  script: echo \"inner parent=$FROM_PARENT source=$CI_PIPELINE_SOURCE\"\n"})
	parent := pipelineWait(t, c, p.ID, info.ID, "success", "failed", "canceled")
	bridge := downstreamBridges(t, c, p.ID, parent.ID)["child"]
	if parent.Status != "success" || bridge == nil || bridge.Status != "success" || bridge.DownstreamPipeline == nil {
		t.Fatalf("parent %s, bridge %+v", parent.Status, bridge)
	}
	ds := bridge.DownstreamPipeline
	if ds.ProjectID != p.ID || ds.SHA != parent.SHA || ds.Ref != "main" || ds.Status != "success" ||
		!strings.HasSuffix(ds.WebURL, "/-/pipelines/"+strconv.FormatInt(ds.ID, 10)) {
		t.Errorf("downstream pipeline %+v, parent sha %s", ds, parent.SHA)
	}
	if bridge.Pipeline.ID != parent.ID || bridge.Stage != "test" {
		t.Errorf("bridge pipeline %d stage %s", bridge.Pipeline.ID, bridge.Stage)
	}
	child, _, err := c.Pipelines.GetPipeline(p.ID, ds.ID)
	if err != nil {
		t.Fatal(err)
	}
	if child.Source != "parent_pipeline" {
		t.Errorf("child source %q", child.Source)
	}
	jobs := pipelineJobs(t, c, p.ID, child.ID)
	if jobs["inner"] == nil || !strings.Contains(pipelineTrace(t, c, p.ID, jobs["inner"].ID), "inner parent=yes source=parent_pipeline") {
		t.Errorf("child jobs %v", jobs)
	}
	if parentJobs := pipelineJobs(t, c, p.ID, parent.ID); len(parentJobs) != 1 || parentJobs["build"] == nil {
		t.Errorf("parent's jobs list %v, want build only", parentJobs)
	}
	list, _, err := c.Pipelines.ListProjectPipelines(p.ID, &gitlab.ListProjectPipelinesOptions{
		Source: gitlab.Ptr("parent_pipeline")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != child.ID {
		t.Errorf("parent_pipeline pipelines %v", list)
	}
	// The ref's latest pipeline and the commit's last_pipeline are the
	// parent, newer child or not (GitLab's ci_sources leave children out).
	latest, _, err := c.Pipelines.GetLatestPipeline(p.ID, &gitlab.GetLatestPipelineOptions{Ref: gitlab.Ptr("main")})
	if err != nil || latest.ID != parent.ID {
		t.Errorf("latest pipeline of main %v (%v), want the parent %d", latest, err, parent.ID)
	}
	commit, _, err := c.Commits.GetCommit(p.ID, parent.SHA, nil)
	if err != nil || commit.LastPipeline == nil || commit.LastPipeline.ID != parent.ID {
		t.Errorf("commit's last_pipeline %v (%v), want the parent %d", commit, err, parent.ID)
	}
	// A scope keeps the bridges of that status.
	failed, _, err := c.Jobs.ListPipelineBridges(p.ID, parent.ID, &gitlab.ListJobsOptions{
		Scope: &[]gitlab.BuildStateValue{gitlab.Failed}})
	if err != nil || len(failed) != 0 {
		t.Errorf("failed bridges %v %v", failed, err)
	}
	resp := s.Do(t, labtest.Request{Method: "GET", Path: "/projects/" + strconv.FormatInt(p.ID, 10) + "/pipelines/" + strconv.FormatInt(parent.ID+1000, 10) +
		"/bridges", Token: s.RootToken})
	resp.ExpectError(t, 404, `{"message":"404 Not Found"}`)
}

// TestDownstreamFailures: with strategy depend a failing child fails the
// bridge and the parent; without it the bridge passes once the child
// exists; a missing child file leaves a failed child showing the include
// error and fails the bridge with downstream_pipeline_creation_failed;
// a retry of the parent retries its failed bridges; child pipelines nest
// two deep at most.
func TestDownstreamFailures(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 2)
	yml := `
depend:
  trigger:
    include: failing.yml
    strategy: depend
detached:
  trigger:
    include: failing.yml
missing:
  trigger:
    include:
      - local: nope.yml
nested:
  trigger:
    include: level1.yml
`
	p, info := pipelineProject(t, c, "failures", map[string]string{".gitlab-ci.yml": yml,
		"failing.yml": "boom:\n  script: exit 1\n",
		"level1.yml":  "down:\n  trigger:\n    include: level2.yml\n",
		"level2.yml":  "down:\n  trigger:\n    include: level3.yml\n",
		"level3.yml":  "never:\n  script: echo too deep\n"})
	parent := pipelineWait(t, c, p.ID, info.ID, "success", "failed", "canceled")
	bridges := downstreamBridges(t, c, p.ID, parent.ID)
	if parent.Status != "failed" || len(bridges) != 4 {
		t.Fatalf("parent %s, bridges %v", parent.Status, bridges)
	}
	if b := bridges["depend"]; b.Status != "failed" || b.DownstreamPipeline == nil || b.DownstreamPipeline.Status != "failed" {
		t.Errorf("depend bridge %+v", b)
	}
	if b := bridges["detached"]; b.Status != "success" || b.DownstreamPipeline == nil {
		t.Errorf("detached bridge %+v", b)
	} else {
		pipelineWait(t, c, p.ID, b.DownstreamPipeline.ID, "failed")
	}
	if b := bridges["missing"]; b.Status != "failed" || b.FailureReason != "downstream_pipeline_creation_failed" ||
		b.DownstreamPipeline == nil {
		t.Errorf("missing bridge %+v", b)
	} else {
		child, _, err := c.Pipelines.GetPipeline(p.ID, b.DownstreamPipeline.ID)
		if err != nil {
			t.Fatal(err)
		}
		if child.Status != "failed" || !strings.Contains(child.YamlErrors, "nope.yml") {
			t.Errorf("missing child %s %q", child.Status, child.YamlErrors)
		}
	}
	// A retry of the parent runs its failed bridges again: each makes a
	// new downstream pipeline.
	if _, _, err := c.Pipelines.RetryPipelineBuild(p.ID, parent.ID); err != nil {
		t.Fatal(err)
	}
	pipelineWait(t, c, p.ID, parent.ID, "failed")
	retried := downstreamBridges(t, c, p.ID, parent.ID)
	if b := retried["depend"]; b.ID == bridges["depend"].ID || b.Status != "failed" || b.DownstreamPipeline == nil ||
		b.DownstreamPipeline.ID == bridges["depend"].DownstreamPipeline.ID {
		t.Errorf("depend bridge after retry %+v", b)
	}
	if b := retried["detached"]; b.ID != bridges["detached"].ID {
		t.Errorf("a passed bridge ran again: %+v", b)
	}

	// parent -> level1 -> level2: level2's bridge would make a third.
	level1 := downstreamWaitBridge(t, c, p.ID, parent.ID, "nested").DownstreamPipeline
	level2 := downstreamWaitBridge(t, c, p.ID, level1.ID, "down").DownstreamPipeline
	if level2 == nil {
		t.Fatal("level1's bridge created no pipeline")
	}
	deep := downstreamWaitBridge(t, c, p.ID, level2.ID, "down")
	if deep.Status != "failed" || deep.FailureReason != "reached_max_descendant_pipelines_depth" || deep.DownstreamPipeline != nil {
		t.Errorf("third level bridge %+v", deep)
	}
}

// TestDownstreamMultiProject: trigger:project runs a pipeline of the
// other project's branch as the bridge's user, source pipeline, with the
// bridge's variables; a user who can't see that project, or may not run
// pipelines there, gets GitLab's failure reasons.
func TestDownstreamMultiProject(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 2)
	down, _ := pipelineProject(t, c, "ds-down", map[string]string{".gitlab-ci.yml": `
job:
  script: echo "note=$UPSTREAM_NOTE via $CI_PIPELINE_SOURCE by $GITLAB_USER_LOGIN"
`})
	up, info := pipelineProject(t, c, "ds-up", map[string]string{".gitlab-ci.yml": `
deploy:
  variables:
    UPSTREAM_NOTE: from-up
    TARGET: ds-down
  trigger:
    project: root/$TARGET
    branch: main
    strategy: depend
`})
	pl := pipelineWait(t, c, up.ID, info.ID, "success", "failed", "canceled")
	b := downstreamBridges(t, c, up.ID, pl.ID)["deploy"]
	if pl.Status != "success" || b == nil || b.Status != "success" || b.DownstreamPipeline == nil ||
		b.DownstreamPipeline.ProjectID != down.ID {
		t.Fatalf("upstream %s, bridge %+v", pl.Status, b)
	}
	dpl, _, err := c.Pipelines.GetPipeline(down.ID, b.DownstreamPipeline.ID)
	if err != nil {
		t.Fatal(err)
	}
	jobs := pipelineJobs(t, c, down.ID, dpl.ID)
	if dpl.Source != "pipeline" || dpl.Ref != "main" || jobs["job"] == nil ||
		!strings.Contains(pipelineTrace(t, c, down.ID, jobs["job"].ID), "note=from-up via pipeline by root") {
		t.Errorf("downstream pipeline %s %s, jobs %v", dpl.Source, dpl.Ref, jobs)
	}

	// A Maintainer of the upstream project only (main is protected).
	dev := s.NewUser(t, "dev")
	if _, _, err := c.ProjectMembers.AddProjectMember(up.ID, &gitlab.AddProjectMemberOptions{UserID: gitlab.Ptr(dev.ID),
		AccessLevel: gitlab.Ptr(gitlab.MaintainerPermissions)}); err != nil {
		t.Fatal(err)
	}
	dc := s.Client(t, dev.Token)
	run := func() *gitlab.Bridge {
		t.Helper()
		pl, _, err := dc.Pipelines.CreatePipeline(up.ID, &gitlab.CreatePipelineOptions{Ref: gitlab.Ptr("main")})
		if err != nil {
			t.Fatal(err)
		}
		pipelineWait(t, c, up.ID, pl.ID, "success", "failed", "canceled")
		return downstreamBridges(t, c, up.ID, pl.ID)["deploy"]
	}
	if b := run(); b.Status != "failed" || b.FailureReason != "downstream_bridge_project_not_found" || b.DownstreamPipeline != nil {
		t.Errorf("bridge of a user who can't see the project: %+v", b)
	}
	if _, _, err := c.ProjectMembers.AddProjectMember(down.ID, &gitlab.AddProjectMemberOptions{UserID: gitlab.Ptr(dev.ID),
		AccessLevel: gitlab.Ptr(gitlab.ReporterPermissions)}); err != nil {
		t.Fatal(err)
	}
	if b := run(); b.Status != "failed" || b.FailureReason != "insufficient_bridge_permissions" {
		t.Errorf("bridge of a Reporter downstream: %+v", b)
	}
}

// TestDownstreamCancelCascades: canceling a parent cancels its running
// child pipeline and the bridge.
func TestDownstreamCancelCascades(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 2)
	p, info := pipelineProject(t, c, "cancel", map[string]string{
		".gitlab-ci.yml": "child:\n  trigger:\n    include: slow.yml\n    strategy: depend\n",
		"slow.yml":       "slow:\n  script: sleep 60\n"})
	b := downstreamWaitBridge(t, c, p.ID, info.ID, "child")
	if b.DownstreamPipeline == nil {
		t.Fatalf("bridge %+v", b)
	}
	pipelineWait(t, c, p.ID, b.DownstreamPipeline.ID, "running")
	if _, _, err := c.Pipelines.CancelPipelineBuild(p.ID, info.ID); err != nil {
		t.Fatal(err)
	}
	pipelineWait(t, c, p.ID, b.DownstreamPipeline.ID, "canceled")
	parent := pipelineWait(t, c, p.ID, info.ID, "canceled")
	if b := downstreamBridges(t, c, p.ID, parent.ID)["child"]; b.Status != "canceled" {
		t.Errorf("bridge after cancel: %s", b.Status)
	}
}

// TestDownstreamLoop: two projects that trigger each other stop when the
// chain goes round a second time, the last bridge failing with
// pipeline_loop_detected: pong's push, then ping, pong, ping, pong, ping
// by source pipeline (the third ping refuses), and ping's own push whose
// bridge found no pong yet.
func TestDownstreamLoop(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	ping, _ := pipelineProject(t, c, "ping", map[string]string{".gitlab-ci.yml": "pong:\n  trigger:\n    project: root/pong\n"})
	// The chain is created within the request of pong's first commit.
	pong, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("pong")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Commits.CreateCommit(pong.ID, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"),
		CommitMessage: gitlab.Ptr("ci"), Actions: []*gitlab.CommitActionOptions{{Action: gitlab.Ptr(gitlab.FileCreate),
			FilePath: gitlab.Ptr(".gitlab-ci.yml"), Content: gitlab.Ptr("ping:\n  trigger:\n    project: root/ping\n")}}}); err != nil {
		t.Fatal(err)
	}
	var looped *gitlab.Bridge
	total := 0
	for _, p := range []*gitlab.Project{ping, pong} {
		list, _, err := c.Pipelines.ListProjectPipelines(p.ID, &gitlab.ListProjectPipelinesOptions{})
		if err != nil {
			t.Fatal(err)
		}
		total += len(list)
		for _, pl := range list {
			for _, b := range downstreamBridges(t, c, p.ID, pl.ID) {
				if b.FailureReason == "pipeline_loop_detected" {
					looped = b
				}
			}
		}
	}
	if looped == nil || looped.DownstreamPipeline != nil || total != 7 {
		t.Fatalf("loop bridge %+v, %d pipelines", looped, total)
	}
}

// TestDownstreamManualBridge: a manual bridge waits to be played; the
// jobs API plays it, answering with the bridge and the pipeline it
// created.
func TestDownstreamManualBridge(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 1)
	p, info := pipelineProject(t, c, "manual-bridge", map[string]string{
		".gitlab-ci.yml": "later:\n  when: manual\n  trigger:\n    include: child.yml\n",
		"child.yml":      "inner:\n  script: echo inner\n"})
	pipelineWait(t, c, p.ID, info.ID, "skipped", "manual") // a manual job may fail: skipped
	b := downstreamBridges(t, c, p.ID, info.ID)["later"]
	if b == nil || b.Status != "manual" || b.DownstreamPipeline != nil {
		t.Fatalf("manual bridge %+v", b)
	}
	resp := s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + strconv.FormatInt(p.ID, 10) + "/jobs/" +
		strconv.FormatInt(b.ID, 10) + "/play", Token: s.RootToken})
	var played gitlab.Bridge
	resp.JSON(t, &played)
	if resp.Status != 200 || played.ID != b.ID || played.Status != "success" || played.DownstreamPipeline == nil {
		t.Fatalf("play: %d %s", resp.Status, resp.Body)
	}
	if pl := pipelineWait(t, c, p.ID, played.DownstreamPipeline.ID, "success", "failed"); pl.Status != "success" {
		t.Errorf("played bridge's child %s", pl.Status)
	}
	// The bridge is no build: the job endpoint does not show it.
	resp = s.Do(t, labtest.Request{Method: "GET", Path: "/projects/" + strconv.FormatInt(p.ID, 10) + "/jobs/" +
		strconv.FormatInt(b.ID, 10), Token: s.RootToken})
	resp.ExpectError(t, 404, `{"message":"404 Not Found"}`)
}
