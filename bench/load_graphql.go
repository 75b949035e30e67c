package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
)

// graphqlEndpoints are GraphQL's rows: the smallest query, one project
// by path, a 20-project membership page with each repository's root ref
// (against "GET /projects?membership": no N+1), and a project's 20 newest
// issues and merge requests with their authors (against their REST rows),
// a project's 20 newest issues with their labels and first notes (one
// load per page, not per issue), a project's 20 newest pipelines with
// their users, and its 20 newest releases (load_graphql_content.go).
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
		// Nested connections as GitLab's complexity limit lets a user ask
		// for them (this one scores 180 of 250).
		{name: "GraphQL project issues(first: 10) { labels notes }", run: func(ctx context.Context, w *worker) error {
			return l.graphqlAnswer(ctx, query(fmt.Sprintf(`query { project(fullPath: %q) { issues(first: 10) { nodes { iid
				labels(first: 2) { nodes { title color } } notes(first: 2) { count nodes { body author { username } } } } } } }`,
				pick(w, sd.IssueProjects).FullPath)))
		}},
		{name: "GraphQL currentUser { todos(first: 20) }", req: func(w *worker) reqSpec {
			return query("query { currentUser { todos(first: 20) { count nodes { id action body targetUrl author { username } } } } }")
		}},
		{name: "GraphQL project { jobs(first: 20) }", req: func(w *worker) reqSpec {
			return query(fmt.Sprintf(`query { project(fullPath: %q) { jobs(first: 20) { count nodes { id name status stage } } } }`,
				pick(w, sd.IssueProjects).FullPath))
		}},
		l.graphqlPipelines(query),
		l.graphqlReleases(query),
	}
}

// graphqlAnswer runs the row's request and counts an answer with errors
// or without data as failed: GraphQL answers 200 when a field fails.
func (l *loader) graphqlAnswer(ctx context.Context, spec reqSpec) error {
	_, b, err := l.do(ctx, spec)
	if err != nil {
		return err
	}
	var ans struct {
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
		Data map[string]json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(b, &ans); err != nil {
		return fmt.Errorf("GraphQL: %w", err)
	}
	if len(ans.Errors) > 0 {
		return fmt.Errorf("GraphQL: %s", ans.Errors[0].Message)
	}
	if string(ans.Data["project"]) == "null" || len(ans.Data) == 0 {
		return errors.New("GraphQL: no project")
	}
	return nil
}

// graphqlPipelinesMade is how many pipelines the pipelines row's project
// gets: a full page of 20 and more to skip.
const graphqlPipelinesMade = 25

// graphqlPipelines is a project's 20 newest pipelines with their users.
// The seeded projects have no pipelines, so the row makes a project of its
// own (as the CI rows do) with graphqlPipelinesMade one-job pipelines. GraphQL
// answers 200 with "errors" when a field fails, so the row reads each answer
// and counts one with errors or without pipelines as failed.
func (l *loader) graphqlPipelines(query func(string) reqSpec) *endpoint {
	c := &ciBench{}
	var once sync.Once
	var spec reqSpec
	var setupErr error
	setup := func(ctx context.Context) error {
		once.Do(func() {
			if setupErr = l.ciSetupNamed(ctx, c, "bench-graphql-ci", "one:\n  script: echo one\n"); setupErr != nil {
				return
			}
			var b []byte
			if _, b, setupErr = l.do(ctx, reqSpec{method: http.MethodGet, path: fmt.Sprintf("/projects/%d", c.project)}); setupErr != nil {
				return
			}
			var p struct {
				FullPath string `json:"path_with_namespace"`
			}
			if setupErr = json.Unmarshal(b, &p); setupErr != nil {
				return
			}
			// The setup's commit ran the first one.
			for range graphqlPipelinesMade - 1 {
				if _, _, setupErr = l.do(ctx, reqSpec{method: http.MethodPost, ctype: "application/json",
					path: fmt.Sprintf("/projects/%d/pipeline", c.project), body: mustJSON(map[string]any{"ref": "main"})}); setupErr != nil {
					return
				}
			}
			spec = query(fmt.Sprintf(`query { project(fullPath: %q) { pipelines(first: 20) { count nodes { id iid status ref sha user { username } } } } }`,
				p.FullPath))
		})
		return setupErr
	}
	return &endpoint{name: "GraphQL project { pipelines(first: 20) { user } }",
		setup: func(ctx context.Context, w *worker) (reqSpec, error) { return spec, setup(ctx) },
		run: func(ctx context.Context, w *worker) error {
			_, b, err := l.do(ctx, spec)
			if err != nil {
				return err
			}
			var ans struct {
				Errors []struct {
					Message string `json:"message"`
				} `json:"errors"`
				Data struct {
					Project *struct {
						Pipelines struct {
							Nodes []json.RawMessage `json:"nodes"`
						} `json:"pipelines"`
					} `json:"project"`
				} `json:"data"`
			}
			if err := json.Unmarshal(b, &ans); err != nil {
				return fmt.Errorf("GraphQL pipelines: %w", err)
			}
			switch {
			case len(ans.Errors) > 0:
				return fmt.Errorf("GraphQL pipelines: %s", ans.Errors[0].Message)
			case ans.Data.Project == nil || len(ans.Data.Project.Pipelines.Nodes) == 0:
				return errors.New("GraphQL pipelines: no pipelines")
			}
			return nil
		}}
}
