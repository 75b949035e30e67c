package server_test

import "fmt"

// Forks: every fork gets a name and path of its own in the caller's
// namespace; relations are made on fresh projects of the visibility's
// group, with the public main project (which every signed-in caller may
// fork) as their source.
var _ = addFixtures(map[string]fixture{
	"POST /api/v4/projects/{id}/fork": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		n := "fork" + x.next()
		return request{path: p.api("/fork"), json: map[string]any{"name": n, "path": n}}
	}),
	"GET /api/v4/projects/{id}/forks": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/forks"))
	}),
	"POST /api/v4/projects/{id}/fork/{forked_from_id}": onFreshProject(func(x *matrix, c *cell, id int64) request {
		return request{path: fmt.Sprintf(api+"/projects/%d/fork/%d", id, x.projects[public].id)}
	}),
	"DELETE /api/v4/projects/{id}/fork": onFreshProject(func(x *matrix, c *cell, id int64) request {
		path := fmt.Sprintf(api+"/projects/%d/fork", id)
		x.root("POST", fmt.Sprintf("%s/%d", path, x.projects[public].id), nil)
		return get(path)
	}),
})
