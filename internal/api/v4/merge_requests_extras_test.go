package v4_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// mrSystemNotes are the bodies of a merge request's system notes, oldest
// first.
func (f *mrFixture) mrSystemNotes(t *testing.T, iid int64) []string {
	t.Helper()
	notes, _, err := f.ownerC.Notes.ListMergeRequestNotes(f.p.ID, iid, &gitlab.ListMergeRequestNotesOptions{
		Sort: gitlab.Ptr("asc"), ListOptions: gitlab.ListOptions{PerPage: 100}})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range notes {
		if n.System {
			out = append(out, n.Body)
		}
	}
	return out
}

// TestMergeRequestTimeTracking: the issues' time tracker on a merge
// request — estimate, spent time, resets — with their system notes, time
// logs and the entity's time_stats; admin_merge_request to track, bad
// durations refused.
func TestMergeRequestTimeTracking(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "feature")
	mr := f.create(t, f.devC, "feature", "F")
	ts, resp, err := f.devC.MergeRequests.SetTimeEstimate(f.p.ID, mr.IID, &gitlab.SetTimeEstimateOptions{Duration: gitlab.Ptr("1w 2d 3h 30m")})
	wantStatus(t, resp, err, http.StatusCreated)
	if ts.TimeEstimate != 214200 || ts.HumanTimeEstimate != "1w 2d 3h 30m" || ts.TotalTimeSpent != 0 {
		t.Fatalf("estimate %+v", ts)
	}
	// The same estimate again changes nothing and notes nothing.
	if _, _, err := f.devC.MergeRequests.SetTimeEstimate(f.p.ID, mr.IID, &gitlab.SetTimeEstimateOptions{Duration: gitlab.Ptr("1w2d3h30m")}); err != nil {
		t.Fatal(err)
	}
	if _, resp, err = f.devC.MergeRequests.AddSpentTime(f.p.ID, mr.IID, &gitlab.AddSpentTimeOptions{Duration: gitlab.Ptr("2h"),
		Summary: gitlab.Ptr("review")}); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("add spent: %v", err)
	}
	ts, _, err = f.ownerC.MergeRequests.AddSpentTime(f.p.ID, mr.IID, &gitlab.AddSpentTimeOptions{Duration: gitlab.Ptr("-30m")})
	if err != nil || ts.TotalTimeSpent != 5400 || ts.HumanTotalTimeSpent != "1h 30m" {
		t.Fatalf("subtract %+v %v", ts, err)
	}
	// Readers see the stats, on their endpoint and on the merge request.
	got, _, err := f.reporterC.MergeRequests.GetTimeSpent(f.p.ID, mr.IID)
	if err != nil || got.TimeEstimate != 214200 || got.TotalTimeSpent != 5400 {
		t.Fatalf("time stats %+v %v", got, err)
	}
	m, _, err := f.reporterC.MergeRequests.GetMergeRequest(f.p.ID, mr.IID, nil)
	if err != nil || m.TimeStats == nil || m.TimeStats.TimeEstimate != 214200 || m.TimeStats.TotalTimeSpent != 5400 ||
		m.TimeStats.HumanTimeEstimate != "1w 2d 3h 30m" {
		t.Fatalf("merge request time_stats %+v %v", m.TimeStats, err)
	}
	if n := (&issueFixture{s: f.s}).count(t, fmt.Sprintf("SELECT count(*) FROM timelogs WHERE resource_type = 'MergeRequest' AND resource_id = %d", mr.ID)); n != 2 {
		t.Errorf("timelogs = %d", n)
	}
	if _, _, err := f.devC.MergeRequests.ResetSpentTime(f.p.ID, mr.IID); err != nil {
		t.Fatal(err)
	}
	ts, _, err = f.devC.MergeRequests.ResetTimeEstimate(f.p.ID, mr.IID)
	if err != nil || ts.TimeEstimate != 0 || ts.TotalTimeSpent != 0 || ts.HumanTimeEstimate != "" {
		t.Fatalf("reset %+v %v", ts, err)
	}
	want := "changed time estimate to 1w 2d 3h 30m\nadded 2h of time spent\nsubtracted 30m of time spent\nremoved time spent\nremoved time estimate"
	if got := strings.Join(f.mrSystemNotes(t, mr.IID), "\n"); got != want {
		t.Errorf("time notes:\n%s", got)
	}
	path := f.path(fmt.Sprintf("/%d", mr.IID))
	// Reporters read but do not track; guests of a private project read no
	// merge request; bad durations and unknown merge requests are refused.
	f.s.Do(t, labtest.Request{Method: "POST", Path: path + "/add_spent_time", Token: f.reporter.Token,
		JSON: map[string]any{"duration": "1h"}}).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	f.s.Do(t, labtest.Request{Path: path + "/time_stats", Token: f.guest.Token}).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	f.s.Do(t, labtest.Request{Method: "POST", Path: path + "/time_estimate", Token: f.dev.Token,
		JSON: map[string]any{"duration": "soon"}}).ExpectError(t, 400, `{"error":"duration is invalid"}`)
	f.s.Do(t, labtest.Request{Method: "POST", Path: path + "/time_estimate", Token: f.dev.Token,
		JSON: map[string]any{"duration": "-1h"}}).ExpectError(t, 400, `{"error":"duration is invalid"}`)
	f.s.Do(t, labtest.Request{Method: "POST", Path: path + "/add_spent_time", Token: f.dev.Token}).
		ExpectError(t, 400, `{"error":"duration is missing"}`)
	f.s.Do(t, labtest.Request{Method: "POST", Path: f.path("/99/time_estimate"), Token: f.dev.Token,
		JSON: map[string]any{"duration": "1h"}}).ExpectError(t, 404, `{"message":"404 Merge Request Not Found"}`)
	f.s.Do(t, labtest.Request{Path: f.path("/99/time_stats"), Token: f.dev.Token}).
		ExpectError(t, 404, `{"message":"404 Merge Request Not Found"}`)
}

// TestMergeRequestTodoReviewersRawDiffs: a marked to-do item (304 the
// second time), the reviewers with their state, and the plain-text diff.
func TestMergeRequestTodoReviewersRawDiffs(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "feature")
	mr, _, err := f.devC.MergeRequests.CreateMergeRequest(f.p.ID, &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr("F"),
		SourceBranch: gitlab.Ptr("feature"), TargetBranch: gitlab.Ptr("main"), ReviewerIDs: &[]int64{f.owner.ID}})
	if err != nil {
		t.Fatal(err)
	}
	todo, resp, err := f.reporterC.MergeRequests.CreateTodo(f.p.ID, mr.IID)
	wantStatus(t, resp, err, http.StatusCreated)
	if todo.ActionName != "marked" || todo.TargetType != "MergeRequest" || todo.Target.IID != mr.IID || todo.Author.ID != f.reporter.ID {
		t.Fatalf("todo %+v", todo)
	}
	_, resp, _ = f.reporterC.MergeRequests.CreateTodo(f.p.ID, mr.IID)
	wantStatus(t, resp, nil, http.StatusNotModified)
	if list, _, err := f.reporterC.Todos.ListTodos(nil); err != nil || len(list) != 1 || list[0].ID != todo.ID {
		t.Fatalf("todos %+v %v", list, err)
	}
	f.s.Do(t, labtest.Request{Method: "POST", Path: f.path(fmt.Sprintf("/%d/todo", mr.IID)), Token: f.guest.Token}).
		ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	f.s.Do(t, labtest.Request{Method: "POST", Path: f.path("/99/todo"), Token: f.dev.Token}).
		ExpectError(t, 404, `{"message":"404 Merge Request Not Found"}`)

	rv, _, err := f.reporterC.MergeRequests.GetMergeRequestReviewers(f.p.ID, mr.IID)
	if err != nil || len(rv) != 1 || rv[0].User.ID != f.owner.ID || rv[0].State != "unreviewed" || rv[0].CreatedAt == nil {
		t.Fatalf("reviewers %+v %v", rv, err)
	}
	if _, _, err := f.ownerC.MergeRequestApprovals.ApproveMergeRequest(f.p.ID, mr.IID, nil); err != nil {
		t.Fatal(err)
	}
	if rv, _, err = f.reporterC.MergeRequests.GetMergeRequestReviewers(f.p.ID, mr.IID); err != nil || len(rv) != 1 || rv[0].State != "approved" {
		t.Fatalf("reviewers after approval %+v %v", rv, err)
	}

	raw, resp, err := f.reporterC.MergeRequests.ShowMergeRequestRawDiffs(f.p.ID, mr.IID, nil)
	wantStatus(t, resp, err, http.StatusOK)
	head := f.head(t, "feature")
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("content type %q", ct)
	}
	want := "diff --git a/feature.txt b/feature.txt\nnew file mode 100644\nindex 0000000000000000000000000000000000000000.."
	if !strings.HasPrefix(string(raw), want) || !strings.HasSuffix(string(raw), "@@ -0,0 +1 @@\n+feature\n\\ No newline at end of file\n") {
		t.Fatalf("raw diffs (head %s):\n%s", head, raw)
	}
	f.s.Do(t, labtest.Request{Path: f.path("/99/raw_diffs"), Token: f.dev.Token}).
		ExpectError(t, 404, `{"message":"404 Merge Request Not Found"}`)
	f.s.Do(t, labtest.Request{Path: f.path(fmt.Sprintf("/%d/reviewers", mr.IID)), Token: f.guest.Token}).
		ExpectError(t, 403, `{"message":"403 Forbidden"}`)
}

// TestMergeRequestRelatedIssues: the issues a merge request's description
// closes or mentions, against closes_issues.
func TestMergeRequestRelatedIssues(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "feature")
	var iids []int64
	for _, title := range []string{"one", "two", "three"} {
		is, _, err := f.ownerC.Issues.CreateIssue(f.p.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr(title)})
		if err != nil {
			t.Fatal(err)
		}
		iids = append(iids, is.IID)
	}
	mr, _, err := f.devC.MergeRequests.CreateMergeRequest(f.p.ID, &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr("F"),
		Description: gitlab.Ptr("Closes #1, see #2"), SourceBranch: gitlab.Ptr("feature"), TargetBranch: gitlab.Ptr("main")})
	if err != nil {
		t.Fatal(err)
	}
	related, _, err := f.reporterC.MergeRequests.ListRelatedIssues(f.p.ID, mr.IID, nil)
	if err != nil || len(related) != 2 {
		t.Fatalf("related %+v %v", related, err)
	}
	var got []int64
	for _, is := range related {
		got = append(got, is.IID)
	}
	if !(got[0] == 1 && got[1] == 2 || got[0] == 2 && got[1] == 1) {
		t.Fatalf("related iids %v", got)
	}
	closes, _, err := f.reporterC.MergeRequests.GetIssuesClosedOnMerge(f.p.ID, mr.IID, nil)
	if err != nil || len(closes) != 1 || closes[0].IID != 1 {
		t.Fatalf("closes %+v %v", closes, err)
	}
	f.s.Do(t, labtest.Request{Path: f.path("/99/related_issues"), Token: f.dev.Token}).
		ExpectError(t, 404, `{"message":"404 Merge Request Not Found"}`)
}

// TestMergeRequestQuickActions: a merge request's comments run the
// commands that apply to merge requests through the issues' code path;
// an issue's commands (/due) stay text, callers without the ability
// have theirs dropped.
func TestMergeRequestQuickActions(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "feature")
	ms := (&issueFixture{s: f.s, p: f.p}).milestone(t, "v1", nil)
	if _, _, err := f.ownerC.Labels.CreateLabel(f.p.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr("backend"), Color: gitlab.Ptr("red")}); err != nil {
		t.Fatal(err)
	}
	mr := f.create(t, f.ownerC, "feature", "Add feature")
	notes := f.path(fmt.Sprintf("/%d/notes", mr.IID))
	body := "Looks good\n/label ~backend\n/assign @remy\n/reviewer @dora\n/milestone %v1\n/estimate 2h\n/spend 1h\n" +
		"/title Feature\n/draft\n/due 2030-01-01"
	n, resp, err := f.devC.Notes.CreateMergeRequestNote(f.p.ID, mr.IID, &gitlab.CreateMergeRequestNoteOptions{Body: gitlab.Ptr(body)})
	wantStatus(t, resp, err, http.StatusCreated)
	if n.Body != "Looks good\n/due 2030-01-01" {
		t.Fatalf("note body = %q", n.Body)
	}
	got, _, err := f.devC.MergeRequests.GetMergeRequest(f.p.ID, mr.IID, nil)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case got.Title != "Draft: Feature" || !got.Draft:
		t.Fatalf("title %q draft %v", got.Title, got.Draft)
	case len(got.Labels) != 1 || got.Labels[0] != "backend" || got.Milestone == nil || got.Milestone.ID != ms.ID:
		t.Fatalf("labels/milestone %v %+v", got.Labels, got.Milestone)
	case len(got.Assignees) != 1 || got.Assignees[0].ID != f.reporter.ID || len(got.Reviewers) != 1 || got.Reviewers[0].ID != f.dev.ID:
		t.Fatalf("assignees/reviewers %+v %+v", got.Assignees, got.Reviewers)
	case got.TimeStats == nil || got.TimeStats.TimeEstimate != 7200 || got.TimeStats.TotalTimeSpent != 3600:
		t.Fatalf("time stats %+v", got.TimeStats)
	}
	// Commands only: 202 with what they did.
	r := f.s.Do(t, labtest.Request{Method: "POST", Path: notes, Token: f.dev.Token,
		JSON: map[string]any{"body": "/ready\n/close\n/unassign_reviewer\n/remove_milestone"}})
	want := `{"commands_changes":{"milestone_id":null,"reviewer_ids":[],"state_event":"close","wip_event":"ready"},` +
		`"summary":["Marked this merge request as ready. Closed this merge request. Removed reviewer @dora. Removed %v1 milestone."]}`
	if r.Status != http.StatusAccepted || strings.TrimSpace(string(r.Body)) != want {
		t.Fatalf("commands only = %d %s, want 202 %s", r.Status, r.Body, want)
	}
	// A reporter (here an assignee, who may update it) lacks
	// admin_merge_request: labels, reviewers and time are not theirs.
	r = f.s.Do(t, labtest.Request{Method: "POST", Path: notes, Token: f.reporter.Token,
		JSON: map[string]any{"body": "/unlabel ~backend\n/spend 1h\n/reviewer @remy"}})
	if r.Status != http.StatusAccepted || strings.TrimSpace(string(r.Body)) != `{"commands_changes":{},"summary":[]}` {
		t.Fatalf("reporter's commands = %d %s", r.Status, r.Body)
	}
	got, _, err = f.devC.MergeRequests.GetMergeRequest(f.p.ID, mr.IID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != "closed" || got.Title != "Feature" || got.Draft || len(got.Reviewers) != 0 || got.Milestone != nil ||
		len(got.Labels) != 1 || got.TimeStats.TotalTimeSpent != 3600 {
		t.Fatalf("merge request = %+v", got)
	}
	sys := strings.Join(f.mrSystemNotes(t, mr.IID), "\n")
	for _, s := range []string{"added 1h of time spent", "changed time estimate to 2h", "marked this merge request as **draft**",
		"requested review from @dora", "assigned to @remy"} {
		if !strings.Contains(sys, s) {
			t.Errorf("system notes lack %q:\n%s", s, sys)
		}
	}
	// /ready changes only the draft prefix: no title change is noted.
	if strings.Count(sys, "changed title from") != 1 || !strings.Contains(sys, "marked this merge request as **ready**") {
		t.Errorf("title notes:\n%s", sys)
	}
	// /draft is no issue command: it stays in an issue's comment.
	is, _, err := f.ownerC.Issues.CreateIssue(f.p.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("i")})
	if err != nil {
		t.Fatal(err)
	}
	in, _, err := f.devC.Notes.CreateIssueNote(f.p.ID, is.IID, &gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr("x\n/draft\n/reviewer @dora")})
	if err != nil || in.Body != "x\n/draft\n/reviewer @dora" {
		t.Fatalf("issue note %+v %v", in, err)
	}
}

// TestMergeRequestQuickActionsInDescription: a new merge request's
// description commands apply once it exists (those on its state are
// dropped); an updated description's run as the caller.
func TestMergeRequestQuickActionsInDescription(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "feature")
	if _, _, err := f.ownerC.Labels.CreateLabel(f.p.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr("backend"), Color: gitlab.Ptr("red")}); err != nil {
		t.Fatal(err)
	}
	mr, _, err := f.devC.MergeRequests.CreateMergeRequest(f.p.ID, &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr("F"),
		Description: gitlab.Ptr("Body\n/label ~backend\n/estimate 1h\n/draft\n/close"), SourceBranch: gitlab.Ptr("feature"),
		TargetBranch: gitlab.Ptr("main")})
	if err != nil {
		t.Fatal(err)
	}
	if mr.Description != "Body" || mr.State != "opened" || !mr.Draft || mr.Title != "Draft: F" || len(mr.Labels) != 1 ||
		mr.TimeStats == nil || mr.TimeStats.TimeEstimate != 3600 {
		t.Fatalf("created %+v", mr)
	}
	mr, _, err = f.devC.MergeRequests.UpdateMergeRequest(f.p.ID, mr.IID, &gitlab.UpdateMergeRequestOptions{
		Description: gitlab.Ptr("New body\n/ready\n/close\n/spend 30m")})
	if err != nil {
		t.Fatal(err)
	}
	if mr.Description != "New body" || mr.State != "closed" || mr.Draft || mr.Title != "F" || mr.TimeStats.TotalTimeSpent != 1800 {
		t.Fatalf("updated %+v", mr)
	}
}
