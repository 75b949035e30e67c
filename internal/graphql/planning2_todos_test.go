package graphql_test

import (
	"fmt"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLTodos reads and marks the caller's to-do items through
// GraphQL and checks them against REST's /todos.
func TestGraphQLTodos(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	owner, dev := s.Client(t, tm.Owner.Token), s.Client(t, tm.Developer.Token)
	for _, title := range []string{"one", "two", "three"} {
		is, _, err := owner.Issues.CreateIssue(tm.Project.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr(title)})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := dev.Issues.CreateTodo(tm.Project.ID, is.IID); err != nil {
			t.Fatal(err)
		}
	}
	const q = `query($state: [TodoStateEnum!]) { currentUser { todos(first: 10, state: $state) { count
		nodes { id action state targetType targetUrl body author { username } } pageInfo { hasNextPage } } } }`
	list := func(token string, state string) []any {
		t.Helper()
		_, r := post(t, s, token, q, map[string]any{"state": []string{state}})
		nodes, _ := dig(mustData(t, r), "currentUser", "todos", "nodes").([]any)
		return nodes
	}
	nodes := list(tm.Developer.Token, "pending")
	rest, _, err := dev.Todos.ListTodos(&gitlab.ListTodosOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 3 || len(rest) != 3 {
		t.Fatalf("graphql %d items, REST %d", len(nodes), len(rest))
	}
	for i, n := range nodes {
		want := rest[i]
		if dig(n, "id") != fmt.Sprintf("gid://gitlab/Todo/%d", want.ID) || dig(n, "action") != "marked" ||
			dig(n, "state") != "pending" || dig(n, "targetType") != "ISSUE" || dig(n, "targetUrl") != want.TargetURL ||
			dig(n, "body") != want.Body || dig(n, "author", "username") != tm.Developer.Username {
			t.Errorf("item %d = %v, REST %+v", i, n, want)
		}
	}
	// Others' lists are their own; anonymous callers have none.
	if n := list(tm.Owner.Token, "pending"); len(n) != 0 {
		t.Errorf("owner's items = %v", n)
	}
	if _, r := post(t, s, "", q, nil); dig(r.Data, "currentUser") != nil {
		t.Errorf("anonymous = %v", r)
	}

	mark := `mutation($id: TodoID!) { todoMarkDone(input: {id: $id}) { todo { id state } errors } }`
	first := dig(nodes[0], "id").(string)
	// Another user's item is not found, as REST's 404.
	_, r := post(t, s, tm.Owner.Token, mark, map[string]any{"id": first})
	if len(r.Errors) != 1 || r.Errors[0]["message"] != "The resource that you are attempting to access does not exist or you don't have permission to perform this action" {
		t.Errorf("owner marks the developer's item: %v", r)
	}
	if resp, err := owner.Todos.MarkTodoAsDone(rest[0].ID); err == nil || resp.StatusCode != 404 {
		t.Errorf("REST: %v", err)
	}
	_, r = post(t, s, tm.Developer.Token, mark, map[string]any{"id": first})
	if d := mustData(t, r); dig(d, "todoMarkDone", "todo", "state") != "done" || dig(d, "todoMarkDone", "todo", "id") != first {
		t.Errorf("mark done = %v", d)
	}
	if n := list(tm.Developer.Token, "done"); len(n) != 1 || dig(n[0], "id") != first {
		t.Errorf("done = %v", n)
	}

	_, r = post(t, s, tm.Developer.Token, `mutation { todosMarkAllDone(input: {}) { todos { id state } errors } }`, nil)
	done, _ := dig(mustData(t, r), "todosMarkAllDone", "todos").([]any)
	if len(done) != 2 || dig(done[0], "state") != "done" {
		t.Errorf("mark all done = %v", r.Data)
	}
	if pending, _, err := dev.Todos.ListTodos(&gitlab.ListTodosOptions{}); err != nil || len(pending) != 0 {
		t.Errorf("REST pending after all done: %v %v", pending, err)
	}
	if n := list(tm.Developer.Token, "done"); len(n) != 3 {
		t.Errorf("done = %v", n)
	}
}
