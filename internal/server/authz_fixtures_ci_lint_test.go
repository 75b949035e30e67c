package server_test

import (
	"context"
	"strings"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// lintPipeline stores a finished pipeline of p's (no jobs, so an empty
// test report) for the test report routes to read.
func (x *matrix) lintPipeline(p *projectFixture) int64 {
	pl := &model.Pipeline{ProjectID: p.id, Ref: "main", SHA: strings.Repeat("a", 40), BeforeSHA: strings.Repeat("0", 40),
		Source: "push", Status: model.CIStatusSuccess}
	x.inStore(func(ctx context.Context, q *store.Queries) error { return q.InsertPipeline(ctx, pl) })
	return pl.ID
}

// CI lint and pipeline test reports.
var _ = addFixtures(map[string]fixture{
	"POST " + api + "/projects/{id}/ci/lint": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/ci/lint"), json: map[string]any{"content": "job:\n  script: echo\n"}}
	}),
	"GET " + api + "/projects/{id}/ci/lint": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/ci/lint"))
	}),
	"GET " + api + "/projects/{id}/pipelines/{pipeline_id}/test_report": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/pipelines/" + itoa(x.lintPipeline(p)) + "/test_report"))
	}),
	"GET " + api + "/projects/{id}/pipelines/{pipeline_id}/test_report_summary": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/pipelines/" + itoa(x.lintPipeline(p)) + "/test_report_summary"))
	}),
})
