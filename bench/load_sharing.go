package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
)

// sharingEndpoints are the rows of sharing: the users with access to a
// project of the bench's (its group's members and its own), its groups,
// and a group's shared projects.
func (l *loader) sharingEndpoints() []*endpoint {
	id := l.sd.RepoProjects[0].ID
	return []*endpoint{
		{name: "GET /projects/:id/users", req: func(w *worker) reqSpec {
			return reqSpec{method: http.MethodGet, path: fmt.Sprintf("/projects/%d/users", id)}
		}},
		{name: "GET /projects/:id/groups", req: func(w *worker) reqSpec {
			return reqSpec{method: http.MethodGet, path: fmt.Sprintf("/projects/%d/groups?with_shared=true", id)}
		}},
		l.sharedProjectsEndpoint(),
	}
}

// sharedProjectsEndpoint lists the 20 projects shared with a public group
// (made and shared by the administrator on first use, once per phase).
func (l *loader) sharedProjectsEndpoint() *endpoint {
	var made struct {
		sync.Mutex
		group int64
		phase string
	}
	root := func(ctx context.Context, method, path string, body map[string]any, ok ...int) ([]byte, error) {
		status, b, err := l.do(ctx, reqSpec{method: method, path: path, token: l.sd.RootToken, body: mustJSON(body),
			ctype: "application/json"})
		if err != nil {
			return nil, err
		}
		for _, s := range ok {
			if status == s {
				return b, nil
			}
		}
		return nil, fmt.Errorf("%s %s: %d %s", method, path, status, b)
	}
	list := func(ctx context.Context, w *worker) (reqSpec, error) {
		made.Lock()
		defer made.Unlock()
		if made.phase != w.phase {
			name := "bench-shared-" + w.phase
			b, err := root(ctx, http.MethodPost, "/groups", map[string]any{"name": name, "path": name, "visibility": "public"},
				http.StatusCreated)
			if err != nil {
				return reqSpec{}, err
			}
			var g struct {
				ID int64 `json:"id"`
			}
			if err := json.Unmarshal(b, &g); err != nil {
				return reqSpec{}, err
			}
			for _, p := range l.sd.VisibleProjects[:min(20, len(l.sd.VisibleProjects))] {
				if _, err := root(ctx, http.MethodPost, fmt.Sprintf("/projects/%d/share", p.ID),
					map[string]any{"group_id": g.ID, "group_access": 30}, http.StatusCreated, http.StatusConflict); err != nil {
					return reqSpec{}, err
				}
			}
			made.group, made.phase = g.ID, w.phase
		}
		return reqSpec{method: http.MethodGet, path: fmt.Sprintf("/groups/%d/projects/shared?per_page=20", made.group)}, nil
	}
	return &endpoint{name: "GET /groups/:id/projects/shared (20)", setup: list}
}
