package graphql_test

import (
	"net/url"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLIntVariables: Int variables sent as JSON numbers work in a
// POST body, a multiplexed body and a GET's variables parameter; a number
// that is no integer is refused.
func TestGraphQLIntVariables(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	owner := s.Client(t, tm.Owner.Token)
	for _, path := range []string{"second", "third"} {
		if _, _, err := owner.Projects.CreateProject(&gitlab.CreateProjectOptions{Path: gitlab.Ptr(path)}); err != nil {
			t.Fatal(err)
		}
	}
	const q = `query($n: Int) { projects(membership: true, first: $n) { nodes { id } } }`
	_, r := post(t, s, tm.Owner.Token, q, map[string]any{"n": 2})
	if len(r.Errors) != 0 {
		t.Fatalf("POST with an Int variable: %v", r.Errors)
	}
	if nodes, _ := dig(r.Data, "projects", "nodes").([]any); len(nodes) != 2 {
		t.Errorf("first: $n = 2 gave %d projects, want 2", len(nodes))
	}

	resp := s.Do(t, labtest.Request{Method: "POST", Path: s.URL + "/api/graphql", Token: tm.Owner.Token,
		JSON: []map[string]any{{"query": q, "variables": map[string]any{"n": 1}}}})
	var multi []gqlResult
	resp.JSON(t, &multi)
	if len(multi) != 1 || len(multi[0].Errors) != 0 {
		t.Fatalf("multiplexed query with an Int variable: %+v", multi)
	}
	if nodes, _ := dig(multi[0].Data, "projects", "nodes").([]any); len(nodes) != 1 {
		t.Errorf("multiplexed first: $n = 1 gave %d projects, want 1", len(nodes))
	}

	get := s.Do(t, labtest.Request{Method: "GET", Token: tm.Owner.Token,
		Path: s.URL + "/api/graphql?query=" + url.QueryEscape(q) + "&variables=" + url.QueryEscape(`{"n": 1}`)})
	var g gqlResult
	get.JSON(t, &g)
	if len(g.Errors) != 0 {
		t.Fatalf("GET with an Int variable: %v", g.Errors)
	}

	// A number that is no integer is refused for an Int.
	_, r = post(t, s, tm.Owner.Token, `query($n: Int) { projects(first: $n) { nodes { id } } }`, map[string]any{"n": 1.5})
	if len(r.Errors) == 0 {
		t.Errorf("a non-integer Int variable was accepted: %v", r.Data)
	}
}
