package v4_test

import (
	"net/http"
	"slices"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// TestMergeRequestIssueLinks: a merge request's title and description
// link it to the issues they name. Those of the closing pattern, when it
// targets the default branch, are its closes_issues and the issues'
// closed_by (and merge_requests_count); every issue named lists it among
// its related_merge_requests. Edits rewrite the links, and each caller
// sees only the issues and merge requests it may read.
func TestMergeRequestIssueLinks(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "fix", "other")
	secret, _, err := f.ownerC.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Secret"),
		NamespaceID: gitlab.Ptr(f.g.ID), Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	issue := func(pid int64, title string) *gitlab.Issue {
		t.Helper()
		is, _, err := f.ownerC.Issues.CreateIssue(pid, &gitlab.CreateIssueOptions{Title: gitlab.Ptr(title)})
		if err != nil {
			t.Fatal(err)
		}
		return is
	}
	one, two, three := issue(f.p.ID, "one"), issue(f.p.ID, "two"), issue(f.p.ID, "three")
	hidden := issue(secret.ID, "hidden")

	mr, _, err := f.devC.MergeRequests.CreateMergeRequest(f.p.ID, &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr("Fix"),
		SourceBranch: gitlab.Ptr("fix"), TargetBranch: gitlab.Ptr("main"),
		Description: gitlab.Ptr("Closes #1 and fixes #2, team/secret#1. See also #3.")})
	if err != nil {
		t.Fatal(err)
	}
	// Into a branch other than the default one nothing closes: #3 is
	// mentioned only.
	side, _, err := f.devC.MergeRequests.CreateMergeRequest(f.p.ID, &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr("Side"),
		SourceBranch: gitlab.Ptr("other"), TargetBranch: gitlab.Ptr("fix"), Description: gitlab.Ptr("Closes #3")})
	if err != nil {
		t.Fatal(err)
	}

	iidsOf := func(list []*gitlab.BasicMergeRequest) []int64 {
		var out []int64
		for _, m := range list {
			out = append(out, m.IID)
		}
		slices.Sort(out)
		return out
	}
	closedBy := func(c *gitlab.Client, iid int64) []int64 {
		t.Helper()
		list, _, err := c.Issues.ListMergeRequestsClosingIssue(f.p.ID, iid, nil)
		if err != nil {
			t.Fatal(err)
		}
		return iidsOf(list)
	}
	related := func(c *gitlab.Client, iid int64) []int64 {
		t.Helper()
		list, _, err := c.Issues.ListMergeRequestsRelatedToIssue(f.p.ID, iid, nil)
		if err != nil {
			t.Fatal(err)
		}
		return iidsOf(list)
	}
	closes := func(c *gitlab.Client, iid int64) []int64 {
		t.Helper()
		list, _, err := c.MergeRequests.GetIssuesClosedOnMerge(f.p.ID, iid, nil)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, is := range list {
			out = append(out, is.ID)
		}
		slices.Sort(out)
		return out
	}
	count := func(iid int64) int64 {
		t.Helper()
		is, _, err := f.reporterC.Issues.GetIssue(f.p.ID, iid)
		if err != nil {
			t.Fatal(err)
		}
		return is.MergeRequestCount
	}

	for _, tc := range []struct {
		name      string
		got, want []int64
	}{
		{"closed_by #1", closedBy(f.reporterC, one.IID), []int64{mr.IID}},
		{"closed_by #2", closedBy(f.reporterC, two.IID), []int64{mr.IID}},
		{"closed_by #3", closedBy(f.reporterC, three.IID), nil},
		{"related #1", related(f.reporterC, one.IID), []int64{mr.IID}},
		{"related #3", related(f.reporterC, three.IID), []int64{mr.IID, side.IID}},
		{"closes_issues as owner", closes(f.ownerC, mr.IID), []int64{one.ID, two.ID, hidden.ID}},
		// The developer may not read team/secret.
		{"closes_issues as developer", closes(f.devC, mr.IID), []int64{one.ID, two.ID}},
		{"closes_issues of the side one", closes(f.ownerC, side.IID), nil},
	} {
		if !slices.Equal(tc.got, tc.want) {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if n := count(one.IID); n != 1 {
		t.Errorf("merge_requests_count of #1 = %d, want 1", n)
	}
	list, _, err := f.reporterC.Issues.ListProjectIssues(f.p.ID, &gitlab.ListProjectIssuesOptions{IIDs: &[]int64{one.IID, three.IID}})
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %v %v", list, err)
	}
	for _, is := range list {
		if want := map[int64]int64{one.IID: 1, three.IID: 0}[is.IID]; is.MergeRequestCount != want {
			t.Errorf("listed #%d merge_requests_count = %d, want %d", is.IID, is.MergeRequestCount, want)
		}
	}

	// An edit rewrites the links.
	if _, _, err := f.devC.MergeRequests.UpdateMergeRequest(f.p.ID, mr.IID, &gitlab.UpdateMergeRequestOptions{
		Description: gitlab.Ptr("Closes #2")}); err != nil {
		t.Fatal(err)
	}
	if got := closedBy(f.reporterC, one.IID); got != nil {
		t.Errorf("closed_by #1 after the edit = %v", got)
	}
	if got := related(f.reporterC, one.IID); got != nil {
		t.Errorf("related #1 after the edit = %v", got)
	}
	if got := closes(f.ownerC, mr.IID); !slices.Equal(got, []int64{two.ID}) {
		t.Errorf("closes_issues after the edit = %v", got)
	}
	if n := count(one.IID); n != 0 {
		t.Errorf("merge_requests_count of #1 after the edit = %d", n)
	}

	// Who may not read the issue gets 404.
	for _, c := range []*gitlab.Client{f.outsideC} {
		if _, _, err := c.Issues.ListMergeRequestsClosingIssue(f.p.ID, two.IID, nil); status(err) != http.StatusNotFound {
			t.Errorf("outsider closed_by: %v", err)
		}
		if _, _, err := c.MergeRequests.GetIssuesClosedOnMerge(f.p.ID, mr.IID, nil); status(err) != http.StatusNotFound {
			t.Errorf("outsider closes_issues: %v", err)
		}
	}
}
