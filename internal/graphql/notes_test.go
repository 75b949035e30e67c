package graphql_test

import (
	"strconv"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLCreateNote: createNote on an issue named by its global ID
// adds the note REST lists; a blank body is the payload's error; an
// outsider, an unknown id and a malformed one get top-level errors and
// write nothing.
func TestGraphQLCreateNote(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	outsider := s.NewUser(t, "outsider")
	dc := s.Client(t, tm.Developer.Token)
	issue, _, err := dc.Issues.CreateIssue(tm.Project.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("Broken")})
	if err != nil {
		t.Fatal(err)
	}
	q := `mutation($id: NoteableID!, $b: String!) { createNote(input: {noteableId: $id, body: $b}) {
		note { id body system author { username } discussion { id } } errors } }`
	gid := "gid://gitlab/Issue/" + strconv.FormatInt(issue.ID, 10)
	_, r := post(t, s, tm.Developer.Token, q, map[string]any{"id": gid, "b": "Looking into it"})
	d := mustData(t, r)
	if dig(d, "createNote", "note", "body") != "Looking into it" || dig(d, "createNote", "note", "system") != false ||
		dig(d, "createNote", "note", "author", "username") != "dev" || dig(d, "createNote", "note", "discussion", "id") == nil {
		t.Fatalf("createNote = %v", d)
	}
	_, r = post(t, s, tm.Developer.Token, q, map[string]any{"id": gid, "b": ""})
	if errs, _ := dig(mustData(t, r), "createNote", "errors").([]any); len(errs) != 1 {
		t.Fatalf("blank body = %v", r.Data)
	}
	for name, tc := range map[string]struct{ token, id string }{
		"outsider":  {outsider.Token, gid},
		"unknown":   {tm.Developer.Token, "gid://gitlab/Issue/999999"},
		"malformed": {tm.Developer.Token, "gid://gitlab/Project/1"},
	} {
		_, r = post(t, s, tc.token, q, map[string]any{"id": tc.id, "b": "x"})
		if len(r.Errors) != 1 || dig(r.Data, "createNote") != nil {
			t.Errorf("%s: %v", name, r)
		}
	}
	notes, _, err := dc.Notes.ListIssueNotes(tm.Project.ID, issue.IID, nil)
	if err != nil || len(notes) != 1 || notes[0].Body != "Looking into it" {
		t.Fatalf("REST lists %v, %v", notes, err)
	}
}
