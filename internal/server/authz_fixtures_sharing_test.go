package server_test

import "fmt"

// freshPublicGroup makes, as root, a public top-level group every caller
// sees, to share with.
func (x *matrix) freshPublicGroup() int64 {
	n := "with" + x.next()
	g := x.root("POST", api+"/groups", map[string]any{"name": n, "path": n, "visibility": "public"})
	return int64(g["id"].(float64))
}

// Sharing, a project's users and groups, transfer.
var _ = addFixtures(map[string]fixture{
	"POST /api/v4/projects/{id}/share": onFreshProject(func(x *matrix, c *cell, id int64) request {
		return request{path: fmt.Sprintf(api+"/projects/%d/share", id),
			json: map[string]any{"group_id": x.freshPublicGroup(), "group_access": 10}}
	}),
	"DELETE /api/v4/projects/{id}/share/{group_id}": onFreshProject(func(x *matrix, c *cell, id int64) request {
		g := x.freshPublicGroup()
		x.root("POST", fmt.Sprintf(api+"/projects/%d/share", id), map[string]any{"group_id": g, "group_access": 10})
		return get(fmt.Sprintf(api+"/projects/%d/share/%d", id, g))
	}),
	"POST /api/v4/groups/{id}/share": onFreshGroup(func(x *matrix, c *cell, id int64) request {
		return request{path: fmt.Sprintf(api+"/groups/%d/share", id),
			json: map[string]any{"group_id": x.freshPublicGroup(), "group_access": 10}}
	}),
	"DELETE /api/v4/groups/{id}/share/{group_id}": onFreshGroup(func(x *matrix, c *cell, id int64) request {
		g := x.freshPublicGroup()
		x.root("POST", fmt.Sprintf(api+"/groups/%d/share", id), map[string]any{"group_id": g, "group_access": 10})
		return get(fmt.Sprintf(api+"/groups/%d/share/%d", id, g))
	}),
	"GET /api/v4/projects/{id}/users": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/users"))
	}),
	"GET /api/v4/projects/{id}/groups": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/groups?with_shared=true"))
	}),
	// The target is a fresh subgroup of the visibility's group, where
	// the project's Owners (through that group) may create projects.
	"PUT /api/v4/projects/{id}/transfer": onFreshProject(func(x *matrix, c *cell, id int64) request {
		n := "to" + x.next()
		g := x.root("POST", api+"/groups", map[string]any{"name": n, "path": n, "parent_id": x.groups[c.vis].id,
			"visibility": string(c.vis)})
		return request{path: fmt.Sprintf(api+"/projects/%d/transfer", id), json: map[string]any{"namespace": g["id"]}}
	}),
	"GET /api/v4/projects/{id}/transfer_locations": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/transfer_locations"))
	}),
})
