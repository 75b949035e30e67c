package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
)

// ciVariableEndpoints are the rows of CI/CD variables: a project's list of
// 20 variables, which its maintainer (the bench user) reads. The variables
// are made once through the API, outside the measured time.
func (l *loader) ciVariableEndpoints() []*endpoint {
	var made struct {
		sync.Mutex
		path string
	}
	list := func(ctx context.Context, w *worker) (reqSpec, error) {
		made.Lock()
		defer made.Unlock()
		if made.path == "" {
			path := fmt.Sprintf("/projects/%d/variables", l.sd.RepoProjects[0].ID)
			for i := range 20 {
				body := mustJSON(map[string]any{"key": fmt.Sprintf("BENCH_%s_%d", w.phase, i),
					"value": fmt.Sprintf("bench-value-%d", i), "masked": i%2 == 0, "protected": i%3 == 0})
				status, b, err := l.do(ctx, reqSpec{method: http.MethodPost, path: path, body: body, ctype: "application/json"})
				if err != nil {
					return reqSpec{}, err
				}
				if status != http.StatusCreated {
					return reqSpec{}, fmt.Errorf("create variable: %d %s", status, b)
				}
			}
			made.path = path
		}
		return reqSpec{method: http.MethodGet, path: made.path}, nil
	}
	return []*endpoint{
		{name: "GET /projects/:id/variables (20)", setup: list},
	}
}
