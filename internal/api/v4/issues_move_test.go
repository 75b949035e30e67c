package v4_test

import (
	"context"
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
