package citest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// triggersYAML's job prints what a trigger gives it; in a pipeline a
// trigger token started it triggers one more with its own job token.
const triggersYAML = `
show:
  script:
    - echo "deploy to ${TARGET:-nowhere} triggered=${CI_PIPELINE_TRIGGERED:-no} source=$CI_PIPELINE_SOURCE"
    - 'if [ -n "$TRIGGER_PAYLOAD" ]; then echo "payload: $(cat "$TRIGGER_PAYLOAD")"; fi'
    - |
      if [ "$CI_PIPELINE_SOURCE" = trigger ]; then
        curl -sf -X POST -F "token=$CI_JOB_TOKEN" -F ref=main \
          "$CI_API_V4_URL/projects/$CI_PROJECT_ID/trigger/pipeline" > child.json
        grep -q '"source":"pipeline"' child.json && echo "job token triggered"
      fi
`

func triggersStatus(t *testing.T, what string, resp *gitlab.Response, err error, want int) {
	t.Helper()
	got := 0
	if resp != nil {
		got = resp.StatusCode
	}
	if got != want {
		t.Fatalf("%s: status %d (%v), want %d", what, got, err, want)
	}
}

// TestTriggersRunPipeline triggers a pipeline with a trigger token, as an
// anonymous caller: it runs as the trigger's owner with source trigger,
// the trigger's variables, CI_PIPELINE_TRIGGERED and TRIGGER_PAYLOAD
// reach the job's log, and the job's own token triggers one more
// (source pipeline).
func TestTriggersRunPipeline(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 2)
	p, push := pipelineProject(t, c, "triggered", map[string]string{".gitlab-ci.yml": triggersYAML})
	pipelineWait(t, c, p.ID, push.ID, "success", "failed")

	tr, resp, err := c.PipelineTriggers.AddPipelineTrigger(p.ID, &gitlab.AddPipelineTriggerOptions{
		Description: gitlab.Ptr("deploys")})
	triggersStatus(t, "create trigger", resp, err, http.StatusCreated)
	if !strings.HasPrefix(tr.Token, "glptt-") || len(tr.Token) != 26 || tr.Owner == nil || tr.Owner.Username != "root" {
		t.Fatalf("created trigger: token %q owner %+v", tr.Token, tr.Owner)
	}

	anon := s.Client(t, "")
	pl, resp, err := anon.PipelineTriggers.RunPipelineTrigger(p.ID, &gitlab.RunPipelineTriggerOptions{
		Ref: gitlab.Ptr("main"), Token: gitlab.Ptr(tr.Token), Variables: map[string]string{"TARGET": "staging"}})
	triggersStatus(t, "trigger pipeline", resp, err, http.StatusCreated)
	if pl.Source != "trigger" || pl.Ref != "main" || pl.User == nil || pl.User.Username != "root" {
		t.Fatalf("triggered pipeline: source %q ref %q user %+v", pl.Source, pl.Ref, pl.User)
	}
	done := pipelineWait(t, c, p.ID, pl.ID, "success", "failed", "canceled")
	log := pipelineTrace(t, c, p.ID, pipelineJobs(t, c, p.ID, pl.ID)["show"].ID)
	if done.Status != "success" {
		t.Fatalf("triggered pipeline %s:\n%s", done.Status, log)
	}
	for _, want := range []string{"deploy to staging triggered=true source=trigger", `"ref":"main"`,
		`"variables":{"TARGET":"staging"}`, "job token triggered"} {
		if !strings.Contains(log, want) {
			t.Errorf("job log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, tr.Token) {
		t.Errorf("the trigger token reached the job's log:\n%s", log)
	}

	// The pipeline the job's token started: source pipeline, no trigger.
	children, _, err := c.Pipelines.ListProjectPipelines(p.ID, &gitlab.ListProjectPipelinesOptions{
		Source: gitlab.Ptr("pipeline")})
	if err != nil || len(children) != 1 {
		t.Fatalf("pipelines of source pipeline: %d (%v), want 1", len(children), err)
	}
	pipelineWait(t, c, p.ID, children[0].ID, "success")
	child := pipelineTrace(t, c, p.ID, pipelineJobs(t, c, p.ID, children[0].ID)["show"].ID)
	if !strings.Contains(child, "deploy to nowhere triggered=no source=pipeline") {
		t.Errorf("child job log:\n%s", child)
	}

	// The trigger remembers its use; a list shows its short form only.
	got, _, err := c.PipelineTriggers.GetPipelineTrigger(p.ID, tr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.LastUsed == nil || got.Token != tr.Token[6:10] {
		t.Errorf("trigger after use: last_used %v token %q, want set and %q", got.LastUsed, got.Token, tr.Token[6:10])
	}
}

// TestTriggersManage covers the trigger tokens' API: who may do what, the
// owner-only update, deletion, and the trigger endpoint's refusals.
func TestTriggersManage(t *testing.T) {
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	p, _ := pipelineProject(t, root, "managed", map[string]string{".gitlab-ci.yml": "job:\n  script: [echo hi]\n"})
	other, _ := pipelineProject(t, root, "other", map[string]string{".gitlab-ci.yml": "job:\n  script: [echo hi]\n"})
	maint, second, dev, outsider := s.NewUser(t, "maint"), s.NewUser(t, "second"), s.NewUser(t, "dev"), s.NewUser(t, "outsider")
	pipelineMembers(t, root, p.ID, map[*labtest.User]gitlab.AccessLevelValue{maint: gitlab.MaintainerPermissions,
		second: gitlab.MaintainerPermissions, dev: gitlab.DeveloperPermissions})
	mc := s.Client(t, maint.Token)
	tr, resp, err := mc.PipelineTriggers.AddPipelineTrigger(p.ID, &gitlab.AddPipelineTriggerOptions{Description: gitlab.Ptr("ci")})
	triggersStatus(t, "maintainer creates", resp, err, http.StatusCreated)

	_, resp, err = s.Client(t, dev.Token).PipelineTriggers.ListPipelineTriggers(p.ID, nil)
	triggersStatus(t, "developer lists", resp, err, http.StatusForbidden)
	_, resp, err = s.Client(t, outsider.Token).PipelineTriggers.ListPipelineTriggers(p.ID, nil)
	triggersStatus(t, "outsider lists a private project's", resp, err, http.StatusNotFound)
	_, resp, err = mc.PipelineTriggers.AddPipelineTrigger(p.ID, &gitlab.AddPipelineTriggerOptions{})
	triggersStatus(t, "create without description", resp, err, http.StatusBadRequest)
	_, resp, err = mc.PipelineTriggers.GetPipelineTrigger(p.ID, tr.ID+1000)
	triggersStatus(t, "get a missing trigger", resp, err, http.StatusNotFound)
	_, resp, err = mc.PipelineTriggers.GetPipelineTrigger(other.ID, tr.ID)
	triggersStatus(t, "get through another project", resp, err, http.StatusNotFound)

	list, _, err := s.Client(t, second.Token).PipelineTriggers.ListPipelineTriggers(p.ID, nil)
	if err != nil || len(list) != 1 || list[0].Token != tr.Token[6:10] || list[0].Description != "ci" ||
		list[0].Owner == nil || list[0].Owner.Username != "maint" {
		t.Fatalf("another maintainer's list: %+v (%v)", list, err)
	}
	_, resp, err = s.Client(t, second.Token).PipelineTriggers.EditPipelineTrigger(p.ID, tr.ID,
		&gitlab.EditPipelineTriggerOptions{Description: gitlab.Ptr("taken")})
	triggersStatus(t, "another maintainer updates", resp, err, http.StatusForbidden)
	edited, resp, err := mc.PipelineTriggers.EditPipelineTrigger(p.ID, tr.ID,
		&gitlab.EditPipelineTriggerOptions{Description: gitlab.Ptr("renamed")})
	triggersStatus(t, "owner updates", resp, err, http.StatusOK)
	if edited.Description != "renamed" {
		t.Errorf("description after update: %q", edited.Description)
	}

	trigger := func(project int64, form url.Values) *labtest.Response {
		return s.Do(t, labtest.Request{Method: http.MethodPost, Form: form,
			Path: "/projects/" + runnersItoa(project) + "/trigger/pipeline"})
	}
	cases := []struct {
		name    string
		project int64
		form    url.Values
		status  int
		body    string
	}{
		{"wrong token", p.ID, url.Values{"token": {"glptt-nothing"}, "ref": {"main"}}, 404, `{"message":"404 Not Found"}`},
		{"job token of no job", p.ID, url.Values{"token": {"glcbt-nothing"}, "ref": {"main"}}, 404, `{"message":"404 Not Found"}`},
		{"another project's id", other.ID, url.Values{"token": {tr.Token}, "ref": {"main"}}, 404, `{"message":"404 Not Found"}`},
		{"no ref", p.ID, url.Values{"token": {tr.Token}}, 400, `{"error":"ref is missing"}`},
		{"no token", p.ID, url.Values{"ref": {"main"}}, 400, `{"error":"token is missing"}`},
		{"unknown ref", p.ID, url.Values{"token": {tr.Token}, "ref": {"nope"}}, 400,
			`{"message":{"base":["Reference not found"]}}`},
		{"bad variable key", p.ID, url.Values{"token": {tr.Token}, "ref": {"main"}, "variables[A-B]": {"x"}}, 400, ""},
	}
	for _, tc := range cases {
		r := trigger(tc.project, tc.form)
		if r.Status != tc.status || tc.body != "" && strings.TrimSpace(string(r.Body)) != tc.body {
			t.Errorf("%s: %d %s, want %d %s", tc.name, r.Status, r.Body, tc.status, tc.body)
		}
	}
	r := s.Do(t, labtest.Request{Method: http.MethodPost, Path: "/projects/" + runnersItoa(p.ID) + "/trigger/pipeline",
		JSON: map[string]any{"token": tr.Token, "ref": "main", "variables": map[string]any{"N": 1}}})
	if r.Status != 400 || strings.TrimSpace(string(r.Body)) != `{"message":"variables needs to be a map of key-valued strings"}` {
		t.Errorf("a number as a variable: %d %s", r.Status, r.Body)
	}
	if r := trigger(p.ID, url.Values{"token": {tr.Token}, "ref": {"main"}, "variables[V]": {"x"}}); r.Status != 201 {
		t.Fatalf("trigger with a form: %d %s", r.Status, r.Body)
	}

	// A blocked owner's trigger runs nothing.
	blocked, _, err := s.Client(t, second.Token).PipelineTriggers.AddPipelineTrigger(p.ID,
		&gitlab.AddPipelineTriggerOptions{Description: gitlab.Ptr("soon blocked")})
	if err != nil {
		t.Fatal(err)
	}
	if err := root.Users.BlockUser(second.ID); err != nil {
		t.Fatal(err)
	}
	if r := trigger(p.ID, url.Values{"token": {blocked.Token}, "ref": {"main"}}); r.Status != 400 ||
		!strings.Contains(string(r.Body), "Insufficient permissions") {
		t.Errorf("a blocked owner's trigger: %d %s", r.Status, r.Body)
	}
	if err := root.Users.UnblockUser(second.ID); err != nil {
		t.Fatal(err)
	}

	// A Developer may not delete; the owner's trigger goes with a
	// Maintainer's delete and no longer runs anything.
	resp, err = s.Client(t, dev.Token).PipelineTriggers.DeletePipelineTrigger(p.ID, tr.ID)
	triggersStatus(t, "developer deletes", resp, err, http.StatusForbidden)
	resp, err = s.Client(t, second.Token).PipelineTriggers.DeletePipelineTrigger(p.ID, tr.ID)
	triggersStatus(t, "maintainer deletes", resp, err, http.StatusNoContent)
	if r := trigger(p.ID, url.Values{"token": {tr.Token}, "ref": {"main"}}); r.Status != 404 {
		t.Errorf("deleted trigger's token: %d %s", r.Status, r.Body)
	}
}
