package server_test

// Merge request time tracking, to-do, reviewers, raw diffs and related
// issues. Time tracking changes the project's shared merge request (each
// change answers 201 whatever its state); a caller's second to-do on it
// is 304, an allowed answer.
var _ = addFixtures(map[string]fixture{
	"POST /api/v4/projects/{id}/merge_requests/{merge_request_iid}/time_estimate": onMR(func(x *matrix, c *cell, p *projectFixture, f *mrFixture) request {
		return request{path: p.mrPath(f.iid, "/time_estimate"), json: map[string]any{"duration": "1h"}}
	}),
	"POST /api/v4/projects/{id}/merge_requests/{merge_request_iid}/reset_time_estimate": onMR(func(x *matrix, c *cell, p *projectFixture, f *mrFixture) request {
		return request{path: p.mrPath(f.iid, "/reset_time_estimate")}
	}),
	"POST /api/v4/projects/{id}/merge_requests/{merge_request_iid}/add_spent_time": onMR(func(x *matrix, c *cell, p *projectFixture, f *mrFixture) request {
		return request{path: p.mrPath(f.iid, "/add_spent_time"), json: map[string]any{"duration": "30m"}}
	}),
	"POST /api/v4/projects/{id}/merge_requests/{merge_request_iid}/reset_spent_time": onMR(func(x *matrix, c *cell, p *projectFixture, f *mrFixture) request {
		return request{path: p.mrPath(f.iid, "/reset_spent_time")}
	}),
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/time_stats": onSharedMR(fixed("/time_stats")),
	"POST /api/v4/projects/{id}/merge_requests/{merge_request_iid}/todo": onMR(func(x *matrix, c *cell, p *projectFixture, f *mrFixture) request {
		return request{path: p.mrPath(f.iid, "/todo"), accept: subscriptionAnswered}
	}),
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/reviewers":      onSharedMR(fixed("/reviewers")),
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/raw_diffs":      onSharedMR(fixed("/raw_diffs")),
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/related_issues": onSharedMR(fixed("/related_issues")),
})
