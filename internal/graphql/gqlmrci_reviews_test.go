package graphql_test

import (
	"fmt"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// mrBranches makes main and, from it, one branch with a commit per name,
// so each can be a merge request's source.
func mrBranches(t *testing.T, s *labtest.Server, tm *labtest.Team, names ...string) {
	t.Helper()
	root := s.Client(t, tm.Owner.Token)
	opt := &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"), CommitMessage: gitlab.Ptr("init"),
		Actions: []*gitlab.CommitActionOptions{{Action: gitlab.Ptr(gitlab.FileCreate), FilePath: gitlab.Ptr("README"), Content: gitlab.Ptr("x")}}}
	if _, _, err := root.Commits.CreateCommit(tm.Project.ID, opt); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		opt := &gitlab.CreateCommitOptions{Branch: gitlab.Ptr(n), StartBranch: gitlab.Ptr("main"), CommitMessage: gitlab.Ptr(n),
			Actions: []*gitlab.CommitActionOptions{{Action: gitlab.Ptr(gitlab.FileCreate), FilePath: gitlab.Ptr(n), Content: gitlab.Ptr(n + "\n")}}}
		if _, _, err := root.Commits.CreateCommit(tm.Project.ID, opt); err != nil {
			t.Fatal(err)
		}
	}
}

// TestGraphQLMergeRequestReviews reads a merge request's reviewers and
// approvers as REST's reviewers and approvals routes list them; who may
// not read the project sees nothing, and a bad window is an error.
func TestGraphQLMergeRequestReviews(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	outsider := s.NewUser(t, "outsider")
	dev, mc := s.Client(t, tm.Developer.Token), s.Client(t, tm.Maintainer.Token)
	mrBranches(t, s, tm, "topic", "other")
	mr, _, err := dev.MergeRequests.CreateMergeRequest(tm.Project.ID, &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr("mr"),
		SourceBranch: gitlab.Ptr("topic"), TargetBranch: gitlab.Ptr("main"),
		ReviewerIDs: &[]int64{tm.Maintainer.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := dev.MergeRequests.CreateMergeRequest(tm.Project.ID, &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr("bare"),
		SourceBranch: gitlab.Ptr("other"), TargetBranch: gitlab.Ptr("main")}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*gitlab.Client{mc, dev} {
		if _, _, err := c.MergeRequestApprovals.ApproveMergeRequest(tm.Project.ID, mr.IID, nil); err != nil {
			t.Fatal(err)
		}
	}
	revs, _, err := dev.MergeRequests.GetMergeRequestReviewers(tm.Project.ID, mr.IID)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, rv := range revs {
		want = append(want, fmt.Sprintf("map[mergeRequestInteraction:map[approved:%v reviewState:%s reviewed:%v] username:%s]",
			rv.State == "approved", map[bool]string{true: "APPROVED", false: "UNREVIEWED"}[rv.State == "approved"],
			rv.State == "approved", rv.User.Username))
	}

	const q = `query($p: ID!) { project(fullPath: $p) { mergeRequests(first: 5) { nodes { title
		approved approvalsRequired approvalsLeft
		reviewers(first: 5) { count nodes { username mergeRequestInteraction { approved reviewed reviewState } } }
		approvedBy(first: 5) { count nodes { username } } } } } }`
	_, r := post(t, s, tm.Developer.Token, q, map[string]any{"p": tm.Project.PathWithNamespace})
	nodes, _ := dig(mustData(t, r), "project", "mergeRequests", "nodes").([]any)
	if len(nodes) != 2 {
		t.Fatalf("merge requests = %v", r)
	}
	one, bare := nodes[0], nodes[1]
	if dig(one, "title") != "mr" {
		one, bare = bare, one
	}
	if got := fmt.Sprint(dig(one, "reviewers", "nodes")); len(want) != 1 || got != fmt.Sprint(want) {
		t.Errorf("reviewers = %s, REST's = %v", got, want)
	}
	if dig(one, "reviewers", "count") != float64(1) || dig(one, "approved") != true ||
		fmt.Sprint(dig(one, "approvedBy")) != "map[count:2 nodes:[map[username:mia] map[username:dev]]]" ||
		dig(one, "approvalsRequired") != float64(0) || dig(one, "approvalsLeft") != float64(0) {
		t.Errorf("merge request = %v", one)
	}
	if fmt.Sprint(dig(bare, "reviewers"), dig(bare, "approvedBy"), dig(bare, "approved")) !=
		"map[count:0 nodes:[]] map[count:0 nodes:[]] false" {
		t.Errorf("bare merge request = %v", bare)
	}

	// One merge request, a window of its approvers.
	_, r = post(t, s, tm.Developer.Token, `query($p: ID!, $i: String!) { project(fullPath: $p) { mergeRequest(iid: $i) {
		approvedBy(first: 1) { count pageInfo { hasNextPage } nodes { username } } } } }`,
		map[string]any{"p": tm.Project.PathWithNamespace, "i": fmt.Sprint(mr.IID)})
	if got := fmt.Sprint(dig(mustData(t, r), "project", "mergeRequest", "approvedBy")); got !=
		"map[count:2 nodes:[map[username:mia]] pageInfo:map[hasNextPage:true]]" {
		t.Errorf("first approver = %s", got)
	}

	// Who may not read the private project sees nothing of it.
	_, r = post(t, s, outsider.Token, q, map[string]any{"p": tm.Project.PathWithNamespace})
	if dig(mustData(t, r), "project") != nil {
		t.Errorf("outsider = %v", r.Data)
	}
	_, r = post(t, s, tm.Developer.Token, `query($p: ID!) { project(fullPath: $p) { mergeRequests { nodes { reviewers(first: -1) { count } } } } }`,
		map[string]any{"p": tm.Project.PathWithNamespace})
	if len(r.Errors) == 0 {
		t.Errorf("first: -1 = %v", r)
	}
}

// TestGraphQLMergeRequestReviewsNoNPlusOne counts SQL statements: the
// reviewers and approvers of 8 merge requests cost what those of 2 cost.
func TestGraphQLMergeRequestReviewsNoNPlusOne(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t, func(c *config.Config) { c.CachesOff = true })
	tm := s.NewTeam(t)
	dev, mc := s.Client(t, tm.Developer.Token), s.Client(t, tm.Maintainer.Token)
	var names []string
	for i := range 8 {
		names = append(names, fmt.Sprint("b", i))
	}
	mrBranches(t, s, tm, names...)
	for _, n := range names {
		mr, _, err := dev.MergeRequests.CreateMergeRequest(tm.Project.ID, &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr(n),
			SourceBranch: gitlab.Ptr(n), TargetBranch: gitlab.Ptr("main"), ReviewerIDs: &[]int64{tm.Maintainer.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := mc.MergeRequestApprovals.ApproveMergeRequest(tm.Project.ID, mr.IID, nil); err != nil {
			t.Fatal(err)
		}
	}
	statements := func(first int) int64 {
		q := fmt.Sprintf(`query($p: ID!) { project(fullPath: $p) { mergeRequests(first: %d) { nodes {
			approved reviewers(first: 2) { nodes { username mergeRequestInteraction { reviewState } } }
			approvedBy(first: 2) { nodes { username } } } } } }`, first)
		vars := map[string]any{"p": tm.Project.PathWithNamespace}
		post(t, s, tm.Developer.Token, q, vars)
		r, n := countedPost(t, s, tm.Developer.Token, q, vars)
		nodes, _ := dig(mustData(t, r), "project", "mergeRequests", "nodes").([]any)
		for _, node := range nodes {
			if fmt.Sprint(dig(node, "reviewers", "nodes"), dig(node, "approvedBy", "nodes"), dig(node, "approved")) !=
				"[map[mergeRequestInteraction:map[reviewState:APPROVED] username:mia]] [map[username:mia]] true" {
				t.Fatalf("node = %v", node)
			}
		}
		if len(nodes) != first {
			t.Fatalf("%d nodes, want %d", len(nodes), first)
		}
		return n
	}
	few, many := statements(2), statements(8)
	if few == 0 || many > few+3 {
		t.Errorf("8 merge requests ran %d statements, 2 ran %d", many, few)
	}
	t.Logf("statements: 2 merge requests %d, 8 merge requests %d", few, many)
}
