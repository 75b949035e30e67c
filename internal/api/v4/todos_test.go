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
	if got := actions(todos(f.reporterC, nil)); got != "mentioned:pending" {
		t.Fatalf("carol (mentioned) = %s", got)
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
	if actions(carol) != "mentioned:pending,mentioned:pending" || !strings.HasSuffix(carol[0].TargetURL, "#note_"+itoa(note.ID)) ||
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
	if got := actions(todos(f.reporterC, nil)); got != "mentioned:pending" {
		t.Fatalf("carol's items after the confidential mention = %s", got)
	}
	_ = secret
}
