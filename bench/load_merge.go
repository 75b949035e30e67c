package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
)

// mergeEndpoints are the rows of merge requests on real repositories:
// the changes of a merge request of 50 files (git diff of two trees, then
// cached per head) and merging a fresh, non-conflicting merge request with
// one client, each prepared outside the measured time.
func (l *loader) mergeEndpoints() []*endpoint {
	var changes struct {
		sync.Mutex
		spec reqSpec
	}
	var comments struct {
		sync.Mutex
		commit string // the commits path of the commented commit
	}
	commitNotes := func(ctx context.Context, list string) (reqSpec, error) {
		comments.Lock()
		defer comments.Unlock()
		if comments.commit == "" {
			commit := fmt.Sprintf("/projects/%d/repository/commits/main", l.sd.RepoProjects[0].ID)
			for i := range 20 {
				body := mustJSON(map[string]any{"note": fmt.Sprintf("bench comment %d", i)})
				if _, _, err := l.do(ctx, reqSpec{method: http.MethodPost, path: commit + "/comments", body: body,
					ctype: "application/json"}); err != nil {
					return reqSpec{}, err
				}
			}
			comments.commit = commit
		}
		return reqSpec{method: http.MethodGet, path: comments.commit + "/" + list}, nil
	}
	return []*endpoint{
		// The merge requests that closed an issue (none seeded: the cost of
		// the visibility and link filters).
		{name: "GET …/issues/:iid/closed_by", req: func(w *worker) reqSpec {
			return reqSpec{method: http.MethodGet, path: fmt.Sprintf("/projects/%d/issues/%d/closed_by",
				l.sd.IssueProjects[w.rng.IntN(len(l.sd.IssueProjects))].ID, 1+w.rng.IntN(issuesPerProject))}
		}},
		// A commit's 20 comments, and its discussions (the same notes,
		// threaded), made once through the API.
		{name: "GET …/commits/:sha/comments", setup: func(ctx context.Context, w *worker) (reqSpec, error) {
			return commitNotes(ctx, "comments")
		}},
		{name: "GET …/commits/:sha/discussions", setup: func(ctx context.Context, w *worker) (reqSpec, error) {
			return commitNotes(ctx, "discussions")
		}},
		{name: "GET …/merge_requests/:iid/changes (50 files)", setup: func(ctx context.Context, w *worker) (reqSpec, error) {
			changes.Lock()
			defer changes.Unlock()
			if changes.spec.method == "" {
				p := l.sd.RepoProjects[0]
				iid, err := l.openMergeRequest(ctx, p.ID, "bench-changes-"+w.phase, 50)
				if err != nil {
					return reqSpec{}, err
				}
				changes.spec = reqSpec{method: http.MethodGet, path: fmt.Sprintf("/projects/%d/merge_requests/%d/changes", p.ID, iid)}
			}
			return changes.spec, nil
		}},
		{name: "PUT …/merge_requests/:iid/merge (1 client)", conc: 1, setup: func(ctx context.Context, w *worker) (reqSpec, error) {
			p := l.sd.RepoProjects[len(l.sd.RepoProjects)-1]
			iid, err := l.openMergeRequest(ctx, p.ID, fmt.Sprintf("bench-merge-%s-%d", w.phase, w.n), 1)
			if err != nil {
				return reqSpec{}, err
			}
			return reqSpec{method: http.MethodPut, path: fmt.Sprintf("/projects/%d/merge_requests/%d/merge", p.ID, iid)}, nil
		}},
	}
}

// openMergeRequest makes branch from main with one commit adding files
// files of 20 lines each, opens a merge request of it into main and
// returns its iid.
func (l *loader) openMergeRequest(ctx context.Context, project int64, branch string, files int) (int64, error) {
	actions := make([]map[string]string, files)
	for i := range actions {
		var content strings.Builder
		for line := range 20 {
			fmt.Fprintf(&content, "%s file %d line %d\n", branch, i, line)
		}
		actions[i] = map[string]string{"action": "create", "file_path": fmt.Sprintf("%s/f%02d.txt", branch, i),
			"content": content.String()}
	}
	commit := map[string]any{"branch": branch, "start_branch": "main", "commit_message": "bench: " + branch,
		"actions": actions}
	if _, _, err := l.do(ctx, reqSpec{method: http.MethodPost, path: fmt.Sprintf("/projects/%d/repository/commits", project),
		body: mustJSON(commit), ctype: "application/json"}); err != nil {
		return 0, err
	}
	_, b, err := l.do(ctx, reqSpec{method: http.MethodPost, path: fmt.Sprintf("/projects/%d/merge_requests", project),
		body: mustJSON(map[string]any{"source_branch": branch, "target_branch": "main", "title": branch}), ctype: "application/json"})
	if err != nil {
		return 0, err
	}
	var mr struct {
		IID int64 `json:"iid"`
	}
	if err := json.Unmarshal(b, &mr); err != nil {
		return 0, fmt.Errorf("merge request of %s: %w", branch, err)
	}
	return mr.IID, nil
}
