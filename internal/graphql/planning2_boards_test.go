package graphql_test

import (
	"fmt"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLBoards reads project and group boards with their lists as
// REST shows them, with REST's permission answers.
func TestGraphQLBoards(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	outsider := s.NewUser(t, "outsider")
	mc, owner := s.Client(t, tm.Maintainer.Token), s.Client(t, tm.Owner.Token)
	board, _, err := mc.Boards.CreateIssueBoard(tm.Project.ID, &gitlab.CreateIssueBoardOptions{Name: gitlab.Ptr("dev")})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"todo", "doing"} {
		l, _, err := mc.Labels.CreateLabel(tm.Project.ID, &gitlab.CreateLabelOptions{Name: gitlab.Ptr(name), Color: gitlab.Ptr("#FF0000")})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := mc.Boards.CreateIssueBoardList(tm.Project.ID, board.ID, &gitlab.CreateIssueBoardListOptions{LabelID: gitlab.Ptr(l.ID)}); err != nil {
			t.Fatal(err)
		}
	}
	gb, _, err := owner.GroupIssueBoards.CreateGroupIssueBoard(tm.Group.ID, &gitlab.CreateGroupIssueBoardOptions{Name: gitlab.Ptr("team")})
	if err != nil {
		t.Fatal(err)
	}
	const q = `query($p: ID!, $g: ID!) {
		project(fullPath: $p) { boards(first: 5) { count nodes { id name webPath lists(first: 5) { count nodes { id title listType position label { title } } } } } }
		group(fullPath: $g) { boards(first: 5) { nodes { id name webUrl } } } }`
	_, r := post(t, s, tm.Developer.Token, q, map[string]any{"p": tm.Project.PathWithNamespace, "g": tm.Group.FullPath})
	d := mustData(t, r)
	rest, _, err := s.Client(t, tm.Developer.Token).Boards.ListIssueBoards(tm.Project.ID, &gitlab.ListIssueBoardsOptions{})
	if err != nil || len(rest) != 1 {
		t.Fatalf("REST boards %v %v", rest, err)
	}
	bs, _ := dig(d, "project", "boards", "nodes").([]any)
	if len(bs) != 1 || dig(bs[0], "id") != fmt.Sprintf("gid://gitlab/Board/%d", board.ID) || dig(bs[0], "name") != "dev" ||
		dig(bs[0], "webPath") != fmt.Sprintf("/%s/-/boards/%d", tm.Project.PathWithNamespace, board.ID) {
		t.Errorf("boards = %v", bs)
	}
	lists, _ := dig(bs[0], "lists", "nodes").([]any)
	if len(lists) != len(rest[0].Lists) || len(lists) != 2 {
		t.Fatalf("lists = %v, REST %v", lists, rest[0].Lists)
	}
	for i, l := range lists {
		want := rest[0].Lists[i]
		if dig(l, "id") != fmt.Sprintf("gid://gitlab/List/%d", want.ID) || dig(l, "title") != want.Label.Name ||
			dig(l, "label", "title") != want.Label.Name || dig(l, "position") != float64(want.Position) || dig(l, "listType") != "label" {
			t.Errorf("list %d = %v, REST %+v", i, l, want)
		}
	}
	gbs, _ := dig(d, "group", "boards", "nodes").([]any)
	if len(gbs) != 1 || dig(gbs[0], "id") != fmt.Sprintf("gid://gitlab/Board/%d", gb.ID) ||
		dig(gbs[0], "webUrl") != fmt.Sprintf("%s/groups/%s/-/boards/%d", s.URL, tm.Group.FullPath, gb.ID) {
		t.Errorf("group boards = %v", gbs)
	}
	// One board by id.
	_, r = post(t, s, tm.Developer.Token, `query($p: ID!, $id: ID) { project(fullPath: $p) { boards(id: $id) { count } } }`,
		map[string]any{"p": tm.Project.PathWithNamespace, "id": fmt.Sprintf("gid://gitlab/Board/%d", board.ID+100)})
	if dig(mustData(t, r), "project", "boards", "count") != float64(0) {
		t.Errorf("unknown id = %v", r.Data)
	}
	// An outsider sees neither the private project nor its boards (REST 404).
	_, r = post(t, s, outsider.Token, q, map[string]any{"p": tm.Project.PathWithNamespace, "g": tm.Group.FullPath})
	if d := mustData(t, r); d["project"] != nil || d["group"] != nil {
		t.Errorf("outsider = %v", d)
	}
	if _, resp, err := s.Client(t, outsider.Token).Boards.ListIssueBoards(tm.Project.ID, &gitlab.ListIssueBoardsOptions{}); err == nil || resp.StatusCode != 404 {
		t.Errorf("REST outsider: %v", err)
	}
}
