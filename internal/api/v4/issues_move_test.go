package v4_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

func TestIssueMove(t *testing.T) {
	t.Parallel()
	f := newIssueFixture(t, gitlab.PrivateVisibility)
	f.groupLabel(t, "shared", "#000000")
	f.milestone(t, "v1", nil)
	oc := f.s.Client(t, f.owner.Token)
	to, _, err := oc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Next"), NamespaceID: gitlab.Ptr(f.g.ID)})
	if err != nil {
		t.Fatal(err)
	}
	var mid int64
	if err := f.s.Srv.DB.SQL().QueryRow("SELECT id FROM milestones WHERE title = 'v1'").Scan(&mid); err != nil {
		t.Fatal(err)
	}
	// The target has an issue already: the moved one gets #2.
	if _, _, err := oc.Issues.CreateIssue(to.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("first")}); err != nil {
		t.Fatal(err)
	}
	is, _, err := oc.Issues.CreateIssue(f.p.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("wanderer"),
		Description: gitlab.Ptr("body"), Labels: &gitlab.LabelOptions{"shared", "local"}, MilestoneID: gitlab.Ptr(mid),
		AssigneeIDs: &[]int64{f.guest.ID}})
	if err != nil {
		t.Fatal(err)
	}
	// A comment (written directly: the notes API is another family's)
	// is copied onto the moved issue.
	ctx := context.Background()
	pid, author := f.p.ID, f.reporter.ID
	note := &model.Note{ProjectID: &pid, NoteableType: "Issue", NoteableID: is.ID, DiscussionID: strings.Repeat("ab", 20),
		AuthorID: &author, Body: "a comment"}
	if err := f.s.Srv.DB.WithTx(ctx, func(q *store.Queries) error { return q.InsertNote(ctx, note) }); err != nil {
		t.Fatal(err)
	}
	moved, resp, err := oc.Issues.MoveIssue(f.p.ID, is.IID, &gitlab.MoveIssueOptions{ToProjectID: gitlab.Ptr(to.ID)})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("move %v %v", resp, err)
	}
	// The group label follows; the project label and milestone do not
	// exist in the target.
	if moved.ProjectID != to.ID || moved.IID != 2 || moved.Title != "wanderer" || moved.Description != "body" ||
		strings.Join(moved.Labels, ",") != "shared" || moved.Milestone != nil || moved.Author.ID != f.owner.ID {
		t.Fatalf("moved %+v", moved)
	}
	old, _, err := oc.Issues.GetIssue(f.p.ID, is.IID)
	if err != nil || old.State != "closed" || old.MovedToID != moved.ID {
		t.Fatalf("original %+v %v", old, err)
	}
	if got := f.systemNotes(t, is.ID); len(got) != 1 || got[0] != "moved to team/next#2" {
		t.Errorf("source notes %v", got)
	}
	if got := f.systemNotes(t, moved.ID); len(got) != 1 || got[0] != "moved from team/app#1" {
		t.Errorf("target notes %v", got)
	}
	if moved.UserNotesCount != 1 || f.count(t, fmt.Sprintf("SELECT count(*) FROM notes WHERE noteable_id = %d AND body = 'a comment' AND discussion_id <> '%s'", moved.ID, note.DiscussionID)) != 1 {
		t.Errorf("comment not copied: user_notes_count %d", moved.UserNotesCount)
	}
	move := func(token string, iid, to int64) *labtest.Response {
		return f.s.Do(t, labtest.Request{Method: "POST", Path: f.path(fmt.Sprintf("/%d/move", iid)), Token: token,
			JSON: map[string]any{"to_project_id": to}})
	}
	move(f.owner.Token, is.IID, to.ID).ExpectError(t, 400, `{"message":"Cannot move issue which was already moved!"}`)
	other, _, err := oc.Issues.CreateIssue(f.p.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("stay")})
	if err != nil {
		t.Fatal(err)
	}
	move(f.owner.Token, other.IID, f.p.ID).ExpectError(t, 400, `{"message":"Cannot move issue to project it originates from!"}`)
	// The reporter of app is no member of next.
	move(f.reporter.Token, other.IID, to.ID).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	move(f.guest.Token, other.IID, to.ID).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	f.s.Do(t, labtest.Request{Method: "POST", Path: f.path(fmt.Sprintf("/%d/move", other.IID)), Token: f.owner.Token}).
		ExpectError(t, 400, `{"error":"to_project_id is missing"}`)
}

func TestIssueReorder(t *testing.T) {
	t.Parallel()
	f := newIssueFixture(t, gitlab.PrivateVisibility)
	c := f.s.Client(t, f.reporter.Token)
	var ids []int64
	for k := 0; k < 3; k++ {
		is, _, err := c.Issues.CreateIssue(f.p.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr(fmt.Sprint("i", k+1))})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, is.ID)
	}
	order := func() string {
		t.Helper()
		l, _, err := c.Issues.ListProjectIssues(f.p.ID, &gitlab.ListProjectIssuesOptions{OrderBy: gitlab.Ptr("relative_position"),
			Sort: gitlab.Ptr("asc")})
		if err != nil {
			t.Fatal(err)
		}
		return iidsOf(l)
	}
	// #3 goes before #1 (move_after_id: the issue that comes after it).
	if _, _, err := c.Issues.ReorderIssue(f.p.ID, 3, &gitlab.ReorderIssueOptions{MoveAfterID: gitlab.Ptr(ids[0])}); err != nil {
		t.Fatal(err)
	}
	if got := order(); got != "3,1,2" {
		t.Fatalf("order %s", got)
	}
	// #2 between #3 and #1.
	if _, _, err := c.Issues.ReorderIssue(f.p.ID, 2, &gitlab.ReorderIssueOptions{MoveBeforeID: gitlab.Ptr(ids[2]),
		MoveAfterID: gitlab.Ptr(ids[0])}); err != nil {
		t.Fatal(err)
	}
	if got := order(); got != "3,2,1" {
		t.Fatalf("order %s", got)
	}
	f.s.Do(t, labtest.Request{Method: "PUT", Path: f.path("/1/reorder"), Token: f.reporter.Token,
		JSON: map[string]any{"move_after_id": 999999}}).ExpectError(t, 404, `{"message":"404 Issue Not Found"}`)
}

// TestIssueMoveCopiesWhatHangsOffIt: as GitLab's move (Issuable::Clone,
// WorkItems::DataSync widgets), the moved issue gets copies of the
// original's award emoji (and its comments'), label, milestone and state
// events, time logs, subscriptions and links, and keeps its relative
// position within the same top-level group; to-do items stay behind.
func TestIssueMoveCopiesWhatHangsOffIt(t *testing.T) {
	t.Parallel()
	f := newIssueFixture(t, gitlab.PrivateVisibility)
	f.groupLabel(t, "shared", "#000000")
	m := f.milestone(t, "v1", nil)
	oc, rc := f.s.Client(t, f.owner.Token), f.s.Client(t, f.reporter.Token)
	to, _, err := oc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Next"), NamespaceID: gitlab.Ptr(f.g.ID)})
	if err != nil {
		t.Fatal(err)
	}
	pid := f.p.ID
	other, _, err := oc.Issues.CreateIssue(pid, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("other")})
	if err != nil {
		t.Fatal(err)
	}
	is, _, err := oc.Issues.CreateIssue(pid, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("wanderer"),
		Labels: &gitlab.LabelOptions{"shared"}, MilestoneID: gitlab.Ptr(m.ID), AssigneeIDs: &[]int64{f.reporter.ID}})
	if err != nil {
		t.Fatal(err)
	}
	must := func(_ any, resp *gitlab.Response, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%v %v", resp, err)
		}
	}
	must(oc.Issues.ReorderIssue(pid, is.IID, &gitlab.ReorderIssueOptions{MoveAfterID: gitlab.Ptr(other.ID)}))
	must(oc.Issues.UpdateIssue(pid, is.IID, &gitlab.UpdateIssueOptions{StateEvent: gitlab.Ptr("close")}))
	must(oc.Issues.UpdateIssue(pid, is.IID, &gitlab.UpdateIssueOptions{StateEvent: gitlab.Ptr("reopen")}))
	must(oc.AwardEmoji.CreateIssueAwardEmoji(pid, is.IID, &gitlab.CreateAwardEmojiOptions{Name: "thumbsup"}))
	must(rc.AwardEmoji.CreateIssueAwardEmoji(pid, is.IID, &gitlab.CreateAwardEmojiOptions{Name: "tada"}))
	note, _, err := rc.Notes.CreateIssueNote(pid, is.IID, &gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr("a comment")})
	if err != nil {
		t.Fatal(err)
	}
	must(oc.AwardEmoji.CreateIssuesAwardEmojiOnNote(pid, is.IID, note.ID, &gitlab.CreateAwardEmojiOptions{Name: "heart"}))
	must(oc.Issues.AddSpentTime(pid, is.IID, &gitlab.AddSpentTimeOptions{Duration: gitlab.Ptr("1h30m")}))
	// The author participates (subscribed); an explicit unsubscription
	// overrides that and moves with the issue.
	must(oc.Issues.UnsubscribeFromIssue(pid, is.IID))
	must(oc.IssueLinks.CreateIssueLink(pid, is.IID, &gitlab.CreateIssueLinkOptions{TargetProjectID: gitlab.Ptr(itoa(pid)),
		TargetIssueIID: gitlab.Ptr(itoa(other.IID))}))
	before, _, err := oc.Issues.GetIssue(pid, is.IID)
	if err != nil || before.Upvotes != 1 {
		t.Fatalf("before the move: %+v %v", before, err)
	}

	moved, _, err := oc.Issues.MoveIssue(pid, is.IID, &gitlab.MoveIssueOptions{ToProjectID: gitlab.Ptr(to.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if moved.Upvotes != 1 || moved.Subscribed || moved.TimeStats == nil || moved.TimeStats.TotalTimeSpent != 5400 {
		t.Fatalf("moved %+v (time %+v)", moved, moved.TimeStats)
	}
	var pos [2]sql.NullInt64
	if err := f.s.Srv.DB.SQL().QueryRow(fmt.Sprintf("SELECT a.relative_position, b.relative_position FROM issues a, issues b WHERE a.id = %d AND b.id = %d",
		is.ID, moved.ID)).Scan(&pos[0], &pos[1]); err != nil || !pos[0].Valid || pos[0] != pos[1] {
		t.Fatalf("relative positions %v, %v", pos, err)
	}

	awards := func(list []*gitlab.AwardEmoji) string {
		var out []string
		for _, a := range list {
			out = append(out, a.Name+" by "+a.User.Username)
		}
		return strings.Join(out, ", ")
	}
	got, _, err := oc.AwardEmoji.ListIssueAwardEmoji(to.ID, moved.IID, nil)
	if err != nil || awards(got) != "thumbsup by olga, tada by remy" {
		t.Fatalf("moved issue's award emoji: %s %v", awards(got), err)
	}
	notes, _, err := oc.Notes.ListIssueNotes(to.ID, moved.IID, &gitlab.ListIssueNotesOptions{Sort: gitlab.Ptr("asc")})
	if err != nil {
		t.Fatal(err)
	}
	var copied *gitlab.Note
	for _, n := range notes {
		if n.Body == "a comment" {
			copied = n
		}
	}
	if copied == nil {
		t.Fatalf("comment not copied: %+v", notes)
	}
	got, _, err = oc.AwardEmoji.ListIssuesAwardEmojiOnNote(to.ID, moved.IID, copied.ID, nil)
	if err != nil || awards(got) != "heart by olga" {
		t.Fatalf("copied comment's award emoji: %s %v", awards(got), err)
	}

	// Resource events: the original's, as they were (GitLab copies them
	// and creates the new issue without events of its own); the original
	// then gets its "closed".
	labels, _, err := oc.ResourceLabelEvents.ListIssueLabelEvents(to.ID, moved.IID, nil)
	if err != nil || len(labels) != 1 || labels[0].Action != "add" || labels[0].Label.Name != "shared" ||
		labels[0].User.Username != "olga" || labels[0].ResourceID != moved.ID {
		t.Fatalf("label events %+v %v", labels, err)
	}
	miles, _, err := oc.ResourceMilestoneEvents.ListIssueMilestoneEvents(to.ID, moved.IID, nil)
	if err != nil || len(miles) != 1 || miles[0].Action != "add" || miles[0].Milestone.ID != m.ID {
		t.Fatalf("milestone events %+v %v", miles, err)
	}
	states := func(project, iid int64) string {
		t.Helper()
		list, _, err := oc.ResourceStateEvents.ListIssueStateEvents(project, iid, nil)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range list {
			out = append(out, string(e.State))
		}
		return strings.Join(out, ",")
	}
	if got, orig := states(to.ID, moved.IID), states(pid, is.IID); got != "closed,reopened" || orig != "closed,reopened,closed" {
		t.Fatalf("state events: moved %s, original %s", got, orig)
	}

	// Links: the moved issue is linked to what the original was.
	rel, _, err := oc.IssueLinks.ListIssueRelations(to.ID, moved.IID)
	if err != nil || len(rel) != 1 || rel[0].ID != other.ID {
		t.Fatalf("moved issue's links %+v %v", rel, err)
	}
	// To-do items stay on the original.
	todos, _, err := rc.Todos.ListTodos(nil)
	if err != nil || len(todos) != 1 || todos[0].Target.IID != is.IID || todos[0].Target.ProjectID != pid {
		t.Fatalf("the assignee's items %+v %v", todos, err)
	}
}
