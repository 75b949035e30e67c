package v4_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// quickFixture adds labels "bug" and "needs review" and milestone "v1"
// to plan/app.
func quickFixture(t *testing.T) (*planFixture, map[string]int64, *gitlab.Milestone) {
	t.Helper()
	f := newPlanFixture(t)
	labels := map[string]int64{}
	for _, name := range []string{"bug", "needs review"} {
		l, _, err := f.oc.Labels.CreateLabel(f.app.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr(name), Color: gitlab.Ptr("red")})
		if err != nil {
			t.Fatal(err)
		}
		labels[name] = l.ID
	}
	m, _, err := f.oc.Milestones.CreateMilestone(f.app.ID, &gitlab.CreateMilestoneOptions{Title: gitlab.Ptr("v1")})
	if err != nil {
		t.Fatal(err)
	}
	return f, labels, m
}

func TestQuickActionsInNewIssueDescription(t *testing.T) {
	t.Parallel()
	f, _, m := quickFixture(t)
	desc := "Some text\n/label ~bug ~\"needs review\"\n/assign @rita\n/milestone %v1\n/due 2030-01-02\n" +
		"/estimate 1h30m\n/close\n/unknown thing"
	i, resp, err := f.oc.Issues.CreateIssue(f.app.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("t"), Description: gitlab.Ptr(desc)})
	wantStatus(t, resp, err, http.StatusCreated)
	// Command lines are gone, the unknown one stays; /close does not apply
	// to an issue not yet created.
	if i.Description != "Some text\n/unknown thing" {
		t.Fatalf("description = %q", i.Description)
	}
	if i.State != "opened" || strings.Join(i.Labels, ",") != "bug,needs review" || len(i.Assignees) != 1 ||
		i.Assignees[0].Username != "rita" || i.Milestone == nil || i.Milestone.ID != m.ID || i.DueDate == nil ||
		i.DueDate.String() != "2030-01-02" || i.TimeStats == nil || i.TimeStats.TimeEstimate != 5400 {
		t.Fatalf("issue = %+v", i)
	}
}

func TestQuickActionsInCommentWithText(t *testing.T) {
	t.Parallel()
	f, labels, _ := quickFixture(t)
	i, _, err := f.oc.Issues.CreateIssue(f.app.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("t")})
	if err != nil {
		t.Fatal(err)
	}
	rc := f.s.Client(t, f.reporter.Token)
	body := "Looks done\n/close\n/label ~bug\n/spend 1h\n/subscribe\n/award :thumbsup:\n/title New title"
	n, resp, err := rc.Notes.CreateIssueNote(f.app.ID, i.IID, &gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr(body)})
	wantStatus(t, resp, err, http.StatusCreated)
	if n.Body != "Looks done" {
		t.Fatalf("note body = %q", n.Body)
	}
	got, _, err := rc.Issues.GetIssue(f.app.ID, i.IID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != "closed" || got.Title != "New title" || len(got.Labels) != 1 || got.Labels[0] != "bug" ||
		got.TimeStats.TotalTimeSpent != 3600 || !got.Subscribed {
		t.Fatalf("issue = %+v", got)
	}
	awards, _, err := rc.AwardEmoji.ListIssueAwardEmoji(f.app.ID, i.IID, nil)
	if err != nil || len(awards) != 1 || awards[0].Name != "thumbsup" || awards[0].User.Username != "rita" {
		t.Fatalf("awards = %+v, %v", awards, err)
	}
	// The changes leave what their API calls leave: a label event, system notes.
	events, _, err := rc.ResourceLabelEvents.ListIssueLabelEvents(f.app.ID, i.IID, nil)
	if err != nil || len(events) != 1 || events[0].Label.ID != labels["bug"] || events[0].Action != "add" {
		t.Fatalf("label events = %+v, %v", events, err)
	}
	notes, _, err := rc.Notes.ListIssueNotes(f.app.ID, i.IID, nil)
	if err != nil {
		t.Fatal(err)
	}
	var system []string
	for _, n := range notes {
		if n.System {
			system = append(system, n.Body)
		}
	}
	if all := strings.Join(system, "|"); !strings.Contains(all, "added 1h of time spent") ||
		!strings.Contains(all, "changed title from") {
		t.Fatalf("system notes = %q", system)
	}
}

func TestQuickActionsCommandsOnlyComment(t *testing.T) {
	t.Parallel()
	f, labels, m := quickFixture(t)
	i, _, err := f.oc.Issues.CreateIssue(f.app.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("t"),
		Labels: &gitlab.LabelOptions{"bug"}})
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/projects/%d/issues/%d/notes", f.app.ID, i.IID)
	r := f.do(t, f.reporter, "POST", path, map[string]any{"body": "/title A \"quoted\" title"})
	if want := `{"commands_changes":{"title":"A \"quoted\" title"},"summary":["Changed the title to \"A \"quoted\" title\"."]}`; r.Status != http.StatusAccepted || strings.TrimSpace(string(r.Body)) != want {
		t.Fatalf("title = %d %s, want 202 %s", r.Status, r.Body, want)
	}
	r = f.do(t, f.reporter, "POST", path, map[string]any{"body": "/unlabel ~bug\n/lock"})
	want := fmt.Sprintf(`{"commands_changes":{"discussion_locked":true,"remove_label_ids":[%d]},"summary":["Removed ~bug label. Locked the discussion."]}`,
		labels["bug"])
	if r.Status != http.StatusAccepted || strings.TrimSpace(string(r.Body)) != want {
		t.Fatalf("commands only = %d %s, want 202 %s", r.Status, r.Body, want)
	}
	r = f.do(t, f.reporter, "POST", path, map[string]any{"body": "/milestone %v1\n/assign me\n/due 2030-01-02\n/award :thumbsup:"})
	want = fmt.Sprintf(`{"commands_changes":{"assignee_ids":[%d],"due_date":"2030-01-02","emoji_award":"thumbsup","milestone_id":%d},`+
		`"summary":["Set the milestone to %%v1. Assigned @rita. Set the due date to Jan 2, 2030. Toggled :thumbsup: emoji reaction."]}`,
		f.reporter.ID, m.ID)
	if r.Status != http.StatusAccepted || strings.TrimSpace(string(r.Body)) != want {
		t.Fatalf("commands only = %d %s, want 202 %s", r.Status, r.Body, want)
	}
	// A second /award takes the emoji back; /unassign and
	// /remove_milestone name what they remove.
	r = f.do(t, f.reporter, "POST", path, map[string]any{"body": "/award :thumbsup:\n/unassign\n/remove_milestone"})
	want = `{"commands_changes":{"assignee_ids":[],"emoji_award":"thumbsup","milestone_id":null},` +
		`"summary":["Toggled :thumbsup: emoji reaction. Removed assignee @rita. Removed %v1 milestone."]}`
	if r.Status != http.StatusAccepted || strings.TrimSpace(string(r.Body)) != want {
		t.Fatalf("commands only = %d %s, want 202 %s", r.Status, r.Body, want)
	}
	if awards, _, err := f.oc.AwardEmoji.ListIssueAwardEmoji(f.app.ID, i.IID, nil); err != nil || len(awards) != 0 {
		t.Fatalf("awards after toggling twice = %+v, %v", awards, err)
	}
	got, _, err := f.oc.Issues.GetIssue(f.app.ID, i.IID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Labels) != 0 || !got.DiscussionLocked || got.Milestone != nil || len(got.Assignees) != 0 || got.DueDate == nil {
		t.Fatalf("issue = %+v", got)
	}
	notes, _, err := f.oc.Notes.ListIssueNotes(f.app.ID, i.IID, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range notes {
		if !n.System {
			t.Fatalf("a commands-only comment wrote note %q", n.Body)
		}
	}
}

func TestQuickActionsGuestDroppedUnknownAndFencesKept(t *testing.T) {
	t.Parallel()
	f, _, _ := quickFixture(t)
	i, _, err := f.oc.Issues.CreateIssue(f.app.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("t")})
	if err != nil {
		t.Fatal(err)
	}
	gc := f.s.Client(t, f.guest.Token)
	// A Guest may comment but not close, label or estimate: the commands
	// are removed and not run.
	n, resp, err := gc.Notes.CreateIssueNote(f.app.ID, i.IID, &gitlab.CreateIssueNoteOptions{
		Body: gitlab.Ptr("hi\n/close\n/label ~bug\n/estimate 1h\n/shrug")})
	wantStatus(t, resp, err, http.StatusCreated)
	if n.Body != "hi\n/shrug" {
		t.Fatalf("guest note = %q", n.Body)
	}
	got, _, err := f.oc.Issues.GetIssue(f.app.ID, i.IID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != "opened" || len(got.Labels) != 0 || got.TimeStats.TimeEstimate != 0 {
		t.Fatalf("guest's commands ran: %+v", got)
	}
	// Only commands, none of which the Guest may run: no note, nothing
	// changed, 202 with nothing to report.
	path := fmt.Sprintf("/projects/%d/issues/%d/notes", f.app.ID, i.IID)
	r := f.do(t, f.guest, "POST", path, map[string]any{"body": "/close\n/lock"})
	if want := `{"commands_changes":{},"summary":[]}`; r.Status != http.StatusAccepted || strings.TrimSpace(string(r.Body)) != want {
		t.Fatalf("guest commands only = %d %s, want 202 %s", r.Status, r.Body, want)
	}
	// On a new issue of their own a Guest member sets metadata
	// (set_issue_metadata, GitLab issue 300100), but no time tracking.
	mine, resp, err := gc.Issues.CreateIssue(f.app.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("mine"),
		Description: gitlab.Ptr("/label ~bug\n/estimate 2h")})
	wantStatus(t, resp, err, http.StatusCreated)
	if mine.Description != "" || len(mine.Labels) != 1 || mine.Labels[0] != "bug" || mine.TimeStats.TimeEstimate != 0 {
		t.Fatalf("guest's new issue = %+v", mine)
	}
	// Inside a code fence or a >>> blockquote a command is text.
	body := "```\n/close\n```\n>>>\n/lock\n>>>"
	n, resp, err = f.oc.Notes.CreateIssueNote(f.app.ID, i.IID, &gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr(body)})
	wantStatus(t, resp, err, http.StatusCreated)
	if n.Body != body {
		t.Fatalf("fenced note = %q", n.Body)
	}
	got, _, err = f.oc.Issues.GetIssue(f.app.ID, i.IID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != "opened" || got.DiscussionLocked {
		t.Fatalf("fenced or refused commands ran: %+v", got)
	}
	if notes, _, err := f.oc.Notes.ListIssueNotes(f.app.ID, i.IID, nil); err != nil || len(notes) != 2 {
		t.Fatalf("notes = %d, %v; want the guest's and the fenced one", len(notes), err)
	}
}

func TestQuickActionsInUpdatedDescription(t *testing.T) {
	t.Parallel()
	f, _, _ := quickFixture(t)
	i, _, err := f.oc.Issues.CreateIssue(f.app.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("t")})
	if err != nil {
		t.Fatal(err)
	}
	got, resp, err := f.oc.Issues.UpdateIssue(f.app.ID, i.IID, &gitlab.UpdateIssueOptions{
		Description: gitlab.Ptr("Body\n/close\n/title Renamed\n/confidential\n/assign me")})
	wantStatus(t, resp, err, http.StatusOK)
	if got.Description != "Body" || got.State != "closed" || got.Title != "Renamed" || !got.Confidential ||
		len(got.Assignees) != 1 || got.Assignees[0].Username != "olive" {
		t.Fatalf("issue = %+v", got)
	}
}

func TestQuickActionsTimeTracking(t *testing.T) {
	t.Parallel()
	f, _, _ := quickFixture(t)
	i, _, err := f.oc.Issues.CreateIssue(f.app.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("t"),
		Description: gitlab.Ptr("/estimate 3h")})
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/projects/%d/issues/%d/notes", f.app.ID, i.IID)
	// Of two /spend the last counts, as GitLab keeps one update of each
	// kind (every message is reported); a duration in parts with a
	// trailing date; /estimate 0 removes the estimate.
	r := f.do(t, f.reporter, "POST", path, map[string]any{"body": "/spend -30m\n/spend 1h 30m 2024-01-02\n/estimate 0"})
	want := fmt.Sprintf(`{"commands_changes":{"spend_time":{"duration":5400,"user_id":%d},"time_estimate":0},`+
		`"summary":["Subtracted 30m spent time. Added 1h 30m spent time. Removed time estimate."]}`, f.reporter.ID)
	if r.Status != http.StatusAccepted || strings.TrimSpace(string(r.Body)) != want {
		t.Fatalf("time tracking = %d %s, want 202 %s", r.Status, r.Body, want)
	}
	got, _, err := f.oc.Issues.GetIssue(f.app.ID, i.IID)
	if err != nil {
		t.Fatal(err)
	}
	if got.TimeStats.TotalTimeSpent != 5400 || got.TimeStats.TimeEstimate != 0 {
		t.Fatalf("time stats = %+v", got.TimeStats)
	}
}

// A thread's first note and its replies run their quick actions like a
// comment; a note of commands only is not written, and the discussions
// API answers 400 with the commands' message (bad_request! of the note's
// commands_only error, as GitLab's).
func TestQuickActionsInDiscussions(t *testing.T) {
	t.Parallel()
	f, _, _ := quickFixture(t)
	i, _, err := f.oc.Issues.CreateIssue(f.app.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("t")})
	if err != nil {
		t.Fatal(err)
	}
	rc := f.s.Client(t, f.reporter.Token)
	d, resp, err := rc.Discussions.CreateIssueDiscussion(f.app.ID, i.IID, &gitlab.CreateIssueDiscussionOptions{
		Body: gitlab.Ptr("Starting a thread\n/label ~bug")})
	wantStatus(t, resp, err, http.StatusCreated)
	if len(d.Notes) != 1 || d.Notes[0].Body != "Starting a thread" {
		t.Fatalf("thread = %+v", d.Notes)
	}
	reply, resp, err := rc.Discussions.AddIssueDiscussionNote(f.app.ID, i.IID, d.ID, &gitlab.AddIssueDiscussionNoteOptions{
		Body: gitlab.Ptr("Agreed\n/spend 30m")})
	wantStatus(t, resp, err, http.StatusCreated)
	if reply.Body != "Agreed" {
		t.Fatalf("reply body = %q", reply.Body)
	}
	path := fmt.Sprintf("/projects/%d/issues/%d/discussions/%s/notes", f.app.ID, i.IID, d.ID)
	r := f.do(t, f.reporter, "POST", path, map[string]any{"body": "/close"})
	if want := `{"message":"400 Bad request - Note {:commands_only=>[\"Closed this issue.\"]}"}`; r.Status != http.StatusBadRequest ||
		strings.TrimSpace(string(r.Body)) != want {
		t.Fatalf("commands-only reply = %d %s, want 400 %s", r.Status, r.Body, want)
	}
	got, _, err := rc.Issues.GetIssue(f.app.ID, i.IID)
	if err != nil || got.State != "closed" || len(got.Labels) != 1 || got.Labels[0] != "bug" || got.TimeStats.TotalTimeSpent != 1800 {
		t.Fatalf("issue after the thread = %+v, %v", got, err)
	}
	all, _, err := rc.Discussions.GetIssueDiscussion(f.app.ID, i.IID, d.ID)
	if err != nil || len(all.Notes) != 2 {
		t.Fatalf("thread notes = %+v, %v; want the two with text", all, err)
	}

	// An edit runs the new text's commands; an edit to commands only
	// deletes the note (Notes::UpdateService).
	edited, resp, err := rc.Notes.UpdateIssueNote(f.app.ID, i.IID, reply.ID, &gitlab.UpdateIssueNoteOptions{
		Body: gitlab.Ptr("Agreed, reopening\n/reopen")})
	wantStatus(t, resp, err, http.StatusOK)
	if edited.Body != "Agreed, reopening" {
		t.Fatalf("edited body = %q", edited.Body)
	}
	r = f.do(t, f.reporter, "PUT", fmt.Sprintf("/projects/%d/issues/%d/notes/%d", f.app.ID, i.IID, reply.ID),
		map[string]any{"body": "/unlabel ~bug"})
	if want := `{"message":"400 Bad request - Failed to save note {:commands_only=>[\"Removed ~bug label.\"]}"}`; r.Status != http.StatusBadRequest ||
		strings.TrimSpace(string(r.Body)) != want {
		t.Fatalf("commands-only edit = %d %s, want 400 %s", r.Status, r.Body, want)
	}
	got, _, err = rc.Issues.GetIssue(f.app.ID, i.IID)
	if err != nil || got.State != "opened" || len(got.Labels) != 0 {
		t.Fatalf("issue after the edits = %+v, %v", got, err)
	}
	if _, resp, err := rc.Notes.GetIssueNote(f.app.ID, i.IID, reply.ID); resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("note edited to commands only: %v, want it deleted", err)
	}
}
