package graphql_test

import (
	"fmt"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLAwardEmoji awards, toggles and removes emoji through GraphQL
// and reads them back through REST, with REST's permission answers.
func TestGraphQLAwardEmoji(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	outsider := s.NewUser(t, "outsider")
	dev := s.Client(t, tm.Developer.Token)
	is, _, err := s.Client(t, tm.Owner.Token).Issues.CreateIssue(tm.Project.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("one")})
	if err != nil {
		t.Fatal(err)
	}
	note, _, err := dev.Notes.CreateIssueNote(tm.Project.ID, is.IID, &gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr("hi")})
	if err != nil {
		t.Fatal(err)
	}
	issueID := fmt.Sprintf("gid://gitlab/Issue/%d", is.ID)
	const add = `mutation($id: AwardableID!, $name: String!) { awardEmojiAdd(input: {awardableId: $id, name: $name}) {
		awardEmoji { name emoji description unicode user { username } } errors } }`
	const remove = `mutation($id: AwardableID!, $name: String!) { awardEmojiRemove(input: {awardableId: $id, name: $name}) { errors } }`
	const toggle = `mutation($id: AwardableID!, $name: String!) { awardEmojiToggle(input: {awardableId: $id, name: $name}) {
		awardEmoji { name } toggledOn errors } }`
	run := func(token, q, id, name string) (map[string]any, gqlResult) {
		t.Helper()
		_, r := post(t, s, token, q, map[string]any{"id": id, "name": name})
		return r.Data, r
	}
	rest := func() []string {
		t.Helper()
		list, _, err := dev.AwardEmoji.ListIssueAwardEmoji(tm.Project.ID, is.IID, &gitlab.ListAwardEmojiOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range list {
			out = append(out, a.User.Username+":"+a.Name)
		}
		return out
	}

	d, r := run(tm.Developer.Token, add, issueID, "+1")
	if a := dig(d, "awardEmojiAdd", "awardEmoji"); dig(a, "name") != "thumbsup" || dig(a, "emoji") != "👍" ||
		dig(a, "unicode") != "1F44D" || dig(a, "user", "username") != tm.Developer.Username || len(r.Errors) != 0 {
		t.Errorf("add = %v", r)
	}
	if got := fmt.Sprint(rest()); got != "[dev:thumbsup]" {
		t.Errorf("REST after add = %s", got)
	}
	d, _ = run(tm.Developer.Token, add, issueID, "thumbsup")
	if fmt.Sprint(dig(d, "awardEmojiAdd", "errors")) != "[Name has already been taken]" {
		t.Errorf("twice = %v", d)
	}
	d, _ = run(tm.Developer.Token, add, issueID, "no-such-emoji")
	if fmt.Sprint(dig(d, "awardEmojiAdd", "errors")) != "[Name is not a valid emoji name]" {
		t.Errorf("unknown name = %v", d)
	}
	// Who may not read the private project's issue is told it does not
	// exist, as REST answers 404.
	_, r = run(outsider.Token, add, issueID, "tada")
	if len(r.Errors) != 1 || dig(r.Data, "awardEmojiAdd") != nil {
		t.Errorf("outsider = %v", r)
	}
	if _, resp, err := s.Client(t, outsider.Token).AwardEmoji.CreateIssueAwardEmoji(tm.Project.ID, is.IID,
		&gitlab.CreateAwardEmojiOptions{Name: "tada"}); err == nil || resp.StatusCode != 404 {
		t.Errorf("REST outsider: %v", err)
	}
	_, r = run("", add, issueID, "tada")
	if len(r.Errors) != 1 {
		t.Errorf("anonymous = %v", r)
	}

	d, _ = run(tm.Developer.Token, toggle, issueID, "thumbsup")
	if dig(d, "awardEmojiToggle", "toggledOn") != false || len(rest()) != 0 {
		t.Errorf("toggle off = %v, REST %v", d, rest())
	}
	d, _ = run(tm.Developer.Token, toggle, issueID, "tada")
	if dig(d, "awardEmojiToggle", "toggledOn") != true || dig(d, "awardEmojiToggle", "awardEmoji", "name") != "tada" ||
		fmt.Sprint(rest()) != "[dev:tada]" {
		t.Errorf("toggle on = %v, REST %v", d, rest())
	}
	// Another member's award is theirs to take back.
	d, _ = run(tm.Owner.Token, remove, issueID, "tada")
	if fmt.Sprint(dig(d, "awardEmojiRemove", "errors")) != "[User has not awarded emoji of type tada on the awardable]" ||
		len(rest()) != 1 {
		t.Errorf("owner removes the developer's = %v", d)
	}
	d, _ = run(tm.Developer.Token, remove, issueID, "tada")
	if fmt.Sprint(dig(d, "awardEmojiRemove", "errors")) != "[]" || len(rest()) != 0 {
		t.Errorf("remove = %v, REST %v", d, rest())
	}

	// On a note.
	d, r = run(tm.Owner.Token, add, fmt.Sprintf("gid://gitlab/Note/%d", note.ID), "eyes")
	if dig(d, "awardEmojiAdd", "awardEmoji", "name") != "eyes" {
		t.Errorf("note = %v", r)
	}
	onNote, _, err := dev.AwardEmoji.ListIssuesAwardEmojiOnNote(tm.Project.ID, is.IID, note.ID, &gitlab.ListAwardEmojiOptions{})
	if err != nil || len(onNote) != 1 || onNote[0].Name != "eyes" || onNote[0].User.Username != tm.Owner.Username {
		t.Errorf("REST note awards = %v %v", onNote, err)
	}
}
