package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
)

// ciStatusEndpoints are the rows of commit statuses: the list of 20
// external statuses of a commit (made once through the API, outside the
// measured time), and setting a status of a new name, as a CI system
// reporting on a commit does (one client, so names never collide).
func (l *loader) ciStatusEndpoints() []*endpoint {
	var made struct {
		sync.Mutex
		path string
	}
	list := func(ctx context.Context, w *worker) (reqSpec, error) {
		made.Lock()
		defer made.Unlock()
		if made.path == "" {
			id := l.sd.RepoProjects[0].ID
			for i := range 20 {
				body := mustJSON(map[string]any{"state": "success", "name": fmt.Sprintf("bench-%s-%d", w.phase, i),
					"target_url": "https://ci.example.com/builds/1", "description": "bench"})
				status, b, err := l.do(ctx, reqSpec{method: http.MethodPost, path: fmt.Sprintf("/projects/%d/statuses/main", id),
					body: body, ctype: "application/json"})
				if err != nil {
					return reqSpec{}, err
				}
				if status != http.StatusCreated {
					return reqSpec{}, fmt.Errorf("set status: %d %s", status, b)
				}
			}
			made.path = fmt.Sprintf("/projects/%d/repository/commits/main/statuses", id)
		}
		return reqSpec{method: http.MethodGet, path: made.path}, nil
	}
	return []*endpoint{
		{name: "GET …/commits/:sha/statuses (20)", setup: list},
		{name: "POST /projects/:id/statuses/:sha (1 client)", conc: 1, req: func(w *worker) reqSpec {
			return reqSpec{method: http.MethodPost, ctype: "application/json",
				path: fmt.Sprintf("/projects/%d/statuses/main", l.sd.RepoProjects[len(l.sd.RepoProjects)-1].ID),
				body: mustJSON(map[string]any{"state": "running", "name": fmt.Sprintf("bench-%s-%d-%d", w.phase, w.id, w.n)})}
		}},
	}
}
