package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
)

// badgeEndpoints are the rows of badges and topics: a project's list of
// 20 badges with placeholders to render, which its maintainer (the bench
// user) reads, and the instance's topics.
func (l *loader) badgeEndpoints() []*endpoint {
	return []*endpoint{l.madeListEndpoint("GET /projects/:id/badges (20)", "badges", 20,
		func(w *worker, i int) map[string]any {
			return map[string]any{"name": fmt.Sprintf("bench %s %d", w.phase, i),
				"link_url":  "https://ci.example/%{project_path}/-/pipelines?ref=%{default_branch}",
				"image_url": "https://ci.example/%{project_path}/badges/%{default_branch}/pipeline.svg"}
		}), l.topicsEndpoint()}
}

// topicsEndpoint lists the instance's topics (30, made by the
// administrator on first use), most used first.
func (l *loader) topicsEndpoint() *endpoint {
	var made struct {
		sync.Mutex
		done bool
	}
	list := func(ctx context.Context, w *worker) (reqSpec, error) {
		made.Lock()
		defer made.Unlock()
		if !made.done {
			for i := range 30 {
				name := fmt.Sprintf("bench-%s-%d", w.phase, i)
				spec := reqSpec{method: http.MethodPost, path: "/topics", token: l.sd.RootToken,
					body: mustJSON(map[string]any{"name": name, "title": name}), ctype: "application/json"}
				status, b, err := l.do(ctx, spec)
				if err != nil {
					return reqSpec{}, err
				}
				if status != http.StatusCreated && status != http.StatusBadRequest { // taken by an earlier phase
					return reqSpec{}, fmt.Errorf("create topic: %d %s", status, b)
				}
			}
			made.done = true
		}
		return reqSpec{method: http.MethodGet, path: "/topics"}, nil
	}
	return &endpoint{name: "GET /topics (30)", setup: list}
}
