package v4_test

import (
	"fmt"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestTodoMarkedAtOnce: an issue marked as a to-do by several requests at
// once (a double click) gives its user one pending item: one request
// answers 201, the others 304 as a repeat does, none fails; the same user
// assigned by two edits at once likewise gets one "assigned" item.
func TestTodoMarkedAtOnce(t *testing.T) {
	t.Parallel()
	f := newRefsFixture(t, gitlab.PrivateVisibility)
	pending := func(c *gitlab.Client, action string) int {
		t.Helper()
		list, _, err := c.Todos.ListTodos(&gitlab.ListTodosOptions{State: gitlab.Ptr("pending"), Action: gitlab.Ptr(gitlab.TodoAction(action))})
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	for round := range 3 {
		issue, _, err := f.ownerC.Issues.CreateIssue(f.p.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr(fmt.Sprint("twice ", round))})
		if err != nil {
			t.Fatal(err)
		}
		const n = 4
		status := make([]int, n)
		labtest.AtOnce(n, func(k int) error {
			status[k] = f.s.Do(t, labtest.Request{Method: "POST", Token: f.dev.Token,
				Path: fmt.Sprintf("/projects/%d/issues/%d/todo", f.p.ID, issue.IID)}).Status
			return nil
		})
		created := 0
		for _, s := range status {
			switch s {
			case 201:
				created++
			case 304:
			default:
				t.Errorf("round %d: mark as to-do answered %d", round, s)
			}
		}
		if created != 1 {
			t.Errorf("round %d: %d items created, want 1: %v", round, created, status)
		}
		labtest.AtOnce(2, func(k int) error {
			_, _, err := f.ownerC.Issues.UpdateIssue(f.p.ID, issue.IID, &gitlab.UpdateIssueOptions{
				AssigneeIDs: &[]int64{f.reporter.ID}, Title: gitlab.Ptr(fmt.Sprint("twice ", round, k))})
			return err
		})
	}
	if got := pending(f.devC, "marked"); got != 3 {
		t.Errorf("bob's pending marked items: %d, want 3 (one an issue)", got)
	}
	if got := pending(f.reporterC, "assigned"); got != 3 {
		t.Errorf("carol's pending assigned items: %d, want 3 (one an issue)", got)
	}
}
