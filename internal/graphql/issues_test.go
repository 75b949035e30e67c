package graphql_test

import (
	"fmt"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLIssues: createIssue and updateIssue go through the same
// service as REST (REST sees what GraphQL made); a project's issues list
// newest first with GitLab's filters, count and cursors; a confidential
// issue is hidden from a caller who may not see it, as REST hides it; a
// caller who cannot see the project gets a top-level error.
func TestGraphQLIssues(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	outsider := s.NewUser(t, "outsider")
	p := tm.Project.PathWithNamespace
	create := `mutation($p: ID!, $t: String!, $c: Boolean) { createIssue(input: {projectPath: $p, title: $t, confidential: $c,
		labels: ["bug"], dueDate: "2027-01-31"}) { issue { id iid title state confidential dueDate reference author { username } webUrl } errors } }`
	for i, title := range []string{"first", "second", "secret"} {
		_, r := post(t, s, tm.Developer.Token, create, map[string]any{"p": p, "t": title, "c": title == "secret"})
		d := mustData(t, r)
		issue := dig(d, "createIssue", "issue")
		if dig(issue, "title") != title || dig(issue, "state") != "opened" || dig(issue, "author", "username") != "dev" ||
			dig(issue, "iid") != fmt.Sprint(i+1) || dig(issue, "reference") != fmt.Sprintf("#%d", i+1) ||
			dig(issue, "webUrl") != fmt.Sprintf("%s/%s/-/issues/%d", s.URL, p, i+1) {
			t.Fatalf("createIssue = %v", d)
		}
	}
	rest, _, err := s.Client(t, tm.Developer.Token).Issues.GetIssue(tm.Project.ID, 1)
	if err != nil || rest.Title != "first" || len(rest.Labels) != 1 || rest.Labels[0] != "bug" || rest.DueDate == nil {
		t.Fatalf("REST sees %+v, %v", rest, err)
	}
	// Refused by the service: in the payload's errors.
	_, r := post(t, s, tm.Developer.Token, create, map[string]any{"p": p, "t": ""})
	if errs, _ := dig(mustData(t, r), "createIssue", "errors").([]any); len(errs) != 1 || dig(r.Data, "createIssue", "issue") != nil {
		t.Fatalf("blank title = %v", r.Data)
	}
	// An outsider cannot see the private project: a top-level error.
	_, r = post(t, s, outsider.Token, create, map[string]any{"p": p, "t": "x"})
	if len(r.Errors) != 1 || dig(r.Data, "createIssue") != nil {
		t.Fatalf("outsider createIssue = %v", r)
	}

	_, r = post(t, s, tm.Developer.Token, `mutation($p: ID!) { updateIssue(input: {projectPath: $p, iid: "2", title: "second, renamed",
		stateEvent: CLOSE}) { issue { title state closedAt } errors } }`, map[string]any{"p": p})
	if d := mustData(t, r); dig(d, "updateIssue", "issue", "title") != "second, renamed" ||
		dig(d, "updateIssue", "issue", "state") != "closed" || dig(d, "updateIssue", "issue", "closedAt") == nil {
		t.Fatalf("updateIssue = %v", d)
	}

	list := func(token, args string) map[string]any {
		t.Helper()
		_, r := post(t, s, token, `query($p: ID!) { project(fullPath: $p) { issues`+args+` { count nodes { iid title }
			pageInfo { hasNextPage endCursor } } } }`, map[string]any{"p": p})
		return mustData(t, r)
	}
	titles := func(d map[string]any) string {
		var out []string
		nodes, _ := dig(d, "project", "issues", "nodes").([]any)
		for _, n := range nodes {
			out = append(out, dig(n, "title").(string))
		}
		return fmt.Sprint(out)
	}
	if d := list(tm.Developer.Token, "(first: 20)"); titles(d) != "[secret second, renamed first]" || dig(d, "project", "issues", "count") != float64(3) {
		t.Fatalf("all issues = %v", d)
	}
	if d := list(tm.Developer.Token, "(first: 20, state: opened)"); titles(d) != "[secret first]" {
		t.Fatalf("opened = %v", titles(d))
	}
	if d := list(tm.Developer.Token, `(first: 20, search: "renamed")`); titles(d) != "[second, renamed]" {
		t.Fatalf("search = %v", titles(d))
	}
	if d := list(tm.Developer.Token, `(iids: ["1", "3"])`); titles(d) != "[secret first]" {
		t.Fatalf("iids = %v", titles(d))
	}
	// Pages of one: the cursor walks on.
	d := list(tm.Developer.Token, "(first: 1)")
	if titles(d) != "[secret]" || dig(d, "project", "issues", "pageInfo", "hasNextPage") != true {
		t.Fatalf("first page = %v", d)
	}
	end := dig(d, "project", "issues", "pageInfo", "endCursor").(string)
	if d := list(tm.Developer.Token, fmt.Sprintf(`(first: 1, after: %q)`, end)); titles(d) != "[second, renamed]" {
		t.Fatalf("second page = %v", titles(d))
	}

	// The project is made public (issues for everyone): a signed-in
	// non-member sees the issues but not the confidential one, which
	// iid lookup hides too.
	root := s.Client(t, s.RootToken)
	if _, _, err := root.Groups.UpdateGroup(tm.Group.ID, &gitlab.UpdateGroupOptions{Visibility: gitlab.Ptr(gitlab.PublicVisibility)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := root.Projects.EditProject(tm.Project.ID, &gitlab.EditProjectOptions{Visibility: gitlab.Ptr(gitlab.PublicVisibility)}); err != nil {
		t.Fatal(err)
	}
	if d := list(outsider.Token, "(first: 20)"); titles(d) != "[second, renamed first]" || dig(d, "project", "issues", "count") != float64(2) {
		t.Fatalf("outsider's list = %v", d)
	}
	_, r = post(t, s, outsider.Token, `query($p: ID!) { project(fullPath: $p) { issue(iid: "3") { title } one: issue(iid: "1") { title } } }`,
		map[string]any{"p": p})
	if d := mustData(t, r); dig(d, "project", "issue") != nil || dig(d, "project", "one", "title") != "first" {
		t.Fatalf("outsider's lookups = %v", d)
	}
}

// TestGraphQLIssuesNoNPlusOne: a page of 20 issues with their authors
// runs no more statements than a page of 2.
func TestGraphQLIssuesNoNPlusOne(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t, func(c *config.Config) { c.CachesOff = true })
	tm := s.NewTeam(t)
	for i := range 20 {
		u := tm.Developer
		if i%2 == 0 {
			u = tm.Maintainer
		}
		if _, _, err := s.Client(t, u.Token).Issues.CreateIssue(tm.Project.ID, &gitlab.CreateIssueOptions{
			Title: gitlab.Ptr(fmt.Sprintf("issue %d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	statements := func(first int) (int64, int) {
		q := fmt.Sprintf(`query { project(fullPath: %q) { issues(first: %d) { nodes { title author { username } } } } }`,
			tm.Project.PathWithNamespace, first)
		post(t, s, tm.Developer.Token, q, nil)
		r, n := countedPost(t, s, tm.Developer.Token, q, nil)
		nodes, _ := dig(mustData(t, r), "project", "issues", "nodes").([]any)
		for _, node := range nodes {
			if dig(node, "author", "username") == nil {
				t.Fatalf("no author: %v", node)
			}
		}
		return n, len(nodes)
	}
	few, n2 := statements(2)
	many, n20 := statements(20)
	if n2 != 2 || n20 != 20 || few == 0 || many > few+3 {
		t.Errorf("20 issues ran %d statements (%d nodes), 2 ran %d (%d nodes)", many, n20, few, n2)
	}
}
