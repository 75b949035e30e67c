package integrations_test

import (
	"net/http"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestPipelinesEmail: pipeline status emails are set up with GitLab's
// shapes and defaults, and mail each recipient a failed pipeline of the
// default branch; a succeeded one only once notify_only_broken_pipelines
// is off, and a pipeline of another branch not at all while
// branches_to_be_notified is "default".
func TestPipelinesEmail(t *testing.T) {
	t.Parallel()
	sink := newSMTPSink(t)
	s := labtest.Start(t, withRelay(sink.addr()))
	f := s.NewTeam(t)
	mc := s.Client(t, f.Maintainer.Token)

	svc, _, err := mc.Services.SetPipelinesEmailService(f.Project.ID, &gitlab.SetPipelinesEmailServiceOptions{
		Recipients: gitlab.Ptr("qa@example.com, lead@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	if svc.Slug != "pipelines-email" || svc.Title != "Pipeline status emails" || !svc.Active || !svc.PipelineEvents ||
		svc.Properties.Recipients != "qa@example.com, lead@example.com" || !bool(svc.Properties.NotifyOnlyBrokenPipelines) ||
		svc.Properties.BranchesToBeNotified != "default" {
		t.Fatalf("set = %+v %+v", svc, svc.Properties)
	}
	base := "/projects/" + itoa(f.Project.ID) + "/integrations/pipelines-email"
	s.Do(t, labtest.Request{Method: "PUT", Path: base, Token: f.Maintainer.Token, JSON: map[string]any{"recipients": "nobody"}}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"recipients":["can't be blank"]}}`)
	s.Do(t, labtest.Request{Method: "PUT", Path: base, Token: f.Maintainer.Token,
		JSON: map[string]any{"recipients": "qa@example.com", "notify_only_broken_pipelines": "sometimes"}}).
		ExpectError(t, http.StatusBadRequest, `{"error":"notify_only_broken_pipelines is invalid"}`)

	dir, write := cloneTeamProject(t, s, f)
	commit := func(branch, text string) string {
		write("README.md", text)
		labtest.Git(t, dir, "commit", "-q", "-m", "change to "+text)
		labtest.Git(t, dir, "push", "-q", "origin", "HEAD:"+branch)
		return labtest.Git(t, dir, "rev-parse", "HEAD")
	}
	status := func(sha, ref string, state gitlab.BuildStateValue) {
		t.Helper()
		if _, _, err := mc.Commits.SetCommitStatus(f.Project.ID, sha, &gitlab.SetCommitStatusOptions{State: state,
			Name: gitlab.Ptr("external"), Ref: gitlab.Ptr(ref)}); err != nil {
			t.Fatalf("status %s on %s: %v", state, ref, err)
		}
	}

	failedSHA := commit("main", "one\n")
	status(failedSHA, "main", gitlab.Failed)
	got := map[string]sunkMail{}
	for n := 1; n <= 2; n++ {
		m := sink.wait(t, n)
		got[strings.Join(m.to, ",")] = m
	}
	m, ok := got["qa@example.com"]
	if _, ok2 := got["lead@example.com"]; !ok || !ok2 {
		t.Fatalf("recipients = %v, want one mail each to qa@ and lead@", got)
	}
	if subj := m.msg.Header.Get("Subject"); subj != "App | Failed pipeline for main | "+failedSHA[:8] {
		t.Fatalf("subject = %q", subj)
	}
	if m.msg.Header.Get("X-GitLab-Pipeline-Status") != "failed" || m.msg.Header.Get("X-GitLab-Pipeline-Ref") != "main" ||
		m.msg.Header.Get("X-GitLab-Pipeline-Id") == "" {
		t.Fatalf("headers = %v", m.msg.Header)
	}
	if !strings.Contains(m.body, "has failed!") || !strings.Contains(m.body, "had 1 failed job.") ||
		!strings.Contains(m.body, "Name: external") || !strings.Contains(m.body, "Commit: "+failedSHA[:8]) {
		t.Fatalf("body = %q", m.body)
	}

	// Neither a success (only broken pipelines) nor another branch's
	// failure is mailed: the next mail is the success sent once
	// notify_only_broken_pipelines is off.
	status(commit("main", "two\n"), "main", gitlab.Success)
	status(commit("topic", "three\n"), "topic", gitlab.Failed)
	if _, _, err := mc.Services.SetPipelinesEmailService(f.Project.ID, &gitlab.SetPipelinesEmailServiceOptions{
		Recipients: gitlab.Ptr("qa@example.com"), NotifyOnlyBrokenPipelines: gitlab.Ptr(false)}); err != nil {
		t.Fatal(err)
	}
	labtest.Git(t, dir, "checkout", "-q", "-B", "main", "origin/main")
	okSHA := commit("main", "four\n")
	status(okSHA, "main", gitlab.Success)
	m = sink.wait(t, 3)
	if subj := m.msg.Header.Get("Subject"); subj != "App | Successful pipeline for main | "+okSHA[:8] ||
		strings.Join(m.to, ",") != "qa@example.com" || !strings.Contains(m.body, "has succeeded!") {
		t.Fatalf("third mail: %v %q\n%s", m.to, subj, m.body)
	}
}
