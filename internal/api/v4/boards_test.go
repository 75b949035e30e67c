package v4_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// boardsPath is the boards API of a project ("projects/1") or group.
func boardsPath(parent string, id int64) string { return "/" + parent + "/" + itoa(id) + "/boards" }

// listPositions maps each list's label name to its position.
func listPositions(lists []*gitlab.BoardList) map[string]int64 {
	out := map[string]int64{}
	for _, l := range lists {
		out[l.Label.Name] = l.Position
	}
	return out
}

// labelNames lists the label names of lists in the order given.
func labelNames(lists []*gitlab.BoardList) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l.Label.Name)
	}
	return out
}

func (f *planFixture) projectLabel(t *testing.T, project int64, name string) *gitlab.Label {
	t.Helper()
	l, _, err := f.oc.Labels.CreateLabel(project, &gitlab.CreateLabelOptions{Name: gitlab.Ptr(name), Color: gitlab.Ptr("#FF0000"),
		Description: gitlab.Ptr(name + " work")})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func (f *planFixture) groupLabel(t *testing.T, group int64, name string) *gitlab.GroupLabel {
	t.Helper()
	l, _, err := f.oc.GroupLabels.CreateGroupLabel(group, &gitlab.CreateGroupLabelOptions{Name: gitlab.Ptr(name), Color: gitlab.Ptr("#FFFF00")})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestProjectBoardsLifecycle(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	c := f.s.Client(t, f.reporter.Token)
	base := boardsPath("projects", f.app.ID)

	// Listing creates no default board, as GitLab's API.
	if r := f.do(t, f.reporter, "GET", base, nil); r.Status != 200 || strings.TrimSpace(string(r.Body)) != "[]" {
		t.Fatalf("no boards = %d %s", r.Status, r.Body)
	}
	b, resp, err := c.Boards.CreateIssueBoard(f.app.ID, &gitlab.CreateIssueBoardOptions{Name: gitlab.Ptr("Development")})
	wantStatus(t, resp, err, http.StatusCreated)
	if b.Name != "Development" || b.Project == nil || b.Project.ID != f.app.ID || b.Project.PathWithNamespace != "plan/app" ||
		len(b.Lists) != 0 || b.HideBacklogList || b.HideClosedList {
		t.Fatalf("created %+v", b)
	}
	raw := f.do(t, f.reporter, "GET", base+"/"+itoa(b.ID), nil).Map(t)
	if raw["group"] != nil || raw["project"].(map[string]any)["web_url"] != f.s.URL+"/plan/app" {
		t.Fatalf("board entity = %v", raw)
	}
	for _, premium := range []string{"milestone", "assignee", "labels", "weight"} {
		if _, has := raw[premium]; has {
			t.Errorf("CE board shows %s: %v", premium, raw)
		}
	}
	// GitLab creates the backlog and closed lists with the board; the API
	// shows only label lists.
	var hidden int
	if err := f.s.Srv.DB.SQL().QueryRow(fmt.Sprintf("SELECT COUNT(*) FROM board_lists WHERE board_id = %d AND list_type IN ('backlog', 'closed')",
		b.ID)).Scan(&hidden); err != nil || hidden != 2 {
		t.Fatalf("backlog and closed lists = %d, %v", hidden, err)
	}

	// Lists over the project's labels and its group's, each placed last.
	todo := f.projectLabel(t, f.app.ID, "todo")
	team := f.groupLabel(t, f.group.ID, "team")
	doing := f.projectLabel(t, f.app.ID, "doing")
	for i, id := range []int64{todo.ID, team.ID, doing.ID} {
		l, resp, err := c.Boards.CreateIssueBoardList(f.app.ID, b.ID, &gitlab.CreateIssueBoardListOptions{LabelID: gitlab.Ptr(id)})
		wantStatus(t, resp, err, http.StatusCreated)
		if l.Position != int64(i) || l.Label.ID != id {
			t.Fatalf("list %d = %+v", i, l)
		}
	}
	got, _, err := c.Boards.GetIssueBoard(f.app.ID, b.ID)
	if err != nil || !slices.Equal(labelNames(got.Lists), []string{"todo", "team", "doing"}) {
		t.Fatalf("board lists = %v %v", got, err)
	}
	// The one label rendering: LabelBasic with its colours.
	lbl := got.Lists[0].Label
	if lbl.Color != "#FF0000" || lbl.TextColor != "#FFFFFF" || lbl.Description != "todo work" || got.Lists[1].Label.TextColor != "#333333" {
		t.Fatalf("list label = %+v", lbl)
	}
	lists, resp, err := c.Boards.GetIssueBoardLists(f.app.ID, b.ID, nil)
	wantStatus(t, resp, err, http.StatusOK)
	if len(lists) != 3 || resp.TotalItems != 3 {
		t.Fatalf("lists = %v (total %d)", lists, resp.TotalItems)
	}
	page, resp, err := c.Boards.GetIssueBoardLists(f.app.ID, b.ID, &gitlab.GetIssueBoardListsOptions{ListOptions: gitlab.ListOptions{Page: 2, PerPage: 2}})
	if err != nil || len(page) != 1 || page[0].Label.Name != "doing" || resp.TotalPages != 2 {
		t.Fatalf("page 2 = %v %v", page, err)
	}
	one, _, err := c.Boards.GetIssueBoardList(f.app.ID, b.ID, lists[1].ID)
	if err != nil || one.Label.Name != "team" || one.Position != 1 {
		t.Fatalf("one list = %+v %v", one, err)
	}

	// Moving down shifts the lists between up by one, moving up shifts
	// them down (Boards::Lists::MoveService).
	moved, resp, err := c.Boards.UpdateIssueBoardList(f.app.ID, b.ID, lists[0].ID, &gitlab.UpdateIssueBoardListOptions{Position: gitlab.Ptr(int64(2))})
	wantStatus(t, resp, err, http.StatusOK)
	if moved.Position != 2 || moved.Label.Name != "todo" {
		t.Fatalf("moved = %+v", moved)
	}
	after, _, _ := c.Boards.GetIssueBoardLists(f.app.ID, b.ID, nil)
	if !slices.Equal(labelNames(after), []string{"team", "doing", "todo"}) || after[2].Position != 2 {
		t.Fatalf("after moving down = %v", listPositions(after))
	}
	if _, _, err := c.Boards.UpdateIssueBoardList(f.app.ID, b.ID, after[2].ID, &gitlab.UpdateIssueBoardListOptions{Position: gitlab.Ptr(int64(1))}); err != nil {
		t.Fatal(err)
	}
	after, _, _ = c.Boards.GetIssueBoardLists(f.app.ID, b.ID, nil)
	if !slices.Equal(labelNames(after), []string{"team", "todo", "doing"}) {
		t.Fatalf("after moving up = %v", listPositions(after))
	}

	// Updating: name and hide flags; the Premium scope is ignored.
	up, resp, err := c.Boards.UpdateIssueBoard(f.app.ID, b.ID, &gitlab.UpdateIssueBoardOptions{Name: gitlab.Ptr("Renamed"),
		HideBacklogList: gitlab.Ptr(true), Weight: gitlab.Ptr(int64(4)), AssigneeID: gitlab.Ptr(f.reporter.ID)})
	wantStatus(t, resp, err, http.StatusOK)
	if up.Name != "Renamed" || !up.HideBacklogList || up.HideClosedList || up.Weight != 0 || up.Assignee != nil || len(up.Lists) != 3 {
		t.Fatalf("updated %+v", up)
	}

	// Several boards per project, listed in id order.
	second, _, err := c.Boards.CreateIssueBoard(f.app.ID, &gitlab.CreateIssueBoardOptions{Name: gitlab.Ptr("Another")})
	if err != nil {
		t.Fatal(err)
	}
	all, resp, err := c.Boards.ListIssueBoards(f.app.ID, nil)
	if err != nil || len(all) != 2 || all[0].ID != b.ID || all[1].ID != second.ID || resp.TotalItems != 2 || len(all[0].Lists) != 3 {
		t.Fatalf("boards = %v %v", all, err)
	}

	// Deleting a list closes the gap.
	resp, err = c.Boards.DeleteIssueBoardList(f.app.ID, b.ID, after[1].ID)
	wantStatus(t, resp, err, http.StatusNoContent)
	left, _, _ := c.Boards.GetIssueBoardLists(f.app.ID, b.ID, nil)
	if p := listPositions(left); len(p) != 2 || p["team"] != 0 || p["doing"] != 1 {
		t.Fatalf("after deleting = %v", p)
	}
	// A deleted list's label may get a list again, placed last.
	again, _, err := c.Boards.CreateIssueBoardList(f.app.ID, b.ID, &gitlab.CreateIssueBoardListOptions{LabelID: gitlab.Ptr(todo.ID)})
	if err != nil || again.Position != 2 {
		t.Fatalf("list again = %+v %v", again, err)
	}

	resp, err = c.Boards.DeleteIssueBoard(f.app.ID, b.ID)
	wantStatus(t, resp, err, http.StatusNoContent)
	f.do(t, f.reporter, "GET", base+"/"+itoa(b.ID), nil).ExpectError(t, 404, `{"message":"404 Not found"}`)
	if all, _, _ := c.Boards.ListIssueBoards(f.app.ID, nil); len(all) != 1 || all[0].ID != second.ID {
		t.Fatalf("boards after delete = %v", all)
	}
}

func TestGroupBoardsLifecycle(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	c := f.s.Client(t, f.reporter.Token)
	b, resp, err := c.GroupIssueBoards.CreateGroupIssueBoard(f.sub.ID, &gitlab.CreateGroupIssueBoardOptions{Name: gitlab.Ptr("Sub board")})
	wantStatus(t, resp, err, http.StatusCreated)
	if b.Name != "Sub board" || b.Group == nil || b.Group.ID != f.sub.ID || b.Group.Name != "Sub" || len(b.Lists) != 0 {
		t.Fatalf("created %+v", b)
	}
	base := boardsPath("groups", f.sub.ID)
	raw := f.do(t, f.guest, "GET", base+"/"+itoa(b.ID), nil).Map(t)
	if g := raw["group"].(map[string]any); raw["project"] != nil || g["web_url"] != f.s.URL+"/groups/plan/sub" || len(g) != 3 {
		t.Fatalf("group board entity = %v", raw)
	}

	// The group's own labels and its ancestors'; not a project's, not a
	// descendant's.
	own := f.groupLabel(t, f.sub.ID, "sub-label")
	parent := f.groupLabel(t, f.group.ID, "parent-label")
	for _, id := range []int64{own.ID, parent.ID} {
		if _, resp, err := c.GroupIssueBoards.CreateGroupIssueBoardList(f.sub.ID, b.ID,
			&gitlab.CreateGroupIssueBoardListOptions{LabelID: gitlab.Ptr(id)}); err != nil {
			t.Fatalf("list of %d: %v %v", id, resp, err)
		}
	}
	deepLabel := f.projectLabel(t, f.deep.ID, "deep-only")
	f.do(t, f.reporter, "POST", base+"/"+itoa(b.ID)+"/lists", map[string]any{"label_id": deepLabel.ID}).
		ExpectError(t, 400, `{"error":"Label not found"}`)
	top, _, err := c.GroupIssueBoards.CreateGroupIssueBoard(f.group.ID, &gitlab.CreateGroupIssueBoardOptions{Name: gitlab.Ptr("Top")})
	if err != nil {
		t.Fatal(err)
	}
	f.do(t, f.reporter, "POST", boardsPath("groups", f.group.ID)+"/"+itoa(top.ID)+"/lists", map[string]any{"label_id": own.ID}).
		ExpectError(t, 400, `{"error":"Label not found"}`)

	lists, _, err := c.GroupIssueBoards.ListGroupIssueBoardLists(f.sub.ID, b.ID, nil)
	if err != nil || !slices.Equal(labelNames(lists), []string{"sub-label", "parent-label"}) {
		t.Fatalf("group lists = %v %v", lists, err)
	}
	one, _, err := c.GroupIssueBoards.GetGroupIssueBoardList(f.sub.ID, b.ID, lists[1].ID)
	if err != nil || one.Position != 1 || one.Label.Name != "parent-label" {
		t.Fatalf("group list = %+v %v", one, err)
	}
	// The official client decodes this answer as an array, but GitLab
	// answers with the list (Entities::List); so does lablet.
	moved := f.do(t, f.reporter, "PUT", base+"/"+itoa(b.ID)+"/lists/"+itoa(lists[1].ID), map[string]any{"position": 0})
	if m := moved.Map(t); moved.Status != 200 || m["position"] != float64(0) {
		t.Fatalf("group move = %d %s", moved.Status, moved.Body)
	}
	up, resp, err := c.GroupIssueBoards.UpdateIssueBoard(f.sub.ID, b.ID, &gitlab.UpdateGroupIssueBoardOptions{Name: gitlab.Ptr("Renamed"),
		MilestoneID: gitlab.Ptr(int64(1))})
	wantStatus(t, resp, err, http.StatusOK)
	if up.Name != "Renamed" || up.Milestone != nil || !slices.Equal(labelNames(up.Lists), []string{"parent-label", "sub-label"}) {
		t.Fatalf("updated %+v", up)
	}
	all, _, err := c.GroupIssueBoards.ListGroupIssueBoards(f.sub.ID, nil)
	if err != nil || len(all) != 1 || all[0].ID != b.ID {
		t.Fatalf("sub boards = %v %v", all, err)
	}
	resp, err = c.GroupIssueBoards.DeleteGroupIssueBoardList(f.sub.ID, b.ID, lists[0].ID)
	wantStatus(t, resp, err, http.StatusNoContent)
	if left, _, _ := c.GroupIssueBoards.ListGroupIssueBoardLists(f.sub.ID, b.ID, nil); len(left) != 1 || left[0].Position != 0 {
		t.Fatalf("after delete = %v", left)
	}
	// A group's board is not found through another group.
	f.do(t, f.reporter, "GET", boardsPath("groups", f.group.ID)+"/"+itoa(b.ID), nil).ExpectError(t, 404, `{"message":"404 Not found"}`)
	resp, err = c.GroupIssueBoards.DeleteIssueBoard(f.sub.ID, b.ID)
	wantStatus(t, resp, err, http.StatusNoContent)
	f.do(t, f.reporter, "GET", base+"/"+itoa(b.ID)+"/lists", nil).ExpectError(t, 404, `{"message":"404 Not found"}`)
}

func TestBoardsBadInput(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	c := f.s.Client(t, f.reporter.Token)
	b, _, err := c.Boards.CreateIssueBoard(f.app.ID, &gitlab.CreateIssueBoardOptions{Name: gitlab.Ptr("B")})
	if err != nil {
		t.Fatal(err)
	}
	theirs, _, err := c.Boards.CreateIssueBoard(f.other.ID, &gitlab.CreateIssueBoardOptions{Name: gitlab.Ptr("Theirs")})
	if err != nil {
		t.Fatal(err)
	}
	a, z := f.projectLabel(t, f.app.ID, "a"), f.projectLabel(t, f.app.ID, "z")
	base := boardsPath("projects", f.app.ID)
	bp := base + "/" + itoa(b.ID)
	for _, id := range []int64{a.ID, z.ID} {
		if r := f.do(t, f.reporter, "POST", bp+"/lists", map[string]any{"label_id": id}); r.Status != 201 {
			t.Fatalf("list = %d %s", r.Status, r.Body)
		}
	}
	lists, _, _ := c.Boards.GetIssueBoardLists(f.app.ID, b.ID, nil)
	lp := bp + "/lists/" + itoa(lists[0].ID)

	otherLabel := f.projectLabel(t, f.other.ID, "elsewhere")
	subLabel := f.groupLabel(t, f.sub.ID, "below")
	elsewhere, _, err := f.oc.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Else"), Path: gitlab.Ptr("else")})
	if err != nil {
		t.Fatal(err)
	}
	foreign := f.groupLabel(t, elsewhere.ID, "foreign")
	notFound := `{"message":"404 Not found"}`
	for _, tc := range []struct {
		method, path string
		body         any
		status       int
		want         string
	}{
		{"GET", base + "/999999", nil, 404, notFound},
		{"GET", base + "/" + itoa(theirs.ID), nil, 404, notFound},
		{"PUT", base + "/" + itoa(theirs.ID), map[string]any{"name": "x"}, 404, notFound},
		{"DELETE", base + "/999999", nil, 404, notFound},
		{"GET", base + "/abc", nil, 404, notFound},
		{"GET", base + "/abc/lists", nil, 400, `{"error":"board_id is invalid"}`},
		{"GET", base + "/999999/lists", nil, 404, notFound},
		{"GET", base + "/" + itoa(theirs.ID) + "/lists", nil, 404, notFound},
		{"GET", bp + "/lists/abc", nil, 400, `{"error":"list_id is invalid"}`},
		{"GET", bp + "/lists/999999", nil, 404, notFound},
		{"PUT", bp + "/lists/999999", map[string]any{"position": 0}, 404, notFound},
		{"DELETE", bp + "/lists/999999", nil, 404, notFound},
		{"POST", base + "/999999/lists", map[string]any{"label_id": a.ID}, 404, notFound},
		{"POST", base, map[string]any{}, 400, `{"error":"name is missing"}`},
		{"POST", base, map[string]any{"name": "  "}, 400, `{"message":{"name":["can't be blank"]}}`},
		{"POST", base, map[string]any{"name": []string{"x"}}, 400, `{"error":"name is invalid"}`},
		{"PUT", bp, map[string]any{"name": ""}, 400, `{"message":{"name":["can't be blank"]}}`},
		{"PUT", bp, map[string]any{"hide_closed_list": "maybe"}, 400, `{"error":"hide_closed_list is invalid"}`},
		{"POST", bp + "/lists", map[string]any{}, 400, `{"error":"label_id is missing"}`},
		// CE declares label_id only: a Premium list kind alone misses it.
		{"POST", bp + "/lists", map[string]any{"assignee_id": f.reporter.ID}, 400, `{"error":"label_id is missing"}`},
		{"POST", bp + "/lists", map[string]any{"label_id": "x"}, 400, `{"error":"label_id is invalid"}`},
		{"POST", bp + "/lists", map[string]any{"label_id": 999999}, 400, `{"error":"Label not found"}`},
		{"POST", bp + "/lists", map[string]any{"label_id": otherLabel.ID}, 400, `{"error":"Label not found"}`},
		{"POST", bp + "/lists", map[string]any{"label_id": subLabel.ID}, 400, `{"error":"Label not found"}`},
		{"POST", bp + "/lists", map[string]any{"label_id": foreign.ID}, 400, `{"error":"Label not found"}`},
		{"POST", bp + "/lists", map[string]any{"label_id": a.ID}, 400, `{"error":"Label has already been taken"}`},
		{"PUT", lp, map[string]any{}, 400, `{"error":"position is missing"}`},
		{"PUT", lp, map[string]any{"position": "first"}, 400, `{"error":"position is invalid"}`},
		{"PUT", lp, map[string]any{"position": -1}, 400, `{"error":"List could not be moved!"}`},
		{"PUT", lp, map[string]any{"position": 2}, 400, `{"error":"List could not be moved!"}`},
		{"PUT", lp, map[string]any{"position": 0}, 400, `{"error":"List could not be moved!"}`},
	} {
		f.do(t, f.reporter, tc.method, tc.path, tc.body).ExpectError(t, tc.status, tc.want)
	}
	// Nothing half-written.
	after, _, _ := c.Boards.GetIssueBoardLists(f.app.ID, b.ID, nil)
	if p := listPositions(after); len(p) != 2 || p["a"] != 0 || p["z"] != 1 {
		t.Fatalf("lists after bad input = %v", p)
	}
	if all, _, _ := c.Boards.ListIssueBoards(f.app.ID, nil); len(all) != 1 || all[0].Name != "B" {
		t.Fatalf("boards after bad input = %v", all)
	}
	// A Premium list parameter next to label_id is ignored: a label list.
	third := f.projectLabel(t, f.app.ID, "third")
	if r := f.do(t, f.reporter, "POST", bp+"/lists", map[string]any{"label_id": third.ID, "milestone_id": 1}); r.Status != 201 {
		t.Fatalf("list with milestone_id = %d %s", r.Status, r.Body)
	} else if m := r.Map(t); m["label"].(map[string]any)["name"] != "third" {
		t.Fatalf("list = %s", r.Body)
	}

	// Guests read boards but change nothing; a missing list is found
	// missing before the ability is checked (GitLab's order).
	forbidden := `{"message":"403 Forbidden"}`
	if r := f.do(t, f.guest, "GET", bp+"/lists", nil); r.Status != 200 {
		t.Fatalf("guest lists = %d", r.Status)
	}
	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{"POST", base, map[string]any{"name": "g"}},
		{"PUT", bp, map[string]any{"name": "g"}},
		{"DELETE", bp, nil},
		{"POST", bp + "/lists", map[string]any{"label_id": third.ID}},
		{"PUT", lp, map[string]any{"position": 1}},
		{"DELETE", lp, nil},
	} {
		f.do(t, f.guest, tc.method, tc.path, tc.body).ExpectError(t, 403, forbidden)
	}
	f.do(t, f.guest, "PUT", bp+"/lists/999999", map[string]any{"position": 1}).ExpectError(t, 404, notFound)
	// Outsiders see neither the project nor the group; the API wants a
	// signed-in caller.
	f.do(t, f.outsider, "GET", base, nil).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	f.do(t, f.outsider, "POST", bp+"/lists", map[string]any{"label_id": a.ID}).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	f.do(t, f.outsider, "GET", boardsPath("groups", f.group.ID), nil).ExpectError(t, 404, `{"message":"404 Group Not Found"}`)
	f.do(t, nil, "GET", base, nil).ExpectError(t, 401, `{"message":"401 Unauthorized"}`)

	// Without the issues feature there are no boards to read or write
	// (ProjectPolicy's issues_disabled rule).
	if _, _, err := f.oc.Projects.EditProject(f.other.ID, &gitlab.EditProjectOptions{IssuesEnabled: gitlab.Ptr(false)}); err != nil {
		t.Fatal(err)
	}
	obase := boardsPath("projects", f.other.ID)
	f.do(t, f.reporter, "GET", obase, nil).ExpectError(t, 403, forbidden)
	f.do(t, f.reporter, "POST", obase, map[string]any{"name": "x"}).ExpectError(t, 403, forbidden)
}
