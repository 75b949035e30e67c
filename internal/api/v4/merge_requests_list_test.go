package v4_test

import (
	"fmt"
	"net/http"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

func TestMergeRequestListFilters(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "a", "b", "c", "d")
	ms := (&issueFixture{s: f.s, p: f.p}).milestone(t, "v1", nil)
	mk := func(c *gitlab.Client, source, title, desc string, opt func(o *gitlab.CreateMergeRequestOptions)) *gitlab.MergeRequest {
		t.Helper()
		o := &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr(title), Description: gitlab.Ptr(desc),
			SourceBranch: gitlab.Ptr(source), TargetBranch: gitlab.Ptr("main")}
		if opt != nil {
			opt(o)
		}
		mr, _, err := c.MergeRequests.CreateMergeRequest(f.p.ID, o)
		if err != nil {
			t.Fatal(err)
		}
		return mr
	}
	mk(f.devC, "a", "Alpha login", "fixes the crash", func(o *gitlab.CreateMergeRequestOptions) {
		o.Labels, o.MilestoneID, o.AssigneeIDs = &gitlab.LabelOptions{"bug"}, gitlab.Ptr(ms.ID), &[]int64{f.dev.ID}
	})
	mk(f.ownerC, "b", "Draft: Beta", "", func(o *gitlab.CreateMergeRequestOptions) {
		o.ReviewerIDs = &[]int64{f.dev.ID}
	})
	mk(f.devC, "c", "Gamma", "login page", nil)
	m4 := mk(f.devC, "d", "Delta", "", nil)
	if _, _, err := f.devC.MergeRequests.UpdateMergeRequest(f.p.ID, m4.IID, &gitlab.UpdateMergeRequestOptions{StateEvent: gitlab.Ptr("close")}); err != nil {
		t.Fatal(err)
	}

	iids := func(list []*gitlab.BasicMergeRequest) string {
		out := []int64{}
		for _, m := range list {
			out = append(out, m.IID)
		}
		return fmt.Sprint(out)
	}
	for _, c := range []struct {
		name string
		opt  gitlab.ListProjectMergeRequestsOptions
		want string
	}{
		{"all, newest first", gitlab.ListProjectMergeRequestsOptions{}, "[4 3 2 1]"},
		{"opened", gitlab.ListProjectMergeRequestsOptions{State: gitlab.Ptr("opened")}, "[3 2 1]"},
		{"closed", gitlab.ListProjectMergeRequestsOptions{State: gitlab.Ptr("closed")}, "[4]"},
		{"merged", gitlab.ListProjectMergeRequestsOptions{State: gitlab.Ptr("merged")}, "[]"},
		{"label", gitlab.ListProjectMergeRequestsOptions{Labels: &gitlab.LabelOptions{"bug"}}, "[1]"},
		{"no label", gitlab.ListProjectMergeRequestsOptions{Labels: &gitlab.LabelOptions{"None"}}, "[4 3 2]"},
		{"any label", gitlab.ListProjectMergeRequestsOptions{Labels: &gitlab.LabelOptions{"Any"}}, "[1]"},
		{"milestone", gitlab.ListProjectMergeRequestsOptions{Milestone: gitlab.Ptr("v1")}, "[1]"},
		{"author", gitlab.ListProjectMergeRequestsOptions{AuthorID: gitlab.Ptr(f.owner.ID)}, "[2]"},
		{"assignee", gitlab.ListProjectMergeRequestsOptions{AssigneeID: gitlab.AssigneeID(f.dev.ID)}, "[1]"},
		{"reviewer", gitlab.ListProjectMergeRequestsOptions{ReviewerID: gitlab.ReviewerID(f.dev.ID)}, "[2]"},
		{"no reviewer", gitlab.ListProjectMergeRequestsOptions{ReviewerID: gitlab.ReviewerID(gitlab.UserIDNone)}, "[4 3 1]"},
		{"source", gitlab.ListProjectMergeRequestsOptions{SourceBranch: gitlab.Ptr("c")}, "[3]"},
		{"target", gitlab.ListProjectMergeRequestsOptions{TargetBranch: gitlab.Ptr("main"), State: gitlab.Ptr("opened")}, "[3 2 1]"},
		{"search", gitlab.ListProjectMergeRequestsOptions{Search: gitlab.Ptr("login")}, "[3 1]"},
		{"draft", gitlab.ListProjectMergeRequestsOptions{WIP: gitlab.Ptr("yes")}, "[2]"},
		{"not draft", gitlab.ListProjectMergeRequestsOptions{Draft: gitlab.Ptr(false)}, "[4 3 1]"},
		{"iids", gitlab.ListProjectMergeRequestsOptions{IIDs: &[]int64{1, 3}}, "[3 1]"},
		{"title asc", gitlab.ListProjectMergeRequestsOptions{OrderBy: gitlab.Ptr("title"), Sort: gitlab.Ptr("asc")}, "[1 4 2 3]"},
	} {
		got, _, err := f.reporterC.MergeRequests.ListProjectMergeRequests(f.p.ID, &c.opt)
		if err != nil || iids(got) != c.want {
			t.Errorf("%s: %s, %v; want %s", c.name, iids(got), err, c.want)
		}
	}

	// A milestone's merge requests; a guest (who reads none) gets none.
	byMilestone, _, err := f.reporterC.Milestones.GetMilestoneMergeRequests(f.p.ID, ms.ID, nil)
	if err != nil || len(byMilestone) != 1 || byMilestone[0].IID != 1 {
		t.Fatalf("milestone merge requests = %d, %v", len(byMilestone), err)
	}
	if g, _, err := f.guestC.Milestones.GetMilestoneMergeRequests(f.p.ID, ms.ID, nil); err != nil || len(g) != 0 {
		t.Fatalf("guest's milestone merge requests = %d, %v", len(g), err)
	}
	f.s.Do(t, labtest.Request{Path: fmt.Sprintf("/projects/%d/milestones/999/merge_requests", f.p.ID), Token: f.dev.Token}).
		ExpectError(t, 404, `{"message":"404 Milestone Not Found"}`)

	// Pagination headers and the simple view.
	r := f.s.Do(t, labtest.Request{Path: f.path("?per_page=2&view=simple"), Token: f.dev.Token})
	var simple []map[string]any
	r.JSON(t, &simple)
	if r.Header.Get("X-Total") != "4" || len(simple) != 2 || len(simple[0]) != 9 || simple[0]["web_url"] == nil {
		t.Fatalf("simple page: total %q, %v", r.Header.Get("X-Total"), simple)
	}
	f.s.Do(t, labtest.Request{Path: f.path("?state=merge"), Token: f.dev.Token}).
		ExpectError(t, 400, `{"error":"state does not have a valid value"}`)
	f.s.Do(t, labtest.Request{Path: f.path(""), Token: f.guest.Token}).ExpectError(t, 403, `{"message":"403 Forbidden"}`)

	// Group and global lists: a guest of the project sees none of them.
	group, _, err := f.reporterC.MergeRequests.ListGroupMergeRequests(f.g.ID, &gitlab.ListGroupMergeRequestsOptions{})
	if err != nil || len(group) != 4 || group[0].References.Relative != "app!4" {
		t.Fatalf("group list = %d, %v", len(group), err)
	}
	if g, _, err := f.guestC.MergeRequests.ListGroupMergeRequests(f.g.ID, &gitlab.ListGroupMergeRequestsOptions{}); err != nil || len(g) != 0 {
		t.Fatalf("guest's group list = %d, %v", len(g), err)
	}
	mine, _, err := f.devC.MergeRequests.ListMergeRequests(&gitlab.ListMergeRequestsOptions{})
	if err != nil || iids(mine) != "[4 3 1]" {
		t.Fatalf("created_by_me = %s, %v", iids(mine), err)
	}
	assigned, _, err := f.devC.MergeRequests.ListMergeRequests(&gitlab.ListMergeRequestsOptions{Scope: gitlab.Ptr("assigned_to_me")})
	if err != nil || iids(assigned) != "[1]" {
		t.Fatalf("assigned_to_me = %s, %v", iids(assigned), err)
	}
	all, _, err := f.outsideC.MergeRequests.ListMergeRequests(&gitlab.ListMergeRequestsOptions{Scope: gitlab.Ptr("all")})
	if err != nil || len(all) != 0 {
		t.Fatalf("outsider's all = %d, %v", len(all), err)
	}
	if r := f.s.Do(t, labtest.Request{Path: "/merge_requests"}); r.Status != http.StatusUnauthorized {
		t.Fatalf("anonymous created_by_me = %d", r.Status)
	}
}
