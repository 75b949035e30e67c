package graphql_test

import (
	"fmt"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLIssueParticipants answers an issue's participants as REST's
// participants route does (author, assignees, note authors, each once),
// for a whole page in a fixed number of statements; who may not see the
// project sees nothing, and a bad page size is an error.
func TestGraphQLIssueParticipants(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t, func(c *config.Config) { c.CachesOff = true })
	tm := s.NewTeam(t)
	dev := s.Client(t, tm.Developer.Token)
	mc := s.Client(t, tm.Maintainer.Token)
	for i := range 12 {
		is, _, err := dev.Issues.CreateIssue(tm.Project.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr(fmt.Sprintf("issue %d", i)),
			AssigneeIDs: &[]int64{tm.Maintainer.ID}})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []*gitlab.Client{mc, s.Client(t, tm.Owner.Token), dev} {
			if _, _, err := c.Notes.CreateIssueNote(tm.Project.ID, is.IID, &gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr("hi")}); err != nil {
				t.Fatal(err)
			}
		}
	}
	rest, _, err := dev.Issues.GetParticipants(tm.Project.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	var want []any
	for _, u := range rest {
		want = append(want, u.Username)
	}
	statements := func(first int) (int64, int) {
		q := fmt.Sprintf(`query { project(fullPath: %q) { issues(first: %d) { nodes { title
			participants(first: 5) { count nodes { username } } } } } }`, tm.Project.PathWithNamespace, first)
		post(t, s, tm.Developer.Token, q, nil)
		r, n := countedPost(t, s, tm.Developer.Token, q, nil)
		nodes, _ := dig(mustData(t, r), "project", "issues", "nodes").([]any)
		for _, node := range nodes {
			if got := nodesOf(dig(node, "participants", "nodes"), "username"); got != fmt.Sprint(want) ||
				dig(node, "participants", "count") != float64(3) {
				t.Fatalf("participants = %v, REST's %v", node, want)
			}
		}
		return n, len(nodes)
	}
	few, n2 := statements(2)
	many, n10 := statements(10)
	if fmt.Sprint(want) != "[dev mia olive]" || n2 != 2 || n10 != 10 || many > few {
		t.Errorf("want %v; 10 issues ran %d statements (%d nodes), 2 ran %d (%d nodes)", want, many, n10, few, n2)
	}

	one := fmt.Sprintf(`query { project(fullPath: %q) { issue(iid: "1") { participants(first: 1) { count
		pageInfo { hasNextPage } nodes { username } } } } }`, tm.Project.PathWithNamespace)
	_, r := post(t, s, tm.Developer.Token, one, nil)
	if got := fmt.Sprint(dig(mustData(t, r), "project", "issue", "participants")); got !=
		"map[count:3 nodes:[map[username:dev]] pageInfo:map[hasNextPage:true]]" {
		t.Errorf("one issue's participants = %s", got)
	}
	outsider := s.NewUser(t, "outsider")
	if _, r := post(t, s, outsider.Token, one, nil); dig(r.Data, "project") != nil || len(r.Errors) > 0 {
		t.Errorf("outsider sees %v", r)
	}
	bad := fmt.Sprintf(`query { project(fullPath: %q) { issue(iid: "1") { participants(first: -1) { count } } } }`,
		tm.Project.PathWithNamespace)
	if _, r := post(t, s, tm.Developer.Token, bad, nil); len(r.Errors) == 0 {
		t.Errorf("first: -1 answered %v", r.Data)
	}
}

// TestGraphQLProjectDeployment finds a deployment by iid through REST's
// single-deployment answer: a Guest (no read_deployment) and an outsider
// see nothing, an unknown iid is null and a malformed one an error.
func TestGraphQLProjectDeployment(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	seedFile(t, s, tm)
	mc := s.Client(t, tm.Maintainer.Token)
	br, _, err := mc.Branches.GetBranch(tm.Project.ID, "main")
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []gitlab.DeploymentStatusValue{gitlab.DeploymentStatusSuccess, gitlab.DeploymentStatusFailed} {
		if _, _, err := mc.Deployments.CreateProjectDeployment(tm.Project.ID, &gitlab.CreateProjectDeploymentOptions{
			Environment: gitlab.Ptr("production"), Ref: gitlab.Ptr("main"), SHA: gitlab.Ptr(br.Commit.ID),
			Tag: gitlab.Ptr(false), Status: gitlab.Ptr(st)}); err != nil {
			t.Fatal(err)
		}
	}
	guest := s.NewUser(t, "guest")
	if _, _, err := s.Client(t, s.RootToken).ProjectMembers.AddProjectMember(tm.Project.ID, &gitlab.AddProjectMemberOptions{
		UserID: guest.ID, AccessLevel: gitlab.Ptr(gitlab.GuestPermissions)}); err != nil {
		t.Fatal(err)
	}
	outsider := s.NewUser(t, "outsider")
	const q = `query($p: ID!, $iid: ID!) { project(fullPath: $p) { id deployment(iid: $iid) { iid ref sha tag status
		triggerer { username } } } }`
	get := func(token, iid string) gqlResult {
		t.Helper()
		_, r := post(t, s, token, q, map[string]any{"p": tm.Project.PathWithNamespace, "iid": iid})
		return r
	}
	r := get(tm.Developer.Token, "2")
	want := fmt.Sprintf("map[iid:2 ref:main sha:%s status:FAILED tag:false triggerer:map[username:mia]]", br.Commit.ID)
	if got := fmt.Sprint(dig(mustData(t, r), "project", "deployment")); got != want {
		t.Errorf("deployment 2 = %s, want %s", got, want)
	}
	if r := get(tm.Developer.Token, "3"); dig(mustData(t, r), "project", "id") == nil || dig(r.Data, "project", "deployment") != nil {
		t.Errorf("unknown iid = %v", r)
	}
	if r := get(guest.Token, "1"); dig(mustData(t, r), "project", "id") == nil || dig(r.Data, "project", "deployment") != nil {
		t.Errorf("guest sees %v", r)
	}
	if r := get(outsider.Token, "1"); dig(mustData(t, r), "project") != nil {
		t.Errorf("outsider sees %v", r)
	}
	if r := get(tm.Developer.Token, "x"); len(r.Errors) == 0 {
		t.Errorf("iid x answered %v", r.Data)
	}
}
