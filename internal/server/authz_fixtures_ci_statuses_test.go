package server_test

// Commit statuses: each cell sets a status of its own name on main's
// head, so that no cell moves another's on.
var _ = addFixtures(map[string]fixture{
	"POST /api/v4/projects/{id}/statuses/{sha}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/statuses/" + p.head), json: map[string]any{"state": "success",
			"name": "ext-" + x.next()}}
	}),
	"GET /api/v4/projects/{id}/repository/commits/{sha}/statuses": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/repository/commits/" + p.head + "/statuses"))
	}),
})
