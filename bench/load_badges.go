package main

import "fmt"

// badgeEndpoints are the rows of badges and topics: a project's list of
// 20 badges with placeholders to render, which its maintainer (the bench
// user) reads, and the instance's topics.
func (l *loader) badgeEndpoints() []*endpoint {
	return []*endpoint{l.madeListEndpoint("GET /projects/:id/badges (20)", "badges", 20,
		func(w *worker, i int) map[string]any {
			return map[string]any{"name": fmt.Sprintf("bench %s %d", w.phase, i),
				"link_url":  "https://ci.example/%{project_path}/-/pipelines?ref=%{default_branch}",
				"image_url": "https://ci.example/%{project_path}/badges/%{default_branch}/pipeline.svg"}
		})}
}
