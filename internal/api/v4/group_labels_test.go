package v4_test

import (
	"net/http"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

func TestGroupLabelsLifecycle(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	c := f.s.Client(t, f.reporter.Token)
	g, resp, err := c.GroupLabels.CreateGroupLabel(f.group.ID, &gitlab.CreateGroupLabelOptions{Name: gitlab.Ptr("team"),
		Color: gitlab.Ptr("gold"), Description: gitlab.Ptr("all of us")})
	wantStatus(t, resp, err, http.StatusCreated)
	// Gold's components sum to 470, not over 500: white text.
	if g.Name != "team" || g.Color != "#FFD700" || g.TextColor != "#FFFFFF" || g.Description != "all of us" {
		t.Fatalf("created %+v", g)
	}
	raw := f.do(t, f.reporter, "GET", "/groups/"+itoa(f.group.ID)+"/labels/team", nil)
	if m := raw.Map(t); raw.Status != 200 || m["id"] != float64(g.ID) {
		t.Fatalf("get = %d %s", raw.Status, raw.Body)
	} else if _, has := m["priority"]; has {
		t.Fatalf("group label shows a priority: %s", raw.Body)
	}
	sub, _, err := c.GroupLabels.CreateGroupLabel(f.sub.ID, &gitlab.CreateGroupLabelOptions{Name: gitlab.Ptr("subteam"), Color: gitlab.Ptr("red")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Labels.CreateLabel(f.app.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr("app-only"), Color: gitlab.Ptr("red")}); err != nil {
		t.Fatal(err)
	}
	gpath := "/groups/" + itoa(f.group.ID) + "/labels"
	names := func(opt *gitlab.ListGroupLabelsOptions, gid int64) []string {
		t.Helper()
		list, _, err := c.GroupLabels.ListGroupLabels(gid, opt)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, l := range list {
			out = append(out, l.Name)
		}
		return out
	}
	if got := names(nil, f.group.ID); len(got) != 1 || got[0] != "team" {
		t.Fatalf("group labels = %v", got)
	}
	if got := names(nil, f.sub.ID); len(got) != 2 || got[0] != "subteam" || got[1] != "team" {
		t.Fatalf("subgroup labels with ancestors = %v", got)
	}
	if got := names(&gitlab.ListGroupLabelsOptions{IncludeAncestorGroups: gitlab.Ptr(false)}, f.sub.ID); len(got) != 1 {
		t.Fatalf("subgroup labels without ancestors = %v", got)
	}
	if got := names(&gitlab.ListGroupLabelsOptions{IncludeDescendantGroups: gitlab.Ptr(true)}, f.group.ID); len(got) != 2 {
		t.Fatalf("with descendants = %v", got)
	}
	if got := names(&gitlab.ListGroupLabelsOptions{OnlyGroupLabels: gitlab.Ptr(false)}, f.group.ID); len(got) != 2 || got[0] != "app-only" {
		t.Fatalf("with project labels = %v", got)
	}
	if got := names(&gitlab.ListGroupLabelsOptions{Search: gitlab.Ptr("OF US")}, f.group.ID); len(got) != 1 {
		t.Fatalf("search = %v", got)
	}
	f.issue(t, f.app.ID, "opened", false, nil, g.ID)
	f.issue(t, f.deep.ID, "closed", false, nil, g.ID)
	f.issue(t, f.deep.ID, "opened", true, nil, g.ID) // confidential
	counts, _, err := c.GroupLabels.ListGroupLabels(f.group.ID, &gitlab.ListGroupLabelsOptions{WithCounts: gitlab.Ptr(true)})
	if err != nil || counts[0].OpenIssuesCount != 2 || counts[0].ClosedIssuesCount != 1 {
		t.Fatalf("reporter counts = %+v %v", counts, err)
	}
	counts, _, err = f.s.Client(t, f.guest.Token).GroupLabels.ListGroupLabels(f.group.ID, &gitlab.ListGroupLabelsOptions{WithCounts: gitlab.Ptr(true)})
	if err != nil || counts[0].OpenIssuesCount != 1 || counts[0].ClosedIssuesCount != 1 {
		t.Fatalf("guest counts = %+v %v", counts, err)
	}

	up, resp, err := c.GroupLabels.UpdateGroupLabel(f.group.ID, g.ID, &gitlab.UpdateGroupLabelOptions{NewName: gitlab.Ptr("crew"),
		Color: gitlab.Ptr("#000000")})
	wantStatus(t, resp, err, http.StatusOK)
	if up.Name != "crew" || up.TextColor != "#FFFFFF" {
		t.Fatalf("updated %+v", up)
	}
	f.do(t, f.reporter, "PUT", gpath+"/crew", map[string]any{"priority": 3}).ExpectError(t, 400,
		`{"error":"new_name, color, description, archived are missing, at least one parameter must be provided"}`)
	f.do(t, f.reporter, "POST", gpath, map[string]any{"name": "crew", "color": "red"}).ExpectError(t, 409, `{"message":"Label already exists"}`)
	f.do(t, f.reporter, "POST", gpath, map[string]any{"name": "x", "color": "#1234"}).ExpectError(t, 400,
		`{"message":{"color":["must be a valid color code"]}}`)
	f.do(t, f.reporter, "POST", gpath, map[string]any{"name": longTitle, "color": "red"}).ExpectError(t, 400,
		`{"message":{"title":["is too long (maximum is 255 characters)"]}}`)
	// The subgroup's label is not the parent's.
	f.do(t, f.reporter, "GET", gpath+"/"+itoa(sub.ID), nil).ExpectError(t, 404, `{"message":"404 Label Not Found"}`)
	f.do(t, f.reporter, "DELETE", gpath+"/"+itoa(sub.ID), nil).ExpectError(t, 404, `{"message":"404 Label Not Found"}`)
	f.do(t, f.guest, "POST", gpath, map[string]any{"name": "g", "color": "red"}).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	f.do(t, f.outsider, "GET", gpath, nil).ExpectError(t, 404, `{"message":"404 Group Not Found"}`)
	f.do(t, nil, "GET", gpath, nil).ExpectError(t, 401, `{"message":"401 Unauthorized"}`)

	// Subscriptions.
	s1, resp, err := c.GroupLabels.SubscribeToGroupLabel(f.group.ID, g.ID)
	wantStatus(t, resp, err, http.StatusCreated)
	if !s1.Subscribed {
		t.Fatalf("subscribe = %+v", s1)
	}
	_, resp, _ = c.GroupLabels.SubscribeToGroupLabel(f.group.ID, g.ID)
	wantStatus(t, resp, nil, http.StatusNotModified)
	// A group-wide subscription shows in every project.
	if l, _, _ := c.Labels.GetLabel(f.app.ID, g.ID); !l.Subscribed {
		t.Fatalf("project view of a group subscription = %+v", l)
	}
	resp, err = c.GroupLabels.UnsubscribeFromGroupLabel(f.group.ID, g.ID)
	wantStatus(t, resp, err, http.StatusCreated)
	resp, _ = c.GroupLabels.UnsubscribeFromGroupLabel(f.group.ID, g.ID)
	wantStatus(t, resp, nil, http.StatusNotModified)

	resp, err = c.GroupLabels.DeleteGroupLabel(f.group.ID, "crew", nil)
	wantStatus(t, resp, err, http.StatusNoContent)
	f.do(t, f.reporter, "GET", gpath+"/"+itoa(g.ID), nil).ExpectError(t, 404, `{"message":"404 Label Not Found"}`)
	if list, _, _ := c.Labels.ListLabels(f.app.ID, nil); len(list) != 1 {
		t.Fatalf("project labels after group label delete = %+v", list)
	}
}
