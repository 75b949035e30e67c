package main

import (
	"encoding/json"
	"fmt"
)

// graphqlEndpoints are GraphQL's rows: the smallest query, one project
// by path, a 20-project membership page with each repository's root ref
// (against "GET /projects?membership": no N+1), and a project's 20 newest
// issues and merge requests with their authors (against their REST rows).
func (l *loader) graphqlEndpoints() []*endpoint {
	query := func(q string) reqSpec {
		b, err := json.Marshal(map[string]string{"query": q})
		if err != nil {
			panic(err)
		}
		return reqSpec{method: "POST", path: "/api/graphql", root: true, body: b, ctype: "application/json"}
	}
	sd := l.sd
	pick := func(w *worker, list []projectRef) projectRef { return list[w.rng.IntN(len(list))] }
	return []*endpoint{
		{name: "GraphQL currentUser { username }", req: func(w *worker) reqSpec {
			return query("query { currentUser { username } }")
		}},
		{name: "GraphQL project(fullPath:) { name }", req: func(w *worker) reqSpec {
			return query(fmt.Sprintf(`query { project(fullPath: %q) { name } }`, pick(w, sd.VisibleProjects).FullPath))
		}},
		{name: "GraphQL projects(membership, 20) { repository { rootRef } }", req: func(w *worker) reqSpec {
			return query("query { projects(membership: true, first: 20) { nodes { name repository { rootRef } } } }")
		}},
		{name: "GraphQL project { issues(first: 20) { author } }", req: func(w *worker) reqSpec {
			return query(fmt.Sprintf(`query { project(fullPath: %q) { issues(first: 20) { count nodes { iid title author { username } } } } }`,
				pick(w, sd.IssueProjects).FullPath))
		}},
		{name: "GraphQL project { mergeRequests(first: 20) { author } }", req: func(w *worker) reqSpec {
			return query(fmt.Sprintf(`query { project(fullPath: %q) { mergeRequests(state: opened, first: 20) { count nodes { iid title author { username } } } } }`,
				pick(w, sd.IssueProjects).FullPath))
		}},
	}
}
