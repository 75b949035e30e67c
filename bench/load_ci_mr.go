package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
)

// ciMRYAML has a merge request job and a branch job.
const ciMRYAML = "mr:\n  script: echo mr\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n" +
	"work:\n  script: echo work\n"

// ciMRPipelines is how many merge request pipelines the row's merge
// request gets (besides its branch's): a page of 20 and more to skip.
const ciMRPipelines = 30

// ciMergeRequestPipelines is GET …/merge_requests/:iid/pipelines on a
// merge request with ciMRPipelines pipelines of its own and its branch's,
// in a project of its own.
func (l *loader) ciMergeRequestPipelines() *endpoint {
	c := &ciBench{}
	var once sync.Once
	var iid int64
	var setupErr error
	setup := func(ctx context.Context) error {
		once.Do(func() {
			if setupErr = l.ciSetupNamed(ctx, c, "bench-ci-mr", ciMRYAML); setupErr != nil {
				return
			}
			commit := map[string]any{"branch": "bench-mr", "start_branch": "main", "commit_message": "mr",
				"actions": []map[string]string{{"action": "create", "file_path": "mr.txt", "content": "mr"}}}
			if _, _, setupErr = l.do(ctx, reqSpec{method: http.MethodPost, ctype: "application/json",
				path: fmt.Sprintf("/projects/%d/repository/commits", c.project), body: mustJSON(commit)}); setupErr != nil {
				return
			}
			var b []byte
			_, b, setupErr = l.do(ctx, reqSpec{method: http.MethodPost, path: fmt.Sprintf("/projects/%d/merge_requests", c.project),
				ctype: "application/json", body: mustJSON(map[string]any{"title": "bench", "source_branch": "bench-mr",
					"target_branch": "main"})})
			if setupErr != nil {
				return
			}
			var mr struct {
				IID int64 `json:"iid"`
			}
			if setupErr = json.Unmarshal(b, &mr); setupErr != nil {
				return
			}
			iid = mr.IID
			// The merge request's creation ran the first one.
			for range ciMRPipelines - 1 {
				if _, _, setupErr = l.do(ctx, reqSpec{method: http.MethodPost,
					path: fmt.Sprintf("/projects/%d/merge_requests/%d/pipelines", c.project, iid)}); setupErr != nil {
					return
				}
			}
		})
		return setupErr
	}
	return &endpoint{name: fmt.Sprintf("GET …/merge_requests/:iid/pipelines (%d)", ciMRPipelines+1),
		setup: func(ctx context.Context, w *worker) (reqSpec, error) {
			if err := setup(ctx); err != nil {
				return reqSpec{}, err
			}
			return reqSpec{method: http.MethodGet, path: fmt.Sprintf("/projects/%d/merge_requests/%d/pipelines", c.project, iid)}, nil
		}}
}
