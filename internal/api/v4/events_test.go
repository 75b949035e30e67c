package v4_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestEventsFeed: creating a project and moving refs through the API
// write the events GitLab writes, and each feed shows them to those who
// may read them: the project's, the author's own (/events) and a user's
// contributions, with the documented filters.
func TestEventsFeed(t *testing.T) {
	t.Parallel()
	f := newRefsFixture(t, gitlab.PrivateVisibility)
	pid := f.p.ID

	// A branch with one commit, another commit on it, a tag, a deletion.
	first, resp, err := f.devC.Commits.CreateCommit(pid, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("feature"),
		StartBranch: gitlab.Ptr("main"), CommitMessage: gitlab.Ptr("Start feature\n\nbody"),
		Actions: []*gitlab.CommitActionOptions{{Action: gitlab.Ptr(gitlab.FileCreate), FilePath: gitlab.Ptr("f.txt"), Content: gitlab.Ptr("1")}}})
	wantStatus(t, resp, err, 201)
	second, resp, err := f.devC.Commits.CreateCommit(pid, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("feature"),
		CommitMessage: gitlab.Ptr("Second step"),
		Actions:       []*gitlab.CommitActionOptions{{Action: gitlab.Ptr(gitlab.FileUpdate), FilePath: gitlab.Ptr("f.txt"), Content: gitlab.Ptr("2")}}})
	wantStatus(t, resp, err, 201)
	_, resp, err = f.ownerC.Tags.CreateTag(pid, &gitlab.CreateTagOptions{TagName: gitlab.Ptr("v1"), Ref: gitlab.Ptr("feature")})
	wantStatus(t, resp, err, 201)
	resp, err = f.devC.Branches.DeleteBranch(pid, "feature")
	wantStatus(t, resp, err, 204)

	events, _, err := f.ownerC.Events.ListProjectVisibleEvents(pid, &gitlab.ListProjectVisibleEventsOptions{
		Sort: gitlab.Ptr("asc")})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		action, author, ref, refType, pushAction, title string
		count                                           int64
	}
	var got []row
	for _, e := range events {
		r := row{action: e.ActionName, author: e.Author.Username}
		if e.PushData.Ref != "" {
			r.ref, r.refType, r.pushAction, r.count, r.title = e.PushData.Ref, e.PushData.RefType, e.PushData.Action,
				e.PushData.CommitCount, e.PushData.CommitTitle
		}
		got = append(got, r)
	}
	want := []row{
		{action: "created", author: "alice"},
		{action: "pushed new", author: "bob", ref: "feature", refType: "branch", pushAction: "created", count: 1, title: "Start feature"},
		{action: "pushed to", author: "bob", ref: "feature", refType: "branch", pushAction: "pushed", count: 1, title: "Second step"},
		{action: "pushed new", author: "alice", ref: "v1", refType: "tag", pushAction: "created", title: "Second step"},
		{action: "deleted", author: "bob", ref: "feature", refType: "branch", pushAction: "removed"},
	}
	if len(got) != len(want) {
		t.Fatalf("project events = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("event %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// The raw entity: GitLab's fields, commit ids of the second push.
	raw := f.s.Do(t, labtest.Request{Path: "/projects/" + f.pid + "/events?sort=asc&action=pushed&per_page=1&page=2",
		Token: f.owner.Token})
	var page []map[string]any
	raw.JSON(t, &page)
	if raw.Header.Get("X-Total") != "4" || len(page) != 1 {
		t.Fatalf("pushed events page 2: total %q, %d rows", raw.Header.Get("X-Total"), len(page))
	}
	pd := page[0]["push_data"].(map[string]any)
	if pd["commit_from"] != first.ID || pd["commit_to"] != second.ID || page[0]["target_type"] != nil ||
		page[0]["author_username"] != "bob" || page[0]["imported_from"] != "none" {
		t.Fatalf("second push = %v", page[0])
	}

	// Who sees what: the stranger sees neither the private project's feed
	// nor bob's contributions there; the guest sees the project but not
	// its pushes (download_code); admins see everything.
	f.s.Do(t, labtest.Request{Path: "/projects/" + f.pid + "/events", Token: f.stranger.Token}).
		ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	count := func(c *gitlab.Client, user string, opt *gitlab.ListContributionEventsOptions) int {
		t.Helper()
		evs, _, err := c.Users.ListUserContributionEvents(user, opt)
		if err != nil {
			t.Fatal(err)
		}
		return len(evs)
	}
	if n := count(f.strangerC, "bob", nil); n != 0 {
		t.Fatalf("stranger sees %d of bob's events", n)
	}
	if n := count(f.guestC, "bob", nil); n != 0 {
		t.Fatalf("guest sees %d of bob's push events", n)
	}
	if n := count(f.guestC, "alice", nil); n != 1 {
		t.Fatalf("guest sees %d of alice's events, want the project's creation", n)
	}
	if n := count(f.reporterC, "bob", nil); n != 3 {
		t.Fatalf("reporter sees %d of bob's events, want 3", n)
	}
	root := f.s.Client(t, f.s.RootToken)
	if n := count(root, "bob", nil); n != 3 {
		t.Fatalf("admin sees %d of bob's events, want 3", n)
	}

	// The caller's own feed and its filters.
	mine, _, err := f.devC.Events.ListCurrentUserContributionEvents(&gitlab.ListContributionEventsOptions{
		Action: gitlab.Ptr(gitlab.EventTypeValue("pushed"))})
	if err != nil || len(mine) != 3 || mine[0].PushData.Action != "removed" {
		t.Fatalf("bob's pushes, newest first = %+v, %v", mine, err)
	}
	tomorrow := gitlab.ISOTime(time.Now().Add(24 * time.Hour))
	yesterday := gitlab.ISOTime(time.Now().Add(-24 * time.Hour))
	if n := count(f.devC, "bob", &gitlab.ListContributionEventsOptions{Before: &yesterday}); n != 0 {
		t.Fatalf("events before yesterday: %d", n)
	}
	if n := count(f.devC, "bob", &gitlab.ListContributionEventsOptions{After: &yesterday, Before: &tomorrow}); n != 3 {
		t.Fatalf("events between yesterday and tomorrow: %d", n)
	}
	if n := count(f.devC, "bob", &gitlab.ListContributionEventsOptions{TargetType: gitlab.Ptr(gitlab.EventTargetTypeValue("issue"))}); n != 0 {
		t.Fatalf("issue events: %d", n)
	}
	all := f.s.Do(t, labtest.Request{Path: "/events?scope=all", Token: f.guest.Token})
	var allEvents []map[string]any
	all.JSON(t, &allEvents)
	if len(allEvents) != 1 || allEvents[0]["action_name"] != "created" {
		t.Fatalf("guest's scope=all feed = %v", allEvents)
	}

	// Bad filters are GitLab's 400s; anonymous callers need a token for
	// /events; a private profile shows no contributions to others.
	for path, msg := range map[string]string{
		"/events?action=exploded":  `{"error":"action does not have a valid value"}`,
		"/events?target_type=epic": `{"error":"target_type does not have a valid value"}`,
		"/events?before=yesterday": `{"error":"before is invalid"}`,
		"/events?sort=sideways":    `{"error":"sort does not have a valid value"}`,
	} {
		f.s.Do(t, labtest.Request{Path: path, Token: f.dev.Token}).ExpectError(t, 400, msg)
	}
	f.s.Do(t, labtest.Request{Path: "/events"}).ExpectError(t, 401, `{"message":"401 Unauthorized"}`)
	f.s.Do(t, labtest.Request{Path: "/users/nobody-here/events", Token: f.dev.Token}).ExpectError(t, 404, `{"message":"404 User Not Found"}`)
	if _, _, err := f.devC.Users.ModifyUser(f.dev.ID, &gitlab.ModifyUserOptions{PrivateProfile: gitlab.Ptr(true)}); err == nil {
		// Only admins modify users; set it as root.
		t.Fatal("a user modified itself through the admin API")
	}
	if _, _, err := root.Users.ModifyUser(f.dev.ID, &gitlab.ModifyUserOptions{PrivateProfile: gitlab.Ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if n := count(f.reporterC, "bob", nil); n != 0 {
		t.Fatalf("a private profile shows %d events to others", n)
	}
	if n := count(f.devC, "bob", nil); n != 3 {
		t.Fatalf("a private profile shows %d events to its owner, want 3", n)
	}
}

// TestCommentEventsShowTheirNote: a comment's event names the comment's
// class as target type (Note, DiscussionNote), carries the comment as
// note and its issue's title as target_title, and is left out, note and
// all, for callers who may not read the comment.
func TestCommentEventsShowTheirNote(t *testing.T) {
	t.Parallel()
	f := newRefsFixture(t, gitlab.PrivateVisibility)
	pid := f.p.ID
	issue, resp, err := f.ownerC.Issues.CreateIssue(pid, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("Open issue")})
	wantStatus(t, resp, err, 201)
	secret, resp, err := f.ownerC.Issues.CreateIssue(pid, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("Secret issue"),
		Confidential: gitlab.Ptr(true)})
	wantStatus(t, resp, err, 201)
	plain, resp, err := f.devC.Notes.CreateIssueNote(pid, issue.IID, &gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr("plain comment")})
	wantStatus(t, resp, err, 201)
	thread, resp, err := f.devC.Discussions.CreateIssueDiscussion(pid, issue.IID, &gitlab.CreateIssueDiscussionOptions{Body: gitlab.Ptr("a thread")})
	wantStatus(t, resp, err, 201)
	_, resp, err = f.devC.Notes.CreateIssueNote(pid, issue.IID, &gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr("internal"),
		Internal: gitlab.Ptr(true)})
	wantStatus(t, resp, err, 201)
	_, resp, err = f.devC.Notes.CreateIssueNote(pid, secret.IID, &gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr("on the secret")})
	wantStatus(t, resp, err, 201)

	// bob's contributions (the typed client's entity has the whole note).
	comments := func(c *gitlab.Client, opt *gitlab.ListContributionEventsOptions) []string {
		t.Helper()
		if opt == nil {
			opt = &gitlab.ListContributionEventsOptions{}
		}
		opt.Sort = gitlab.Ptr("asc")
		evs, _, err := c.Users.ListUserContributionEvents("bob", opt)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range evs {
			if e.ActionName != "commented on" {
				if e.Note != nil {
					t.Errorf("%s event with a note: %+v", e.ActionName, e.Note)
				}
				continue
			}
			if e.Note == nil || e.Note.ID != e.TargetID || e.Note.NoteableType != "Issue" || e.Note.Author.Username != "bob" {
				t.Fatalf("comment event %+v, note %+v", e, e.Note)
			}
			out = append(out, fmt.Sprintf("%s %s #%d %s: %s", e.TargetType, e.TargetTitle, e.Note.NoteableIID, e.Note.Type, e.Note.Body))
		}
		return out
	}
	all := []string{
		"Note Open issue #1 : plain comment",
		"DiscussionNote Open issue #1 DiscussionNote: a thread",
		"Note Open issue #1 : internal",
		"Note Secret issue #2 : on the secret",
	}
	if got := comments(f.reporterC, nil); strings.Join(got, "\n") != strings.Join(all, "\n") {
		t.Fatalf("reporter's comments:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(all, "\n"))
	}
	// A guest reads neither internal comments nor confidential issues.
	if got := comments(f.guestC, nil); strings.Join(got, "\n") != strings.Join(all[:2], "\n") {
		t.Fatalf("guest's comments:\n%s", strings.Join(got, "\n"))
	}
	// target_type=note is GitLab's Note class only, not thread comments.
	if got := comments(f.reporterC, &gitlab.ListContributionEventsOptions{TargetType: gitlab.Ptr(gitlab.EventTargetTypeValue("note"))}); len(got) != 3 ||
		strings.HasPrefix(got[1], "DiscussionNote") {
		t.Fatalf("target_type=note: %v", got)
	}

	// The raw entity in the project's feed: GitLab's Note entity under
	// "note", none on other events.
	var raw []map[string]any
	f.s.Do(t, labtest.Request{Path: "/projects/" + f.pid + "/events?sort=asc", Token: f.guest.Token}).JSON(t, &raw)
	for _, e := range raw {
		if _, has := e["note"]; has != (e["action_name"] == "commented on") {
			t.Fatalf("note on %v", e)
		}
	}
	raw = raw[len(raw)-2:]
	note, _ := raw[0]["note"].(map[string]any)
	if raw[0]["target_id"] != float64(plain.ID) || note["id"] != float64(plain.ID) || note["body"] != "plain comment" ||
		note["noteable_id"] != float64(issue.ID) || note["noteable_iid"] != float64(issue.IID) || note["system"] != false ||
		note["internal"] != false || note["type"] != nil || note["project_id"] != float64(pid) {
		t.Fatalf("note entity = %v", raw[0])
	}
	if raw[1]["target_id"] != float64(thread.Notes[0].ID) || raw[1]["target_type"] != "DiscussionNote" {
		t.Fatalf("thread comment = %v", raw[1])
	}
}
