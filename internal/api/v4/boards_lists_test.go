package v4_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// Deleting a label deletes its lists and closes the gaps; promoting one
// keeps its lists on the new group label; deleting a project or group
// deletes its boards.
func TestBoardListsFollowLabels(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	c := f.s.Client(t, f.owner.Token)
	ctx := context.Background()
	b, _, err := c.Boards.CreateIssueBoard(f.app.ID, &gitlab.CreateIssueBoardOptions{Name: gitlab.Ptr("B")})
	if err != nil {
		t.Fatal(err)
	}
	one, two := f.projectLabel(t, f.app.ID, "one"), f.groupLabel(t, f.group.ID, "two")
	three, four := f.projectLabel(t, f.app.ID, "three"), f.projectLabel(t, f.app.ID, "four")
	for _, id := range []int64{one.ID, two.ID, three.ID, four.ID} {
		if _, _, err := c.Boards.CreateIssueBoardList(f.app.ID, b.ID, &gitlab.CreateIssueBoardListOptions{LabelID: gitlab.Ptr(id)}); err != nil {
			t.Fatal(err)
		}
	}
	gb, _, err := c.GroupIssueBoards.CreateGroupIssueBoard(f.group.ID, &gitlab.CreateGroupIssueBoardOptions{Name: gitlab.Ptr("G")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.GroupIssueBoards.CreateGroupIssueBoardList(f.group.ID, gb.ID, &gitlab.CreateGroupIssueBoardListOptions{LabelID: gitlab.Ptr(two.ID)}); err != nil {
		t.Fatal(err)
	}
	before, _, _ := c.Boards.GetIssueBoardLists(f.app.ID, b.ID, nil)

	if _, err := c.Labels.DeleteLabel(f.app.ID, one.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GroupLabels.DeleteGroupLabel(f.group.ID, two.ID, nil); err != nil {
		t.Fatal(err)
	}
	lists, _, _ := c.Boards.GetIssueBoardLists(f.app.ID, b.ID, nil)
	if p := listPositions(lists); len(p) != 2 || p["three"] != 0 || p["four"] != 1 {
		t.Fatalf("after deleting labels = %v", p)
	}
	if gl, _, _ := c.GroupIssueBoards.ListGroupIssueBoardLists(f.group.ID, gb.ID, nil); len(gl) != 0 {
		t.Fatalf("group board lists after deleting its label = %v", gl)
	}

	// Promoting a project label to the group keeps its list, now on the
	// group label.
	pr := f.do(t, f.owner, "PUT", "/projects/"+itoa(f.app.ID)+"/labels/"+itoa(three.ID)+"/promote", nil)
	if pr.Status != 200 {
		t.Fatalf("promote = %d %s", pr.Status, pr.Body)
	}
	var promoted gitlab.GroupLabel
	pr.JSON(t, &promoted)
	lists, _, _ = c.Boards.GetIssueBoardLists(f.app.ID, b.ID, nil)
	if len(lists) != 2 || lists[0].ID != before[2].ID || lists[0].Label.ID != promoted.ID || lists[0].Position != 0 {
		t.Fatalf("after promoting = %+v (promoted %d)", lists, promoted.ID)
	}

	// Deleting the project (once purged) deletes its boards; deleting a
	// group its own and its projects'.
	deepBoard, _, err := c.Boards.CreateIssueBoard(f.deep.ID, &gitlab.CreateIssueBoardOptions{Name: gitlab.Ptr("Deep")})
	if err != nil {
		t.Fatal(err)
	}
	subBoard, _, err := c.GroupIssueBoards.CreateGroupIssueBoard(f.sub.ID, &gitlab.CreateGroupIssueBoardOptions{Name: gitlab.Ptr("Sub")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Projects.DeleteProject(f.app.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Groups.DeleteGroup(f.sub.ID, nil); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Srv.Service.PurgeDeletedProjects(ctx); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Srv.Service.PurgeDeletedGroups(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{b.ID, deepBoard.ID, subBoard.ID} {
		var n int
		if err := f.s.Srv.DB.SQL().QueryRow(fmt.Sprintf("SELECT (SELECT COUNT(*) FROM boards WHERE id = %d) + "+
			"(SELECT COUNT(*) FROM board_lists WHERE board_id = %d)", id, id)).Scan(&n); err != nil || n != 0 {
			t.Fatalf("board %d left %d rows (%v)", id, n, err)
		}
	}
	if all, _, err := c.GroupIssueBoards.ListGroupIssueBoards(f.group.ID, nil); err != nil || len(all) != 1 {
		t.Fatalf("the parent group's board = %v %v", all, err)
	}
}

// Concurrent writers of one board's lists never share a position or a
// label: the board lock orders them, the unique indexes hold regardless.
func TestBoardListsConcurrent(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	c := f.s.Client(t, f.reporter.Token)
	b, _, err := c.Boards.CreateIssueBoard(f.app.ID, &gitlab.CreateIssueBoardOptions{Name: gitlab.Ptr("Busy")})
	if err != nil {
		t.Fatal(err)
	}
	const n = 12
	labels := make([]int64, n)
	for i := range labels {
		labels[i] = f.projectLabel(t, f.app.ID, fmt.Sprintf("l%02d", i)).ID
	}
	bp := boardsPath("projects", f.app.ID) + "/" + itoa(b.ID) + "/lists"
	statuses := func(bodies []map[string]any) []int {
		out := make([]int, len(bodies))
		var wg sync.WaitGroup
		for i, body := range bodies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out[i] = f.s.Do(t, labtest.Request{Method: "POST", Path: bp, Token: f.reporter.Token, JSON: body}).Status
			}()
		}
		wg.Wait()
		return out
	}
	var distinct []map[string]any
	for _, id := range labels {
		distinct = append(distinct, map[string]any{"label_id": id})
	}
	for i, s := range statuses(distinct) {
		if s != 201 {
			t.Fatalf("list %d = %d", i, s)
		}
	}
	checkPositions := func(want int) []*gitlab.BoardList {
		t.Helper()
		lists, _, err := c.Boards.GetIssueBoardLists(f.app.ID, b.ID, &gitlab.GetIssueBoardListsOptions{ListOptions: gitlab.ListOptions{PerPage: 100}})
		if err != nil || len(lists) != want {
			t.Fatalf("lists = %d, want %d (%v)", len(lists), want, err)
		}
		for i, l := range lists {
			if l.Position != int64(i) {
				t.Fatalf("positions = %v", listPositions(lists))
			}
		}
		return lists
	}
	lists := checkPositions(n)

	// The same label from every writer: one list, the rest refused.
	extra := f.projectLabel(t, f.app.ID, "extra").ID
	same := make([]map[string]any, n)
	for i := range same {
		same[i] = map[string]any{"label_id": extra}
	}
	created := 0
	for _, s := range statuses(same) {
		switch s {
		case 201:
			created++
		case 400:
		default:
			t.Fatalf("same label status %d", s)
		}
	}
	if created != 1 {
		t.Fatalf("%d lists of one label", created)
	}
	lists = checkPositions(n + 1)

	// Moves, deletions, a creation and a label's deletion racing each
	// other keep the positions whole.
	late := f.projectLabel(t, f.app.ID, "late").ID
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if _, err := f.oc.Labels.DeleteLabel(f.app.ID, lists[6].Label.ID, nil); err != nil {
			t.Error(err)
		}
	}()
	go func() {
		defer wg.Done()
		if r := f.s.Do(t, labtest.Request{Method: "POST", Path: bp, Token: f.reporter.Token, JSON: map[string]any{"label_id": late}}); r.Status != 201 {
			t.Errorf("late list = %d %s", r.Status, r.Body)
		}
	}()
	for i, l := range lists[:6] {
		wg.Add(2)
		go func() {
			defer wg.Done()
			// Moved, or refused once the board has shrunk below n-i.
			r := f.s.Do(t, labtest.Request{Method: "PUT", Path: bp + "/" + itoa(l.ID), Token: f.reporter.Token,
				JSON: map[string]any{"position": n - i}})
			if r.Status != 200 && r.Status != 400 {
				t.Errorf("move = %d %s", r.Status, r.Body)
			}
		}()
		go func() {
			defer wg.Done()
			if r := f.s.Do(t, labtest.Request{Method: "DELETE", Path: bp + "/" + itoa(lists[n-i].ID), Token: f.reporter.Token}); r.Status != 204 {
				t.Errorf("delete = %d %s", r.Status, r.Body)
			}
		}()
	}
	wg.Wait()
	checkPositions(n + 1 - 7 + 1)
}
