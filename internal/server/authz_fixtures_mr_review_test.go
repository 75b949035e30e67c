package server_test

import (
	"context"

	"github.com/lablet/lablet/internal/store"
)

// sharedMRVersion is the id of the newest version of the project's shared
// merge request.
func (x *matrix) sharedMRVersion(f *mrFixture) int64 {
	var id int64
	x.inStore(func(ctx context.Context, q *store.Queries) error {
		vs, _, err := q.MergeRequestDiffs(ctx, f.id, 1, 0)
		if err == nil && len(vs) == 1 {
			id = vs[0].ID
		}
		return err
	})
	return id
}

// Merge request review: versions and approvals. Each approving cell
// approves a merge request of its own; each unapproving one takes back
// its approval of one.
var _ = addFixtures(map[string]fixture{
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/versions": onSharedMR(fixed("/versions")),
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/versions/{version_id}": onMR(func(x *matrix, c *cell, p *projectFixture, f *mrFixture) request {
		return get(p.mrPath(f.iid, "/versions/"+itoa(x.sharedMRVersion(f))))
	}),
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/approvals":      onSharedMR(fixed("/approvals")),
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/approval_state": onSharedMR(fixed("/approval_state")),
	"POST /api/v4/projects/{id}/merge_requests/{merge_request_iid}/approve": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		iid, _ := x.freshMR(p)
		return request{path: p.mrPath(iid, "/approve")}
	}),
	"POST /api/v4/projects/{id}/merge_requests/{merge_request_iid}/unapprove": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		iid, id := x.freshMR(p)
		uid := x.callerUserID(c)
		x.inStore(func(ctx context.Context, q *store.Queries) error { return q.InsertApproval(ctx, id, uid) })
		return request{path: p.mrPath(iid, "/unapprove")}
	}),
	"GET /api/v4/projects/{id}/approvals": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/approvals"))
	}),
	// GitLab's default, written again: the project's merge requests
	// keep behaving alike for every cell.
	"POST /api/v4/projects/{id}/approvals": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/approvals"), json: map[string]any{"reset_approvals_on_push": true}}
	}),
})
