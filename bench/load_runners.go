package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
)

// runnersSeeded is how many runners the runner rows make before their
// first request: instance runners and project runners of one repository
// project, half each.
const runnersSeeded = 60

// runnerEndpoints are the rows of CI runners, outside the mix: the
// administrator's list of every runner and a project's runners (its own,
// its groups' and the instance's), over runners made once through
// POST /user/runners.
func (l *loader) runnerEndpoints() []*endpoint {
	var seeded struct {
		sync.Mutex
		done bool
	}
	seed := func(ctx context.Context) error {
		seeded.Lock()
		defer seeded.Unlock()
		if seeded.done {
			return nil
		}
		for i := range runnersSeeded {
			body := map[string]any{"runner_type": "instance_type", "description": fmt.Sprintf("bench %d", i),
				"tag_list": []string{"linux", fmt.Sprintf("t%d", i%5)}}
			if i%2 == 1 {
				body["runner_type"], body["project_id"] = "project_type", l.sd.RepoProjects[0].ID
			}
			if _, _, err := l.do(ctx, reqSpec{method: http.MethodPost, path: "/user/runners", body: mustJSON(body),
				ctype: "application/json", token: l.sd.RootToken}); err != nil {
				return fmt.Errorf("seed runner: %w", err)
			}
		}
		seeded.done = true
		return nil
	}
	list := func(path string) func(ctx context.Context, w *worker) (reqSpec, error) {
		return func(ctx context.Context, w *worker) (reqSpec, error) {
			if err := seed(ctx); err != nil {
				return reqSpec{}, err
			}
			return reqSpec{method: http.MethodGet, path: path, token: l.sd.RootToken}, nil
		}
	}
	return []*endpoint{
		{name: "GET /runners/all", setup: list("/runners/all?per_page=20")},
		{name: "GET /projects/:id/runners", setup: list(fmt.Sprintf("/projects/%d/runners?per_page=20",
			l.sd.RepoProjects[0].ID))},
	}
}
