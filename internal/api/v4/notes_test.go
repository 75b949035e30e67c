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

// notesFixture is a public project with a member per role, an outsider
// (signed in, no membership) and an issue of the guest's.
type notesFixture struct {
	s                                            *labtest.Server
	p                                            *gitlab.Project
	owner, maint, dev, reporter, guest, outsider *labtest.User
	issue                                        *model.Issue
}

func newNotesFixture(t *testing.T) *notesFixture {
	t.Helper()
	s := labtest.Start(t)
	f := &notesFixture{s: s, owner: s.NewUser(t, "olga"), maint: s.NewUser(t, "max"), dev: s.NewUser(t, "dora"),
		reporter: s.NewUser(t, "remy"), guest: s.NewUser(t, "gus"), outsider: s.NewUser(t, "otto")}
	c := s.Client(t, f.owner.Token)
	p, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Talk"),
		Visibility: gitlab.Ptr(gitlab.PublicVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	f.p = p
	for u, l := range map[*labtest.User]gitlab.AccessLevelValue{f.maint: gitlab.MaintainerPermissions,
		f.dev: gitlab.DeveloperPermissions, f.reporter: gitlab.ReporterPermissions, f.guest: gitlab.GuestPermissions} {
		if _, _, err := c.ProjectMembers.AddProjectMember(p.ID, &gitlab.AddProjectMemberOptions{UserID: u.ID,
			AccessLevel: gitlab.Ptr(l)}); err != nil {
			t.Fatal(err)
		}
	}
	f.issue = f.newIssue(t, f.guest, nil)
	return f
}

// newIssue inserts an issue by author straight in the store: the issues
// API is another family's, and these tests need only the row. edit, when
// set, adjusts it first (confidential, locked).
func (f *notesFixture) newIssue(t *testing.T, author *labtest.User, edit func(*model.Issue)) *model.Issue {
	t.Helper()
	ctx := context.Background()
	i := &model.Issue{ProjectID: f.p.ID, AuthorID: &author.ID, Title: "Issue"}
	if edit != nil {
		edit(i)
	}
	if err := f.s.Srv.DB.WithTx(ctx, func(q *store.Queries) error { return q.InsertIssue(ctx, i) }); err != nil {
		t.Fatal(err)
	}
	return i
}

// reload reads the issue's row again (its counters).
func (f *notesFixture) reload(t *testing.T, i *model.Issue) *model.Issue {
	t.Helper()
	got, err := f.s.Srv.DB.Queries().IssueByID(context.Background(), i.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func (f *notesFixture) path(i *model.Issue, suffix string) string {
	return "/projects/" + itoa(f.p.ID) + "/issues/" + itoa(i.IID) + suffix
}

func (f *notesFixture) client(t *testing.T, u *labtest.User) *gitlab.Client {
	return f.s.Client(t, u.Token)
}

func TestIssueNotesLifecycle(t *testing.T) {
	t.Parallel()
	f := newNotesFixture(t)
	c := f.client(t, f.guest)

	n, resp, err := c.Notes.CreateIssueNote(f.p.ID, f.issue.IID, &gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr("First!")})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated || n.Body != "First!" || n.Author.Username != "gus" || n.System ||
		n.NoteableType != "Issue" || n.NoteableID != f.issue.ID || n.NoteableIID != f.issue.IID || n.ProjectID != f.p.ID ||
		n.Internal || n.Resolvable || n.Type != "" {
		t.Fatalf("created %d %+v", resp.StatusCode, n)
	}
	if got := f.reload(t, f.issue).UserNotesCount; got != 1 {
		t.Fatalf("user_notes_count = %d, want 1", got)
	}

	// GitLab's entity, field by field, in raw JSON.
	m := f.s.Do(t, labtest.Request{Path: f.path(f.issue, "/notes/"+itoa(n.ID)), Token: f.outsider.Token}).Map(t)
	for k, want := range map[string]any{"attachment": nil, "type": nil, "imported": false, "imported_from": "none",
		"confidential": false, "internal": false, "system": false, "resolvable": false} {
		if got, ok := m[k]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", k, got, ok, want)
		}
	}
	if cc, ok := m["commands_changes"].(map[string]any); !ok || len(cc) != 0 {
		t.Errorf("commands_changes = %v", m["commands_changes"])
	}
	for _, k := range []string{"resolved", "resolved_by", "resolved_at"} {
		if _, ok := m[k]; ok {
			t.Errorf("%s shown on a note that is not resolvable", k)
		}
	}

	// Only the author or a Maintainer edits; a Developer may not.
	if _, resp, err := f.client(t, f.dev).Notes.UpdateIssueNote(f.p.ID, f.issue.IID, n.ID,
		&gitlab.UpdateIssueNoteOptions{Body: gitlab.Ptr("hijacked")}); resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("developer's edit = %v, %v", resp, err)
	}
	edited, _, err := c.Notes.UpdateIssueNote(f.p.ID, f.issue.IID, n.ID, &gitlab.UpdateIssueNoteOptions{Body: gitlab.Ptr("Edited")})
	if err != nil || edited.Body != "Edited" {
		t.Fatalf("author's edit = %+v, %v", edited, err)
	}
	edited, _, err = f.client(t, f.maint).Notes.UpdateIssueNote(f.p.ID, f.issue.IID, n.ID,
		&gitlab.UpdateIssueNoteOptions{Body: gitlab.Ptr("Moderated")})
	if err != nil || edited.Body != "Moderated" {
		t.Fatalf("maintainer's edit = %+v, %v", edited, err)
	}

	// Deleting: the author, or a Maintainer (admin_note); others 403.
	if resp, _ := f.client(t, f.reporter).Notes.DeleteIssueNote(f.p.ID, f.issue.IID, n.ID); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("reporter's delete = %d", resp.StatusCode)
	}
	if resp, err := f.client(t, f.maint).Notes.DeleteIssueNote(f.p.ID, f.issue.IID, n.ID); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("maintainer's delete = %v, %v", resp, err)
	}
	if got := f.reload(t, f.issue).UserNotesCount; got != 0 {
		t.Fatalf("user_notes_count after delete = %d, want 0", got)
	}
	f.s.Do(t, labtest.Request{Path: f.path(f.issue, "/notes/"+itoa(n.ID)), Token: f.guest.Token}).
		ExpectError(t, 404, `{"message":"404 Not found"}`)
}

func TestIssueNotesListOrderAndPages(t *testing.T) {
	t.Parallel()
	f := newNotesFixture(t)
	c := f.client(t, f.dev)
	var ids []int64
	for _, body := range []string{"one", "two", "three"} {
		n, _, err := c.Notes.CreateIssueNote(f.p.ID, f.issue.IID, &gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr(body)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, n.ID)
	}
	// A system note lists with the rest (system: true) and does not count.
	ctx := context.Background()
	sys := &model.Note{ProjectID: &f.p.ID, NoteableType: model.NoteableIssue, NoteableID: f.issue.ID, AuthorID: &f.owner.ID,
		Body: "changed the description", System: true, DiscussionID: strings.Repeat("a", 40)}
	if err := f.s.Srv.DB.WithTx(ctx, func(q *store.Queries) error { return q.InsertNote(ctx, sys) }); err != nil {
		t.Fatal(err)
	}
	if got := f.reload(t, f.issue).UserNotesCount; got != 3 {
		t.Fatalf("user_notes_count = %d, want 3", got)
	}

	// Default: newest first.
	list, resp, err := c.Notes.ListIssueNotes(f.p.ID, f.issue.IID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 4 || list[0].ID != sys.ID || !list[0].System || list[3].ID != ids[0] || resp.TotalItems != 4 {
		t.Fatalf("default order: %d notes, first %+v, total %d", len(list), list[0], resp.TotalItems)
	}
	// sort=asc, two per page.
	list, resp, err = c.Notes.ListIssueNotes(f.p.ID, f.issue.IID, &gitlab.ListIssueNotesOptions{Sort: gitlab.Ptr("asc"),
		OrderBy: gitlab.Ptr("created_at"), ListOptions: gitlab.ListOptions{PerPage: 2, Page: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != ids[2] || list[1].ID != sys.ID || resp.TotalPages != 2 || resp.CurrentPage != 2 {
		t.Fatalf("asc page 2 = %+v %+v (pages %d)", list[0], list[1], resp.TotalPages)
	}
	// activity_filter keeps comments or system notes.
	var only []map[string]any
	f.s.Do(t, labtest.Request{Path: f.path(f.issue, "/notes?activity_filter=only_activity"), Token: f.dev.Token}).JSON(t, &only)
	if len(only) != 1 || only[0]["system"] != true {
		t.Fatalf("only_activity = %v", only)
	}
	// Bad parameters: Grape's answers.
	f.s.Do(t, labtest.Request{Path: f.path(f.issue, "/notes?sort=sideways"), Token: f.dev.Token}).
		ExpectError(t, 400, `{"error":"sort does not have a valid value"}`)
	f.s.Do(t, labtest.Request{Path: f.path(f.issue, "/notes?order_by=title"), Token: f.dev.Token}).
		ExpectError(t, 400, `{"error":"order_by does not have a valid value"}`)
}

func TestIssueNotesBadInput(t *testing.T) {
	t.Parallel()
	f := newNotesFixture(t)
	post := func(body any) *labtest.Response {
		return f.s.Do(t, labtest.Request{Method: "POST", Path: f.path(f.issue, "/notes"), Token: f.guest.Token, JSON: body})
	}
	post(map[string]any{}).ExpectError(t, 400, `{"error":"body is missing"}`)
	post(map[string]any{"body": ""}).ExpectError(t, 400, `{"message":"400 Bad request - Note {:note=>[\"can't be blank\"]}"}`)
	post(map[string]any{"body": strings.Repeat("é", 1_000_001)}).
		ExpectError(t, 400, `{"message":"400 Bad request - Note {:note=>[\"is too long (maximum is 1000000 characters)\"]}"}`)
	post(map[string]any{"body": "x", "created_at": "yesterday"}).ExpectError(t, 400, `{"error":"created_at is invalid"}`)
	// Exactly the limit, in characters, is accepted.
	if r := post(map[string]any{"body": strings.Repeat("é", 1_000_000)}); r.Status != http.StatusCreated {
		t.Fatalf("1,000,000 characters: %d %.200s", r.Status, r.Body)
	}
	if got := f.reload(t, f.issue).UserNotesCount; got != 1 {
		t.Fatalf("refused notes were counted: user_notes_count = %d", got)
	}

	// Unknown issue and note; non-numeric ids.
	f.s.Do(t, labtest.Request{Path: "/projects/" + itoa(f.p.ID) + "/issues/999/notes", Token: f.guest.Token}).
		ExpectError(t, 404, `{"message":"404 Not found"}`)
	f.s.Do(t, labtest.Request{Path: f.path(f.issue, "/notes/999999"), Token: f.guest.Token}).
		ExpectError(t, 404, `{"message":"404 Not found"}`)
	f.s.Do(t, labtest.Request{Path: "/projects/" + itoa(f.p.ID) + "/issues/abc/notes", Token: f.guest.Token}).
		ExpectError(t, 400, `{"error":"noteable_id is invalid"}`)
	f.s.Do(t, labtest.Request{Path: "/projects/999999/issues/1/notes", Token: f.guest.Token}).
		ExpectError(t, 404, `{"message":"404 Project Not Found"}`)

	// PUT: a blank body is refused; no body changes nothing.
	n, _, err := f.client(t, f.guest).Notes.CreateIssueNote(f.p.ID, f.issue.IID, &gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr("keep")})
	if err != nil {
		t.Fatal(err)
	}
	f.s.Do(t, labtest.Request{Method: "PUT", Path: f.path(f.issue, "/notes/"+itoa(n.ID)), Token: f.guest.Token,
		JSON: map[string]any{"body": ""}}).ExpectError(t, 400, `{"error":"body is empty"}`)
	var same map[string]any
	f.s.Do(t, labtest.Request{Method: "PUT", Path: f.path(f.issue, "/notes/"+itoa(n.ID)), Token: f.guest.Token,
		JSON: map[string]any{}}).JSON(t, &same)
	if same["body"] != "keep" {
		t.Fatalf("PUT without body = %v", same)
	}
	// Notes API reads need a signed-in caller, as GitLab's authenticate!.
	f.s.Do(t, labtest.Request{Path: f.path(f.issue, "/notes")}).ExpectError(t, 401, `{"message":"401 Unauthorized"}`)
}

func TestIssueInternalNotes(t *testing.T) {
	t.Parallel()
	f := newNotesFixture(t)
	// A Guest's internal flag is dropped, as GitLab's BuildService does.
	g, _, err := f.client(t, f.guest).Notes.CreateIssueNote(f.p.ID, f.issue.IID, &gitlab.CreateIssueNoteOptions{
		Body: gitlab.Ptr("not secret"), Internal: gitlab.Ptr(true)})
	if err != nil || g.Internal {
		t.Fatalf("guest's internal note = %+v, %v", g, err)
	}
	// A Reporter marks notes internal; the entity says it twice.
	in, _, err := f.client(t, f.reporter).Notes.CreateIssueNote(f.p.ID, f.issue.IID, &gitlab.CreateIssueNoteOptions{
		Body: gitlab.Ptr("secret"), Internal: gitlab.Ptr(true)})
	if err != nil || !in.Internal || !in.Confidential {
		t.Fatalf("reporter's internal note = %+v, %v", in, err)
	}
	// The old name, confidential, marks a note internal too.
	var old map[string]any
	f.s.Do(t, labtest.Request{Method: "POST", Path: f.path(f.issue, "/notes"), Token: f.reporter.Token,
		JSON: map[string]any{"body": "old secret", "confidential": true}}).JSON(t, &old)
	if old["internal"] != true || old["confidential"] != true {
		t.Fatalf("confidential: true gave %v", old)
	}
	for _, u := range []*labtest.User{f.guest, f.outsider} {
		list, _, err := f.client(t, u).Notes.ListIssueNotes(f.p.ID, f.issue.IID, nil)
		if err != nil || len(list) != 1 || list[0].ID != g.ID {
			t.Fatalf("%s sees %+v, %v", u.Username, list, err)
		}
		f.s.Do(t, labtest.Request{Path: f.path(f.issue, "/notes/"+itoa(in.ID)), Token: u.Token}).
			ExpectError(t, 404, `{"message":"404 Note Not Found"}`)
	}
	list, _, err := f.client(t, f.reporter).Notes.ListIssueNotes(f.p.ID, f.issue.IID, nil)
	if err != nil || len(list) != 3 {
		t.Fatalf("reporter sees %d notes, %v", len(list), err)
	}
}

func TestIssueNotesLockedAndCreatedAt(t *testing.T) {
	t.Parallel()
	f := newNotesFixture(t)
	locked := f.newIssue(t, f.guest, func(i *model.Issue) { v := true; i.DiscussionLocked = &v })
	// A locked discussion takes comments from project members only
	// (IssuablePolicy: locked & ~is_project_member prevents create_note).
	if _, resp, _ := f.client(t, f.outsider).Notes.CreateIssueNote(f.p.ID, locked.IID,
		&gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr("let me in")}); resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("outsider on a locked issue: %v", resp)
	}
	if _, _, err := f.client(t, f.guest).Notes.CreateIssueNote(f.p.ID, locked.IID,
		&gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr("member")}); err != nil {
		t.Fatalf("guest member on a locked issue: %v", err)
	}
	// An unlocked public issue takes anyone's comment.
	if _, _, err := f.client(t, f.outsider).Notes.CreateIssueNote(f.p.ID, f.issue.IID,
		&gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr("hi")}); err != nil {
		t.Fatalf("outsider on an open issue: %v", err)
	}

	// created_at: Owners may backdate, others' is ignored.
	when := "2016-03-11T03:45:40Z"
	var owned, other map[string]any
	f.s.Do(t, labtest.Request{Method: "POST", Path: f.path(f.issue, "/notes"), Token: f.owner.Token,
		JSON: map[string]any{"body": "old", "created_at": when}}).JSON(t, &owned)
	f.s.Do(t, labtest.Request{Method: "POST", Path: f.path(f.issue, "/notes"), Token: f.maint.Token,
		JSON: map[string]any{"body": "new", "created_at": when}}).JSON(t, &other)
	if owned["created_at"] != "2016-03-11T03:45:40.000Z" || other["created_at"] == owned["created_at"] {
		t.Fatalf("owner's created_at %v, maintainer's %v", owned["created_at"], other["created_at"])
	}

	// A confidential issue hides its notes from non-members: 404.
	secret := f.newIssue(t, f.guest, func(i *model.Issue) { i.Confidential = true })
	f.s.Do(t, labtest.Request{Path: f.path(secret, "/notes"), Token: f.outsider.Token}).
		ExpectError(t, 404, `{"message":"404 Not found"}`)
}
