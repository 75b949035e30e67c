package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
)

// notificationEndpoints are the rows of notification settings: the bench
// user's global setting (custom, saved once before the first request)
// and its setting for a project it works on (a saved custom one for the
// first, GitLab's default for the others).
func (l *loader) notificationEndpoints() []*endpoint {
	var saved struct {
		sync.Mutex
		done bool
	}
	prepare := func(ctx context.Context) error {
		saved.Lock()
		defer saved.Unlock()
		if saved.done {
			return nil
		}
		body := mustJSON(map[string]any{"level": "custom", "new_note": true, "failed_pipeline": true})
		for _, path := range []string{"/notification_settings",
			fmt.Sprintf("/projects/%d/notification_settings", l.sd.RepoProjects[0].ID)} {
			spec := reqSpec{method: http.MethodPut, path: path, ctype: "application/json", body: body}
			status, b, err := l.do(ctx, spec)
			if err != nil {
				return err
			}
			if status != http.StatusOK {
				return fmt.Errorf("PUT %s: %d %s", path, status, b)
			}
		}
		saved.done = true
		return nil
	}
	return []*endpoint{
		{name: "GET /notification_settings", setup: func(ctx context.Context, w *worker) (reqSpec, error) {
			return reqSpec{method: http.MethodGet, path: "/notification_settings"}, prepare(ctx)
		}},
		{name: "GET /projects/:id/notification_settings", setup: func(ctx context.Context, w *worker) (reqSpec, error) {
			p := l.sd.RepoProjects[w.rng.IntN(len(l.sd.RepoProjects))]
			return reqSpec{method: http.MethodGet, path: fmt.Sprintf("/projects/%d/notification_settings", p.ID)}, prepare(ctx)
		}},
	}
}
