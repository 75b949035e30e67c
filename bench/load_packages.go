package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
)

// packageEndpoints are the rows of the package registry: the download of
// a small generic package file (the target: 1,000 a second), and
// a project's list of 20 packages, which the bench user published once,
// outside the measured time.
func (l *loader) packageEndpoints() []*endpoint {
	var made struct {
		sync.Mutex
		done bool
	}
	project := func() int64 { return l.sd.RepoProjects[0].ID }
	publish := func(ctx context.Context) error {
		made.Lock()
		defer made.Unlock()
		if made.done {
			return nil
		}
		for i := range 20 {
			spec := reqSpec{method: http.MethodPut, ctype: "application/octet-stream",
				body: []byte(fmt.Sprintf("lablet bench package %d\n", i)),
				path: fmt.Sprintf("/projects/%d/packages/generic/bench-%d/1.0.%d/file.txt", project(), i, i)}
			status, b, err := l.do(ctx, spec)
			if err != nil {
				return err
			}
			if status != http.StatusCreated {
				return fmt.Errorf("publish package: %d %s", status, b)
			}
		}
		made.done = true
		return nil
	}
	return []*endpoint{
		{name: "GET …/packages/generic/… (small file)", setup: func(ctx context.Context, w *worker) (reqSpec, error) {
			if err := publish(ctx); err != nil {
				return reqSpec{}, err
			}
			return reqSpec{method: http.MethodGet,
				path: fmt.Sprintf("/projects/%d/packages/generic/bench-0/1.0.0/file.txt", project())}, nil
		}},
		{name: "GET /projects/:id/packages (20)", setup: func(ctx context.Context, w *worker) (reqSpec, error) {
			if err := publish(ctx); err != nil {
				return reqSpec{}, err
			}
			return reqSpec{method: http.MethodGet, path: fmt.Sprintf("/projects/%d/packages?per_page=20", project())}, nil
		}},
	}
}
