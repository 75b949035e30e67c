package graphql_test

import (
	"fmt"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLPipelineTriggers lists a project's trigger tokens as REST's
// GET /projects/:id/triggers does (short tokens, owners); a developer,
// who may not manage them, gets null, and a bad window is an error.
func TestGraphQLPipelineTriggers(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	mc := s.Client(t, tm.Maintainer.Token)
	for _, d := range []string{"deploy", "nightly"} {
		if _, _, err := mc.PipelineTriggers.AddPipelineTrigger(tm.Project.ID,
			&gitlab.AddPipelineTriggerOptions{Description: gitlab.Ptr(d)}); err != nil {
			t.Fatal(err)
		}
	}
	rest, _, err := mc.PipelineTriggers.ListPipelineTriggers(tm.Project.ID, nil)
	if err != nil || len(rest) != 2 {
		t.Fatalf("REST triggers = %v %v", rest, err)
	}
	want := map[string]string{}
	for _, tr := range rest {
		want[fmt.Sprintf("gid://gitlab/Ci::Trigger/%d", tr.ID)] = fmt.Sprintf("%s %s %s", tr.Description, tr.Token, tr.Owner.Username)
	}

	const q = `query($p: ID!) { project(fullPath: $p) { pipelineTriggers(first: 5) { count
		nodes { id description token hasTokenExposed owner { username } lastUsed } } } }`
	_, r := post(t, s, tm.Maintainer.Token, q, map[string]any{"p": tm.Project.PathWithNamespace})
	c := dig(mustData(t, r), "project", "pipelineTriggers")
	nodes, _ := dig(c, "nodes").([]any)
	if dig(c, "count") != float64(2) || len(nodes) != 2 {
		t.Fatalf("triggers = %v", c)
	}
	for _, n := range nodes {
		got := fmt.Sprintf("%v %v %v", dig(n, "description"), dig(n, "token"), dig(n, "owner", "username"))
		if got != want[fmt.Sprint(dig(n, "id"))] || dig(n, "hasTokenExposed") != false || dig(n, "lastUsed") != nil {
			t.Errorf("trigger %v = %s, REST's %v", n, got, want)
		}
	}

	_, r = post(t, s, tm.Developer.Token, q, map[string]any{"p": tm.Project.PathWithNamespace})
	if p := dig(mustData(t, r), "project"); p == nil || dig(p, "pipelineTriggers") != nil {
		t.Errorf("developer = %v", r.Data)
	}
	_, r = post(t, s, tm.Maintainer.Token, `query($p: ID!) { project(fullPath: $p) { pipelineTriggers(last: -2) { count } } }`,
		map[string]any{"p": tm.Project.PathWithNamespace})
	if len(r.Errors) == 0 {
		t.Errorf("last: -2 = %v", r)
	}
}
