package graphql_test

import (
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLComplexity scores queries as GitLab does; each expected score
// is worked out by hand from GitLab's rules (see complexity.go).
func TestGraphQLComplexity(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	if _, _, err := s.Client(t, tm.Owner.Token).Issues.CreateIssue(tm.Project.ID,
		&gitlab.CreateIssueOptions{Title: gitlab.Ptr("one")}); err != nil {
		t.Fatal(err)
	}
	path := tm.Project.PathWithNamespace
	score := func(t *testing.T, token, query string) (int, int, []map[string]any) {
		t.Helper()
		_, r := post(t, s, token, query, nil)
		if len(r.Errors) > 0 {
			return 0, 0, r.Errors
		}
		sc, _ := dig(r.Data, "queryComplexity", "score").(float64)
		lim, _ := dig(r.Data, "queryComplexity", "limit").(float64)
		return int(sc), int(lim), nil
	}
	cases := []struct {
		name, query string
		want        int
	}{
		// queryComplexity 1 + score 1 + limit 1.
		{"plain", `{ queryComplexity { score limit } }`, 3},
		// queryComplexity{score limit} 3; project (resolver: selections + 1)
		// = name 1 + issues + 1. issues(first: 10) is a connection with a
		// resolver: its selections count 1 + nodes (1 + iid + title = 3) +
		// pageInfo (1 + hasNextPage = 2) = 6, its metadata count 1 + nodes 1
		// + pageInfo 2 = 4, so items cost 2: 10×2 + 4 = 24; the resolver
		// adds 1 and 1 for its default sort: 26; 1% an item of 10: 28.6,
		// truncated 28. project = 1 + 28 + 1 = 30; total 33.
		{"connection", `{ queryComplexity { score limit } project(fullPath: "` + path + `") { name
			issues(first: 10) { count nodes { iid title } pageInfo { hasNextPage } } } }`, 33},
		// Issue.labels has no resolver in GitLab: 1 + 100×title(1) + nodes 1
		// = 102; issue(iid) a resolver: 102 + 1; project 104; + 3.
		{"no resolver", `{ queryComplexity { score limit } project(fullPath: "` + path + `") {
			issue(iid: "1") { labels { nodes { title } } } } }`, 107},
		// iids: no per-item growth. nodes 1 + iid = 2, items 1, page 100:
		// 100 + 1 + 2 = 103; project 104; + 3.
		{"iids", `{ queryComplexity { score limit } project(fullPath: "` + path + `") {
			issues(iids: ["1"]) { nodes { iid } } } }`, 107},
		// search adds 5: items 1, page 5: 5 + 1 = 6, + 1 + 1 sort + 5 = 13,
		// ×1.05 = 13.65 → 13; project 14; + 3.
		{"search", `{ queryComplexity { score limit } project(fullPath: "` + path + `") {
			issues(first: 5, search: "one") { nodes { iid } } } }`, 17},
		// Fragments merge with fields of the same name: nodes{iid title}
		// once, as in the connection case (first: 10 → 10×2 + 1 + 2 = 23,
		// ×1.1 = 25.3 → 25; project 26; + 3).
		{"fragments", `query { queryComplexity { score limit } project(fullPath: "` + path + `") {
			issues(first: 10) { nodes { iid ...f } nodes { title } } } }
			fragment f on Issue { title }`, 29},
		// The bench's nested row: labels(first: 2) 2×2 + 1 + 1 = 6;
		// notes(first: 2) 2×3 + 2 + 1 = 9 (×1.02 → 9); an issue 1 + 6 + 9
		// = 16; issues(first: 10) 160 + 1 + 2 = 163, ×1.1 → 179; project
		// 180; + 3.
		{"nested", `{ queryComplexity { score limit } project(fullPath: "` + path + `") { issues(first: 10) { nodes { iid
			labels(first: 2) { nodes { title color } } notes(first: 2) { count nodes { body author { username } } } } } } }`, 183},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, limit, errs := score(t, tm.Owner.Token, c.query)
			if errs != nil || got != c.want || limit != 250 {
				t.Errorf("score %d limit %d (%v), want %d of 250", got, limit, errs, c.want)
			}
		})
	}

	t.Run("limits", func(t *testing.T) {
		// Ten fields on 22 issues: items 10, 22×10 + 1 = 221, + 2 = 223,
		// ×1.22 = 272.06 → 272; project 273: over a user's 250, within an
		// administrator's 300.
		q := `{ project(fullPath: "` + path + `") { issues(first: 22) { nodes {
			id iid title description state confidential createdAt updatedAt webUrl webPath } } } }`
		_, r := post(t, s, tm.Owner.Token, q, nil)
		if len(r.Errors) != 1 || r.Errors[0]["message"] != "Query has complexity of 273, which exceeds max complexity of 250" {
			t.Errorf("user: %v", r.Errors)
		}
		_, r = post(t, s, "", q, nil)
		if len(r.Errors) != 1 || r.Errors[0]["message"] != "Query has complexity of 273, which exceeds max complexity of 200" {
			t.Errorf("anonymous: %v", r.Errors)
		}
		got, limit, errs := score(t, s.RootToken, strings.Replace(q, "{ project", "{ queryComplexity { score limit } project", 1))
		if errs != nil || got != 276 || limit != 300 {
			t.Errorf("admin: %d of %d %v", got, limit, errs)
		}
		// Without first: the page is 100 and every item doubles the cost:
		// (100×3 + 1 + 2)×2 = 606; project 607.
		_, r = post(t, s, s.RootToken, `{ project(fullPath: "`+path+`") { issues { nodes { iid title description } } } }`, nil)
		if len(r.Errors) != 1 || r.Errors[0]["message"] != "Query has complexity of 607, which exceeds max complexity of 300" {
			t.Errorf("default page: %v", r.Errors)
		}
		_, limit, _ = score(t, "", `{ queryComplexity { limit } }`)
		if limit != 200 {
			t.Errorf("anonymous limit %d", limit)
		}
	})

	t.Run("depth", func(t *testing.T) {
		// 16 deep: over the anonymous 15, within the signed-in 20.
		deep := `query { project(fullPath: "` + path + `") { group { ` + strings.Repeat("parent { ", 13) + "id" +
			strings.Repeat(" }", 13) + " } } }"
		_, r := post(t, s, "", deep, nil)
		if len(r.Errors) != 1 || r.Errors[0]["message"] != "Query has depth of 16, which exceeds max depth of 15" {
			t.Errorf("anonymous: %v", r.Errors)
		}
		_, r = post(t, s, tm.Owner.Token, deep, nil)
		if len(r.Errors) != 0 {
			t.Errorf("signed in: %v", r.Errors)
		}
		deeper := `query { project(fullPath: "` + path + `") { group { ` + strings.Repeat("parent { ", 18) + "id" +
			strings.Repeat(" }", 18) + " } } }"
		_, r = post(t, s, tm.Owner.Token, deeper, nil)
		if len(r.Errors) != 1 || r.Errors[0]["message"] != "Query has depth of 21, which exceeds max depth of 20" {
			t.Errorf("signed in, 21: %v", r.Errors)
		}
	})

	t.Run("size", func(t *testing.T) {
		big := "{ metadata { version } }" + strings.Repeat(" ", 10_000)
		for _, body := range []any{map[string]any{"query": big},
			[]map[string]any{{"query": big[:6000]}, {"query": big[:6000]}}} {
			resp := s.Do(t, labtest.Request{Method: "POST", Path: s.URL + "/api/graphql", Token: tm.Owner.Token, JSON: body})
			var r gqlResult
			resp.JSON(t, &r)
			if resp.Status != 422 || len(r.Errors) != 1 || r.Errors[0]["message"] != "Query too large" {
				t.Errorf("%T: %d %v", body, resp.Status, r.Errors)
			}
		}
		if _, r := post(t, s, tm.Owner.Token, big[:10_000], nil); len(r.Errors) != 0 {
			t.Errorf("10,000 characters: %v", r.Errors)
		}
	})
}
