package server_test

import "net/http"

// noAutoMergeToCancel: lablet never sets an automatic merge, so a caller
// allowed to cancel one gets 406 (nothing to cancel), GitLab's answer for
// a merge request without one.
func noAutoMergeToCancel(status int, _ http.Header) bool { return status == http.StatusNotAcceptable }

var _ = addFixtures(map[string]fixture{
	// Each cell rebases a merge request of its own: its source branch is
	// unprotected, so Developers push to it.
	"PUT /api/v4/projects/{id}/merge_requests/{merge_request_iid}/rebase": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		iid, _ := x.freshMR(p)
		return request{path: p.mrPath(iid, "/rebase")}
	}),
	"POST /api/v4/projects/{id}/merge_requests/{merge_request_iid}/cancel_merge_when_pipeline_succeeds": onMR(func(x *matrix, c *cell, p *projectFixture, f *mrFixture) request {
		return request{path: p.mrPath(f.iid, "/cancel_merge_when_pipeline_succeeds"), accept: noAutoMergeToCancel}
	}),
})
