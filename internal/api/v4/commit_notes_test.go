package v4_test

import (
	"net/http"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

const unknownSHA = "0123456789abcdef0123456789abcdef01234567"

// Commit comments: plain ones, one on an added line of the commit's diff
// (path, line, line_type shown back), one naming a line the diff lacks
// (a plain comment, as GitLab's); the sha may be a branch; an unknown
// commit is "404 Commit Not Found"; guests of a private project read no
// code and so no comments.
func TestCommitComments(t *testing.T) {
	t.Parallel()
	f := newRepoFixture(t, gitlab.PrivateVisibility)
	c := f.s.Client(t, f.owner.Token)
	pid := f.p.ID
	cm, _, err := c.Commits.CreateCommit(pid, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"),
		CommitMessage: gitlab.Ptr("lines"), Actions: []*gitlab.CommitActionOptions{
			{Action: gitlab.Ptr(gitlab.FileCreate), FilePath: gitlab.Ptr("a.txt"), Content: gitlab.Ptr("one\ntwo\n")},
		}})
	if err != nil {
		t.Fatal(err)
	}
	plain, resp, err := c.Commits.PostCommitComment(pid, cm.ID, &gitlab.PostCommitCommentOptions{Note: gitlab.Ptr("nice")})
	if err != nil || resp.StatusCode != http.StatusCreated || plain.Note != "nice" || plain.Path != "" || plain.Author.Username != f.owner.Username {
		t.Fatalf("plain comment = %+v, %v", plain, err)
	}
	onLine, _, err := c.Commits.PostCommitComment(pid, "main", &gitlab.PostCommitCommentOptions{Note: gitlab.Ptr("line two"),
		Path: gitlab.Ptr("a.txt"), Line: gitlab.Ptr(int64(2)), LineType: gitlab.Ptr("new")})
	if err != nil || onLine.Path != "a.txt" || onLine.Line != 2 || onLine.LineType != "new" {
		t.Fatalf("line comment = %+v, %v", onLine, err)
	}
	missing, _, err := c.Commits.PostCommitComment(pid, cm.ID, &gitlab.PostCommitCommentOptions{Note: gitlab.Ptr("nowhere"),
		Path: gitlab.Ptr("a.txt"), Line: gitlab.Ptr(int64(9)), LineType: gitlab.Ptr("new")})
	if err != nil || missing.Path != "" || missing.Line != 0 {
		t.Fatalf("comment on a missing line = %+v, %v", missing, err)
	}
	list, resp, err := c.Commits.GetCommitComments(pid, cm.ID, nil)
	if err != nil || len(list) != 3 || list[0].Note != "nice" || list[1].Line != 2 || resp.Header.Get("X-Total") != "3" {
		t.Fatalf("comments = %+v, %v", list, err)
	}
	// Another commit has none.
	if other, _, err := c.Commits.GetCommitComments(pid, cm.ParentIDs[0], nil); err != nil || len(other) != 0 {
		t.Fatalf("parent's comments = %+v, %v", other, err)
	}
	base := "/projects/" + itoa(pid) + "/repository/commits/"
	f.s.Do(t, labtest.Request{Path: base + unknownSHA + "/comments", Token: f.owner.Token}).
		ExpectError(t, 404, `{"message":"404 Commit Not Found"}`)
	f.s.Do(t, labtest.Request{Method: "POST", Path: base + cm.ID + "/comments", Token: f.owner.Token, JSON: map[string]any{}}).
		ExpectError(t, 400, `{"error":"note is missing"}`)
	f.s.Do(t, labtest.Request{Path: base + cm.ID + "/comments", Token: f.guest.Token}).
		ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	f.s.Do(t, labtest.Request{Path: base + cm.ID + "/comments", Token: f.stranger.Token}).
		ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	if _, _, err := f.s.Client(t, f.reporter.Token).Commits.PostCommitComment(pid, cm.ID,
		&gitlab.PostCommitCommentOptions{Note: gitlab.Ptr("from a reporter")}); err != nil {
		t.Fatalf("reporter's comment: %v", err)
	}
}

// Commit discussions share the notes of the commit's comments: start one,
// reply, edit and delete a note; a reply turns an individual comment into
// a discussion; commit notes are not resolvable.
func TestCommitDiscussions(t *testing.T) {
	t.Parallel()
	f := newRepoFixture(t, gitlab.PrivateVisibility)
	c := f.s.Client(t, f.owner.Token)
	pid := f.p.ID
	sha := f.head(t, "main")
	d, resp, err := c.Discussions.CreateCommitDiscussion(pid, sha, &gitlab.CreateCommitDiscussionOptions{Body: gitlab.Ptr("why?")})
	if err != nil || resp.StatusCode != http.StatusCreated || d.IndividualNote || len(d.Notes) != 1 ||
		d.Notes[0].NoteableType != "Commit" || d.Notes[0].Type != "DiscussionNote" || d.Notes[0].Resolvable {
		t.Fatalf("create = %+v, %v", d, err)
	}
	dev := f.s.Client(t, f.dev.Token)
	reply, _, err := dev.Discussions.AddCommitDiscussionNote(pid, sha, d.ID, &gitlab.AddCommitDiscussionNoteOptions{Body: gitlab.Ptr("because")})
	if err != nil || reply.Body != "because" {
		t.Fatalf("reply = %+v, %v", reply, err)
	}
	got, _, err := c.Discussions.GetCommitDiscussion(pid, sha, d.ID)
	if err != nil || len(got.Notes) != 2 || got.Notes[1].ID != reply.ID {
		t.Fatalf("get = %+v, %v", got, err)
	}
	if _, _, err := c.Commits.PostCommitComment(pid, sha, &gitlab.PostCommitCommentOptions{Note: gitlab.Ptr("plain")}); err != nil {
		t.Fatal(err)
	}
	list, resp, err := c.Discussions.ListCommitDiscussions(pid, sha, nil)
	if err != nil || len(list) != 2 || list[0].ID != d.ID || !list[1].IndividualNote || resp.Header.Get("X-Total") != "2" {
		t.Fatalf("list = %+v, %v", list, err)
	}
	comments, _, err := c.Commits.GetCommitComments(pid, sha, nil)
	if err != nil || len(comments) != 3 {
		t.Fatalf("comments = %d, %v", len(comments), err)
	}
	// A reply to the individual comment makes it a discussion.
	if _, _, err := c.Discussions.AddCommitDiscussionNote(pid, sha, list[1].ID,
		&gitlab.AddCommitDiscussionNoteOptions{Body: gitlab.Ptr("more")}); err != nil {
		t.Fatal(err)
	}
	if again, _, err := c.Discussions.GetCommitDiscussion(pid, sha, list[1].ID); err != nil || again.IndividualNote {
		t.Fatalf("after a reply = %+v, %v", again, err)
	}

	// The developer edits their note; a reporter may not edit others'.
	edited, _, err := dev.Discussions.UpdateCommitDiscussionNote(pid, sha, d.ID, reply.ID,
		&gitlab.UpdateCommitDiscussionNoteOptions{Body: gitlab.Ptr("because!")})
	if err != nil || edited.Body != "because!" {
		t.Fatalf("edit = %+v, %v", edited, err)
	}
	notePath := "/projects/" + itoa(pid) + "/repository/commits/" + sha + "/discussions/" + d.ID + "/notes/" + itoa(reply.ID)
	f.s.Do(t, labtest.Request{Method: "PUT", Path: notePath, Token: f.reporter.Token, JSON: map[string]any{"body": "no"}}).
		ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	f.s.Do(t, labtest.Request{Method: "PUT", Path: notePath, Token: f.owner.Token, JSON: map[string]any{"resolved": true}}).
		ExpectError(t, 400, `{"message":"400 Bad request - Note is not resolvable"}`)
	// The discussion is not found through another commit.
	next, _, err := c.Commits.CreateCommit(pid, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"),
		CommitMessage: gitlab.Ptr("next"), Actions: []*gitlab.CommitActionOptions{
			{Action: gitlab.Ptr(gitlab.FileCreate), FilePath: gitlab.Ptr("n.txt"), Content: gitlab.Ptr("n\n")}}})
	if err != nil {
		t.Fatal(err)
	}
	f.s.Do(t, labtest.Request{Path: "/projects/" + itoa(pid) + "/repository/commits/" + next.ID + "/discussions/" + d.ID, Token: f.owner.Token}).
		ExpectError(t, 404, `{"message":"404 Discussion Not Found"}`)
	if _, err := dev.Discussions.DeleteCommitDiscussionNote(pid, sha, d.ID, reply.ID); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if got, _, err := c.Discussions.GetCommitDiscussion(pid, sha, d.ID); err != nil || len(got.Notes) != 1 {
		t.Fatalf("after delete = %+v, %v", got, err)
	}
	f.s.Do(t, labtest.Request{Path: "/projects/" + itoa(pid) + "/repository/commits/" + unknownSHA + "/discussions/" + d.ID, Token: f.owner.Token}).
		ExpectError(t, 404, `{"message":"404 Commit Not Found"}`)
}
