package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// ciBench is the CI/CD fixture the CI rows share: a project with a
// .gitlab-ci.yml, a project runner of it, made once.
type ciBench struct {
	sync.Mutex
	project     int64
	runnerToken string
	// traceJobs: each worker's running job for the trace row.
	traceJobs map[int]*ciTraceJob
}

type ciTraceJob struct {
	id     int64
	token  string
	offset int
}

// ciYAML gives every pipeline 70 parallel jobs of one stage: enough
// running jobs for the trace row's 64 workers.
const ciYAML = "work:\n  script: echo work\n  parallel: 70\n"

// ciSetup makes the project, its runner and its .gitlab-ci.yml once.
func (l *loader) ciSetup(ctx context.Context, c *ciBench) error {
	return l.ciSetupNamed(ctx, c, "bench-ci", ciYAML)
}

// ciSetupNamed makes project path with a runner and yml, once.
func (l *loader) ciSetupNamed(ctx context.Context, c *ciBench, path, yml string) error {
	if c.project != 0 {
		return nil
	}
	_, b, err := l.do(ctx, reqSpec{method: http.MethodPost, path: "/projects", ctype: "application/json",
		body: mustJSON(map[string]any{"name": path, "path": path})})
	if err != nil {
		return err
	}
	var p struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	_, b, err = l.do(ctx, reqSpec{method: http.MethodPost, path: "/user/runners", ctype: "application/json",
		body: mustJSON(map[string]any{"runner_type": "project_type", "project_id": p.ID, "description": "bench"})})
	if err != nil {
		return err
	}
	var r struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	// The commit runs a first pipeline; the rows make their own.
	commit := map[string]any{"branch": "main", "commit_message": "ci", "actions": []map[string]string{
		{"action": "create", "file_path": ".gitlab-ci.yml", "content": yml}}}
	if _, _, err := l.do(ctx, reqSpec{method: http.MethodPost, path: fmt.Sprintf("/projects/%d/repository/commits", p.ID),
		ctype: "application/json", body: mustJSON(commit)}); err != nil {
		return err
	}
	c.project, c.runnerToken, c.traceJobs = p.ID, r.Token, map[int]*ciTraceJob{}
	return nil
}

// ciTakeJob asks for a job as the runner does, without waiting.
func (l *loader) ciTakeJob(ctx context.Context, runnerToken string) (id int64, token string, err error) {
	status, b, err := l.do(ctx, reqSpec{method: http.MethodPost, path: "/jobs/request", ctype: "application/json",
		body: mustJSON(map[string]any{"token": runnerToken, "info": map[string]any{"name": "bench"}})})
	if err != nil {
		return 0, "", err
	}
	if status == http.StatusNoContent {
		return 0, "", nil
	}
	var j struct {
		ID    int64  `json:"id"`
		Token string `json:"token"`
	}
	return j.ID, j.Token, json.Unmarshal(b, &j)
}

// ciEndpoints are CI/CD's rows: the pipelines list, a pipeline's jobs,
// and the runner's trace appends (each worker streams into a running job
// of its own, at the offset the server holds).
func (l *loader) ciEndpoints() []*endpoint {
	c := &ciBench{}
	setup := func(ctx context.Context) (int64, error) {
		c.Lock()
		defer c.Unlock()
		return c.project, l.ciSetup(ctx, c)
	}
	chunk := strings.Repeat("trace line of a running job\n", 4) // 112 bytes
	return []*endpoint{
		{name: "GET /projects/:id/pipelines", setup: func(ctx context.Context, w *worker) (reqSpec, error) {
			if _, err := setup(ctx); err != nil {
				return reqSpec{}, err
			}
			return reqSpec{method: http.MethodGet, path: fmt.Sprintf("/projects/%d/pipelines", c.project)}, nil
		}},
		{name: "GET …/pipelines/latest (70 jobs)", setup: func(ctx context.Context, w *worker) (reqSpec, error) {
			if _, err := setup(ctx); err != nil {
				return reqSpec{}, err
			}
			return reqSpec{method: http.MethodGet, path: fmt.Sprintf("/projects/%d/pipelines/latest", c.project)}, nil
		}},
		{name: "GET /projects/:id/jobs", setup: func(ctx context.Context, w *worker) (reqSpec, error) {
			if _, err := setup(ctx); err != nil {
				return reqSpec{}, err
			}
			return reqSpec{method: http.MethodGet, path: fmt.Sprintf("/projects/%d/jobs", c.project)}, nil
		}},
		l.ciPushToRunning(),
		l.ciMergeRequestPipelines(),
		l.ciBridges(),
		{name: "PATCH /jobs/:id/trace (112 bytes)", setup: func(ctx context.Context, w *worker) (reqSpec, error) {
			if _, err := setup(ctx); err != nil {
				return reqSpec{}, err
			}
			c.Lock()
			j := c.traceJobs[w.id]
			c.Unlock()
			if j == nil {
				id, token, err := l.ciTakeJob(ctx, c.runnerToken)
				if err == nil && id == 0 {
					// Every job is taken: a new pipeline brings 70 more.
					if _, _, err = l.do(ctx, reqSpec{method: http.MethodPost, path: fmt.Sprintf("/projects/%d/pipeline?ref=main",
						c.project)}); err == nil {
						id, token, err = l.ciTakeJob(ctx, c.runnerToken)
					}
				}
				if err != nil {
					return reqSpec{}, err
				}
				if id == 0 {
					return reqSpec{}, fmt.Errorf("no job for the trace row")
				}
				j = &ciTraceJob{id: id, token: token}
				c.Lock()
				c.traceJobs[w.id] = j
				c.Unlock()
			}
			spec := reqSpec{method: http.MethodPatch, path: fmt.Sprintf("/jobs/%d/trace", j.id), body: []byte(chunk),
				ctype: "text/plain", jobToken: j.token, contentRange: fmt.Sprintf("%d-%d", j.offset, j.offset+len(chunk)-1)}
			j.offset += len(chunk)
			return spec, nil
		}},
	}
}

// ciPushToRunning is the time from a commit to its pipeline's first job
// running on an idle runner that long-polls (as GitLab Runner does), on
// a project of its own. The job is then reported done.
func (l *loader) ciPushToRunning() *endpoint {
	c := &ciBench{}
	return &endpoint{name: "CI commit → first job running (idle runner, 1 client)", conc: 1,
		run: func(ctx context.Context, w *worker) error {
			c.Lock()
			err := l.ciSetupNamed(ctx, c, "bench-ci-latency", "one:\n  script: echo one\n")
			c.Unlock()
			if err != nil {
				return err
			}
			// Take what is queued (the setup commit's job) and learn the
			// queue's version, as a runner that has been polling knows it.
			version := ""
			for {
				id, token, v, err := l.ciRequestJob(ctx, c.runnerToken, "")
				if err != nil {
					return err
				}
				version = v
				if id == 0 {
					break
				}
				if err := l.ciFinishJob(ctx, id, token); err != nil {
					return err
				}
			}
			type taken struct {
				id    int64
				token string
				err   error
			}
			got := make(chan taken, 1)
			go func() {
				id, token, _, err := l.ciRequestJob(ctx, c.runnerToken, version)
				got <- taken{id, token, err}
			}()
			commit := map[string]any{"branch": "main", "commit_message": "bench", "actions": []map[string]string{
				{"action": "update", "file_path": ".gitlab-ci.yml", "content": fmt.Sprintf("one:\n  script: echo %d\n", w.n)}}}
			if _, _, err := l.do(ctx, reqSpec{method: http.MethodPost, path: fmt.Sprintf("/projects/%d/repository/commits", c.project),
				ctype: "application/json", body: mustJSON(commit)}); err != nil {
				return err
			}
			t := <-got
			if t.err != nil {
				return t.err
			}
			if t.id == 0 {
				return fmt.Errorf("the long poll ended without the pushed job")
			}
			return l.ciFinishJob(ctx, t.id, t.token)
		}}
}

// ciRequestJob is POST /jobs/request with the runner's last_update; it
// returns the job (id 0: none) and the queue's version.
func (l *loader) ciRequestJob(ctx context.Context, runnerToken, lastUpdate string) (int64, string, string, error) {
	body := mustJSON(map[string]any{"token": runnerToken, "last_update": lastUpdate, "info": map[string]any{"name": "bench"}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.srv.base+"/api/v4/jobs/request", bytes.NewReader(body))
	if err != nil {
		return 0, "", "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := l.client.Do(req)
	if err != nil {
		return 0, "", "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, "", "", err
	}
	version := resp.Header.Get("X-GitLab-Last-Update")
	switch resp.StatusCode {
	case http.StatusNoContent:
		return 0, "", version, nil
	case http.StatusCreated:
	default:
		return 0, "", "", fmt.Errorf("POST /jobs/request: %d %s", resp.StatusCode, b)
	}
	var j struct {
		ID    int64  `json:"id"`
		Token string `json:"token"`
	}
	return j.ID, j.Token, version, json.Unmarshal(b, &j)
}

// ciFinishJob reports a job done, as the runner's last PUT does.
func (l *loader) ciFinishJob(ctx context.Context, id int64, token string) error {
	_, _, err := l.do(ctx, reqSpec{method: http.MethodPut, path: fmt.Sprintf("/jobs/%d", id), ctype: "application/json",
		body: mustJSON(map[string]any{"token": token, "state": "success"})})
	return err
}

// ciBridgesYAML gives the pipeline 20 trigger jobs. Their child file is
// missing, so each leaves a failed child pipeline at once and no runner
// is needed: what the list reads, bridges and downstream pipelines, is
// all there.
const ciBridgesYAML = "bridge:\n  trigger:\n    include: child.yml\n  parallel: 20\n"

// ciBridges is a pipeline's bridges list with their downstream pipelines.
func (l *loader) ciBridges() *endpoint {
	c := &ciBench{}
	var pipeline int64
	return &endpoint{name: "GET …/pipelines/:id/bridges (20 bridges)", setup: func(ctx context.Context, w *worker) (reqSpec, error) {
		c.Lock()
		defer c.Unlock()
		if err := l.ciSetupNamed(ctx, c, "bench-ci-bridges", ciBridgesYAML); err != nil {
			return reqSpec{}, err
		}
		if pipeline == 0 {
			_, b, err := l.do(ctx, reqSpec{method: http.MethodGet, path: fmt.Sprintf("/projects/%d/pipelines?source=push", c.project)})
			if err != nil {
				return reqSpec{}, err
			}
			var list []struct {
				ID int64 `json:"id"`
			}
			if err := json.Unmarshal(b, &list); err != nil || len(list) == 0 {
				return reqSpec{}, fmt.Errorf("no pipeline for the bridges row: %v", err)
			}
			pipeline = list[0].ID
			_, b, err = l.do(ctx, reqSpec{method: http.MethodGet, path: fmt.Sprintf("/projects/%d/pipelines/%d/bridges?per_page=100",
				c.project, pipeline)})
			if err != nil {
				return reqSpec{}, err
			}
			if err := json.Unmarshal(b, &list); err != nil || len(list) != 20 {
				return reqSpec{}, fmt.Errorf("the bridges row's pipeline has %d bridges, want 20 (%v)", len(list), err)
			}
		}
		return reqSpec{method: http.MethodGet, path: fmt.Sprintf("/projects/%d/pipelines/%d/bridges", c.project, pipeline)}, nil
	}}
}
