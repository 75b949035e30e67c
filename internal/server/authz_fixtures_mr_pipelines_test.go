package server_test

// mrPipelineCI is a configuration whose one job runs in merge request
// pipelines only (on no runner: its tag matches none).
const mrPipelineCI = "build:\n  tags: [matrix-none]\n  script: echo matrix\n  rules:\n" +
	"    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n"

// freshMRWithCI opens, as the administrator, a merge request of p whose
// source branch holds mrPipelineCI, and returns its iid.
func (x *matrix) freshMRWithCI(p *projectFixture) int64 {
	branch := "mrci-" + x.next()
	x.root("POST", p.api("/repository/commits"), map[string]any{"branch": branch, "start_branch": "main",
		"commit_message": "ci", "actions": []map[string]any{{"action": "create", "file_path": ".gitlab-ci.yml",
			"content": mrPipelineCI}}})
	mr := x.root("POST", p.api("/merge_requests"), map[string]any{"title": "mr " + branch, "source_branch": branch,
		"target_branch": "main"})
	return int64(mr["iid"].(float64))
}

// Merge request pipelines.
var _ = addFixtures(map[string]fixture{
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/pipelines": onSharedMR(fixed("/pipelines")),
	"POST /api/v4/projects/{id}/merge_requests/{merge_request_iid}/pipelines": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.mrPath(x.freshMRWithCI(p), "/pipelines")}
	}),
})
