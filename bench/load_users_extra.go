package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
)

// userExtraEndpoints are the rows of users' extras: the bench user's 20
// secondary addresses (GET /user/emails) and a user's status, a point
// read (GET /users/:id/status), each made once before the first request.
func (l *loader) userExtraEndpoints() []*endpoint {
	var once struct {
		sync.Mutex
		emails, status bool
	}
	prepare := func(ctx context.Context, done *bool, specs func() []reqSpec) error {
		once.Lock()
		defer once.Unlock()
		if *done {
			return nil
		}
		for _, spec := range specs() {
			status, b, err := l.do(ctx, spec)
			if err != nil {
				return err
			}
			if status != http.StatusOK && status != http.StatusCreated {
				return fmt.Errorf("%s %s: %d %s", spec.method, spec.path, status, b)
			}
		}
		*done = true
		return nil
	}
	emails := func(ctx context.Context, w *worker) (reqSpec, error) {
		err := prepare(ctx, &once.emails, func() []reqSpec {
			specs := make([]reqSpec, 20)
			for i := range specs {
				specs[i] = reqSpec{method: http.MethodPost, path: "/user/emails", ctype: "application/json",
					body: mustJSON(map[string]any{"email": fmt.Sprintf("bench-%s-%d@example.com", w.phase, i)})}
			}
			return specs
		})
		return reqSpec{method: http.MethodGet, path: "/user/emails"}, err
	}
	status := func(ctx context.Context, w *worker) (reqSpec, error) {
		err := prepare(ctx, &once.status, func() []reqSpec {
			return []reqSpec{{method: http.MethodPut, path: "/user/status", ctype: "application/json",
				body: mustJSON(map[string]any{"emoji": "coffee", "message": "benchmarking **lablet**"})}}
		})
		return reqSpec{method: http.MethodGet, path: fmt.Sprintf("/users/%d/status", l.sd.BenchUserID)}, err
	}
	return []*endpoint{
		{name: "GET /user/emails (20)", setup: emails},
		{name: "GET /users/:id/status", setup: status},
	}
}
