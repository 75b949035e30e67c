package v4_test

import (
	"net/http"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

func TestProjectLabelCreateGetAndColors(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	c := f.s.Client(t, f.reporter.Token)

	l, resp, err := c.Labels.CreateLabel(f.app.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr(" bug "),
		Color: gitlab.Ptr("#FF0000"), Description: gitlab.Ptr("Broken & <b>things</b><script>x()</script>"), Priority: gitlab.Ptr(int64(3))})
	wantStatus(t, resp, err, http.StatusCreated)
	if l.Name != "bug" || l.Color != "#FF0000" || l.TextColor != "#FFFFFF" || l.Priority != 3 || !l.IsProjectLabel ||
		l.Subscribed || l.Description != "Broken & things" {
		t.Fatalf("created %+v", l)
	}
	raw := f.do(t, f.reporter, "GET", "/projects/"+itoa(f.app.ID)+"/labels/"+itoa(l.ID), nil).Map(t)
	// HTML is removed from titles and descriptions, as GitLab's Label
	// sanitizes them; description_html is the rest, escaped.
	if raw["description_html"] != "Broken &amp; things" {
		t.Fatalf("description_html = %v", raw["description_html"])
	}
	if _, has := raw["open_issues_count"]; has {
		t.Fatalf("counts without with_counts: %v", raw)
	}

	// CSS color names as GitLab's Gitlab::Color knows them, stored as
	// hex; light backgrounds get dark text (components summing over 500).
	for _, tc := range []struct{ in, color, text string }{
		{"LightGreen", "#90EE90", "#333333"},
		{"navy", "#000080", "#FFFFFF"},
		{"#abc", "#abc", "#333333"},
		{" #123456 ", "#123456", "#FFFFFF"},
		{"#FFFF00", "#FFFF00", "#333333"},
	} {
		got, resp, err := c.Labels.CreateLabel(f.app.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr("c " + tc.in),
			Color: gitlab.Ptr(tc.in)})
		wantStatus(t, resp, err, http.StatusCreated)
		if got.Color != tc.color || got.TextColor != tc.text {
			t.Errorf("color %q = %q / %q, want %q / %q", tc.in, got.Color, got.TextColor, tc.color, tc.text)
		}
	}

	// By id and by title; GitLab looks the id up first.
	byTitle, resp, err := c.Labels.GetLabel(f.app.ID, "bug")
	wantStatus(t, resp, err, http.StatusOK)
	if byTitle.ID != l.ID {
		t.Fatalf("by title = %+v", byTitle)
	}
	path := "/projects/" + itoa(f.app.ID) + "/labels"
	f.do(t, f.reporter, "GET", path+"/nope", nil).ExpectError(t, 404, `{"message":"404 Label Not Found"}`)
	f.do(t, f.reporter, "GET", path+"/999999", nil).ExpectError(t, 404, `{"message":"404 Label Not Found"}`)
	// A label of another project is not found through this one.
	theirs, _, err := c.Labels.CreateLabel(f.other.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr("theirs"), Color: gitlab.Ptr("red")})
	if err != nil {
		t.Fatal(err)
	}
	f.do(t, f.reporter, "GET", path+"/"+itoa(theirs.ID), nil).ExpectError(t, 404, `{"message":"404 Label Not Found"}`)
	f.do(t, f.reporter, "PUT", path+"/"+itoa(theirs.ID), map[string]any{"color": "red"}).ExpectError(t, 404, `{"message":"404 Label Not Found"}`)
	f.do(t, f.reporter, "DELETE", path+"/"+itoa(theirs.ID), nil).ExpectError(t, 404, `{"message":"404 Label Not Found"}`)
}

func TestProjectLabelBadInput(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	path := "/projects/" + itoa(f.app.ID) + "/labels"
	if r := f.do(t, f.reporter, "POST", path, map[string]any{"name": "bug", "color": "#428BCA"}); r.Status != 201 {
		t.Fatalf("create = %d %s", r.Status, r.Body)
	}
	for _, tc := range []struct {
		body   any
		status int
		want   string
	}{
		{map[string]any{"color": "red"}, 400, `{"error":"name is missing"}`},
		{map[string]any{}, 400, `{"error":"name is missing, color is missing"}`},
		{map[string]any{"name": "x"}, 400, `{"error":"color is missing"}`},
		{map[string]any{"name": "x", "color": "#12"}, 400, `{"message":{"color":["must be a valid color code"]}}`},
		{map[string]any{"name": "x", "color": "reddish"}, 400, `{"message":{"color":["must be a valid color code"]}}`},
		{map[string]any{"name": "x", "color": "#GGGGGG"}, 400, `{"message":{"color":["must be a valid color code"]}}`},
		{map[string]any{"name": "bug", "color": "red"}, 409, `{"message":"Label already exists"}`},
		{map[string]any{"name": longTitle, "color": "red"}, 400, `{"message":{"title":["is too long (maximum is 255 characters)"]}}`},
		{map[string]any{"name": "a,b", "color": "red"}, 400, `{"message":{"title":["is invalid"]}}`},
		{map[string]any{"name": "  ", "color": "red"}, 400, `{"message":{"title":["can't be blank"]}}`},
		{map[string]any{"name": "<b></b>", "color": "red"}, 400, `{"message":{"title":["can't be blank"]}}`},
		{map[string]any{"name": "x", "color": "red", "priority": "high"}, 400, `{"error":"priority is invalid"}`},
		{map[string]any{"name": []string{"x"}, "color": "red"}, 400, `{"error":"name is invalid"}`},
	} {
		f.do(t, f.reporter, "POST", path, tc.body).ExpectError(t, tc.status, tc.want)
	}
	// Nothing half-written: only the first label exists.
	c := f.s.Client(t, f.reporter.Token)
	list, _, err := c.Labels.ListLabels(f.app.ID, nil)
	if err != nil || len(list) != 1 {
		t.Fatalf("labels = %v %v", list, err)
	}
	f.do(t, f.reporter, "GET", path+"?with_counts=maybe", nil).ExpectError(t, 400, `{"error":"with_counts is invalid"}`)
	f.do(t, f.reporter, "PUT", path+"/bug", map[string]any{}).ExpectError(t, 400,
		`{"error":"new_name, color, description, priority, archived are missing, at least one parameter must be provided"}`)
	f.do(t, f.reporter, "PUT", path+"/bug", map[string]any{"color": "nope"}).ExpectError(t, 400,
		`{"message":{"color":["must be a valid color code"]}}`)

	// Guests read labels but do not manage them; outsiders see nothing;
	// the API wants a signed-in caller.
	f.do(t, f.guest, "POST", path, map[string]any{"name": "g", "color": "red"}).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	f.do(t, f.guest, "DELETE", path+"/bug", nil).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	if r := f.do(t, f.guest, "GET", path, nil); r.Status != 200 {
		t.Fatalf("guest list = %d", r.Status)
	}
	f.do(t, f.outsider, "GET", path, nil).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	f.do(t, nil, "GET", path, nil).ExpectError(t, 401, `{"message":"401 Unauthorized"}`)
}

func TestProjectLabelListCountsAndGroupLabels(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	c := f.s.Client(t, f.reporter.Token)
	bug, _, err := c.Labels.CreateLabel(f.app.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr("bug"), Color: gitlab.Ptr("red"),
		Description: gitlab.Ptr("defect")})
	if err != nil {
		t.Fatal(err)
	}
	feat, _, err := c.GroupLabels.CreateGroupLabel(f.group.ID, &gitlab.CreateGroupLabelOptions{Name: gitlab.Ptr("feature"),
		Color: gitlab.Ptr("#00FF00")})
	if err != nil {
		t.Fatal(err)
	}
	// A label of the subgroup: not the app project's.
	if _, _, err := c.GroupLabels.CreateGroupLabel(f.sub.ID, &gitlab.CreateGroupLabelOptions{Name: gitlab.Ptr("deep"),
		Color: gitlab.Ptr("#000")}); err != nil {
		t.Fatal(err)
	}
	f.issue(t, f.app.ID, "opened", false, nil, bug.ID, feat.ID)
	f.issue(t, f.app.ID, "opened", false, nil, bug.ID)
	f.issue(t, f.app.ID, "closed", false, nil, bug.ID)
	f.issue(t, f.app.ID, "opened", true, nil, bug.ID)     // confidential: Reporters count it
	f.issue(t, f.other.ID, "opened", false, nil, feat.ID) // another project

	list, resp, err := c.Labels.ListLabels(f.app.ID, &gitlab.ListLabelsOptions{WithCounts: gitlab.Ptr(true)})
	wantStatus(t, resp, err, http.StatusOK)
	if len(list) != 2 || list[0].Name != "bug" || list[1].Name != "feature" || resp.TotalItems != 2 {
		t.Fatalf("list = %+v", list)
	}
	if list[0].OpenIssuesCount != 3 || list[0].ClosedIssuesCount != 1 || !list[0].IsProjectLabel ||
		list[1].OpenIssuesCount != 1 || list[1].IsProjectLabel || list[1].OpenMergeRequestsCount != 0 {
		t.Fatalf("counts = %+v %+v", list[0], list[1])
	}
	guest, _, err := f.s.Client(t, f.guest.Token).Labels.ListLabels(f.app.ID, &gitlab.ListLabelsOptions{WithCounts: gitlab.Ptr(true)})
	if err != nil || guest[0].OpenIssuesCount != 2 || guest[0].ClosedIssuesCount != 1 {
		t.Fatalf("guest counts = %+v %v", guest, err)
	}
	raw := f.do(t, f.reporter, "GET", "/projects/"+itoa(f.app.ID)+"/labels?with_counts=true", nil)
	var items []map[string]any
	raw.JSON(t, &items)
	if items[1]["priority"] != nil || items[1]["open_merge_requests_count"] != float64(0) {
		t.Fatalf("raw = %s", raw.Body)
	}

	// search, pagination.
	found, _, err := c.Labels.ListLabels(f.app.ID, &gitlab.ListLabelsOptions{Search: gitlab.Ptr("DEFE")})
	if err != nil || len(found) != 1 || found[0].ID != bug.ID {
		t.Fatalf("search = %+v %v", found, err)
	}
	page, resp, err := c.Labels.ListLabels(f.app.ID, &gitlab.ListLabelsOptions{ListOptions: gitlab.ListOptions{PerPage: 1, Page: 2}})
	if err != nil || len(page) != 1 || page[0].ID != feat.ID || resp.TotalPages != 2 {
		t.Fatalf("page 2 = %+v %v", page, err)
	}

	// The deep project sees its subgroup's and the parent's labels; without
	// ancestors, the parent group's are left out.
	deep, _, err := c.Labels.ListLabels(f.deep.ID, nil)
	if err != nil || len(deep) != 2 {
		t.Fatalf("deep = %+v %v", deep, err)
	}
	deep, _, err = c.Labels.ListLabels(f.deep.ID, &gitlab.ListLabelsOptions{IncludeAncestorGroups: gitlab.Ptr(false)})
	if err != nil || len(deep) != 1 || deep[0].Name != "deep" {
		t.Fatalf("deep without ancestors = %+v %v", deep, err)
	}
	// A project label may not take a title its group's labels have.
	f.do(t, f.reporter, "POST", "/projects/"+itoa(f.deep.ID)+"/labels", map[string]any{"name": "feature", "color": "red"}).
		ExpectError(t, 409, `{"message":"Label already exists"}`)
}

func TestProjectLabelUpdateSubscribeDelete(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	c := f.s.Client(t, f.reporter.Token)
	bug, _, err := c.Labels.CreateLabel(f.app.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr("bug"), Color: gitlab.Ptr("red"),
		Priority: gitlab.Ptr(int64(1))})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Labels.CreateLabel(f.app.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr("taken"), Color: gitlab.Ptr("red")}); err != nil {
		t.Fatal(err)
	}
	up, resp, err := c.Labels.UpdateLabel(f.app.ID, "bug", &gitlab.UpdateLabelOptions{NewName: gitlab.Ptr("defect"),
		Color: gitlab.Ptr("white"), Description: gitlab.Ptr("d"), Priority: gitlab.Ptr(int64(7))})
	wantStatus(t, resp, err, http.StatusOK)
	if up.ID != bug.ID || up.Name != "defect" || up.Color != "#FFFFFF" || up.TextColor != "#333333" || up.Priority != 7 {
		t.Fatalf("updated %+v", up)
	}
	path := "/projects/" + itoa(f.app.ID) + "/labels/" + itoa(bug.ID)
	// null removes the priority.
	r := f.do(t, f.reporter, "PUT", path, map[string]any{"priority": nil})
	if m := r.Map(t); r.Status != 200 || m["priority"] != nil || m["name"] != "defect" {
		t.Fatalf("unprioritize = %d %s", r.Status, r.Body)
	}
	f.do(t, f.reporter, "PUT", path, map[string]any{"new_name": "taken"}).ExpectError(t, 400,
		`{"message":{"title":["has already been taken"]}}`)

	// Group labels: a project Reporter may set their priority here.
	g, _, err := c.GroupLabels.CreateGroupLabel(f.group.ID, &gitlab.CreateGroupLabelOptions{Name: gitlab.Ptr("grp"), Color: gitlab.Ptr("red")})
	if err != nil {
		t.Fatal(err)
	}
	gp, _, err := c.Labels.UpdateLabel(f.app.ID, g.ID, &gitlab.UpdateLabelOptions{Priority: gitlab.Ptr(int64(2))})
	if err != nil || gp.Priority != 2 || gp.IsProjectLabel {
		t.Fatalf("group label priority = %+v %v", gp, err)
	}
	other, _, _ := c.Labels.GetLabel(f.other.ID, g.ID)
	if other.Priority != 0 {
		t.Fatalf("priority leaked to another project: %+v", other)
	}

	// Subscriptions: 201 with the label, 304 when nothing changes.
	sub, resp, err := c.Labels.SubscribeToLabel(f.app.ID, bug.ID)
	wantStatus(t, resp, err, http.StatusCreated)
	if !sub.Subscribed || !sub.IsProjectLabel {
		t.Fatalf("subscribe = %+v", sub)
	}
	_, resp, _ = c.Labels.SubscribeToLabel(f.app.ID, bug.ID)
	wantStatus(t, resp, nil, http.StatusNotModified)
	got, _, _ := c.Labels.GetLabel(f.app.ID, bug.ID)
	if !got.Subscribed {
		t.Fatal("not subscribed after subscribing")
	}
	if g2, _, _ := f.s.Client(t, f.guest.Token).Labels.GetLabel(f.app.ID, bug.ID); g2.Subscribed {
		t.Fatal("another user's view shows the subscription")
	}
	r = f.do(t, f.reporter, "POST", path+"/unsubscribe", nil)
	if m := r.Map(t); r.Status != 201 || m["subscribed"] != false {
		t.Fatalf("unsubscribe = %d %s", r.Status, r.Body)
	}
	resp, _ = c.Labels.UnsubscribeFromLabel(f.app.ID, bug.ID)
	wantStatus(t, resp, nil, http.StatusNotModified)
	f.do(t, f.reporter, "POST", "/projects/"+itoa(f.app.ID)+"/labels/nope/subscribe", nil).ExpectError(t, 404,
		`{"message":"404 Label Not Found"}`)

	// Delete: the label goes with its links.
	i := f.issue(t, f.app.ID, "opened", false, nil, bug.ID)
	resp, err = c.Labels.DeleteLabel(f.app.ID, bug.ID, nil)
	wantStatus(t, resp, err, http.StatusNoContent)
	f.do(t, f.reporter, "GET", path, nil).ExpectError(t, 404, `{"message":"404 Label Not Found"}`)
	f.do(t, f.reporter, "DELETE", path, nil).ExpectError(t, 404, `{"message":"404 Label Not Found"}`)
	if got := f.reload(t, i.ID); len(got.LabelIDs) != 0 {
		t.Fatalf("issue labels after delete = %v", got.LabelIDs)
	}
	// A group label is the group's to delete: a project-only Reporter is
	// refused.
	proj := f.s.NewUser(t, "pete")
	if _, _, err := f.oc.ProjectMembers.AddProjectMember(f.app.ID, &gitlab.AddProjectMemberOptions{UserID: proj.ID,
		AccessLevel: gitlab.Ptr(gitlab.ReporterPermissions)}); err != nil {
		t.Fatal(err)
	}
	f.do(t, proj, "DELETE", "/projects/"+itoa(f.app.ID)+"/labels/grp", nil).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	f.do(t, proj, "PUT", "/projects/"+itoa(f.app.ID)+"/labels/grp", map[string]any{"color": "blue"}).
		ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	resp, err = c.Labels.DeleteLabel(f.app.ID, "grp", nil)
	wantStatus(t, resp, err, http.StatusNoContent)
}

func TestProjectLabelPromote(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	c := f.s.Client(t, f.reporter.Token)
	mine, _, err := c.Labels.CreateLabel(f.app.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr("bug"), Color: gitlab.Ptr("#AA0000"),
		Description: gitlab.Ptr("promoted")})
	if err != nil {
		t.Fatal(err)
	}
	theirs, _, err := c.Labels.CreateLabel(f.other.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr("bug"), Color: gitlab.Ptr("blue"),
		Priority: gitlab.Ptr(int64(4))})
	if err != nil {
		t.Fatal(err)
	}
	// The subgroup's project is not merged (GitLab looks at the group's own projects).
	deep, _, err := c.Labels.CreateLabel(f.deep.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr("bug"), Color: gitlab.Ptr("blue")})
	if err != nil {
		t.Fatal(err)
	}
	mineIssue := f.issue(t, f.app.ID, "opened", false, nil, mine.ID)
	theirIssue := f.issue(t, f.other.ID, "closed", false, nil, theirs.ID)
	if _, _, err := f.s.Client(t, f.guest.Token).Labels.SubscribeToLabel(f.other.ID, theirs.ID); err != nil {
		t.Fatal(err)
	}

	r := f.do(t, f.reporter, "PUT", "/projects/"+itoa(f.app.ID)+"/labels/bug/promote", nil)
	if r.Status != 200 {
		t.Fatalf("promote = %d %s", r.Status, r.Body)
	}
	promoted := r.Map(t)
	gid := int64(promoted["id"].(float64))
	if promoted["name"] != "bug" || promoted["color"] != "#AA0000" || promoted["description"] != "promoted" {
		t.Fatalf("promoted = %s", r.Body)
	}
	if _, has := promoted["is_project_label"]; has {
		t.Fatalf("promote answers a group label entity: %s", r.Body)
	}
	for _, i := range []int64{mineIssue.ID, theirIssue.ID} {
		if got := f.reload(t, i); len(got.LabelIDs) != 1 || got.LabelIDs[0] != gid {
			t.Fatalf("issue %d labels = %v, want [%d]", i, got.LabelIDs, gid)
		}
	}
	glist, _, err := c.GroupLabels.ListGroupLabels(f.group.ID, &gitlab.ListGroupLabelsOptions{WithCounts: gitlab.Ptr(true)})
	if err != nil || len(glist) != 1 || glist[0].OpenIssuesCount != 1 || glist[0].ClosedIssuesCount != 1 {
		t.Fatalf("group labels = %+v %v", glist, err)
	}
	other, _, err := c.Labels.ListLabels(f.other.ID, nil)
	if err != nil || len(other) != 1 || other[0].ID != gid || other[0].IsProjectLabel || other[0].Priority != 4 {
		t.Fatalf("other project's labels = %+v %v", other, err)
	}
	gsub, _, _ := f.s.Client(t, f.guest.Token).Labels.GetLabel(f.other.ID, gid)
	if !gsub.Subscribed {
		t.Fatal("subscription not carried over")
	}
	if l, _, err := c.Labels.GetLabel(f.deep.ID, deep.ID); err != nil || !l.IsProjectLabel {
		t.Fatalf("subgroup project's label = %+v %v", l, err)
	}

	// A group label with the title already: the project label merges into
	// it, which takes the promoted label's color.
	late, _, err := c.Labels.CreateLabel(f.app.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr("late"), Color: gitlab.Ptr("#010203")})
	if err != nil {
		t.Fatal(err)
	}
	existing, _, err := c.GroupLabels.CreateGroupLabel(f.group.ID, &gitlab.CreateGroupLabelOptions{Name: gitlab.Ptr("late"), Color: gitlab.Ptr("red")})
	if err != nil {
		t.Fatal(err)
	}
	lateIssue := f.issue(t, f.app.ID, "opened", false, nil, late.ID, existing.ID)
	r = f.do(t, f.reporter, "PUT", "/projects/"+itoa(f.app.ID)+"/labels/"+itoa(late.ID)+"/promote", nil)
	if m := r.Map(t); r.Status != 200 || m["id"] != float64(existing.ID) || m["color"] != "#010203" {
		t.Fatalf("promote onto an existing group label = %d %s", r.Status, r.Body)
	}
	if got := f.reload(t, lateIssue.ID); len(got.LabelIDs) != 1 || got.LabelIDs[0] != existing.ID {
		t.Fatalf("issue labels = %v, want [%d]", got.LabelIDs, existing.ID)
	}

	// Only project labels of projects in a group, by Reporters of the group.
	f.do(t, f.reporter, "PUT", "/projects/"+itoa(f.app.ID)+"/labels/bug/promote", nil).ExpectError(t, 400,
		`{"message":"Failed to promote project label to group label"}`)
	personal, _, err := f.s.Client(t, f.owner.Token).Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("mine")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.oc.Labels.CreateLabel(personal.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr("x"), Color: gitlab.Ptr("red")}); err != nil {
		t.Fatal(err)
	}
	f.do(t, f.owner, "PUT", "/projects/"+itoa(personal.ID)+"/labels/x/promote", nil).ExpectError(t, 400,
		`{"message":"Failed to promote project label to group label"}`)
	f.do(t, f.guest, "PUT", "/projects/"+itoa(f.app.ID)+"/labels/"+itoa(deep.ID)+"/promote", nil).ExpectError(t, 403,
		`{"message":"403 Forbidden"}`)
	f.do(t, f.reporter, "PUT", "/projects/"+itoa(f.app.ID)+"/labels/nope/promote", nil).ExpectError(t, 404,
		`{"message":"404 Label Not Found"}`)
}

// GitLab's deprecated forms name the label by a parameter; the official
// client still sends them when no label id is given.
func TestLabelLegacyRoutes(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	c := f.s.Client(t, f.reporter.Token)
	for _, n := range []string{"one", "two", "three"} {
		if _, _, err := c.Labels.CreateLabel(f.app.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr(n), Color: gitlab.Ptr("red")}); err != nil {
			t.Fatal(err)
		}
	}
	up, resp, err := c.Labels.UpdateLabel(f.app.ID, nil, &gitlab.UpdateLabelOptions{Name: gitlab.Ptr("one"), NewName: gitlab.Ptr("uno")})
	wantStatus(t, resp, err, http.StatusOK)
	if up.Name != "uno" {
		t.Fatalf("updated %+v", up)
	}
	resp, err = c.Labels.DeleteLabel(f.app.ID, nil, &gitlab.DeleteLabelOptions{Name: gitlab.Ptr("uno")})
	wantStatus(t, resp, err, http.StatusNoContent)
	path := "/projects/" + itoa(f.app.ID) + "/labels"
	two, _, _ := c.Labels.GetLabel(f.app.ID, "two")
	if r := f.do(t, f.reporter, "DELETE", path, map[string]any{"label_id": two.ID}); r.Status != 204 {
		t.Fatalf("delete by label_id = %d %s", r.Status, r.Body)
	}
	f.do(t, f.reporter, "DELETE", path, map[string]any{}).ExpectError(t, 400,
		`{"error":"label_id, name are missing, exactly one parameter must be provided"}`)
	f.do(t, f.reporter, "PUT", path, map[string]any{"label_id": 1, "name": "three", "color": "red"}).ExpectError(t, 400,
		`{"error":"label_id, name are mutually exclusive"}`)
	f.do(t, f.reporter, "PUT", path, map[string]any{"label_id": "x", "color": "red"}).ExpectError(t, 400, `{"error":"label_id is invalid"}`)
	f.do(t, f.reporter, "DELETE", path, map[string]any{"name": "gone"}).ExpectError(t, 404, `{"message":"404 Label Not Found"}`)
	f.do(t, f.reporter, "PUT", path+"/promote", map[string]any{}).ExpectError(t, 400, `{"error":"name is missing"}`)
	r := f.do(t, f.reporter, "PUT", path+"/promote", map[string]any{"name": "three"})
	if m := r.Map(t); r.Status != 200 || m["name"] != "three" {
		t.Fatalf("legacy promote = %d %s", r.Status, r.Body)
	}
	if gl, _, err := c.GroupLabels.GetGroupLabel(f.group.ID, "three"); err != nil || gl.IsProjectLabel {
		t.Fatalf("promoted = %+v %v", gl, err)
	}

	gpath := "/groups/" + itoa(f.group.ID) + "/labels"
	if r := f.do(t, f.reporter, "PUT", gpath, map[string]any{"name": "three", "description": "now the group's"}); r.Status != 200 {
		t.Fatalf("group legacy update = %d %s", r.Status, r.Body)
	}
	f.do(t, f.reporter, "DELETE", gpath, map[string]any{}).ExpectError(t, 400, `{"error":"name is missing"}`)
	resp, err = c.GroupLabels.DeleteGroupLabel(f.group.ID, nil, &gitlab.DeleteGroupLabelOptions{Name: gitlab.Ptr("three")})
	wantStatus(t, resp, err, http.StatusNoContent)
}

// TestLabelDescriptionHTML: description_html is GitLab's SingleLinePipeline
// rendering (no Markdown; emoji, links, user and issue references) with
// the caller's permissions, in lists, single answers, group labels and
// issues' label details.
func TestLabelDescriptionHTML(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	f.issue(t, f.app.ID, "opened", false, nil)          // #1
	secret := f.issue(t, f.app.ID, "opened", true, nil) // #2, confidential: Reporters only
	c := f.s.Client(t, f.reporter.Token)
	triage, _, err := c.Labels.CreateLabel(f.app.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr("triage"), Color: gitlab.Ptr("red"),
		Description: gitlab.Ptr(`**Triage** :bug: #1 #2 @rita ~triage "x" https://example.com/a.`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.GroupLabels.CreateGroupLabel(f.group.ID, &gitlab.CreateGroupLabelOptions{Name: gitlab.Ptr("shared"),
		Color: gitlab.Ptr("blue"), Description: gitlab.Ptr("plan/app#1 but not #1")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Labels.CreateLabel(f.app.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr("plain"), Color: gitlab.Ptr("red")}); err != nil {
		t.Fatal(err)
	}
	issue1 := `<a href="` + f.s.URL + `/plan/app/-/issues/1" data-reference-type="issue" data-original="#1" data-link="false" data-link-reference="false" data-project="` +
		itoa(f.app.ID) + `" data-issue="`
	user := `<a href="` + f.s.URL + `/rita" data-reference-type="user" data-original="@rita" data-user="` + itoa(f.reporter.ID) +
		`" data-container="body" data-placement="top" title="` + f.reporter.Name + `" class="gfm gfm-project_member js-user-link">@rita</a>`
	check := func(who string, html any, confidentialShown bool) {
		t.Helper()
		s, _ := html.(string)
		for _, want := range []string{`**Triage** <gl-emoji title="bug" data-name="bug">🐛</gl-emoji> ` + issue1, user + ` ~triage "x" ` +
			`<a href="https://example.com/a" rel="nofollow noreferrer noopener" target="_blank">https://example.com/a</a>.`} {
			if !strings.Contains(s, want) {
				t.Errorf("%s: description_html %s\nlacks %s", who, s, want)
			}
		}
		if got := strings.Contains(s, `data-issue="`+itoa(secret.ID)+`"`); got != confidentialShown || !confidentialShown && !strings.Contains(s, "</a> #2 ") {
			t.Errorf("%s: confidential #2 linked = %v, want %v: %s", who, got, confidentialShown, s)
		}
	}
	path := "/projects/" + itoa(f.app.ID) + "/labels"
	for _, tc := range []struct {
		u       *labtest.User
		reports bool
	}{{f.reporter, true}, {f.guest, false}} {
		var list []map[string]any
		f.do(t, tc.u, "GET", path, nil).JSON(t, &list)
		byName := map[string]map[string]any{}
		for _, l := range list {
			byName[l["name"].(string)] = l
		}
		check(tc.u.Username+" list", byName["triage"]["description_html"], tc.reports)
		if got := byName["shared"]["description_html"]; !strings.HasPrefix(got.(string), `<a href="`+f.s.URL+`/plan/app/-/issues/1" data-reference-type="issue" data-original="plan/app#1"`) ||
			!strings.HasSuffix(got.(string), "</a> but not #1") {
			t.Errorf("group label: %v", got)
		}
		if got := byName["plain"]["description_html"]; got != "" || byName["plain"]["description"] != nil {
			t.Errorf("empty description: %v", byName["plain"])
		}
		check(tc.u.Username+" single", f.do(t, tc.u, "GET", path+"/"+itoa(triage.ID), nil).Map(t)["description_html"], tc.reports)
	}
	var groupList []map[string]any
	f.do(t, f.guest, "GET", "/groups/"+itoa(f.group.ID)+"/labels", nil).JSON(t, &groupList)
	if len(groupList) != 1 || !strings.Contains(groupList[0]["description_html"].(string), `data-original="plan/app#1"`) {
		t.Errorf("group list: %v", groupList)
	}

	// Issues' label details render it too.
	is := f.issue(t, f.app.ID, "opened", false, nil, triage.ID)
	got := f.do(t, f.guest, "GET", path[:len(path)-len("/labels")]+"/issues/"+itoa(is.IID)+"?with_labels_details=true", nil).Map(t)
	labels, _ := got["labels"].([]any)
	if len(labels) != 1 {
		t.Fatalf("issue labels: %v", got["labels"])
	}
	check("issue label details", labels[0].(map[string]any)["description_html"], false)
	// In lists too, and rendered for each caller: a page the reporter saw
	// is not served to the guest.
	for _, tc := range []struct {
		u       *labtest.User
		reports bool
	}{{f.reporter, true}, {f.guest, false}, {f.reporter, true}} {
		var list []map[string]any
		f.do(t, tc.u, "GET", path[:len(path)-len("/labels")]+"/issues?with_labels_details=true&labels=triage", nil).JSON(t, &list)
		if len(list) != 1 {
			t.Fatalf("issues labelled triage: %v", list)
		}
		labels, _ := list[0]["labels"].([]any)
		check(tc.u.Username+" issue list", labels[0].(map[string]any)["description_html"], tc.reports)
	}
}
