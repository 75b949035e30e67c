package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
)

// graphqlReleases is a project's 10 newest releases (GitLab's complexity
// limit refuses 20 with these fields) with their authors,
// commits, asset links and rendered descriptions (against "GET
// /projects/:id/releases (20)"): the row makes 20 releases in a seeded
// repository project once, outside the measured time.
func (l *loader) graphqlReleases(query func(string) reqSpec) *endpoint {
	var once sync.Once
	var spec reqSpec
	var setupErr error
	setup := func(ctx context.Context, w *worker) error {
		once.Do(func() {
			p := l.sd.RepoProjects[len(l.sd.RepoProjects)-1]
			for i := range 20 {
				tag := fmt.Sprintf("bench-gql-%s-%d", w.phase, i)
				status, b, err := l.do(ctx, reqSpec{method: http.MethodPost, ctype: "application/json",
					path: fmt.Sprintf("/projects/%d/releases", p.ID), body: mustJSON(map[string]any{"tag_name": tag,
						"ref": "HEAD", "description": "Release **" + tag + "**", "assets": map[string]any{"links": []any{
							map[string]any{"name": "bin", "url": "https://example.com/" + tag}}}})})
				if err != nil {
					setupErr = err
					return
				}
				if status != http.StatusCreated {
					setupErr = fmt.Errorf("create release: %d %s", status, b)
					return
				}
			}
			spec = query(fmt.Sprintf(`query { project(fullPath: %q) { releases(first: 10) { count nodes { tagName
				descriptionHtml author { username } commit { sha } assets { count links(first: 2) { nodes { url } } } } } } }`, p.FullPath))
		})
		return setupErr
	}
	return &endpoint{name: "GraphQL project { releases(first: 10) { author commit assets descriptionHtml } }",
		setup: func(ctx context.Context, w *worker) (reqSpec, error) { return spec, setup(ctx, w) },
		run:   func(ctx context.Context, w *worker) error { return l.graphqlAnswer(ctx, spec) }}
}
