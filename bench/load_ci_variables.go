package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
)

// ciVariableEndpoints are the rows of CI/CD variables: a project's list of
// 20 variables, which its maintainer (the bench user) reads.
func (l *loader) ciVariableEndpoints() []*endpoint {
	return []*endpoint{l.madeListEndpoint("GET /projects/:id/variables (20)", "variables", 20,
		func(w *worker, i int) map[string]any {
			return map[string]any{"key": fmt.Sprintf("BENCH_%s_%d", w.phase, i),
				"value": fmt.Sprintf("bench-value-%d", i), "masked": i%2 == 0, "protected": i%3 == 0}
		})}
}

// madeListEndpoint is a row reading the list …/<resource> of the first
// repository project, after n items made through the API (each with
// body(w, i)) once, outside the measured time.
func (l *loader) madeListEndpoint(name, resource string, n int, body func(w *worker, i int) map[string]any) *endpoint {
	return l.madeListEndpointAt(name, func() string {
		return fmt.Sprintf("/projects/%d/%s", l.sd.RepoProjects[0].ID, resource)
	}, "", n, body)
}

// madeListEndpointAt is a row reading the list at path() as token's
// owner (default the bench user), after n items made there with POST
// once, outside the measured time.
func (l *loader) madeListEndpointAt(name string, path func() string, token string, n int,
	body func(w *worker, i int) map[string]any) *endpoint {
	var made struct {
		sync.Mutex
		path string
	}
	list := func(ctx context.Context, w *worker) (reqSpec, error) {
		made.Lock()
		defer made.Unlock()
		if made.path == "" {
			p := path()
			for i := range n {
				spec := reqSpec{method: http.MethodPost, path: p, body: mustJSON(body(w, i)), ctype: "application/json", token: token}
				status, b, err := l.do(ctx, spec)
				if err != nil {
					return reqSpec{}, err
				}
				if status != http.StatusCreated {
					return reqSpec{}, fmt.Errorf("create in %s: %d %s", p, status, b)
				}
			}
			made.path = p
		}
		return reqSpec{method: http.MethodGet, path: made.path, token: token}, nil
	}
	return &endpoint{name: name, setup: list}
}
