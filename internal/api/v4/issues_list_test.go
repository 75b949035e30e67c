package v4_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

func iidsOf(list []*gitlab.Issue) string {
	var out []string
	for _, i := range list {
		out = append(out, fmt.Sprint(i.IID))
	}
	return strings.Join(out, ",")
}

func rawIIDs(t *testing.T, r *labtest.Response) string {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	var list []map[string]any
	r.JSON(t, &list)
	var out []string
	for _, i := range list {
		out = append(out, fmt.Sprint(i["iid"]))
	}
	return strings.Join(out, ",")
}

// seedIssues makes, as the owner: #1 bug (assigned to gus, milestone v1),
// #2 bug+ui closed, #3 confidential by the owner, #4 "Search me" by gus,
// #5 due soon.
func seedIssues(t *testing.T, f *issueFixture) {
	t.Helper()
	m := f.milestone(t, "v1", nil)
	c := f.s.Client(t, f.owner.Token)
	mk := func(token string, o *gitlab.CreateIssueOptions) *gitlab.Issue {
		is, _, err := f.s.Client(t, token).Issues.CreateIssue(f.p.ID, o)
		if err != nil {
			t.Fatal(err)
		}
		return is
	}
	mk(f.owner.Token, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("First"), Labels: &gitlab.LabelOptions{"bug"},
		AssigneeIDs: &[]int64{f.guest.ID}, MilestoneID: gitlab.Ptr(m.ID)})
	two := mk(f.owner.Token, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("Second"), Labels: &gitlab.LabelOptions{"bug", "ui"}})
	if _, _, err := c.Issues.UpdateIssue(f.p.ID, two.IID, &gitlab.UpdateIssueOptions{StateEvent: gitlab.Ptr("close")}); err != nil {
		t.Fatal(err)
	}
	mk(f.owner.Token, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("Secret"), Confidential: gitlab.Ptr(true)})
	mk(f.guest.Token, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("Search me"), Description: gitlab.Ptr("needle here")})
	mk(f.owner.Token, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("Due"), DueDate: gitlab.Ptr(gitlab.ISOTime(mustDate(t, "2030-05-01")))})
}

func TestIssueProjectListFilters(t *testing.T) {
	t.Parallel()
	f := newIssueFixture(t, gitlab.PublicVisibility)
	seedIssues(t, f)
	c := f.s.Client(t, f.reporter.Token)
	list := func(o *gitlab.ListProjectIssuesOptions) string {
		t.Helper()
		l, _, err := c.Issues.ListProjectIssues(f.p.ID, o)
		if err != nil {
			t.Fatal(err)
		}
		return iidsOf(l)
	}
	cases := []struct {
		name string
		o    *gitlab.ListProjectIssuesOptions
		want string
	}{
		{"default: newest first", nil, "5,4,3,2,1"},
		{"opened", &gitlab.ListProjectIssuesOptions{State: gitlab.Ptr("opened")}, "5,4,3,1"},
		{"closed", &gitlab.ListProjectIssuesOptions{State: gitlab.Ptr("closed")}, "2"},
		{"labels AND", &gitlab.ListProjectIssuesOptions{Labels: &gitlab.LabelOptions{"bug", "ui"}}, "2"},
		{"labels one", &gitlab.ListProjectIssuesOptions{Labels: &gitlab.LabelOptions{"bug"}}, "2,1"},
		{"labels None", &gitlab.ListProjectIssuesOptions{Labels: &gitlab.LabelOptions{"None"}}, "5,4,3"},
		{"labels Any", &gitlab.ListProjectIssuesOptions{Labels: &gitlab.LabelOptions{"Any"}}, "2,1"},
		{"not labels", &gitlab.ListProjectIssuesOptions{NotLabels: &gitlab.LabelOptions{"ui"}}, "5,4,3,1"},
		{"milestone", &gitlab.ListProjectIssuesOptions{Milestone: gitlab.Ptr("v1")}, "1"},
		{"milestone None", &gitlab.ListProjectIssuesOptions{Milestone: gitlab.Ptr("None")}, "5,4,3,2"},
		{"assignee", &gitlab.ListProjectIssuesOptions{AssigneeID: gitlab.AssigneeID(f.guest.ID)}, "1"},
		{"assignee None", &gitlab.ListProjectIssuesOptions{AssigneeID: gitlab.AssigneeID(gitlab.UserIDNone)}, "5,4,3,2"},
		{"assignee username", &gitlab.ListProjectIssuesOptions{AssigneeUsername: gitlab.Ptr("gus")}, "1"},
		{"author", &gitlab.ListProjectIssuesOptions{AuthorID: gitlab.Ptr(f.guest.ID)}, "4"},
		{"author username", &gitlab.ListProjectIssuesOptions{AuthorUsername: gitlab.Ptr("gus")}, "4"},
		{"unknown author", &gitlab.ListProjectIssuesOptions{AuthorUsername: gitlab.Ptr("nobody")}, ""},
		{"search", &gitlab.ListProjectIssuesOptions{Search: gitlab.Ptr("NEEDLE")}, "4"},
		{"search in title", &gitlab.ListProjectIssuesOptions{Search: gitlab.Ptr("needle"), In: gitlab.Ptr("title")}, ""},
		{"iids", &gitlab.ListProjectIssuesOptions{IIDs: &[]int64{1, 3}}, "3,1"},
		{"confidential", &gitlab.ListProjectIssuesOptions{Confidential: gitlab.Ptr(true)}, "3"},
		{"oldest first", &gitlab.ListProjectIssuesOptions{Sort: gitlab.Ptr("asc")}, "1,2,3,4,5"},
		{"title", &gitlab.ListProjectIssuesOptions{OrderBy: gitlab.Ptr("title"), Sort: gitlab.Ptr("asc")}, "5,1,4,2,3"},
		{"due date, nulls last", &gitlab.ListProjectIssuesOptions{OrderBy: gitlab.Ptr("due_date"), Sort: gitlab.Ptr("asc")}, "5,1,2,3,4"},
	}
	for _, tc := range cases {
		if got := list(tc.o); got != tc.want {
			t.Errorf("%s: iids %s, want %s", tc.name, got, tc.want)
		}
	}

	// Label priorities (set directly: the labels API is another family's):
	// ui before bug, unprioritized last.
	for title, prio := range map[string]int{"ui": 1, "bug": 2} {
		if _, err := f.s.Srv.DB.SQL().Exec(fmt.Sprintf(`INSERT INTO label_priorities (project_id, label_id, priority)
			SELECT %d, id, %d FROM labels WHERE title = '%s'`, f.p.ID, prio, title)); err != nil {
			t.Fatal(err)
		}
	}
	for _, order := range []string{"label_priority", "priority"} {
		if got := list(&gitlab.ListProjectIssuesOptions{OrderBy: gitlab.Ptr(order), Sort: gitlab.Ptr("asc")}); got != "2,1,3,4,5" {
			t.Errorf("order_by=%s: %s", order, got)
		}
	}

	// Confidential issues: hidden from a guest who is neither author nor
	// assignee, and from anonymous callers.
	r := f.s.Do(t, labtest.Request{Path: f.path(""), Token: f.guest.Token})
	if got := rawIIDs(t, r); got != "5,4,2,1" {
		t.Errorf("guest sees %s", got)
	}
	if got := rawIIDs(t, f.s.Do(t, labtest.Request{Path: f.path("")})); got != "5,4,2,1" {
		t.Errorf("anonymous sees %s", got)
	}
	f.s.Do(t, labtest.Request{Path: f.path("/3"), Token: f.guest.Token}).ExpectError(t, 404, `{"message":"404 Issue Not Found"}`)

	// Offset pagination headers.
	r = f.s.Do(t, labtest.Request{Path: f.path("?per_page=2&page=2"), Token: f.owner.Token})
	if got := rawIIDs(t, r); got != "3,2" || r.Header.Get("X-Total") != "5" || r.Header.Get("X-Total-Pages") != "3" ||
		r.Header.Get("X-Next-Page") != "3" {
		t.Errorf("page 2: %s headers %v", got, r.Header)
	}

	// Keyset pagination follows Link rel="next" to the end.
	next := f.path("?pagination=keyset&per_page=2&order_by=id&sort=asc")
	var seen []string
	for pages := 0; next != "" && pages < 10; pages++ {
		r := f.s.Do(t, labtest.Request{Path: next, Token: f.owner.Token})
		seen = append(seen, rawIIDs(t, r))
		next = ""
		if l := r.Header.Get("Link"); l != "" {
			u := l[strings.Index(l, "<")+1 : strings.Index(l, ">")]
			next = strings.TrimPrefix(u, f.s.URL+"/api/v4")
		}
	}
	if got := strings.Join(seen, "|"); got != "1,2|3,4|5" {
		t.Errorf("keyset pages %s", got)
	}
	f.s.Do(t, labtest.Request{Path: f.path("?pagination=keyset&order_by=title"), Token: f.owner.Token}).
		ExpectError(t, 405, `{"message":"405 Method Not Allowed - Keyset pagination is not yet available for this type of request"}`)

	// Bad input.
	f.s.Do(t, labtest.Request{Path: f.path("?state=gone"), Token: f.owner.Token}).ExpectError(t, 400, `{"error":"state does not have a valid value"}`)
	f.s.Do(t, labtest.Request{Path: f.path("?order_by=nope"), Token: f.owner.Token}).ExpectError(t, 400, `{"error":"order_by does not have a valid value"}`)
	f.s.Do(t, labtest.Request{Path: f.path("?created_after=yesterday"), Token: f.owner.Token}).ExpectError(t, 400, `{"error":"created_after is invalid"}`)

	// Statistics use the same filters.
	st := f.s.Do(t, labtest.Request{Path: fmt.Sprintf("/projects/%d/issues_statistics?labels=bug", f.p.ID), Token: f.owner.Token})
	if string(st.Body) != `{"statistics":{"counts":{"all":2,"closed":1,"opened":1}}}`+"\n" {
		t.Errorf("statistics %s", st.Body)
	}
	gst, _, err := c.IssuesStatistics.GetProjectIssuesStatistics(f.p.ID, nil)
	if err != nil || gst.Statistics.Counts.All != 5 || gst.Statistics.Counts.Closed != 1 || gst.Statistics.Counts.Opened != 4 {
		t.Errorf("project statistics %+v %v", gst, err)
	}
}

func TestIssueGroupAndGlobalLists(t *testing.T) {
	t.Parallel()
	f := newIssueFixture(t, gitlab.PrivateVisibility)
	seedIssues(t, f)
	oc := f.s.Client(t, f.owner.Token)
	// A second project in a subgroup, with issues disabled on a third.
	sub, _, err := oc.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Sub"), Path: gitlab.Ptr("sub"),
		ParentID: gitlab.Ptr(f.g.ID), Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	p2, _, err := oc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Lib"), NamespaceID: gitlab.Ptr(sub.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := oc.Issues.CreateIssue(p2.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("In lib")}); err != nil {
		t.Fatal(err)
	}

	// The owner sees all six in the group, newest first.
	gl, resp, err := oc.Issues.ListGroupIssues(f.g.ID, nil)
	if err != nil || len(gl) != 6 || gl[0].ProjectID != p2.ID || resp.TotalItems != 6 {
		t.Fatalf("group list %v %v", iidsOf(gl), err)
	}
	if gl[0].References.Relative != "sub/lib#1" && gl[0].References.Relative != "team/sub/lib#1" {
		t.Errorf("relative reference %q", gl[0].References.Relative)
	}
	if gl[1].References.Relative != "app#5" {
		t.Errorf("relative reference %q", gl[1].References.Relative)
	}
	// The guest, a member of app only, sees app's non-confidential issues.
	gc := f.s.Client(t, f.guest.Token)
	gl, _, err = gc.Issues.ListGroupIssues(f.g.ID, nil)
	if err != nil || iidsOf(gl) != "5,4,2,1" {
		t.Fatalf("guest group list %v %v", iidsOf(gl), err)
	}
	// An outsider sees neither the group nor its issues.
	f.s.Do(t, labtest.Request{Path: fmt.Sprintf("/groups/%d/issues", f.g.ID), Token: f.outsid.Token}).
		ExpectError(t, 404, `{"message":"404 Group Not Found"}`)

	// GET /issues: created by me by default, assigned to me, all.
	mine, _, err := gc.Issues.ListIssues(nil)
	if err != nil || iidsOf(mine) != "4" {
		t.Fatalf("guest's own %v %v", iidsOf(mine), err)
	}
	assigned, _, err := gc.Issues.ListIssues(&gitlab.ListIssuesOptions{Scope: gitlab.Ptr("assigned_to_me")})
	if err != nil || iidsOf(assigned) != "1" {
		t.Fatalf("assigned %v %v", iidsOf(assigned), err)
	}
	all, _, err := gc.Issues.ListIssues(&gitlab.ListIssuesOptions{Scope: gitlab.Ptr("all")})
	if err != nil || iidsOf(all) != "5,4,2,1" {
		t.Fatalf("guest all %v %v", iidsOf(all), err)
	}
	out, _, err := f.s.Client(t, f.outsid.Token).Issues.ListIssues(&gitlab.ListIssuesOptions{Scope: gitlab.Ptr("all")})
	if err != nil || len(out) != 0 {
		t.Fatalf("outsider all %v %v", iidsOf(out), err)
	}
	admin, _, err := f.s.Client(t, f.s.RootToken).Issues.ListIssues(&gitlab.ListIssuesOptions{Scope: gitlab.Ptr("all")})
	if err != nil || len(admin) != 6 {
		t.Fatalf("admin all %v %v", iidsOf(admin), err)
	}
	// Anonymous callers must ask for scope=all.
	f.s.Do(t, labtest.Request{Path: "/issues"}).ExpectError(t, 401, `{"message":"401 Unauthorized"}`)
	if got := rawIIDs(t, f.s.Do(t, labtest.Request{Path: "/issues?scope=all"})); got != "" {
		t.Errorf("anonymous sees %s of private projects", got)
	}
	st, _, err := gc.IssuesStatistics.GetIssuesStatistics(&gitlab.GetIssuesStatisticsOptions{Scope: gitlab.Ptr("all")})
	if err != nil || st.Statistics.Counts.All != 4 || st.Statistics.Counts.Closed != 1 {
		t.Fatalf("global statistics %+v %v", st, err)
	}
	gs, _, err := oc.IssuesStatistics.GetGroupIssuesStatistics(f.g.ID, nil)
	if err != nil || gs.Statistics.Counts.All != 6 {
		t.Fatalf("group statistics %+v %v", gs, err)
	}
}

func TestIssueMilestoneIssues(t *testing.T) {
	t.Parallel()
	f := newIssueFixture(t, gitlab.PrivateVisibility)
	seedIssues(t, f)
	var mid int64
	if err := f.s.Srv.DB.SQL().QueryRow("SELECT id FROM milestones WHERE title = 'v1'").Scan(&mid); err != nil {
		t.Fatal(err)
	}
	c := f.s.Client(t, f.reporter.Token)
	l, _, err := c.Milestones.GetMilestoneIssues(f.p.ID, mid, nil)
	if err != nil || len(l) != 1 || l[0].IID != 1 {
		t.Fatalf("milestone issues %v %v", l, err)
	}
	mrs := f.s.Do(t, labtest.Request{Path: fmt.Sprintf("/projects/%d/milestones/%d/merge_requests", f.p.ID, mid), Token: f.reporter.Token})
	if mrs.Status != 200 || strings.TrimSpace(string(mrs.Body)) != "[]" {
		t.Fatalf("milestone merge requests %d %s", mrs.Status, mrs.Body)
	}
	f.s.Do(t, labtest.Request{Path: fmt.Sprintf("/projects/%d/milestones/999999/issues", f.p.ID), Token: f.reporter.Token}).
		ExpectError(t, 404, `{"message":"404 Milestone Not Found"}`)
	// A project milestone is not the group's.
	f.s.Do(t, labtest.Request{Path: fmt.Sprintf("/groups/%d/milestones/%d/issues", f.g.ID, mid), Token: f.owner.Token}).
		ExpectError(t, 404, `{"message":"404 Milestone Not Found"}`)
}

func TestIssueGroupMilestoneAndSpecialFilters(t *testing.T) {
	t.Parallel()
	f := newIssueFixture(t, gitlab.PrivateVisibility)
	ctx := context.Background()
	gid := f.g.ID
	start, due, later := "2000-01-01", "2999-01-01", "2999-06-01"
	gm := &model.Milestone{GroupID: &gid, Title: "g1", StartDate: &start, DueDate: &due}
	next := f.milestone(t, "later", &later)
	if err := f.s.Srv.DB.WithTx(ctx, func(q *store.Queries) error { return q.InsertMilestone(ctx, gm) }); err != nil {
		t.Fatal(err)
	}
	c := f.s.Client(t, f.owner.Token)
	for _, m := range []int64{gm.ID, next.ID} {
		if _, _, err := c.Issues.CreateIssue(f.p.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("x"), MilestoneID: gitlab.Ptr(m)}); err != nil {
			t.Fatal(err)
		}
	}
	l, _, err := c.GroupMilestones.GetGroupMilestoneIssues(f.g.ID, gm.ID, nil)
	if err != nil || len(l) != 1 || l[0].IID != 1 || l[0].Milestone.WebURL != f.s.URL+"/groups/team/-/milestones/1" {
		t.Fatalf("group milestone issues %+v %v", l, err)
	}
	// Upcoming is the next due active milestone of each project and of
	// each group (Milestone.upcoming_ids): both here.
	for ms, want := range map[string]string{"Started": "1", "Upcoming": "2,1", "later": "2"} {
		got, _, err := c.Issues.ListProjectIssues(f.p.ID, &gitlab.ListProjectIssuesOptions{Milestone: gitlab.Ptr(ms)})
		if err != nil || iidsOf(got) != want {
			t.Errorf("milestone=%s: %s %v, want %s", ms, iidsOf(got), err, want)
		}
	}
}

// TestIssueListFollowsChanges: issue lists are kept rendered (with the
// store's page under its versions); each change to something a list entity
// shows — its author's name, a label's colour, the project's path — is in
// the next answer.
func TestIssueListFollowsChanges(t *testing.T) {
	t.Parallel()
	f := newIssueFixture(t, gitlab.PrivateVisibility)
	seedIssues(t, f)
	c := f.s.Client(t, f.reporter.Token)
	opts := &gitlab.ListProjectIssuesOptions{IIDs: &[]int64{1}, WithLabelDetails: gitlab.Ptr(true)}
	first := func() *gitlab.Issue {
		t.Helper()
		list, _, err := c.Issues.ListProjectIssues(f.p.ID, opts)
		if err != nil || len(list) != 1 {
			t.Fatalf("list: %v %v", list, err)
		}
		return list[0]
	}
	before := first()
	if before.Author.Name == "" || len(before.LabelDetails) != 1 || !strings.Contains(before.WebURL, "/team/app/") {
		t.Fatalf("before: %+v", before)
	}
	if again := first(); again.Author.Name != before.Author.Name {
		t.Fatalf("second read: %q", again.Author.Name)
	}
	root := f.s.Client(t, f.s.RootToken)
	if _, _, err := root.Users.ModifyUser(f.owner.ID, &gitlab.ModifyUserOptions{Name: gitlab.Ptr("Olga Renamed")}); err != nil {
		t.Fatal(err)
	}
	if got := first().Author.Name; got != "Olga Renamed" {
		t.Fatalf("author after a rename: %q", got)
	}
	// Blocking writes the user's row only.
	if err := root.Users.BlockUser(f.guest.ID); err != nil {
		t.Fatal(err)
	}
	if got := first().Assignees[0].State; got != "blocked" {
		t.Fatalf("assignee after blocking: %q", got)
	}
	oc := f.s.Client(t, f.owner.Token)
	if _, _, err := oc.Labels.UpdateLabel(f.p.ID, "bug", &gitlab.UpdateLabelOptions{Color: gitlab.Ptr("#00ff00")}); err != nil {
		t.Fatal(err)
	}
	if got := first().LabelDetails[0].Color; got != "#00ff00" {
		t.Fatalf("label colour after an update: %q", got)
	}
	if _, _, err := oc.Projects.EditProject(f.p.ID, &gitlab.EditProjectOptions{Path: gitlab.Ptr("moved")}); err != nil {
		t.Fatal(err)
	}
	if got := first(); !strings.Contains(got.WebURL, "/team/moved/") || got.References.Full != "team/moved#1" {
		t.Fatalf("after a path change: %s %s", got.WebURL, got.References.Full)
	}
}
