package v4_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

func TestIssueUpdateNotesAndEvents(t *testing.T) {
	t.Parallel()
	f := newIssueFixture(t, gitlab.PrivateVisibility)
	m := f.milestone(t, "v1", nil)
	c := f.s.Client(t, f.reporter.Token)
	is, _, err := c.Issues.CreateIssue(f.p.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("Old title"),
		Labels: &gitlab.LabelOptions{"bug"}, AssigneeIDs: &[]int64{f.guest.ID}})
	if err != nil {
		t.Fatal(err)
	}
	lock := func() int {
		return f.count(t, fmt.Sprintf("SELECT lock_version FROM issues WHERE id = %d", is.ID))
	}
	before := lock()

	up, _, err := c.Issues.UpdateIssue(f.p.ID, is.IID, &gitlab.UpdateIssueOptions{Title: gitlab.Ptr("New title"),
		Description: gitlab.Ptr("text"), AssigneeIDs: &[]int64{f.reporter.ID}, MilestoneID: gitlab.Ptr(m.ID),
		AddLabels: &gitlab.LabelOptions{"ui"}, RemoveLabels: &gitlab.LabelOptions{"bug"}, Confidential: gitlab.Ptr(true),
		DueDate: gitlab.Ptr(gitlab.ISOTime(mustDate(t, "2026-12-31"))), DiscussionLocked: gitlab.Ptr(true),
		StateEvent: gitlab.Ptr("close")})
	if err != nil {
		t.Fatal(err)
	}
	if up.Title != "New title" || up.State != "closed" || up.ClosedAt == nil || up.ClosedBy == nil || up.ClosedBy.ID != f.reporter.ID ||
		strings.Join(up.Labels, ",") != "ui" || up.Milestone == nil || up.Milestone.ID != m.ID || !up.Confidential ||
		!up.DiscussionLocked || len(up.Assignees) != 1 || up.Assignees[0].ID != f.reporter.ID {
		t.Fatalf("updated %+v", up)
	}
	if lock() != before+1 {
		t.Errorf("lock_version %d -> %d", before, lock())
	}
	// In GitLab's order: the common notes, then assignees and
	// confidentiality (Issues::UpdateService#handle_changes).
	want := []string{
		"changed title from **{-Old-} title** to **{+New+} title**",
		"changed the description",
		"locked the discussion in this issue",
		"changed due date to December 31, 2026",
		"assigned to @remy and unassigned @gus",
		"made the issue confidential",
	}
	if got := f.systemNotes(t, is.ID); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("system notes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for q, n := range map[string]int{
		"SELECT count(*) FROM resource_label_events WHERE resource_id = %d AND action = 'remove'":                                                             1,
		"SELECT count(*) FROM resource_label_events WHERE resource_id = %d AND action = 'add'":                                                                2,
		"SELECT count(*) FROM resource_milestone_events WHERE resource_id = %d AND action = 'add'":                                                            1,
		"SELECT count(*) FROM resource_state_events WHERE resource_id = %d AND state = 'closed'":                                                              1,
		"SELECT count(*) FROM notes WHERE noteable_id = %d AND discussion_id IN (SELECT discussion_id FROM notes GROUP BY discussion_id HAVING count(*) > 1)": 0,
	} {
		if got := f.count(t, fmt.Sprintf(q, is.ID)); got != n {
			t.Errorf("%s = %d, want %d", q, got, n)
		}
	}

	// Reopen clears closed_at/closed_by; removing milestone and due date.
	up, _, err = c.Issues.UpdateIssue(f.p.ID, is.IID, &gitlab.UpdateIssueOptions{StateEvent: gitlab.Ptr("reopen"),
		MilestoneID: gitlab.Ptr(int64(0)), Confidential: gitlab.Ptr(false), DiscussionLocked: gitlab.Ptr(false)})
	if err != nil {
		t.Fatal(err)
	}
	if up.State != "opened" || up.ClosedAt != nil || up.ClosedBy != nil || up.Milestone != nil || up.Confidential {
		t.Fatalf("reopened %+v", up)
	}
	r := f.s.Do(t, labtest.Request{Method: "PUT", Path: f.path("/1"), Token: f.reporter.Token, JSON: map[string]any{"due_date": ""}})
	if r.Status != 200 || r.Map(t)["due_date"] != nil {
		t.Fatalf("due date removal %d %s", r.Status, r.Body)
	}
	notes := f.systemNotes(t, is.ID)
	tail := strings.Join(notes[len(notes)-3:], "\n")
	if tail != "unlocked the discussion in this issue\nmade the issue visible to everyone\nremoved due date" {
		t.Errorf("later notes:\n%s", tail)
	}
	if n := f.count(t, fmt.Sprintf("SELECT count(*) FROM resource_milestone_events WHERE resource_id = %d AND action = 'remove' AND milestone_id = %d", is.ID, m.ID)); n != 1 {
		t.Errorf("milestone remove events = %d", n)
	}
	if n := f.count(t, fmt.Sprintf("SELECT count(*) FROM resource_state_events WHERE resource_id = %d AND state = 'reopened'", is.ID)); n != 1 {
		t.Errorf("reopen events = %d", n)
	}

	// An update that changes nothing moves nothing.
	lv := lock()
	if _, _, err := c.Issues.UpdateIssue(f.p.ID, is.IID, &gitlab.UpdateIssueOptions{Title: gitlab.Ptr("New title")}); err != nil {
		t.Fatal(err)
	}
	if lock() != lv {
		t.Errorf("a no-op update moved lock_version")
	}

	// Bad input changes nothing.
	put := func(token string, body map[string]any) *labtest.Response {
		return f.s.Do(t, labtest.Request{Method: "PUT", Path: f.path("/1"), Token: token, JSON: body})
	}
	put(f.reporter.Token, map[string]any{}).ExpectError(t, 400, `{"error":"assignee_id, assignee_ids, confidential, created_at, description, discussion_locked, due_date, labels, add_labels, remove_labels, milestone_id, state_event, title, issue_type are missing, at least one parameter must be provided"}`)
	put(f.reporter.Token, map[string]any{"state_event": "merge"}).ExpectError(t, 400, `{"error":"state_event does not have a valid value"}`)
	put(f.reporter.Token, map[string]any{"title": strings.Repeat("x", 256)}).
		ExpectError(t, 400, `{"message":{"title":["is too long (maximum is 255 characters)"]}}`)
	put(f.reporter.Token, map[string]any{"title": "  "}).ExpectError(t, 400, `{"message":{"title":["can't be blank"]}}`)
	if lock() != lv {
		t.Errorf("refused updates moved lock_version")
	}
	f.s.Do(t, labtest.Request{Method: "PUT", Path: f.path("/99"), Token: f.reporter.Token, JSON: map[string]any{"title": "x"}}).
		ExpectError(t, 404, `{"message":"404 Issue Not Found"}`)
}

// TestIssueUpdateByAuthor: a Guest may update their own issue, but its
// metadata changes are dropped silently (GitLab's filter_params).
func TestIssueUpdateByAuthor(t *testing.T) {
	t.Parallel()
	f := newIssueFixture(t, gitlab.PrivateVisibility)
	gc := f.s.Client(t, f.guest.Token)
	is, _, err := gc.Issues.CreateIssue(f.p.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("mine")})
	if err != nil {
		t.Fatal(err)
	}
	up, _, err := gc.Issues.UpdateIssue(f.p.ID, is.IID, &gitlab.UpdateIssueOptions{Title: gitlab.Ptr("still mine"),
		Labels: &gitlab.LabelOptions{"bug"}, Confidential: gitlab.Ptr(true), StateEvent: gitlab.Ptr("close")})
	if err != nil {
		t.Fatal(err)
	}
	if up.Title != "still mine" || len(up.Labels) != 0 || up.Confidential || up.State != "closed" {
		t.Fatalf("author update %+v", up)
	}
	// Someone else's issue: a Guest may not update it.
	oc := f.s.Client(t, f.owner.Token)
	other, _, err := oc.Issues.CreateIssue(f.p.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("owner's")})
	if err != nil {
		t.Fatal(err)
	}
	f.s.Do(t, labtest.Request{Method: "PUT", Path: f.path(fmt.Sprintf("/%d", other.IID)), Token: f.guest.Token,
		JSON: map[string]any{"title": "x"}}).ExpectError(t, 403, `{"message":"403 Forbidden"}`)

	// Delete: Owners only.
	f.s.Do(t, labtest.Request{Method: "DELETE", Path: f.path(fmt.Sprintf("/%d", other.IID)), Token: f.reporter.Token}).
		ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	resp, err := oc.Issues.DeleteIssue(f.p.ID, other.IID)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete %v %v", resp, err)
	}
	f.s.Do(t, labtest.Request{Path: f.path(fmt.Sprintf("/%d", other.IID)), Token: f.owner.Token}).
		ExpectError(t, 404, `{"message":"404 Issue Not Found"}`)
	// The next issue does not reuse the deleted iid.
	next, _, err := oc.Issues.CreateIssue(f.p.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("after")})
	if err != nil || next.IID != other.IID+1 {
		t.Fatalf("next iid %v %v", next, err)
	}
}

func TestIssueSubscriptionTimeAndParticipants(t *testing.T) {
	t.Parallel()
	f := newIssueFixture(t, gitlab.PrivateVisibility)
	oc := f.s.Client(t, f.owner.Token)
	is, _, err := oc.Issues.CreateIssue(f.p.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("track"),
		AssigneeIDs: &[]int64{f.guest.ID}})
	if err != nil {
		t.Fatal(err)
	}
	rc := f.s.Client(t, f.reporter.Token)
	sub, resp, err := rc.Issues.SubscribeToIssue(f.p.ID, is.IID)
	if err != nil || resp.StatusCode != http.StatusCreated || !sub.Subscribed {
		t.Fatalf("subscribe %v %v", resp, err)
	}
	r := f.s.Do(t, labtest.Request{Method: "POST", Path: f.path("/1/subscribe"), Token: f.reporter.Token})
	if r.Status != http.StatusNotModified {
		t.Fatalf("subscribe again: %d", r.Status)
	}
	// The assignee participates, so is subscribed until they unsubscribe.
	gc := f.s.Client(t, f.guest.Token)
	un, _, err := gc.Issues.UnsubscribeFromIssue(f.p.ID, is.IID)
	if err != nil || un.Subscribed {
		t.Fatalf("unsubscribe %v %v", un, err)
	}
	if r := f.s.Do(t, labtest.Request{Method: "POST", Path: f.path("/1/unsubscribe"), Token: f.guest.Token}); r.Status != http.StatusNotModified {
		t.Fatalf("unsubscribe again: %d", r.Status)
	}

	ts, _, err := rc.Issues.SetTimeEstimate(f.p.ID, is.IID, &gitlab.SetTimeEstimateOptions{Duration: gitlab.Ptr("1w 2d 3h30m")})
	if err != nil || ts.TimeEstimate != (7*8+3)*3600+1800 || ts.HumanTimeEstimate != "1w 2d 3h 30m" {
		t.Fatalf("estimate %+v %v", ts, err)
	}
	if _, _, err := rc.Issues.AddSpentTime(f.p.ID, is.IID, &gitlab.AddSpentTimeOptions{Duration: gitlab.Ptr("2h")}); err != nil {
		t.Fatal(err)
	}
	ts, _, err = rc.Issues.AddSpentTime(f.p.ID, is.IID, &gitlab.AddSpentTimeOptions{Duration: gitlab.Ptr("-30m"), Summary: gitlab.Ptr("less")})
	if err != nil || ts.TotalTimeSpent != 5400 || ts.HumanTotalTimeSpent != "1h 30m" {
		t.Fatalf("spent %+v %v", ts, err)
	}
	got, _, err := f.s.Client(t, f.guest.Token).Issues.GetTimeSpent(f.p.ID, is.IID)
	if err != nil || got.TotalTimeSpent != 5400 || got.TimeEstimate != ts.TimeEstimate {
		t.Fatalf("time stats %+v %v", got, err)
	}
	if n := f.count(t, fmt.Sprintf("SELECT count(*) FROM timelogs WHERE resource_id = %d", is.ID)); n != 2 {
		t.Errorf("timelogs = %d", n)
	}
	if _, _, err := rc.Issues.ResetSpentTime(f.p.ID, is.IID); err != nil {
		t.Fatal(err)
	}
	ts, _, err = rc.Issues.ResetTimeEstimate(f.p.ID, is.IID)
	if err != nil || ts.TimeEstimate != 0 || ts.TotalTimeSpent != 0 || ts.HumanTimeEstimate != "" {
		t.Fatalf("reset %+v %v", ts, err)
	}
	want := "changed time estimate to 1w 2d 3h 30m\nadded 2h of time spent\nsubtracted 30m of time spent\nremoved time spent\nremoved time estimate"
	if got := strings.Join(f.systemNotes(t, is.ID), "\n"); got != want {
		t.Errorf("time notes:\n%s", got)
	}
	// Guests may read but not track time; bad durations are refused.
	f.s.Do(t, labtest.Request{Method: "POST", Path: f.path("/1/add_spent_time"), Token: f.guest.Token,
		JSON: map[string]any{"duration": "1h"}}).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	f.s.Do(t, labtest.Request{Method: "POST", Path: f.path("/1/time_estimate"), Token: f.reporter.Token,
		JSON: map[string]any{"duration": "soon"}}).ExpectError(t, 400, `{"error":"duration is invalid"}`)
	f.s.Do(t, labtest.Request{Method: "POST", Path: f.path("/1/time_estimate"), Token: f.reporter.Token}).
		ExpectError(t, 400, `{"error":"duration is missing"}`)

	ps, _, err := rc.Issues.GetParticipants(f.p.ID, is.IID)
	if err != nil || len(ps) != 2 || ps[0].Username != "olga" || ps[1].Username != "gus" {
		t.Fatalf("participants %v %v", ps, err)
	}
	for _, p := range []string{"/1/related_merge_requests", "/1/closed_by"} {
		r := f.s.Do(t, labtest.Request{Path: f.path(p), Token: f.guest.Token})
		if r.Status != 200 || strings.TrimSpace(string(r.Body)) != "[]" {
			t.Errorf("%s: %d %s", p, r.Status, r.Body)
		}
	}
}

func TestIssueLinks(t *testing.T) {
	t.Parallel()
	f := newIssueFixture(t, gitlab.PrivateVisibility)
	oc := f.s.Client(t, f.owner.Token)
	a, _, err := oc.Issues.CreateIssue(f.p.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("a")})
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := oc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Other"), NamespaceID: gitlab.Ptr(f.g.ID)})
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := oc.Issues.CreateIssue(other.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("b")})
	if err != nil {
		t.Fatal(err)
	}
	link, resp, err := oc.IssueLinks.CreateIssueLink(f.p.ID, a.IID, &gitlab.CreateIssueLinkOptions{
		TargetProjectID: gitlab.Ptr(fmt.Sprint(other.ID)), TargetIssueIID: gitlab.Ptr(fmt.Sprint(b.IID))})
	if err != nil || resp.StatusCode != http.StatusCreated || link.SourceIssue.ID != a.ID || link.TargetIssue.ID != b.ID ||
		link.LinkType != "relates_to" {
		t.Fatalf("link %+v %v", link, err)
	}
	rels, _, err := oc.IssueLinks.ListIssueRelations(f.p.ID, a.IID)
	if err != nil || len(rels) != 1 || rels[0].ID != b.ID || rels[0].LinkType != "relates_to" || rels[0].IssueLinkID == 0 {
		t.Fatalf("relations %+v %v", rels, err)
	}
	// The other end lists it too.
	back, _, err := oc.IssueLinks.ListIssueRelations(other.ID, b.IID)
	if err != nil || len(back) != 1 || back[0].ID != a.ID {
		t.Fatalf("back relations %+v %v", back, err)
	}
	if got := strings.Join(f.systemNotes(t, a.ID), "|"); got != "marked this issue as related to team/other#1" {
		t.Errorf("source note %q", got)
	}
	if got := strings.Join(f.systemNotes(t, b.ID), "|"); got != "marked this issue as related to team/app#1" {
		t.Errorf("target note %q", got)
	}
	// Refusals: a duplicate, a missing target, Premium link types, a
	// member without admin rights on the project.
	post := func(token string, body map[string]any) *labtest.Response {
		return f.s.Do(t, labtest.Request{Method: "POST", Path: f.path("/1/links"), Token: token, JSON: body})
	}
	post(f.owner.Token, map[string]any{"target_project_id": other.ID, "target_issue_iid": b.IID}).
		ExpectError(t, 409, `{"message":"Issue(s) already assigned"}`)
	post(f.owner.Token, map[string]any{"target_project_id": other.ID, "target_issue_iid": 99}).
		ExpectError(t, 404, `{"message":"404 No matching issue found. Make sure that you are adding a valid issue URL."}`)
	post(f.owner.Token, map[string]any{"target_project_id": other.ID, "target_issue_iid": b.IID, "link_type": "blocks"}).
		ExpectError(t, 403, `{"message":"403 Forbidden - Blocked issues not available for current license"}`)
	post(f.owner.Token, map[string]any{"target_issue_iid": b.IID}).ExpectError(t, 400, `{"error":"target_project_id is missing"}`)
	post(f.guest.Token, map[string]any{"target_project_id": other.ID, "target_issue_iid": b.IID}).
		ExpectError(t, 403, `{"message":"403 Forbidden"}`)

	// The guest of app can't see "other": the link is hidden from them.
	gl, _, err := f.s.Client(t, f.guest.Token).IssueLinks.ListIssueRelations(f.p.ID, a.IID)
	if err != nil || len(gl) != 0 {
		t.Fatalf("guest relations %+v %v", gl, err)
	}
	lid := rels[0].IssueLinkID
	got, _, err := oc.IssueLinks.GetIssueLink(f.p.ID, a.IID, lid)
	if err != nil || got.SourceIssue.ID != a.ID || got.TargetIssue.ID != b.ID {
		t.Fatalf("get link %+v %v", got, err)
	}
	f.s.Do(t, labtest.Request{Path: f.path(fmt.Sprintf("/1/links/%d", lid+100)), Token: f.owner.Token}).
		ExpectError(t, 404, `{"message":"404 Not found"}`)
	del, _, err := oc.IssueLinks.DeleteIssueLink(f.p.ID, a.IID, lid)
	if err != nil || del.TargetIssue.ID != b.ID {
		t.Fatalf("delete link %+v %v", del, err)
	}
	if n := f.count(t, "SELECT count(*) FROM issue_links"); n != 0 {
		t.Errorf("links left: %d", n)
	}
	if notes := f.systemNotes(t, a.ID); notes[len(notes)-1] != "removed the relation with team/other#1" {
		t.Errorf("unlink note %q", notes[len(notes)-1])
	}
}

// TestIssueAssigneeRules: CE keeps one assignee; an assignee who could
// not read the issue leaves the assignees as they were; 0 unassigns.
func TestIssueAssigneeRules(t *testing.T) {
	t.Parallel()
	f := newIssueFixture(t, gitlab.PrivateVisibility)
	c := f.s.Client(t, f.owner.Token)
	is, _, err := c.Issues.CreateIssue(f.p.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("a"),
		AssigneeIDs: &[]int64{f.guest.ID, f.reporter.ID}})
	if err != nil || len(is.Assignees) != 1 || is.Assignees[0].ID != f.guest.ID {
		t.Fatalf("created %+v %v", is, err)
	}
	up, _, err := c.Issues.UpdateIssue(f.p.ID, is.IID, &gitlab.UpdateIssueOptions{AssigneeIDs: &[]int64{f.outsid.ID}})
	if err != nil || len(up.Assignees) != 1 || up.Assignees[0].ID != f.guest.ID {
		t.Fatalf("outsider assigned: %+v %v", up.Assignees, err)
	}
	r := f.s.Do(t, labtest.Request{Method: "PUT", Path: f.path("/1"), Token: f.owner.Token, Form: map[string][]string{"assignee_id": {"0"}}})
	if r.Status != 200 || len(r.Map(t)["assignees"].([]any)) != 0 || r.Map(t)["assignee"] != nil {
		t.Fatalf("unassign: %d %s", r.Status, r.Body)
	}
	if notes := f.systemNotes(t, is.ID); len(notes) != 1 || notes[0] != "unassigned @gus" {
		t.Errorf("notes %v", notes)
	}
}
