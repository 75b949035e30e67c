package v4_test

import (
	"fmt"
	"net/http"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/model"
)

func TestIssueAwardEmoji(t *testing.T) {
	t.Parallel()
	f := newNotesFixture(t)
	c := f.client(t, f.outsider)

	up, resp, err := c.AwardEmoji.CreateIssueAwardEmoji(f.p.ID, f.issue.IID, &gitlab.CreateAwardEmojiOptions{Name: "thumbsup"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated || up.Name != "thumbsup" || up.User.Username != "otto" ||
		up.AwardableID != f.issue.ID || up.AwardableType != "Issue" {
		t.Fatalf("created %d %+v", resp.StatusCode, up)
	}
	// "-1" is stored under GitLab's vote name.
	down, _, err := f.client(t, f.guest).AwardEmoji.CreateIssueAwardEmoji(f.p.ID, f.issue.IID, &gitlab.CreateAwardEmojiOptions{Name: "-1"})
	if err != nil || down.Name != "thumbsdown" {
		t.Fatalf("-1 = %+v, %v", down, err)
	}
	if _, _, err := c.AwardEmoji.CreateIssueAwardEmoji(f.p.ID, f.issue.IID, &gitlab.CreateAwardEmojiOptions{Name: "tada"}); err != nil {
		t.Fatal(err)
	}
	if i := f.reload(t, f.issue); i.Upvotes != 1 || i.Downvotes != 1 {
		t.Fatalf("votes = %d up, %d down", i.Upvotes, i.Downvotes)
	}

	// Anyone reads a public issue's awards, signed in or not.
	anon := f.s.Client(t, "")
	list, resp, err := anon.AwardEmoji.ListIssueAwardEmoji(f.p.ID, f.issue.IID, nil)
	if err != nil || len(list) != 3 || resp.TotalItems != 3 || list[0].ID != up.ID {
		t.Fatalf("list = %+v, %v", list, err)
	}
	m := f.s.Do(t, labtest.Request{Path: f.path(f.issue, "/award_emoji/"+itoa(up.ID))}).Map(t)
	if u, ok := m["url"]; !ok || u != nil {
		t.Fatalf("url = %v (present %v)", u, ok)
	}

	// The same emoji twice: GitLab's 404.
	f.s.Do(t, labtest.Request{Method: "POST", Path: f.path(f.issue, "/award_emoji"), Token: f.outsider.Token,
		JSON: map[string]any{"name": "thumbsup"}}).ExpectError(t, 404, `{"message":"404 Award Emoji Name has already been taken Not Found"}`)
	f.s.Do(t, labtest.Request{Method: "POST", Path: f.path(f.issue, "/award_emoji"), Token: f.outsider.Token,
		JSON: map[string]any{"name": "no_such_emoji"}}).ExpectError(t, 404, `{"message":"404 Award Emoji Name is not a valid emoji name Not Found"}`)
	f.s.Do(t, labtest.Request{Method: "POST", Path: f.path(f.issue, "/award_emoji"), Token: f.outsider.Token,
		JSON: map[string]any{}}).ExpectError(t, 400, `{"error":"name is missing"}`)
	f.s.Do(t, labtest.Request{Path: f.path(f.issue, "/award_emoji/999999")}).ExpectError(t, 404, `{"message":"404 Not found"}`)
	f.s.Do(t, labtest.Request{Path: f.path(f.issue, "/award_emoji/x")}).ExpectError(t, 400, `{"error":"award_id is invalid"}`)
	if i := f.reload(t, f.issue); i.Upvotes != 1 {
		t.Fatalf("a refused vote counted: %d up", i.Upvotes)
	}

	// Only the awarder (or an administrator) takes it back: 401 for others.
	f.s.Do(t, labtest.Request{Method: "DELETE", Path: f.path(f.issue, "/award_emoji/"+itoa(up.ID)), Token: f.owner.Token}).
		ExpectError(t, 401, `{"message":"401 Unauthorized"}`)
	if resp, err := c.AwardEmoji.DeleteIssueAwardEmoji(f.p.ID, f.issue.IID, up.ID); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete = %v, %v", resp, err)
	}
	admin := f.s.Client(t, f.s.RootToken)
	if _, err := admin.AwardEmoji.DeleteIssueAwardEmoji(f.p.ID, f.issue.IID, down.ID); err != nil {
		t.Fatalf("admin's delete: %v", err)
	}
	if i := f.reload(t, f.issue); i.Upvotes != 0 || i.Downvotes != 0 {
		t.Fatalf("votes after deletes = %d up, %d down", i.Upvotes, i.Downvotes)
	}

	// A locked issue takes awards from members only.
	locked := f.newIssue(t, f.guest, func(i *model.Issue) { v := true; i.DiscussionLocked = &v })
	f.s.Do(t, labtest.Request{Method: "POST", Path: f.path(locked, "/award_emoji"), Token: f.outsider.Token,
		JSON: map[string]any{"name": "eyes"}}).ExpectError(t, 404, `{"message":"404 Award Emoji Not Found"}`)
	if _, _, err := f.client(t, f.guest).AwardEmoji.CreateIssueAwardEmoji(f.p.ID, locked.IID,
		&gitlab.CreateAwardEmojiOptions{Name: "eyes"}); err != nil {
		t.Fatalf("member on a locked issue: %v", err)
	}
}

func TestNoteAwardEmoji(t *testing.T) {
	t.Parallel()
	f := newNotesFixture(t)
	n, _, err := f.client(t, f.guest).Notes.CreateIssueNote(f.p.ID, f.issue.IID, &gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr("nice")})
	if err != nil {
		t.Fatal(err)
	}
	c := f.client(t, f.dev)
	a, _, err := c.AwardEmoji.CreateIssuesAwardEmojiOnNote(f.p.ID, f.issue.IID, n.ID, &gitlab.CreateAwardEmojiOptions{Name: "thumbsup"})
	if err != nil || a.AwardableType != "Note" || a.AwardableID != n.ID {
		t.Fatalf("award on note = %+v, %v", a, err)
	}
	// Votes on notes don't count on the issue.
	if i := f.reload(t, f.issue); i.Upvotes != 0 {
		t.Fatalf("issue upvotes = %d", i.Upvotes)
	}
	got, _, err := c.AwardEmoji.GetIssuesAwardEmojiOnNote(f.p.ID, f.issue.IID, n.ID, a.ID)
	if err != nil || got.ID != a.ID {
		t.Fatalf("get = %+v, %v", got, err)
	}
	list, _, err := c.AwardEmoji.ListIssuesAwardEmojiOnNote(f.p.ID, f.issue.IID, n.ID, nil)
	if err != nil || len(list) != 1 {
		t.Fatalf("list = %+v, %v", list, err)
	}
	// The issue's awards are not the note's.
	f.s.Do(t, labtest.Request{Path: f.path(f.issue, "/award_emoji/"+itoa(a.ID))}).ExpectError(t, 404, `{"message":"404 Not found"}`)
	f.s.Do(t, labtest.Request{Path: f.path(f.issue, "/notes/999999/award_emoji")}).ExpectError(t, 404, `{"message":"404 Not found"}`)

	// Deleting the note takes its awards along.
	if _, err := f.client(t, f.guest).Notes.DeleteIssueNote(f.p.ID, f.issue.IID, n.ID); err != nil {
		t.Fatal(err)
	}
	if _, total, err := f.s.Srv.DB.Queries().ListAwardEmoji(t.Context(), model.AwardableNote, n.ID, 10, 0); err != nil || total != 0 {
		t.Fatalf("awards of the deleted note: %d, %v", total, err)
	}
	if resp, err := c.AwardEmoji.DeleteIssuesAwardEmojiOnNote(f.p.ID, f.issue.IID, n.ID, a.ID); resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("delete on deleted note = %v, %v", resp, err)
	}
}

// TestIssueVotesConcurrent: votes arriving together all count, each one
// moving the issue's counter by an atomic increment.
func TestIssueVotesConcurrent(t *testing.T) {
	t.Parallel()
	f := newNotesFixture(t)
	const voters = 8
	users := make([]*labtest.User, voters)
	for i := range users {
		users[i] = f.s.NewUser(t, "voter"+itoa(int64(i)))
	}
	errs := make(chan error, voters)
	for _, u := range users {
		go func(u *labtest.User) {
			r := f.s.Do(t, labtest.Request{Method: "POST", Path: f.path(f.issue, "/award_emoji"), Token: u.Token,
				JSON: map[string]any{"name": "thumbsup"}})
			if r.Status != http.StatusCreated {
				errs <- fmt.Errorf("%s: %d %s", u.Username, r.Status, r.Body)
				return
			}
			errs <- nil
		}(u)
	}
	for range users {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if i := f.reload(t, f.issue); i.Upvotes != voters {
		t.Fatalf("upvotes = %d, want %d", i.Upvotes, voters)
	}
}
