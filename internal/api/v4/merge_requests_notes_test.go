package v4_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestMergeRequestNotesAndDiscussions: the generic notes, discussions and
// award emoji routes serve merge requests; their discussions resolve.
func TestMergeRequestNotesAndDiscussions(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "feature")
	mr := f.create(t, f.devC, "feature", "Feature")

	note, resp, err := f.reporterC.Notes.CreateMergeRequestNote(f.p.ID, mr.IID, &gitlab.CreateMergeRequestNoteOptions{Body: gitlab.Ptr("Looks good")})
	if err != nil || resp.StatusCode != http.StatusCreated || note.NoteableType != "MergeRequest" || note.NoteableIID != mr.IID ||
		note.Resolvable { // an individual note does not resolve (GitLab's ResolvableNote)
		t.Fatalf("note = %+v, %v", note, err)
	}
	notes, _, err := f.devC.Notes.ListMergeRequestNotes(f.p.ID, mr.IID, nil)
	if err != nil || len(notes) != 1 || notes[0].Body != "Looks good" {
		t.Fatalf("notes = %+v, %v", notes, err)
	}

	d, _, err := f.reporterC.Discussions.CreateMergeRequestDiscussion(f.p.ID, mr.IID, &gitlab.CreateMergeRequestDiscussionOptions{
		Body: gitlab.Ptr("Why this?")})
	if err != nil || len(d.Notes) != 1 || !d.Notes[0].Resolvable {
		t.Fatalf("discussion = %+v, %v", d, err)
	}
	if _, _, err := f.devC.Discussions.AddMergeRequestDiscussionNote(f.p.ID, mr.IID, d.ID, &gitlab.AddMergeRequestDiscussionNoteOptions{
		Body: gitlab.Ptr("Because.")}); err != nil {
		t.Fatal(err)
	}
	got, _, err := f.devC.MergeRequests.GetMergeRequest(f.p.ID, mr.IID, nil)
	if err != nil || got.UserNotesCount != 3 || !got.BlockingDiscussionsResolved {
		t.Fatalf("user_notes_count = %d, %v", got.UserNotesCount, err)
	}

	// Resolving: a Guest can't (private project: can't read it at all),
	// the developer (Developer) can, the whole discussion at once.
	resolve := func(u *labtest.User, resolved bool) *labtest.Response {
		return f.s.Do(t, labtest.Request{Method: http.MethodPut, Path: f.path("/1/discussions/" + d.ID), Token: u.Token,
			JSON: map[string]any{"resolved": resolved}})
	}
	resolve(f.guest, true).ExpectError(t, 404, `{"message":"404 Not found"}`)
	if r := f.s.Do(t, labtest.Request{Method: http.MethodPut, Path: f.path("/1/discussions/" + d.ID), Token: f.dev.Token}); r.Status != 400 {
		t.Fatalf("resolve without resolved = %d %s", r.Status, r.Body)
	}
	rd, _, err := f.devC.Discussions.ResolveMergeRequestDiscussion(f.p.ID, mr.IID, d.ID,
		&gitlab.ResolveMergeRequestDiscussionOptions{Resolved: gitlab.Ptr(true)})
	if err != nil || len(rd.Notes) != 2 || !rd.Notes[0].Resolved || !rd.Notes[1].Resolved || rd.Notes[0].ResolvedBy.ID != f.dev.ID {
		t.Fatalf("resolved discussion = %+v, %v", rd, err)
	}
	rd, _, err = f.devC.Discussions.ResolveMergeRequestDiscussion(f.p.ID, mr.IID, d.ID,
		&gitlab.ResolveMergeRequestDiscussionOptions{Resolved: gitlab.Ptr(false)})
	if err != nil || rd.Notes[0].Resolved {
		t.Fatalf("unresolved discussion = %+v, %v", rd, err)
	}
	// One note of the discussion, through the note route.
	n, _, err := f.reporterC.Discussions.UpdateMergeRequestDiscussionNote(f.p.ID, mr.IID, d.ID, d.Notes[0].ID,
		&gitlab.UpdateMergeRequestDiscussionNoteOptions{Resolved: gitlab.Ptr(true)})
	if err != nil || !n.Resolved {
		t.Fatalf("resolved note = %+v, %v", n, err)
	}

	// Award emoji: votes count on the merge request.
	if _, _, err := f.reporterC.AwardEmoji.CreateMergeRequestAwardEmoji(f.p.ID, mr.IID, &gitlab.CreateAwardEmojiOptions{Name: "thumbsup"}); err != nil {
		t.Fatal(err)
	}
	got, _, err = f.devC.MergeRequests.GetMergeRequest(f.p.ID, mr.IID, nil)
	if err != nil || got.Upvotes != 1 {
		t.Fatalf("upvotes = %d, %v", got.Upvotes, err)
	}
	awards, _, err := f.devC.AwardEmoji.ListMergeRequestAwardEmoji(f.p.ID, mr.IID, nil)
	if err != nil || len(awards) != 1 || awards[0].Name != "thumbsup" {
		t.Fatalf("awards = %+v, %v", awards, err)
	}

	// Notes of a merge request the caller can't read, or that is not
	// there: GitLab's NotesFinder answers "404 Not found".
	f.s.Do(t, labtest.Request{Path: f.path("/1/notes"), Token: f.guest.Token}).ExpectError(t, 404, `{"message":"404 Not found"}`)
	f.s.Do(t, labtest.Request{Path: f.path("/7/notes"), Token: f.dev.Token}).ExpectError(t, 404, `{"message":"404 Not found"}`)
	f.s.Do(t, labtest.Request{Path: f.path("/1/notes"), Token: f.outsider.Token}).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)

	// A locked discussion: non-members can't comment (here: all who read are members).
	if _, _, err := f.devC.MergeRequests.UpdateMergeRequest(f.p.ID, mr.IID, &gitlab.UpdateMergeRequestOptions{DiscussionLocked: gitlab.Ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.reporterC.Notes.CreateMergeRequestNote(f.p.ID, mr.IID, &gitlab.CreateMergeRequestNoteOptions{Body: gitlab.Ptr("still")}); err != nil {
		t.Fatalf("member on a locked discussion: %v", err)
	}
}

// TestMergeRequestSubscriptionsAndParticipants: participants are the
// author, assignees, reviewers and commenters; subscribing takes
// update_merge_request, as GitLab's subscriptions API finds the merge
// request; a second (un)subscribe is 304.
func TestMergeRequestSubscriptionsAndParticipants(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "feature")
	mr, _, err := f.devC.MergeRequests.CreateMergeRequest(f.p.ID, &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr("F"),
		SourceBranch: gitlab.Ptr("feature"), TargetBranch: gitlab.Ptr("main"), ReviewerIDs: &[]int64{f.owner.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.reporterC.Notes.CreateMergeRequestNote(f.p.ID, mr.IID, &gitlab.CreateMergeRequestNoteOptions{Body: gitlab.Ptr("hi")}); err != nil {
		t.Fatal(err)
	}
	users, _, err := f.reporterC.MergeRequests.GetMergeRequestParticipants(f.p.ID, mr.IID)
	if err != nil || len(users) != 3 || users[0].ID != f.dev.ID || users[1].ID != f.owner.ID || users[2].ID != f.reporter.ID {
		t.Fatalf("participants = %+v, %v", users, err)
	}
	f.s.Do(t, labtest.Request{Path: f.path("/1/participants"), Token: f.guest.Token}).ExpectError(t, 403, `{"message":"403 Forbidden"}`)

	// The author participates: subscribed; unsubscribing is explicit.
	got, resp, err := f.devC.MergeRequests.UnsubscribeFromMergeRequest(f.p.ID, mr.IID)
	if err != nil || resp.StatusCode != http.StatusCreated || got.Subscribed {
		t.Fatalf("unsubscribe = %+v, %v", got, err)
	}
	if r := f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: f.path("/1/unsubscribe"), Token: f.dev.Token}); r.Status != http.StatusNotModified {
		t.Fatalf("second unsubscribe = %d", r.Status)
	}
	if got, _, err = f.devC.MergeRequests.GetMergeRequest(f.p.ID, mr.IID, nil); err != nil || got.Subscribed {
		t.Fatalf("after unsubscribe: subscribed %v, %v", got.Subscribed, err)
	}
	if got, _, err = f.devC.MergeRequests.SubscribeToMergeRequest(f.p.ID, mr.IID); err != nil || !got.Subscribed {
		t.Fatalf("subscribe = %v, %v", got.Subscribed, err)
	}
	// A reporter may read but not update the merge request.
	f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: f.path("/1/subscribe"), Token: f.reporter.Token}).
		ExpectError(t, 403, `{"message":"403 Forbidden"}`)
}

// TestMergeRequestMarkdownReferences: !iid links to a merge request the
// caller reads, marked closed; others stay text.
func TestMergeRequestMarkdownReferences(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "feature", "other")
	f.create(t, f.devC, "feature", "Open one")
	closed := f.create(t, f.devC, "other", "Closed one")
	if _, _, err := f.devC.MergeRequests.UpdateMergeRequest(f.p.ID, closed.IID, &gitlab.UpdateMergeRequestOptions{StateEvent: gitlab.Ptr("close")}); err != nil {
		t.Fatal(err)
	}
	render := func(c *gitlab.Client) string {
		t.Helper()
		md, _, err := c.Markdown.Render(&gitlab.RenderOptions{Text: gitlab.Ptr("!1 !2 !3 team/app!1"),
			GitlabFlavouredMarkdown: gitlab.Ptr(true), Project: gitlab.Ptr("team/app")})
		if err != nil {
			t.Fatal(err)
		}
		return md.HTML
	}
	html := render(f.reporterC)
	for _, want := range []string{
		`<a href="` + f.s.URL + `/team/app/-/merge_requests/1" data-reference-type="merge_request" data-original="!1"`,
		`data-merge-request="` + itoa(closed.ID-1) + `"`,
		`title="Open one" class="gfm gfm-merge_request"`,
		`>!2 (closed)</a>`,
		` !3 `,
		`data-original="team/app!1"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("reporter's rendering lacks %s:\n%s", want, html)
		}
	}
	// A guest of the private project reads no merge requests: text.
	if html := render(f.guestC); strings.Contains(html, "merge_requests/") || !strings.Contains(html, "!1 !2 !3 team/app!1") {
		t.Errorf("guest's rendering links merge requests: %s", html)
	}
}

// TestMergeRequestEventsVisibility: opening, closing and commenting on a
// merge request are events of the feed, shown only to whom reads the
// merge request (a guest of a private project sees none).
func TestMergeRequestEventsVisibility(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "feature")
	mr := f.create(t, f.devC, "feature", "Secret plan")
	if _, _, err := f.reporterC.Notes.CreateMergeRequestNote(f.p.ID, mr.IID, &gitlab.CreateMergeRequestNoteOptions{Body: gitlab.Ptr("hush")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.devC.MergeRequests.UpdateMergeRequest(f.p.ID, mr.IID, &gitlab.UpdateMergeRequestOptions{StateEvent: gitlab.Ptr("close")}); err != nil {
		t.Fatal(err)
	}
	kinds := func(c *gitlab.Client) []string {
		t.Helper()
		events, _, err := c.Events.ListProjectVisibleEvents(f.p.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range events {
			if e.TargetType == "MergeRequest" || e.TargetType == "Note" {
				out = append(out, e.ActionName+" "+e.TargetType)
			}
		}
		return out
	}
	if got := strings.Join(kinds(f.reporterC), ", "); got != "closed MergeRequest, commented on Note, opened MergeRequest" {
		t.Fatalf("reporter's feed: %s", got)
	}
	if got := kinds(f.guestC); len(got) != 0 {
		t.Fatalf("guest's feed shows merge request events: %v", got)
	}
}

// TestMergeRequestTodos: assignees get "assigned", reviewers
// "review_requested" and mentioned users "mentioned" items on the merge
// request — only those who read it — listed with the merge request.
func TestMergeRequestTodos(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "feature")
	mr, _, err := f.devC.MergeRequests.CreateMergeRequest(f.p.ID, &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr("F"),
		Description: gitlab.Ptr("cc @gus"), SourceBranch: gitlab.Ptr("feature"), TargetBranch: gitlab.Ptr("main"),
		AssigneeIDs: &[]int64{f.reporter.ID}, ReviewerIDs: &[]int64{f.owner.ID}})
	if err != nil {
		t.Fatal(err)
	}
	todos := func(c *gitlab.Client) []*gitlab.Todo {
		t.Helper()
		list, _, err := c.Todos.ListTodos(nil)
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	got := todos(f.reporterC)
	if len(got) != 1 || got[0].ActionName != "assigned" || got[0].TargetType != "MergeRequest" || got[0].Target.IID != mr.IID ||
		got[0].TargetURL != mr.WebURL || got[0].Body != "F" {
		t.Fatalf("assignee's to-do items = %+v", got)
	}
	if got = todos(f.ownerC); len(got) != 1 || got[0].ActionName != "review_requested" {
		t.Fatalf("reviewer's to-do items = %+v", got)
	}
	// The guest is mentioned but reads no merge request of the project.
	if got = todos(f.guestC); len(got) != 0 {
		t.Fatalf("guest's to-do items = %+v", got)
	}
	note, _, err := f.devC.Notes.CreateMergeRequestNote(f.p.ID, mr.IID, &gitlab.CreateMergeRequestNoteOptions{Body: gitlab.Ptr("@remy please look")})
	if err != nil {
		t.Fatal(err)
	}
	got = todos(f.reporterC)
	if len(got) != 2 || got[0].ActionName != "directly_addressed" || got[0].Body != "@remy please look" ||
		got[0].TargetURL != fmt.Sprintf("%s#note_%d", mr.WebURL, note.ID) {
		t.Fatalf("addressed reporter's to-do items = %+v", got[0])
	}
	// Closing marks the closer's items on it done.
	if _, _, err := f.ownerC.MergeRequests.UpdateMergeRequest(f.p.ID, mr.IID, &gitlab.UpdateMergeRequestOptions{StateEvent: gitlab.Ptr("close")}); err != nil {
		t.Fatal(err)
	}
	if got = todos(f.ownerC); len(got) != 0 {
		t.Fatalf("closer's pending items = %+v", got)
	}
}
