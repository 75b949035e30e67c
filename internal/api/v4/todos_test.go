package v4_test

import (
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestTodosAndIssueActivity: assigning and mentioning give the users
// concerned to-do items (only those who may read the issue, never the
// author), comments' mentions too; items are listed, marked done one by
// one, all at once and by closing the issue; the issue's changes and
// comments are events of the feed, hidden with the issue when it is
// confidential.
func TestTodosAndIssueActivity(t *testing.T) {
	t.Parallel()
	f := newRefsFixture(t, gitlab.PrivateVisibility)
	pid := f.p.ID
	issue, resp, err := f.ownerC.Issues.CreateIssue(pid, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("Crash on save"),
		Description: gitlab.Ptr("@carol please look; @eve too; `@dave` is code"),
		AssigneeIDs: &[]int64{f.dev.ID}})
	wantStatus(t, resp, err, 201)

	todos := func(c *gitlab.Client, opt *gitlab.ListTodosOptions) []*gitlab.Todo {
		t.Helper()
		list, _, err := c.Todos.ListTodos(opt)
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	actions := func(list []*gitlab.Todo) string {
		var out []string
		for _, td := range list {
			out = append(out, string(td.ActionName)+":"+td.State)
		}
		return strings.Join(out, ",")
	}
	bob := todos(f.devC, nil)
	if actions(bob) != "assigned:pending" {
		t.Fatalf("bob's items = %s", actions(bob))
	}
	td := bob[0]
	if td.Target == nil || td.Target.IID != int64(issue.IID) || td.Target.Title != "Crash on save" ||
		td.TargetURL != issue.WebURL || td.Body != "Crash on save" || td.Author.Username != "alice" ||
		td.Project == nil || td.Project.PathWithNamespace != f.p.PathWithNamespace || string(td.TargetType) != "Issue" {
		t.Fatalf("bob's item = %+v (target %+v)", td, td.Target)
	}
	// carol opens the description: addressed directly.
	if got := actions(todos(f.reporterC, nil)); got != "directly_addressed:pending" {
		t.Fatalf("carol (addressed) = %s", got)
	}
	for name, c := range map[string]*gitlab.Client{"alice (author)": f.ownerC, "eve (no access)": f.strangerC, "dave (in code)": f.guestC} {
		if got := actions(todos(c, nil)); got != "" {
			t.Fatalf("%s has items: %s", name, got)
		}
	}

	// A comment's mention is an item of its own, pointing at the comment.
	note, resp, err := f.devC.Notes.CreateIssueNote(pid, issue.IID, &gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr("cc @carol @dave")})
	wantStatus(t, resp, err, 201)
	carol := todos(f.reporterC, nil)
	if actions(carol) != "mentioned:pending,directly_addressed:pending" || !strings.HasSuffix(carol[0].TargetURL, "#note_"+itoa(note.ID)) ||
		carol[0].Body != "cc @carol @dave" {
		t.Fatalf("carol after the comment = %s, %+v", actions(carol), carol[0])
	}
	if got := actions(todos(f.guestC, nil)); got != "mentioned:pending" {
		t.Fatalf("dave (guest, mentioned in a comment) = %s", got)
	}

	// Marked by hand: created once, then 304.
	marked, resp, err := f.devC.Issues.CreateTodo(pid, int64(issue.IID))
	wantStatus(t, resp, err, 201)
	if marked.ActionName != "marked" || marked.State != "pending" {
		t.Fatalf("marked = %+v", marked)
	}
	_, resp, _ = f.devC.Issues.CreateTodo(pid, int64(issue.IID))
	wantStatus(t, resp, nil, 304)

	// Done one by one (someone else's is not found), then all at once.
	raw := f.s.Do(t, labtest.Request{Method: "POST", Path: "/todos/" + itoa(marked.ID) + "/mark_as_done", Token: f.dev.Token})
	if raw.Status != 201 || raw.Map(t)["state"] != "done" {
		t.Fatalf("mark as done = %d %s", raw.Status, raw.Body)
	}
	f.s.Do(t, labtest.Request{Method: "POST", Path: "/todos/" + itoa(carol[0].ID) + "/mark_as_done", Token: f.dev.Token}).
		ExpectError(t, 404, `{"message":"404 Todo Not Found"}`)
	if got := actions(todos(f.devC, &gitlab.ListTodosOptions{State: gitlab.Ptr("done")})); got != "marked:done" {
		t.Fatalf("bob's done items = %s", got)
	}
	resp, err = f.reporterC.Todos.MarkAllTodosAsDone()
	wantStatus(t, resp, err, 204)
	if got := actions(todos(f.reporterC, nil)); got != "" {
		t.Fatalf("carol's pending after mark all = %s", got)
	}
	// Closing the issue marks the closer's items on it done.
	_, resp, err = f.devC.Issues.UpdateIssue(pid, issue.IID, &gitlab.UpdateIssueOptions{StateEvent: gitlab.Ptr("close")})
	wantStatus(t, resp, err, 200)
	if got := actions(todos(f.devC, nil)); got != "" {
		t.Fatalf("bob's pending after closing = %s", got)
	}
	f.s.Do(t, labtest.Request{Path: "/todos?action=exploded", Token: f.dev.Token}).
		ExpectError(t, 400, `{"error":"action does not have a valid value"}`)
	f.s.Do(t, labtest.Request{Path: "/todos"}).ExpectError(t, 401, `{"message":"401 Unauthorized"}`)

	// The feed: opened, commented on, closed; a confidential issue's
	// events are not shown to a guest, and neither are its items.
	secret, resp, err := f.ownerC.Issues.CreateIssue(pid, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("Secret"),
		Description: gitlab.Ptr("@dave @carol"), Confidential: gitlab.Ptr(true)})
	wantStatus(t, resp, err, 201)
	feed := func(c *gitlab.Client) string {
		t.Helper()
		evs, _, err := c.Events.ListProjectVisibleEvents(pid, &gitlab.ListProjectVisibleEventsOptions{Sort: gitlab.Ptr("asc")})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range evs {
			if e.TargetType == "" {
				continue // the project's creation
			}
			out = append(out, e.ActionName+" "+string(e.TargetType)+" "+e.TargetTitle)
		}
		return strings.Join(out, "; ")
	}
	want := "opened Issue Crash on save; commented on Note Crash on save; closed Issue Crash on save"
	if got := feed(f.guestC); got != want {
		t.Fatalf("guest's feed:\n%s\nwant:\n%s", got, want)
	}
	if got := feed(f.reporterC); got != want+"; opened Issue Secret" {
		t.Fatalf("reporter's feed: %s", got)
	}
	if got := actions(todos(f.guestC, nil)); got != "mentioned:pending" {
		t.Fatalf("dave's items after the confidential mention = %s", got)
	}
	if got := actions(todos(f.reporterC, nil)); got != "directly_addressed:pending" {
		t.Fatalf("carol's items after the confidential mention = %s", got)
	}
	_ = secret
}

// TestTodosDirectlyAddressed: as GitLab's TodoService, users a text
// opens a top-level paragraph with get "directly_addressed" items instead
// of "mentioned" ones; a name that is no user or group ends the run, a
// group does not; in a description and in a comment alike.
func TestTodosDirectlyAddressed(t *testing.T) {
	t.Parallel()
	f := newRefsFixture(t, gitlab.PrivateVisibility)
	pid := f.p.ID
	if _, _, err := f.ownerC.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Team"), Path: gitlab.Ptr("team")}); err != nil {
		t.Fatal(err)
	}
	pending := func(c *gitlab.Client) string {
		t.Helper()
		list, _, err := c.Todos.ListTodos(nil)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, td := range list {
			out = append(out, string(td.ActionName))
		}
		return strings.Join(out, ",")
	}
	_, resp, err := f.ownerC.Issues.CreateIssue(pid, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("Addressed"),
		Description: gitlab.Ptr("@carol @nobody @dave please look\n\n@bob thanks, and @eve has no access")})
	wantStatus(t, resp, err, 201)
	for _, tc := range []struct {
		who, want string
		c         *gitlab.Client
	}{
		{"carol", "directly_addressed", f.reporterC},
		{"dave (after an unknown name)", "mentioned", f.guestC},
		{"bob (opens a paragraph)", "directly_addressed", f.devC},
		{"eve (no access)", "", f.strangerC},
	} {
		if got := pending(tc.c); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.who, got, tc.want)
		}
	}
	// A comment: the group keeps the run going; each user gets one item,
	// the directly addressed one.
	for _, c := range []*gitlab.Client{f.reporterC, f.guestC, f.devC} {
		resp, err = c.Todos.MarkAllTodosAsDone()
		wantStatus(t, resp, err, 204)
	}
	_, resp, err = f.ownerC.Notes.CreateIssueNote(pid, 1, &gitlab.CreateIssueNoteOptions{
		Body: gitlab.Ptr("@carol @team\n@dave what do you think? cc @bob @carol")})
	wantStatus(t, resp, err, 201)
	for c, want := range map[*gitlab.Client]string{f.reporterC: "directly_addressed", f.guestC: "directly_addressed", f.devC: "mentioned"} {
		if got := pending(c); got != want {
			t.Errorf("after the comment: %q, want %q", got, want)
		}
	}
}
