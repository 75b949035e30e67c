package server_test

var _ = addFixtures(map[string]fixture{
	"GET /api/v4/search": static(api + "/search?scope=issues&search=matrix"),
	"GET /api/v4/groups/{id}/search": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(api + "/groups/" + itoa(g.id) + "/search?scope=milestones&search=matrix")
	}),
	"GET /api/v4/projects/{id}/search": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/search?scope=notes&search=matrix"))
	}),
	"GET /api/v4/groups/{id}/-/search": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(api + "/groups/" + itoa(g.id) + "/-/search?scope=issues&search=matrix")
	}),
	"GET /api/v4/projects/{id}/-/search": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		// Code is read_code's, yet the route is read_project's: a caller
		// who sees the project without its code finds nothing (200 []).
		return get(p.api("/-/search?scope=blobs&search=matrix"))
	}),
})
