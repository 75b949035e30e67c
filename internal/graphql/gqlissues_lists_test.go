package graphql_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// crossTeam is a Team with a subgroup "team/sub" holding a second private
// project "team/sub/lib" that only the group's members see.
func crossTeam(t *testing.T, s *labtest.Server) (*labtest.Team, *gitlab.Project) {
	t.Helper()
	tm := s.NewTeam(t)
	root := s.Client(t, s.RootToken)
	sub, _, err := root.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Sub"), Path: gitlab.Ptr("sub"),
		ParentID: gitlab.Ptr(tm.Group.ID), Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	lib, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Lib"),
		NamespaceID: gitlab.Ptr(sub.ID), Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	return tm, lib
}

func titlesOf(v any) string {
	nodes, _ := v.([]any)
	var out []string
	for _, n := range nodes {
		out = append(out, fmt.Sprint(dig(n, "title")))
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// TestGraphQLCrossProjectIssues reads Query.issues and Group.issues as
// REST's /issues?scope=all and /groups/:id/issues answer: only projects
// the caller sees, the subgroups' with includeSubgroups, nodes rendered
// with their own project's paths; a filterless Query.issues and a bad
// iid are errors, and an invisible group is null.
func TestGraphQLCrossProjectIssues(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm, lib := crossTeam(t, s)
	outsider := s.NewUser(t, "outsider")
	dev, owner := s.Client(t, tm.Developer.Token), s.Client(t, tm.Owner.Token)
	for _, c := range []struct {
		c     *gitlab.Client
		pid   int64
		title string
	}{{dev, tm.Project.ID, "alpha bug"}, {dev, tm.Project.ID, "beta"}, {owner, lib.ID, "gamma bug"}} {
		if _, _, err := c.c.Issues.CreateIssue(c.pid, &gitlab.CreateIssueOptions{Title: gitlab.Ptr(c.title),
			Labels: &gitlab.LabelOptions{"bug"}}); err != nil {
			t.Fatal(err)
		}
	}

	const all = `query($s: String) { issues(search: $s, first: 10) { count nodes { title webPath
		labels(first: 2) { nodes { title } } author { username } } } }`
	_, r := post(t, s, tm.Developer.Token, all, map[string]any{"s": "bug"})
	if got := titlesOf(dig(mustData(t, r), "issues", "nodes")); got != "alpha bug" {
		t.Errorf("developer's issues(search: bug) = %s (%v)", got, r.Data)
	}
	_, r = post(t, s, tm.Owner.Token, all, map[string]any{"s": "bug"})
	nodes, _ := dig(mustData(t, r), "issues", "nodes").([]any)
	if len(nodes) != 2 || dig(r.Data, "issues", "count") != float64(2) {
		t.Fatalf("owner's issues(search: bug) = %v", r.Data)
	}
	for _, n := range nodes {
		want := "/team/app/-/issues/1"
		if dig(n, "title") == "gamma bug" {
			want = "/team/sub/lib/-/issues/1"
		}
		if dig(n, "webPath") != want || fmt.Sprint(dig(n, "labels", "nodes")) != "[map[title:bug]]" {
			t.Errorf("node = %v, want webPath %s and label bug", n, want)
		}
	}
	_, r = post(t, s, outsider.Token, all, map[string]any{"s": "bug"})
	if dig(mustData(t, r), "issues", "count") != float64(0) {
		t.Errorf("outsider's issues = %v", r.Data)
	}
	_, r = post(t, s, tm.Owner.Token, `query { issues(first: 5) { count } }`, nil)
	if len(r.Errors) == 0 || !strings.Contains(fmt.Sprint(r.Errors), "at least one filter") {
		t.Errorf("issues without a filter = %v", r)
	}

	const group = `query($g: ID!, $sub: Boolean, $iid: String) { group(fullPath: $g) {
		issues(includeSubgroups: $sub, iid: $iid, first: 10) { count nodes { title } } } }`
	for _, c := range []struct {
		token string
		sub   bool
		want  string
	}{{tm.Owner.Token, false, "alpha bug,beta"}, {tm.Owner.Token, true, "alpha bug,beta,gamma bug"}} {
		_, r = post(t, s, c.token, group, map[string]any{"g": "team", "sub": c.sub})
		if got := titlesOf(dig(mustData(t, r), "group", "issues", "nodes")); got != c.want {
			t.Errorf("group issues (subgroups %v) = %s, want %s", c.sub, got, c.want)
		}
	}
	_, r = post(t, s, tm.Owner.Token, group, map[string]any{"g": "team", "sub": true, "iid": "2"})
	if got := titlesOf(dig(mustData(t, r), "group", "issues", "nodes")); got != "beta" {
		t.Errorf("group issues(iid: 2) = %s", got)
	}
	_, r = post(t, s, outsider.Token, group, map[string]any{"g": "team", "sub": true})
	if g := mustData(t, r)["group"]; g != nil {
		t.Errorf("outsider sees group issues: %v", g)
	}
	_, r = post(t, s, tm.Owner.Token, group, map[string]any{"g": "team", "iid": "x"})
	if len(r.Errors) == 0 || !strings.Contains(fmt.Sprint(r.Errors), "positive integer") {
		t.Errorf("bad iid = %v", r)
	}
}

// TestGraphQLGroupMergeRequests reads Group.mergeRequests as REST's
// /groups/:id/merge_requests: the caller's visible projects only, the
// subgroups' with includeSubgroups; an invisible group is null and two
// source branches an error.
func TestGraphQLGroupMergeRequests(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm, lib := crossTeam(t, s)
	outsider := s.NewUser(t, "outsider")
	owner := s.Client(t, tm.Owner.Token)
	for _, pid := range []int64{tm.Project.ID, lib.ID} {
		if _, _, err := owner.RepositoryFiles.CreateFile(pid, "README.md", &gitlab.CreateFileOptions{
			Branch: gitlab.Ptr("main"), Content: gitlab.Ptr("hi"), CommitMessage: gitlab.Ptr("init")}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := owner.Branches.CreateBranch(pid, &gitlab.CreateBranchOptions{Branch: gitlab.Ptr("feature"),
			Ref: gitlab.Ptr("main")}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := owner.MergeRequests.CreateMergeRequest(pid, &gitlab.CreateMergeRequestOptions{
			Title: gitlab.Ptr(fmt.Sprintf("mr of %d", pid)), SourceBranch: gitlab.Ptr("feature"),
			TargetBranch: gitlab.Ptr("main")}); err != nil {
			t.Fatal(err)
		}
	}
	const q = `query($sub: Boolean, $src: [String!]) { group(fullPath: "team") {
		mergeRequests(includeSubgroups: $sub, sourceBranches: $src, state: opened, first: 10) {
			count nodes { title webPath author { username } } } } }`
	appMR, libMR := fmt.Sprintf("mr of %d", tm.Project.ID), fmt.Sprintf("mr of %d", lib.ID)
	for _, c := range []struct {
		token string
		sub   bool
		want  string
	}{{tm.Owner.Token, false, appMR}, {tm.Owner.Token, true, appMR + "," + libMR}, {tm.Developer.Token, true, appMR}} {
		_, r := post(t, s, c.token, q, map[string]any{"sub": c.sub})
		nodes := dig(mustData(t, r), "group", "mergeRequests", "nodes")
		if got := titlesOf(nodes); got != c.want {
			t.Errorf("group merge requests (subgroups %v) = %s, want %s", c.sub, got, c.want)
		}
		for _, n := range nodes.([]any) {
			if dig(n, "title") == libMR && dig(n, "webPath") != "/team/sub/lib/-/merge_requests/1" ||
				dig(n, "author", "username") != tm.Owner.Username {
				t.Errorf("node = %v", n)
			}
		}
	}
	_, r := post(t, s, outsider.Token, q, map[string]any{"sub": true})
	if g := mustData(t, r)["group"]; g != nil {
		t.Errorf("outsider sees group merge requests: %v", g)
	}
	_, r = post(t, s, tm.Owner.Token, q, map[string]any{"sub": true, "src": []string{"a", "b"}})
	if len(r.Errors) == 0 {
		t.Errorf("two source branches = %v", r)
	}
}

// TestGraphQLGroupIssuesNoNPlusOne: a page of group issues across two
// projects loads its authors, labels and assignees in a fixed number of
// statements, however many nodes.
func TestGraphQLGroupIssuesNoNPlusOne(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t, func(c *config.Config) { c.CachesOff = true })
	tm, lib := crossTeam(t, s)
	owner := s.Client(t, tm.Owner.Token)
	for i := range 20 {
		pid := tm.Project.ID
		if i%2 == 0 {
			pid = lib.ID
		}
		if _, _, err := owner.Issues.CreateIssue(pid, &gitlab.CreateIssueOptions{Title: gitlab.Ptr(fmt.Sprintf("issue %d", i)),
			Labels: &gitlab.LabelOptions{fmt.Sprintf("l%d", i)}, AssigneeIDs: &[]int64{tm.Owner.ID}}); err != nil {
			t.Fatal(err)
		}
	}
	statements := func(first int) (int64, int) {
		q := fmt.Sprintf(`query { group(fullPath: "team") { issues(includeSubgroups: true, first: %d) { nodes {
			title author { username } labels(first: 1) { nodes { title } } assignees(first: 1) { nodes { username } } } } } }`, first)
		post(t, s, tm.Owner.Token, q, nil)
		r, n := countedPost(t, s, tm.Owner.Token, q, nil)
		nodes, _ := dig(mustData(t, r), "group", "issues", "nodes").([]any)
		for _, node := range nodes {
			if dig(node, "author", "username") == nil || len(dig(node, "labels", "nodes").([]any)) != 1 ||
				len(dig(node, "assignees", "nodes").([]any)) != 1 {
				t.Fatalf("node = %v", node)
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
