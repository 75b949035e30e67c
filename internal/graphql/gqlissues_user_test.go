package graphql_test

import (
	"fmt"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLCurrentUserMergeRequests reads the current user's authored,
// assigned and review-requested merge requests as REST's /merge_requests
// scopes answer them; an outsider gets none, an anonymous caller no
// currentUser, and a bad iid is an error.
func TestGraphQLCurrentUserMergeRequests(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	outsider := s.NewUser(t, "outsider")
	mc, dc := s.Client(t, tm.Maintainer.Token), s.Client(t, tm.Developer.Token)
	if _, _, err := mc.RepositoryFiles.CreateFile(tm.Project.ID, "README.md", &gitlab.CreateFileOptions{
		Branch: gitlab.Ptr("main"), Content: gitlab.Ptr("hi"), CommitMessage: gitlab.Ptr("init")}); err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{"dev-work", "mia-work"} {
		if _, _, err := mc.Branches.CreateBranch(tm.Project.ID, &gitlab.CreateBranchOptions{Branch: gitlab.Ptr(b),
			Ref: gitlab.Ptr("main")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := dc.MergeRequests.CreateMergeRequest(tm.Project.ID, &gitlab.CreateMergeRequestOptions{
		Title: gitlab.Ptr("dev's"), SourceBranch: gitlab.Ptr("dev-work"), TargetBranch: gitlab.Ptr("main"),
		AssigneeIDs: &[]int64{tm.Maintainer.ID}, ReviewerIDs: &[]int64{tm.Owner.ID}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := mc.MergeRequests.CreateMergeRequest(tm.Project.ID, &gitlab.CreateMergeRequestOptions{
		Title: gitlab.Ptr("mia's"), SourceBranch: gitlab.Ptr("mia-work"), TargetBranch: gitlab.Ptr("main")}); err != nil {
		t.Fatal(err)
	}
	const q = `query($iids: [String!]) { currentUser {
		authoredMergeRequests(iids: $iids, first: 5) { count nodes { title webPath } }
		assignedMergeRequests(first: 5) { nodes { title } }
		reviewRequestedMergeRequests(first: 5) { nodes { title } } } }`
	for _, c := range []struct {
		token, authored, assigned, review string
	}{
		{tm.Developer.Token, "dev's", "", ""},
		{tm.Maintainer.Token, "mia's", "dev's", ""},
		{tm.Owner.Token, "", "", "dev's"},
		{outsider.Token, "", "", ""},
	} {
		_, r := post(t, s, c.token, q, nil)
		u := dig(mustData(t, r), "currentUser")
		got := []string{titlesOf(dig(u, "authoredMergeRequests", "nodes")), titlesOf(dig(u, "assignedMergeRequests", "nodes")),
			titlesOf(dig(u, "reviewRequestedMergeRequests", "nodes"))}
		if want := []string{c.authored, c.assigned, c.review}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("authored, assigned, review requested = %q, want %q", got, want)
		}
	}
	_, r := post(t, s, tm.Developer.Token, q, nil)
	if n := dig(r.Data, "currentUser", "authoredMergeRequests", "nodes").([]any); dig(n[0], "webPath") != "/team/app/-/merge_requests/1" {
		t.Errorf("dev's merge request = %v", n)
	}
	_, r = post(t, s, "", q, nil)
	if u := mustData(t, r)["currentUser"]; u != nil {
		t.Errorf("anonymous currentUser = %v", u)
	}
	_, r = post(t, s, tm.Developer.Token, q, map[string]any{"iids": []string{"0"}})
	if len(r.Errors) == 0 || !strings.Contains(fmt.Sprint(r.Errors), "positive integer") {
		t.Errorf("bad iid = %v", r)
	}
}

// TestGraphQLIssueRelatedMergeRequests reads an issue's related merge
// requests as REST's related_merge_requests; one issue per request, as
// GitLab's limit, and an outsider sees no project.
func TestGraphQLIssueRelatedMergeRequests(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	outsider := s.NewUser(t, "outsider")
	mc := s.Client(t, tm.Maintainer.Token)
	for _, title := range []string{"fix me", "other"} {
		if _, _, err := mc.Issues.CreateIssue(tm.Project.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr(title)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := mc.RepositoryFiles.CreateFile(tm.Project.ID, "README.md", &gitlab.CreateFileOptions{
		Branch: gitlab.Ptr("main"), Content: gitlab.Ptr("hi"), CommitMessage: gitlab.Ptr("init")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := mc.Branches.CreateBranch(tm.Project.ID, &gitlab.CreateBranchOptions{Branch: gitlab.Ptr("fix"),
		Ref: gitlab.Ptr("main")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := mc.MergeRequests.CreateMergeRequest(tm.Project.ID, &gitlab.CreateMergeRequestOptions{
		Title: gitlab.Ptr("the fix"), Description: gitlab.Ptr("Closes #1"), SourceBranch: gitlab.Ptr("fix"),
		TargetBranch: gitlab.Ptr("main")}); err != nil {
		t.Fatal(err)
	}
	rest, _, err := mc.Issues.ListMergeRequestsRelatedToIssue(tm.Project.ID, 1, nil)
	if err != nil || len(rest) != 1 {
		t.Fatalf("REST related merge requests = %v, %v", rest, err)
	}
	const q = `query($p: ID!, $i: String!) { project(fullPath: $p) { issue(iid: $i) {
		relatedMergeRequests(first: 5) { count nodes { title webPath } } } } }`
	for iid, want := range map[string]string{"1": "[map[title:the fix webPath:/team/app/-/merge_requests/1]]", "2": "[]"} {
		_, r := post(t, s, tm.Developer.Token, q, map[string]any{"p": tm.Project.PathWithNamespace, "i": iid})
		if got := fmt.Sprint(dig(mustData(t, r), "project", "issue", "relatedMergeRequests", "nodes")); got != want {
			t.Errorf("issue %s's related merge requests = %s, want %s", iid, got, want)
		}
	}
	_, r := post(t, s, outsider.Token, q, map[string]any{"p": tm.Project.PathWithNamespace, "i": "1"})
	if p := mustData(t, r)["project"]; p != nil {
		t.Errorf("outsider sees %v", p)
	}
	_, r = post(t, s, tm.Developer.Token, `query($p: ID!) { project(fullPath: $p) { issues(first: 2) {
		nodes { relatedMergeRequests(first: 1) { count } } } } }`, map[string]any{"p": tm.Project.PathWithNamespace})
	if !strings.Contains(fmt.Sprint(r.Errors), "can be requested only for 1 Issue(s) at a time") {
		t.Errorf("two issues' related merge requests = %v", r)
	}
}
