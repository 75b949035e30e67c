package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
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
		l.idleRunnersEndpoint(),
	}
}

// idleRunners is how many runners long-poll in the idle-runners row.
const idleRunners = 50

// idleRunnersEndpoint measures what idle runners cost the server: each
// of 50 runners of its own long-polls POST /jobs/request with the
// queue's version, as GitLab Runner does, through the measured time; no
// job is queued for them (their tag matches nothing). Its figure is the
// CPU column; each worker's one measured request is its long poll.
func (l *loader) idleRunnersEndpoint() *endpoint {
	var runners struct {
		sync.Mutex
		tokens   []string
		versions map[int]string
	}
	seed := func(ctx context.Context) error {
		runners.Lock()
		defer runners.Unlock()
		for len(runners.tokens) < idleRunners {
			body := map[string]any{"runner_type": "instance_type", "run_untagged": false,
				"description": fmt.Sprintf("idle %d", len(runners.tokens)), "tag_list": []string{"bench-idle"}}
			_, b, err := l.do(ctx, reqSpec{method: http.MethodPost, path: "/user/runners", body: mustJSON(body),
				ctype: "application/json", token: l.sd.RootToken})
			if err != nil {
				return fmt.Errorf("seed idle runner: %w", err)
			}
			var r struct {
				Token string `json:"token"`
			}
			if err := json.Unmarshal(b, &r); err != nil || r.Token == "" {
				return fmt.Errorf("seed idle runner: no token in %s", b)
			}
			runners.tokens = append(runners.tokens, r.Token)
		}
		if runners.versions == nil {
			runners.versions = map[int]string{}
		}
		return nil
	}
	return &endpoint{name: fmt.Sprintf("POST /jobs/request long poll, %d idle runners (see CPU %%)", idleRunners),
		conc: idleRunners, run: func(ctx context.Context, w *worker) error {
			if err := seed(ctx); err != nil {
				return err
			}
			runners.Lock()
			token, version := runners.tokens[w.id%idleRunners], runners.versions[w.id]
			runners.Unlock()
			if time.Now().Before(w.measured) {
				// Warm-up: learn the queue's version, then wait for the
				// measured time to begin.
				_, _, v, err := l.ciRequestJob(ctx, token, "")
				if err != nil {
					return err
				}
				runners.Lock()
				runners.versions[w.id] = v
				runners.Unlock()
				select {
				case <-time.After(time.Until(w.measured)):
				case <-ctx.Done():
				}
				return nil
			}
			poll, cancel := context.WithDeadline(ctx, w.deadline)
			defer cancel()
			id, _, v, err := l.ciRequestJob(poll, token, version)
			if err == nil {
				runners.Lock()
				runners.versions[w.id] = v
				runners.Unlock()
			}
			switch {
			case poll.Err() != nil && ctx.Err() == nil:
				return nil // held until the measured time ended: idle, as expected
			case err != nil:
				return err
			case id != 0:
				return fmt.Errorf("an idle runner got job %d", id)
			}
			return nil
		}}
}
