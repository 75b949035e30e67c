package v4_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

func isoDate(t *testing.T, s string) *gitlab.ISOTime {
	t.Helper()
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		t.Fatal(err)
	}
	v := gitlab.ISOTime(d)
	return &v
}

func TestProjectMilestonesLifecycle(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	c := f.s.Client(t, f.reporter.Token)
	m, resp, err := c.Milestones.CreateMilestone(f.app.ID, &gitlab.CreateMilestoneOptions{Title: gitlab.Ptr("v1"),
		Description: gitlab.Ptr("first"), StartDate: isoDate(t, "2001-01-01"), DueDate: isoDate(t, "2001-02-01")})
	wantStatus(t, resp, err, http.StatusCreated)
	if m.IID != 1 || m.ProjectID != f.app.ID || m.Title != "v1" || m.Description != "first" || m.State != "active" ||
		m.DueDate.String() != "2001-02-01" || m.StartDate.String() != "2001-01-01" || m.Expired == nil || !*m.Expired ||
		m.WebURL != f.s.URL+"/plan/app/-/milestones/1" || m.CreatedAt == nil {
		t.Fatalf("created %+v", m)
	}
	raw := f.do(t, f.reporter, "GET", "/projects/"+itoa(f.app.ID)+"/milestones/"+itoa(m.ID), nil).Map(t)
	if _, has := raw["group_id"]; has {
		t.Fatalf("project milestone shows group_id: %v", raw)
	}
	m2, _, err := c.Milestones.CreateMilestone(f.app.ID, &gitlab.CreateMilestoneOptions{Title: gitlab.Ptr("v2"),
		DueDate: isoDate(t, "2999-01-01")})
	if err != nil || m2.IID != 2 || *m2.Expired {
		t.Fatalf("v2 = %+v %v", m2, err)
	}
	if _, _, err := c.Milestones.CreateMilestone(f.other.ID, &gitlab.CreateMilestoneOptions{Title: gitlab.Ptr("v1")}); err != nil {
		t.Fatal(err) // titles are per project
	}
	_, _, err = c.GroupMilestones.CreateGroupMilestone(f.group.ID, &gitlab.CreateGroupMilestoneOptions{Title: gitlab.Ptr("q1")})
	if err != nil {
		t.Fatal(err)
	}

	titles := func(opt *gitlab.ListMilestonesOptions) string {
		t.Helper()
		list, _, err := c.Milestones.ListMilestones(f.app.ID, opt)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, x := range list {
			out = append(out, x.Title)
		}
		return strings.Join(out, ",")
	}
	if got := titles(nil); got != "v2,v1" {
		t.Fatalf("list = %s", got)
	}
	if got := titles(&gitlab.ListMilestonesOptions{IIDs: &[]int64{1}}); got != "v1" {
		t.Fatalf("iids = %s", got)
	}
	if got := titles(&gitlab.ListMilestonesOptions{Title: gitlab.Ptr("v2")}); got != "v2" {
		t.Fatalf("title = %s", got)
	}
	if got := titles(&gitlab.ListMilestonesOptions{Search: gitlab.Ptr("FIRS")}); got != "v1" {
		t.Fatalf("search = %s", got)
	}
	if got := titles(&gitlab.ListMilestonesOptions{IncludeAncestors: gitlab.Ptr(true)}); got != "q1,v2,v1" {
		t.Fatalf("with ancestors = %s", got)
	}
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	path := "/projects/" + itoa(f.app.ID) + "/milestones"
	var before []map[string]any
	f.do(t, f.reporter, "GET", path+"?updated_before="+future, nil).JSON(t, &before)
	var after []map[string]any
	f.do(t, f.reporter, "GET", path+"?updated_after="+future, nil).JSON(t, &after)
	if len(before) != 2 || len(after) != 0 {
		t.Fatalf("updated_before %d, updated_after %d", len(before), len(after))
	}
	var group []map[string]any
	f.do(t, f.reporter, "GET", path+"?include_ancestors=true", nil).JSON(t, &group)
	if group[0]["group_id"] != float64(f.group.ID) || group[0]["web_url"] != f.s.URL+"/groups/plan/-/milestones/1" {
		t.Fatalf("group milestone in the list = %v", group[0])
	}

	// Update and states.
	up, resp, err := c.Milestones.UpdateMilestone(f.app.ID, m.ID, &gitlab.UpdateMilestoneOptions{StateEvent: gitlab.Ptr("close"),
		Title: gitlab.Ptr("v1.0")})
	wantStatus(t, resp, err, http.StatusOK)
	if up.State != "closed" || up.Title != "v1.0" {
		t.Fatalf("updated %+v", up)
	}
	if got := titles(&gitlab.ListMilestonesOptions{State: gitlab.Ptr("closed")}); got != "v1.0" {
		t.Fatalf("closed = %s", got)
	}
	if got := titles(&gitlab.ListMilestonesOptions{State: gitlab.Ptr("active")}); got != "v2" {
		t.Fatalf("active = %s", got)
	}
	r := f.do(t, f.reporter, "PUT", path+"/"+itoa(m.ID), map[string]any{"state_event": "activate", "due_date": nil})
	if mm := r.Map(t); r.Status != 200 || mm["state"] != "active" || mm["due_date"] != nil || mm["expired"] != false {
		t.Fatalf("activate = %d %s", r.Status, r.Body)
	}

	// Delete: its issues keep no milestone.
	i := f.issue(t, f.app.ID, "opened", false, &m2.ID)
	resp, err = c.Milestones.DeleteMilestone(f.app.ID, m2.ID)
	wantStatus(t, resp, err, http.StatusNoContent)
	if got := f.reload(t, i.ID); got.MilestoneID != nil {
		t.Fatalf("issue milestone after delete = %v", *got.MilestoneID)
	}
	f.do(t, f.reporter, "GET", path+"/"+itoa(m2.ID), nil).ExpectError(t, 404, `{"message":"404 Not found"}`)
}

func TestProjectMilestonesBadInput(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	c := f.s.Client(t, f.reporter.Token)
	m, _, err := c.Milestones.CreateMilestone(f.app.ID, &gitlab.CreateMilestoneOptions{Title: gitlab.Ptr("v1")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.GroupMilestones.CreateGroupMilestone(f.group.ID, &gitlab.CreateGroupMilestoneOptions{Title: gitlab.Ptr("q1")}); err != nil {
		t.Fatal(err)
	}
	theirs, _, err := c.Milestones.CreateMilestone(f.other.ID, &gitlab.CreateMilestoneOptions{Title: gitlab.Ptr("theirs")})
	if err != nil {
		t.Fatal(err)
	}
	path := "/projects/" + itoa(f.app.ID) + "/milestones"
	for _, tc := range []struct {
		method, path string
		body         any
		status       int
		want         string
	}{
		{"POST", "", map[string]any{}, 400, `{"error":"title is missing"}`},
		{"POST", "", map[string]any{"title": "v1"}, 400,
			`{"message":"Failed to create milestone {:title=>[\"already being used for another group or project milestone.\"]}"}`},
		// The group's milestones share the title space.
		{"POST", "", map[string]any{"title": "q1"}, 400,
			`{"message":"Failed to create milestone {:title=>[\"already being used for another group or project milestone.\"]}"}`},
		{"POST", "", map[string]any{"title": ""}, 400, `{"message":"Failed to create milestone {:title=>[\"can't be blank\"]}"}`},
		{"POST", "", map[string]any{"title": longTitle}, 400,
			`{"message":"Failed to create milestone {:title=>[\"is too long (maximum is 255 characters)\"]}"}`},
		{"POST", "", map[string]any{"title": "x", "due_date": "tomorrow"}, 400, `{"error":"due_date is invalid"}`},
		{"POST", "", map[string]any{"title": "x", "start_date": "2020-13-01"}, 400, `{"error":"start_date is invalid"}`},
		{"POST", "", map[string]any{"title": "x", "start_date": "2020-02-01", "due_date": "2020-01-01"}, 400,
			`{"message":"Failed to create milestone {:due_date=>[\"must be greater than start date\"]}"}`},
		{"POST", "", map[string]any{"title": []int{1}}, 400, `{"error":"title is invalid"}`},
		{"GET", "?state=open", nil, 400, `{"error":"state does not have a valid value"}`},
		{"GET", "?iids[]=x", nil, 400, `{"error":"iids is invalid"}`},
		{"GET", "?updated_before=yesterday", nil, 400, `{"error":"updated_before is invalid"}`},
		{"GET", "/abc", nil, 400, `{"error":"milestone_id is invalid"}`},
		{"GET", "/999999", nil, 404, `{"message":"404 Not found"}`},
		{"GET", "/" + itoa(theirs.ID), nil, 404, `{"message":"404 Not found"}`},
		{"PUT", "/" + itoa(theirs.ID), map[string]any{"title": "mine"}, 404, `{"message":"404 Not found"}`},
		{"DELETE", "/" + itoa(theirs.ID), nil, 404, `{"message":"404 Not found"}`},
		{"PUT", "/" + itoa(m.ID), map[string]any{}, 400,
			`{"error":"title, description, start_date, due_date, state_event are missing, at least one parameter must be provided"}`},
		{"PUT", "/" + itoa(m.ID), map[string]any{"state_event": "reopen"}, 400, `{"error":"state_event does not have a valid value"}`},
		{"PUT", "/" + itoa(m.ID), map[string]any{"title": "q1"}, 400,
			`{"message":"Failed to update milestone {:title=>[\"already being used for another group or project milestone.\"]}"}`},
	} {
		f.do(t, f.reporter, tc.method, path+tc.path, tc.body).ExpectError(t, tc.status, tc.want)
	}
	if list, _, _ := c.Milestones.ListMilestones(f.app.ID, nil); len(list) != 1 || list[0].Title != "v1" {
		t.Fatalf("milestones after bad input = %+v", list)
	}
	f.do(t, f.guest, "POST", path, map[string]any{"title": "g"}).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	f.do(t, f.guest, "DELETE", path+"/"+itoa(m.ID), nil).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	if r := f.do(t, f.guest, "GET", path, nil); r.Status != 200 {
		t.Fatalf("guest list = %d", r.Status)
	}
	f.do(t, f.outsider, "GET", path, nil).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	f.do(t, nil, "GET", path, nil).ExpectError(t, 401, `{"message":"401 Unauthorized"}`)
}

func TestProjectMilestonePromote(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	c := f.s.Client(t, f.reporter.Token)
	mine, _, err := c.Milestones.CreateMilestone(f.app.ID, &gitlab.CreateMilestoneOptions{Title: gitlab.Ptr("v1"),
		Description: gitlab.Ptr("release"), DueDate: isoDate(t, "2030-01-01")})
	if err != nil {
		t.Fatal(err)
	}
	theirs, _, err := c.Milestones.CreateMilestone(f.other.ID, &gitlab.CreateMilestoneOptions{Title: gitlab.Ptr("v1")})
	if err != nil {
		t.Fatal(err)
	}
	deep, _, err := c.Milestones.CreateMilestone(f.deep.ID, &gitlab.CreateMilestoneOptions{Title: gitlab.Ptr("v1")})
	if err != nil {
		t.Fatal(err)
	}
	i1 := f.issue(t, f.app.ID, "opened", false, &mine.ID)
	i2 := f.issue(t, f.other.ID, "opened", false, &theirs.ID)

	path := "/projects/" + itoa(f.app.ID) + "/milestones/"
	f.do(t, f.guest, "POST", path+itoa(mine.ID)+"/promote", nil).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	f.do(t, f.reporter, "POST", path+"999999/promote", nil).ExpectError(t, 404, `{"message":"404 Not found"}`)
	r := f.do(t, f.reporter, "POST", path+itoa(mine.ID)+"/promote", nil)
	if r.Status != 200 || strings.TrimSpace(string(r.Body)) != "200" {
		t.Fatalf("promote = %d %s", r.Status, r.Body)
	}
	gms, _, err := c.GroupMilestones.ListGroupMilestones(f.group.ID, nil)
	if err != nil || len(gms) != 1 || gms[0].Title != "v1" || gms[0].Description != "release" || gms[0].IID != 1 ||
		gms[0].DueDate.String() != "2030-01-01" {
		t.Fatalf("group milestones = %+v %v", gms, err)
	}
	for _, i := range []int64{i1.ID, i2.ID} {
		if got := f.reload(t, i); got.MilestoneID == nil || *got.MilestoneID != gms[0].ID {
			t.Fatalf("issue %d milestone = %v, want %d", i, got.MilestoneID, gms[0].ID)
		}
	}
	for _, p := range []int64{f.app.ID, f.other.ID} {
		if list, _, _ := c.Milestones.ListMilestones(p, nil); len(list) != 0 {
			t.Fatalf("project %d milestones after promotion = %+v", p, list)
		}
	}
	if _, _, err := c.Milestones.GetMilestone(f.deep.ID, deep.ID); err != nil {
		t.Fatalf("subgroup project's milestone: %v", err)
	}
	// A group milestone's title is taken for the group's projects.
	again, _, err := c.Milestones.CreateMilestone(f.app.ID, &gitlab.CreateMilestoneOptions{Title: gitlab.Ptr("v2")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.GroupMilestones.CreateGroupMilestone(f.group.ID, &gitlab.CreateGroupMilestoneOptions{Title: gitlab.Ptr("v3")}); err != nil {
		t.Fatal(err)
	}
	f.do(t, f.reporter, "PUT", path+itoa(again.ID), map[string]any{"title": "v3"}).ExpectError(t, 400,
		`{"message":"Failed to update milestone {:title=>[\"already being used for another group or project milestone.\"]}"}`)
	// A personal project has no group to promote to.
	personal, _, err := f.oc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("mine")})
	if err != nil {
		t.Fatal(err)
	}
	pm, _, err := f.oc.Milestones.CreateMilestone(personal.ID, &gitlab.CreateMilestoneOptions{Title: gitlab.Ptr("p")})
	if err != nil {
		t.Fatal(err)
	}
	f.do(t, f.owner, "POST", "/projects/"+itoa(personal.ID)+"/milestones/"+itoa(pm.ID)+"/promote", nil).
		ExpectError(t, 403, `{"message":"403 Forbidden"}`)
}

func TestGroupMilestonesLifecycle(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	c := f.s.Client(t, f.reporter.Token)
	g, resp, err := c.GroupMilestones.CreateGroupMilestone(f.group.ID, &gitlab.CreateGroupMilestoneOptions{Title: gitlab.Ptr("q1"),
		StartDate: isoDate(t, "2030-01-01")})
	wantStatus(t, resp, err, http.StatusCreated)
	if g.GroupID != f.group.ID || g.IID != 1 || g.StartDate.String() != "2030-01-01" {
		t.Fatalf("created %+v", g)
	}
	raw := f.do(t, f.reporter, "GET", "/groups/"+itoa(f.group.ID)+"/milestones/"+itoa(g.ID), nil).Map(t)
	if _, has := raw["project_id"]; has || raw["web_url"] != f.s.URL+"/groups/plan/-/milestones/1" {
		t.Fatalf("group milestone = %v", raw)
	}
	if _, _, err := c.GroupMilestones.CreateGroupMilestone(f.sub.ID, &gitlab.CreateGroupMilestoneOptions{Title: gitlab.Ptr("s1")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Milestones.CreateMilestone(f.deep.ID, &gitlab.CreateMilestoneOptions{Title: gitlab.Ptr("d1")}); err != nil {
		t.Fatal(err)
	}
	// A project milestone's title is taken for its group.
	if _, _, err := c.Milestones.CreateMilestone(f.app.ID, &gitlab.CreateMilestoneOptions{Title: gitlab.Ptr("a1")}); err != nil {
		t.Fatal(err)
	}
	gpath := "/groups/" + itoa(f.group.ID) + "/milestones"
	f.do(t, f.reporter, "POST", gpath, map[string]any{"title": "a1"}).ExpectError(t, 400,
		`{"message":"Failed to create milestone {:title=>[\"already being used for another group or project milestone.\"]}"}`)

	list := func(gid int64, query string) string {
		t.Helper()
		var out []map[string]any
		r := f.do(t, f.reporter, "GET", "/groups/"+itoa(gid)+"/milestones"+query, nil)
		if r.Status != 200 {
			t.Fatalf("list %s = %d %s", query, r.Status, r.Body)
		}
		r.JSON(t, &out)
		var titles []string
		for _, m := range out {
			titles = append(titles, m["title"].(string))
		}
		return strings.Join(titles, ",")
	}
	if got := list(f.group.ID, ""); got != "q1" {
		t.Fatalf("group = %s", got)
	}
	if got := list(f.group.ID, "?include_descendants=true"); got != "a1,d1,s1,q1" {
		t.Fatalf("with descendants = %s", got)
	}
	if got := list(f.sub.ID, "?include_ancestors=true"); got != "s1,q1" {
		t.Fatalf("subgroup with ancestors = %s", got)
	}

	up, resp, err := c.GroupMilestones.UpdateGroupMilestone(f.group.ID, g.ID, &gitlab.UpdateGroupMilestoneOptions{
		StateEvent: gitlab.Ptr("close"), Description: gitlab.Ptr("done")})
	wantStatus(t, resp, err, http.StatusOK)
	if up.State != "closed" || up.Description != "done" {
		t.Fatalf("updated %+v", up)
	}
	f.do(t, f.guest, "PUT", gpath+"/"+itoa(g.ID), map[string]any{"title": "x"}).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	f.do(t, f.outsider, "GET", gpath, nil).ExpectError(t, 404, `{"message":"404 Group Not Found"}`)
	sub, _, _ := c.GroupMilestones.ListGroupMilestones(f.sub.ID, nil)
	f.do(t, f.reporter, "GET", gpath+"/"+itoa(sub[0].ID), nil).ExpectError(t, 404, `{"message":"404 Not found"}`)

	i := f.issue(t, f.app.ID, "opened", false, &g.ID)
	resp, err = c.GroupMilestones.DeleteGroupMilestone(f.group.ID, g.ID)
	wantStatus(t, resp, err, http.StatusNoContent)
	if got := f.reload(t, i.ID); got.MilestoneID != nil {
		t.Fatalf("issue milestone after delete = %v", *got.MilestoneID)
	}
	f.do(t, f.reporter, "DELETE", gpath+"/"+itoa(g.ID), nil).ExpectError(t, 404, `{"message":"404 Not found"}`)
}

// Without issues and merge requests a project has no labels or milestones
// (GitLab's ProjectPolicy prevents their abilities): 403.
func TestPlanningFeaturesOff(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	if _, _, err := f.oc.Labels.CreateLabel(f.app.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr("bug"), Color: gitlab.Ptr("red")}); err != nil {
		t.Fatal(err)
	}
	r := f.do(t, f.owner, "PUT", "/projects/"+itoa(f.app.ID), map[string]any{"issues_enabled": false})
	if r.Status != 200 {
		t.Fatalf("disable issues = %d %s", r.Status, r.Body)
	}
	// Merge requests still on: labels stay.
	if r := f.do(t, f.reporter, "GET", "/projects/"+itoa(f.app.ID)+"/labels", nil); r.Status != 200 {
		t.Fatalf("labels with merge requests on = %d", r.Status)
	}
	if r := f.do(t, f.owner, "PUT", "/projects/"+itoa(f.app.ID), map[string]any{"merge_requests_enabled": false}); r.Status != 200 {
		t.Fatalf("disable merge requests = %d %s", r.Status, r.Body)
	}
	for _, tc := range []struct{ method, path string }{
		{"GET", "/labels"}, {"GET", "/labels/bug"}, {"POST", "/labels/bug/subscribe"}, {"GET", "/milestones"},
	} {
		f.do(t, f.owner, tc.method, "/projects/"+itoa(f.app.ID)+tc.path, nil).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	}
	f.do(t, f.owner, "POST", "/projects/"+itoa(f.app.ID)+"/milestones", map[string]any{"title": "x"}).
		ExpectError(t, 403, `{"message":"403 Forbidden"}`)
}
