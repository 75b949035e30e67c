package v4_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

func TestIssueDiscussions(t *testing.T) {
	t.Parallel()
	f := newNotesFixture(t)
	c := f.client(t, f.guest)

	// A note is a discussion of one: individual until someone replies.
	single, _, err := c.Notes.CreateIssueNote(f.p.ID, f.issue.IID, &gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr("solo")})
	if err != nil {
		t.Fatal(err)
	}
	d, resp, err := c.Discussions.CreateIssueDiscussion(f.p.ID, f.issue.IID, &gitlab.CreateIssueDiscussionOptions{Body: gitlab.Ptr("thread")})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated || d.IndividualNote || len(d.Notes) != 1 || d.Notes[0].Type != "DiscussionNote" ||
		len(d.ID) != 40 || d.Notes[0].Body != "thread" {
		t.Fatalf("created %d %+v", resp.StatusCode, d)
	}
	reply, resp, err := f.client(t, f.outsider).Discussions.AddIssueDiscussionNote(f.p.ID, f.issue.IID, d.ID,
		&gitlab.AddIssueDiscussionNoteOptions{Body: gitlab.Ptr("reply")})
	if err != nil || resp.StatusCode != http.StatusCreated || reply.Type != "DiscussionNote" {
		t.Fatalf("reply = %+v, %v", reply, err)
	}

	list, resp, err := c.Discussions.ListIssueDiscussions(f.p.ID, f.issue.IID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || resp.TotalItems != 2 || !list[0].IndividualNote || list[0].Notes[0].ID != single.ID ||
		list[1].ID != d.ID || len(list[1].Notes) != 2 || list[1].Notes[1].ID != reply.ID {
		t.Fatalf("discussions = %+v", list)
	}
	// The individual note's discussion id comes with it.
	one := list[0]
	// Replying to an individual note turns it into a discussion.
	if _, _, err := c.Discussions.AddIssueDiscussionNote(f.p.ID, f.issue.IID, one.ID,
		&gitlab.AddIssueDiscussionNoteOptions{Body: gitlab.Ptr("now a thread")}); err != nil {
		t.Fatal(err)
	}
	got, _, err := c.Discussions.GetIssueDiscussion(f.p.ID, f.issue.IID, one.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.IndividualNote || len(got.Notes) != 2 || got.Notes[0].Type != "DiscussionNote" {
		t.Fatalf("converted = %+v", got)
	}
	if n := f.reload(t, f.issue).UserNotesCount; n != 4 {
		t.Fatalf("user_notes_count = %d, want 4", n)
	}

	// Paging is by discussion.
	page, resp, err := c.Discussions.ListIssueDiscussions(f.p.ID, f.issue.IID, &gitlab.ListIssueDiscussionsOptions{
		ListOptions: gitlab.ListOptions{PerPage: 1, Page: 2}})
	if err != nil || len(page) != 1 || page[0].ID != d.ID || resp.TotalPages != 2 {
		t.Fatalf("page 2 = %+v, %v", page, err)
	}

	// Editing and deleting through the discussion routes.
	edited, _, err := f.client(t, f.outsider).Discussions.UpdateIssueDiscussionNote(f.p.ID, f.issue.IID, d.ID, reply.ID,
		&gitlab.UpdateIssueDiscussionNoteOptions{Body: gitlab.Ptr("reply, edited")})
	if err != nil || edited.Body != "reply, edited" {
		t.Fatalf("edit = %+v, %v", edited, err)
	}
	if resp, err := f.client(t, f.outsider).Discussions.DeleteIssueDiscussionNote(f.p.ID, f.issue.IID, d.ID, reply.ID); err != nil ||
		resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete = %v, %v", resp, err)
	}
	var notes []map[string]any
	f.s.Do(t, labtest.Request{Path: f.path(f.issue, "/discussions/"+d.ID+"/notes"), Token: f.guest.Token}).JSON(t, &notes)
	if len(notes) != 1 {
		t.Fatalf("discussion notes after delete = %v", notes)
	}
}

func TestIssueDiscussionsBadInput(t *testing.T) {
	t.Parallel()
	f := newNotesFixture(t)
	c := f.client(t, f.guest)
	d, _, err := c.Discussions.CreateIssueDiscussion(f.p.ID, f.issue.IID, &gitlab.CreateIssueDiscussionOptions{Body: gitlab.Ptr("thread")})
	if err != nil {
		t.Fatal(err)
	}
	missing := strings.Repeat("f", 40)
	f.s.Do(t, labtest.Request{Path: f.path(f.issue, "/discussions/"+missing), Token: f.guest.Token}).
		ExpectError(t, 404, `{"message":"404 Discussion Not Found"}`)
	f.s.Do(t, labtest.Request{Path: f.path(f.issue, "/discussions/"+missing+"/notes"), Token: f.guest.Token}).
		ExpectError(t, 404, `{"message":"404 Notes Not Found"}`)
	f.s.Do(t, labtest.Request{Method: "POST", Path: f.path(f.issue, "/discussions/"+missing+"/notes"), Token: f.guest.Token,
		JSON: map[string]any{"body": "x"}}).ExpectError(t, 404, `{"message":"404 Discussion Not Found"}`)
	f.s.Do(t, labtest.Request{Method: "POST", Path: f.path(f.issue, "/discussions"), Token: f.guest.Token,
		JSON: map[string]any{}}).ExpectError(t, 400, `{"error":"body is missing"}`)
	f.s.Do(t, labtest.Request{Method: "POST", Path: f.path(f.issue, "/discussions/"+d.ID+"/notes"), Token: f.guest.Token,
		JSON: map[string]any{"body": ""}}).ExpectError(t, 400, `{"message":"400 Bad request - Note {:note=>[\"can't be blank\"]}"}`)

	// PUT takes exactly one of body and resolved; issue notes don't resolve.
	noteURL := f.path(f.issue, "/discussions/"+d.ID+"/notes/"+itoa(d.Notes[0].ID))
	f.s.Do(t, labtest.Request{Method: "PUT", Path: noteURL, Token: f.guest.Token, JSON: map[string]any{}}).
		ExpectError(t, 400, `{"error":"body, resolved are missing, exactly one parameter must be provided"}`)
	f.s.Do(t, labtest.Request{Method: "PUT", Path: noteURL, Token: f.guest.Token, JSON: map[string]any{"body": "b", "resolved": true}}).
		ExpectError(t, 400, `{"error":"body, resolved are mutually exclusive"}`)
	f.s.Do(t, labtest.Request{Method: "PUT", Path: noteURL, Token: f.guest.Token, JSON: map[string]any{"resolved": true}}).
		ExpectError(t, 400, `{"message":"400 Bad request - Note is not resolvable"}`)

	// System notes take no replies.
	ctx := context.Background()
	sys := &model.Note{ProjectID: &f.p.ID, NoteableType: model.NoteableIssue, NoteableID: f.issue.ID, AuthorID: &f.owner.ID,
		Body: "closed", System: true, DiscussionID: strings.Repeat("b", 40)}
	if err := f.s.Srv.DB.WithTx(ctx, func(q *store.Queries) error { return q.InsertNote(ctx, sys) }); err != nil {
		t.Fatal(err)
	}
	f.s.Do(t, labtest.Request{Method: "POST", Path: f.path(f.issue, "/discussions/"+sys.DiscussionID+"/notes"), Token: f.guest.Token,
		JSON: map[string]any{"body": "x"}}).ExpectError(t, 400, `{"message":"400 Bad request - Discussion can not be replied to."}`)
	// System notes are not edited, even by Maintainers.
	f.s.Do(t, labtest.Request{Method: "PUT", Path: f.path(f.issue, "/notes/"+itoa(sys.ID)), Token: f.maint.Token,
		JSON: map[string]any{"body": "x"}}).ExpectError(t, 403, `{"message":"403 Forbidden"}`)

	// Replies to an internal discussion are internal; others can't find it.
	in, _, err := f.client(t, f.reporter).Notes.CreateIssueNote(f.p.ID, f.issue.IID, &gitlab.CreateIssueNoteOptions{
		Body: gitlab.Ptr("internal"), Internal: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	var inDisc map[string]any
	list, _, err := f.client(t, f.reporter).Discussions.ListIssueDiscussions(f.p.ID, f.issue.IID, nil)
	if err != nil {
		t.Fatal(err)
	}
	var internalID string
	for _, dd := range list {
		if dd.Notes[0].ID == in.ID {
			internalID = dd.ID
		}
	}
	f.s.Do(t, labtest.Request{Method: "POST", Path: f.path(f.issue, "/discussions/"+internalID+"/notes"), Token: f.reporter.Token,
		JSON: map[string]any{"body": "internal reply"}}).JSON(t, &inDisc)
	if inDisc["internal"] != true {
		t.Fatalf("reply to an internal discussion = %v", inDisc)
	}
	f.s.Do(t, labtest.Request{Method: "POST", Path: f.path(f.issue, "/discussions/"+internalID+"/notes"), Token: f.guest.Token,
		JSON: map[string]any{"body": "x"}}).ExpectError(t, 404, `{"message":"404 Discussion Not Found"}`)
	guestList, _, err := c.Discussions.ListIssueDiscussions(f.p.ID, f.issue.IID, nil)
	if err != nil || len(guestList) != len(list)-1 {
		t.Fatalf("guest sees %d discussions of %d", len(guestList), len(list))
	}
}
