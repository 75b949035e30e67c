package citest_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/store"
)

// schedulesYAML runs nightly only in scheduled pipelines.
const schedulesYAML = `
build:
  script: [echo build]
nightly:
  rules:
    - if: $CI_PIPELINE_SOURCE == "schedule"
  script:
    - echo "nightly target=$TARGET source=$CI_PIPELINE_SOURCE schedule=$CI_PIPELINE_SCHEDULE_DESCRIPTION"
`

// scheduleMakeDue moves a schedule's next run into the past through the
// store, as the time passing would.
func scheduleMakeDue(t *testing.T, s *labtest.Server, projectID, id int64) {
	t.Helper()
	ctx := context.Background()
	err := s.Srv.DB.WithTx(ctx, func(q *store.Queries) error {
		ps, err := q.PipelineSchedule(ctx, projectID, id)
		if err != nil {
			return err
		}
		past := time.Now().Add(-time.Minute).UTC()
		_, err = q.ClaimPipelineScheduleRun(ctx, id, *ps.NextRunAt, &past)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// scheduleWaitPipelines polls a schedule's pipelines until there are n.
func scheduleWaitPipelines(t *testing.T, c *gitlab.Client, projectID, id int64, n int) []*gitlab.Pipeline {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		list, _, err := c.PipelineSchedules.ListPipelinesTriggeredBySchedule(projectID, id, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) >= n {
			return list
		}
		if time.Now().After(deadline) {
			t.Fatalf("schedule %d ran %d pipelines, want %d", id, len(list), n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestSchedulesRunPipelines plays a schedule and lets a due one run by
// itself: both pipelines have source schedule, the job a rule keeps for
// schedules runs on a real runner and sees the schedule's variable, and a
// due run moves next_run_at to the cron's next time.
func TestSchedulesRunPipelines(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 2)
	p, push := pipelineProject(t, c, "nightly", map[string]string{".gitlab-ci.yml": schedulesYAML})
	pipelineWait(t, c, p.ID, push.ID, "success")
	if _, ok := pipelineJobs(t, c, p.ID, push.ID)["nightly"]; ok {
		t.Fatal("a push pipeline has the schedule-only job")
	}

	ps, resp, err := c.PipelineSchedules.CreatePipelineSchedule(p.ID, &gitlab.CreatePipelineScheduleOptions{
		Description: gitlab.Ptr("nightly"), Ref: gitlab.Ptr("main"), Cron: gitlab.Ptr("0 4 * * *")})
	triggersStatus(t, "create schedule", resp, err, http.StatusCreated)
	now := time.Now().UTC()
	want := time.Date(now.Year(), now.Month(), now.Day(), 4, 0, 0, 0, time.UTC)
	if !want.After(now) {
		want = want.AddDate(0, 0, 1)
	}
	if ps.Ref != "refs/heads/main" || ps.CronTimezone != "UTC" || !ps.Active || ps.NextRunAt == nil ||
		!ps.NextRunAt.Equal(want) || ps.Owner == nil || ps.Owner.Username != "root" {
		t.Fatalf("created schedule: %+v (next run %v, want %v)", ps, ps.NextRunAt, want)
	}
	if _, resp, err := c.PipelineSchedules.CreatePipelineScheduleVariable(p.ID, ps.ID,
		&gitlab.CreatePipelineScheduleVariableOptions{Key: gitlab.Ptr("TARGET"), Value: gitlab.Ptr("staging")}); err != nil {
		triggersStatus(t, "create variable", resp, err, http.StatusCreated)
	}

	// play: now, as the caller; the next run stays.
	r := s.Do(t, labtest.Request{Method: http.MethodPost, Path: "/projects/" + strconv.FormatInt(p.ID, 10) + "/pipeline_schedules/" +
		strconv.FormatInt(ps.ID, 10) + "/play", Token: s.RootToken})
	r.ExpectError(t, http.StatusCreated, `{"message":"201 Created"}`)
	played := scheduleWaitPipelines(t, c, p.ID, ps.ID, 1)[0]
	done := pipelineWait(t, c, p.ID, played.ID, "success", "failed")
	log := pipelineTrace(t, c, p.ID, pipelineJobs(t, c, p.ID, played.ID)["nightly"].ID)
	if done.Source != "schedule" || done.Ref != "main" || done.Status != "success" ||
		!strings.Contains(log, "nightly target=staging source=schedule schedule=nightly") {
		t.Fatalf("played pipeline: source %q ref %q status %s, log:\n%s", done.Source, done.Ref, done.Status, log)
	}
	after, _, err := c.PipelineSchedules.GetPipelineSchedule(p.ID, ps.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !after.NextRunAt.Equal(want) || after.LastPipeline == nil || after.LastPipeline.ID != played.ID {
		t.Fatalf("after play: next run %v last pipeline %+v", after.NextRunAt, after.LastPipeline)
	}

	// Due: the housekeeping runs it as the owner and sets the next run.
	scheduleMakeDue(t, s, p.ID, ps.ID)
	list := scheduleWaitPipelines(t, c, p.ID, ps.ID, 2)
	due := pipelineWait(t, c, p.ID, list[1].ID, "success", "failed")
	log = pipelineTrace(t, c, p.ID, pipelineJobs(t, c, p.ID, due.ID)["nightly"].ID)
	if due.Source != "schedule" || due.Status != "success" || due.User == nil || due.User.Username != "root" ||
		!strings.Contains(log, "nightly target=staging source=schedule") {
		t.Fatalf("scheduled pipeline: source %q status %s user %+v, log:\n%s", due.Source, due.Status, due.User, log)
	}
	after, _, err = c.PipelineSchedules.GetPipelineSchedule(p.ID, ps.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.NextRunAt == nil || !after.NextRunAt.After(time.Now()) || after.LastPipeline.ID != due.ID {
		t.Fatalf("after the due run: next run %v last pipeline %+v", after.NextRunAt, after.LastPipeline)
	}
	time.Sleep(time.Second) // the housekeeping has looked again: still two
	if got := scheduleWaitPipelines(t, c, p.ID, ps.ID, 2); len(got) != 2 {
		t.Fatalf("the due schedule ran %d pipelines, want 2", len(got))
	}
}

// TestSchedulesManage covers the schedules' API: validation errors as
// GitLab words them, time zones, scopes, who may do what, taking
// ownership, variables, and a blocked owner's schedules turning off.
func TestSchedulesManage(t *testing.T) {
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	p, _ := pipelineProject(t, root, "managed", map[string]string{".gitlab-ci.yml": "job:\n  script: [echo hi]\n"})
	if _, _, err := root.Tags.CreateTag(p.ID, &gitlab.CreateTagOptions{TagName: gitlab.Ptr("v1"), Ref: gitlab.Ptr("main")}); err != nil {
		t.Fatal(err)
	}
	maint, dev, guest, outsider := s.NewUser(t, "maint"), s.NewUser(t, "dev"), s.NewUser(t, "guest"), s.NewUser(t, "outsider")
	pipelineMembers(t, root, p.ID, map[*labtest.User]gitlab.AccessLevelValue{maint: gitlab.MaintainerPermissions,
		dev: gitlab.DeveloperPermissions, guest: gitlab.GuestPermissions})
	// dev works on a branch of their own: main is protected.
	if _, _, err := root.Branches.CreateBranch(p.ID, &gitlab.CreateBranchOptions{Branch: gitlab.Ptr("dev-work"),
		Ref: gitlab.Ptr("main")}); err != nil {
		t.Fatal(err)
	}
	base := "/projects/" + strconv.FormatInt(p.ID, 10) + "/pipeline_schedules"
	do := func(method, path, token string, body map[string]any) *labtest.Response {
		return s.Do(t, labtest.Request{Method: method, Path: base + path, Token: token, JSON: body})
	}

	// Validation, in GitLab's words.
	do("POST", "", s.RootToken, map[string]any{"ref": "main", "cron": "* * * * *"}).
		ExpectError(t, http.StatusBadRequest, `{"error":"description is missing"}`)
	do("POST", "", s.RootToken, map[string]any{"description": "d", "ref": "main", "cron": "not a cron"}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"cron":[" is invalid syntax"]}}`)
	do("POST", "", s.RootToken, map[string]any{"description": "d", "ref": "main", "cron": "@every 5m"}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"cron":[" is invalid syntax"]}}`)
	do("POST", "", s.RootToken, map[string]any{"description": "d", "ref": "main", "cron": "* * * * *",
		"cron_timezone": "Mars/Olympus"}).ExpectError(t, http.StatusBadRequest, `{"message":{"cron_timezone":[" is invalid syntax"]}}`)
	do("POST", "", s.RootToken, map[string]any{"description": "d", "ref": "nowhere", "cron": "* * * * *"}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"ref":["is ambiguous"]}}`)
	do("POST", "", dev.Token, map[string]any{"description": "d", "ref": "main", "cron": "* * * * *"}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"base":["The current user is not authorized to create the pipeline schedule"]}}`)

	// The answer of a write leaves variables out, as GitLab's does.
	if r := do("POST", "", s.RootToken, map[string]any{"description": "raw", "ref": "main", "cron": "0 0 1 1 *"}); r.Status != http.StatusCreated ||
		strings.Contains(string(r.Body), `"variables"`) || !strings.Contains(string(r.Body), `"last_pipeline":null`) {
		t.Fatalf("created schedule: %d %s", r.Status, r.Body)
	}

	// A Rails zone name, a tag, an inactive schedule.
	tokyo, resp, err := root.PipelineSchedules.CreatePipelineSchedule(p.ID, &gitlab.CreatePipelineScheduleOptions{
		Description: gitlab.Ptr("tokyo"), Ref: gitlab.Ptr("v1"), Cron: gitlab.Ptr("30 9 * * *"),
		CronTimezone: gitlab.Ptr("Tokyo"), Active: gitlab.Ptr(false)})
	triggersStatus(t, "create in Tokyo", resp, err, http.StatusCreated)
	if tokyo.Ref != "refs/tags/v1" || tokyo.Active || tokyo.NextRunAt == nil ||
		tokyo.NextRunAt.UTC().Hour() != 0 || tokyo.NextRunAt.UTC().Minute() != 30 {
		t.Fatalf("Tokyo schedule: ref %q active %v next run %v", tokyo.Ref, tokyo.Active, tokyo.NextRunAt)
	}
	mine, resp, err := s.Client(t, dev.Token).PipelineSchedules.CreatePipelineSchedule(p.ID,
		&gitlab.CreatePipelineScheduleOptions{Description: gitlab.Ptr("dev's"), Ref: gitlab.Ptr("dev-work"),
			Cron: gitlab.Ptr("@daily")})
	triggersStatus(t, "developer creates", resp, err, http.StatusCreated)
	active, _, err := root.PipelineSchedules.ListPipelineSchedules(p.ID, &gitlab.ListPipelineSchedulesOptions{
		Scope: gitlab.Ptr(gitlab.PipelineScheduleScopeValue("active"))})
	if err != nil || len(active) != 2 || active[1].ID != mine.ID {
		t.Fatalf("active schedules: %d (%v), want root's and dev's", len(active), err)
	}

	// Only the owner changes a schedule; a Maintainer takes it over.
	do("PUT", "/"+strconv.FormatInt(mine.ID, 10), maint.Token, map[string]any{"cron": "0 1 * * *"}).
		ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	do("PUT", "/"+strconv.FormatInt(mine.ID, 10), dev.Token, map[string]any{"cron": "bad"}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"cron":[" is invalid syntax"]}}`)
	upd, resp, err := s.Client(t, dev.Token).PipelineSchedules.EditPipelineSchedule(p.ID, mine.ID,
		&gitlab.EditPipelineScheduleOptions{Cron: gitlab.Ptr("0 1 * * *")})
	triggersStatus(t, "owner updates", resp, err, http.StatusOK)
	if upd.Cron != "0 1 * * *" || upd.NextRunAt.UTC().Hour() != 1 {
		t.Fatalf("updated: cron %q next run %v", upd.Cron, upd.NextRunAt)
	}
	do("DELETE", "/"+strconv.FormatInt(tokyo.ID, 10), dev.Token, nil).
		ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	taken, resp, err := s.Client(t, maint.Token).PipelineSchedules.TakeOwnershipOfPipelineSchedule(p.ID, mine.ID)
	triggersStatus(t, "take ownership", resp, err, http.StatusCreated)
	if taken.Owner == nil || taken.Owner.Username != "maint" {
		t.Fatalf("owner after take_ownership: %+v", taken.Owner)
	}
	_, resp, err = s.Client(t, maint.Token).PipelineSchedules.TakeOwnershipOfPipelineSchedule(p.ID, mine.ID)
	triggersStatus(t, "take ownership again", resp, err, http.StatusOK)
	do("PUT", "/"+strconv.FormatInt(mine.ID, 10), dev.Token, map[string]any{"cron": "0 2 * * *"}).
		ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)

	// Variables: GitLab's validation, 404 for a missing key, 202 on delete.
	vpath := "/" + strconv.FormatInt(mine.ID, 10) + "/variables"
	do("POST", vpath, maint.Token, map[string]any{"key": "BAD KEY", "value": "x"}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"key":["can contain only letters, digits and '_'."]}}`)
	do("POST", vpath, maint.Token, map[string]any{"key": "A", "value": "1", "variable_type": "yaml"}).
		ExpectError(t, http.StatusBadRequest, `{"error":"variable_type does not have a valid value"}`)
	do("POST", vpath, maint.Token, map[string]any{"key": "A", "value": "1"}).
		ExpectError(t, http.StatusCreated, `{"key":"A","value":"1","variable_type":"env_var","raw":false}`)
	do("POST", vpath, maint.Token, map[string]any{"key": "A", "value": "2"}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"key":["has already been taken"]}}`)
	do("PUT", vpath+"/A", maint.Token, map[string]any{"value": "3", "variable_type": "file"}).
		ExpectError(t, http.StatusOK, `{"key":"A","value":"3","variable_type":"file","raw":false}`)
	do("PUT", vpath+"/NONE", maint.Token, map[string]any{"value": "3"}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Pipeline Schedule Variable Not Found"}`)

	// Readers: a guest sees the schedule without its variables; the
	// owner sees them; strangers to a private project see nothing.
	r := do("GET", "/"+strconv.FormatInt(mine.ID, 10), guest.Token, nil)
	if r.Status != http.StatusOK || strings.Contains(string(r.Body), `"variables"`) {
		t.Fatalf("guest's view: %d %s", r.Status, r.Body)
	}
	if r := do("GET", "/"+strconv.FormatInt(mine.ID, 10), maint.Token, nil); !strings.Contains(string(r.Body), `"variables":[{"key":"A"`) {
		t.Fatalf("owner's view: %s", r.Body)
	}
	do("POST", "/"+strconv.FormatInt(mine.ID, 10)+"/play", guest.Token, nil).
		ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	do("GET", "", outsider.Token, nil).ExpectError(t, http.StatusNotFound, `{"message":"404 Project Not Found"}`)
	do("GET", "", "", nil).ExpectError(t, http.StatusUnauthorized, `{"message":"401 Unauthorized"}`)
	do("GET", "/999999", s.RootToken, nil).ExpectError(t, http.StatusNotFound, `{"message":"404 Pipeline Schedule Not Found"}`)

	do("DELETE", vpath+"/A", maint.Token, nil).
		ExpectError(t, http.StatusAccepted, `{"key":"A","value":"3","variable_type":"file","raw":false}`)

	// Blocking the owner turns their schedules off.
	if err := root.Users.BlockUser(maint.ID); err != nil {
		t.Fatal(err)
	}
	got, _, err := root.PipelineSchedules.GetPipelineSchedule(p.ID, mine.ID)
	if err != nil || got.Active {
		t.Fatalf("blocked owner's schedule: active %v (%v)", got.Active, err)
	}
	_, err = root.PipelineSchedules.DeletePipelineSchedule(p.ID, mine.ID)
	if err != nil {
		t.Fatal(err)
	}
	do("GET", "/"+strconv.FormatInt(mine.ID, 10), s.RootToken, nil).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Pipeline Schedule Not Found"}`)
}

// TestSchedulesRunOnce has several runners of due schedules (the
// background one and eight more, as several instances would) race for
// one due schedule: exactly one pipeline is created.
func TestSchedulesRunOnce(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	p, _ := pipelineProject(t, c, "once", map[string]string{".gitlab-ci.yml": schedulesYAML})
	ps, _, err := c.PipelineSchedules.CreatePipelineSchedule(p.ID, &gitlab.CreatePipelineScheduleOptions{
		Description: gitlab.Ptr("once"), Ref: gitlab.Ptr("main"), Cron: gitlab.Ptr("*/5 * * * *")})
	if err != nil {
		t.Fatal(err)
	}
	scheduleMakeDue(t, s, p.ID, ps.ID)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.Srv.Service.RunDuePipelineSchedules(context.Background())
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	scheduleWaitPipelines(t, c, p.ID, ps.ID, 1)
	time.Sleep(time.Second)
	if got := scheduleWaitPipelines(t, c, p.ID, ps.ID, 1); len(got) != 1 {
		t.Fatalf("one due run made %d pipelines", len(got))
	}
}

// TestSchedulesOwnerWithoutAccess lets a schedule fall due after its
// owner became a Reporter: no pipeline (GitLab creates none and says
// nothing), but the run is spent and the next one set.
func TestSchedulesOwnerWithoutAccess(t *testing.T) {
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	p, _ := pipelineProject(t, root, "demoted", map[string]string{".gitlab-ci.yml": schedulesYAML})
	dev := s.NewUser(t, "dev")
	pipelineMembers(t, root, p.ID, map[*labtest.User]gitlab.AccessLevelValue{dev: gitlab.DeveloperPermissions})
	if _, _, err := root.Branches.CreateBranch(p.ID, &gitlab.CreateBranchOptions{Branch: gitlab.Ptr("feature"),
		Ref: gitlab.Ptr("main")}); err != nil {
		t.Fatal(err)
	}
	ps, _, err := s.Client(t, dev.Token).PipelineSchedules.CreatePipelineSchedule(p.ID, &gitlab.CreatePipelineScheduleOptions{
		Description: gitlab.Ptr("dev's"), Ref: gitlab.Ptr("feature"), Cron: gitlab.Ptr("0 * * * *")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := root.ProjectMembers.EditProjectMember(p.ID, dev.ID, &gitlab.EditProjectMemberOptions{
		AccessLevel: gitlab.Ptr(gitlab.ReporterPermissions)}); err != nil {
		t.Fatal(err)
	}
	scheduleMakeDue(t, s, p.ID, ps.ID)
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, _, err := root.PipelineSchedules.GetPipelineSchedule(p.ID, ps.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.NextRunAt != nil && got.NextRunAt.After(time.Now()) {
			if !got.Active || got.LastPipeline != nil {
				t.Fatalf("after the run: active %v last pipeline %+v", got.Active, got.LastPipeline)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the due run was not claimed: next run %v", got.NextRunAt)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Second) // a pipeline would follow the claim within the same pass
	if list, _, err := root.PipelineSchedules.ListPipelinesTriggeredBySchedule(p.ID, ps.ID, nil); err != nil || len(list) != 0 {
		t.Fatalf("pipelines of a Reporter's schedule: %d (%v), want 0", len(list), err)
	}
}

// TestSchedulesConcurrentChanges races the owner's update with a
// Maintainer taking the schedule over: whichever comes first, neither
// change is undone by the other.
func TestSchedulesConcurrentChanges(t *testing.T) {
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	p, _ := pipelineProject(t, root, "raced", map[string]string{".gitlab-ci.yml": schedulesYAML})
	maint, dev := s.NewUser(t, "maint"), s.NewUser(t, "dev")
	pipelineMembers(t, root, p.ID, map[*labtest.User]gitlab.AccessLevelValue{maint: gitlab.MaintainerPermissions,
		dev: gitlab.DeveloperPermissions})
	if _, _, err := root.Branches.CreateBranch(p.ID, &gitlab.CreateBranchOptions{Branch: gitlab.Ptr("feature"),
		Ref: gitlab.Ptr("main")}); err != nil {
		t.Fatal(err)
	}
	dc, mc := s.Client(t, dev.Token), s.Client(t, maint.Token)
	for i := range 10 {
		ps, _, err := dc.PipelineSchedules.CreatePipelineSchedule(p.ID, &gitlab.CreatePipelineScheduleOptions{
			Description: gitlab.Ptr("raced"), Ref: gitlab.Ptr("feature"), Cron: gitlab.Ptr("0 1 * * *")})
		if err != nil {
			t.Fatal(err)
		}
		cron := strconv.Itoa(i) + " 2 * * *"
		var wg sync.WaitGroup
		var updateStatus int
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, resp, _ := dc.PipelineSchedules.EditPipelineSchedule(p.ID, ps.ID, &gitlab.EditPipelineScheduleOptions{Cron: gitlab.Ptr(cron)})
			if resp != nil {
				updateStatus = resp.StatusCode
			}
		}()
		go func() {
			defer wg.Done()
			if _, _, err := mc.PipelineSchedules.TakeOwnershipOfPipelineSchedule(p.ID, ps.ID); err != nil {
				t.Error(err)
			}
		}()
		wg.Wait()
		got, _, err := root.PipelineSchedules.GetPipelineSchedule(p.ID, ps.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Owner == nil || got.Owner.Username != "maint" {
			t.Fatalf("round %d: owner %+v after take_ownership (update answered %d)", i, got.Owner, updateStatus)
		}
		if updateStatus == http.StatusOK && got.Cron != cron {
			t.Fatalf("round %d: cron %q after an update to %q that succeeded", i, got.Cron, cron)
		}
		if updateStatus != http.StatusOK && updateStatus != http.StatusForbidden {
			t.Fatalf("round %d: update answered %d", i, updateStatus)
		}
	}
}
