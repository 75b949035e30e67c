package server_test

import "fmt"

// Group transfer, a group's transfer locations, an administrator's move of
// a project into a group; what a group shares and is shared.
var _ = addFixtures(map[string]fixture{
	// The new parent is a fresh sibling in the visibility's group, where
	// the group's Owners (through that group) may create subgroups.
	"POST /api/v4/groups/{id}/transfer": onFreshGroup(func(x *matrix, c *cell, id int64) request {
		n := "to" + x.next()
		g := x.root("POST", api+"/groups", map[string]any{"name": n, "path": n, "parent_id": x.groups[c.vis].id,
			"visibility": string(c.vis)})
		return request{path: fmt.Sprintf(api+"/groups/%d/transfer", id), json: map[string]any{"group_id": g["id"]}}
	}),
	"GET /api/v4/groups/{id}/transfer_locations": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(fmt.Sprintf(api+"/groups/%d/transfer_locations", g.id))
	}),
	"POST /api/v4/groups/{id}/projects/{project_id}": onFreshGroup(func(x *matrix, c *cell, id int64) request {
		p := x.root("POST", api+"/projects", map[string]any{"name": "moving" + x.next(), "namespace_id": x.groups[c.vis].id,
			"visibility": string(c.vis)})
		return request{path: fmt.Sprintf(api+"/groups/%d/projects/%d", id, int64(p["id"].(float64)))}
	}),
	"GET /api/v4/groups/{id}/projects/shared": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(fmt.Sprintf(api+"/groups/%d/projects/shared", g.id))
	}),
	"GET /api/v4/groups/{id}/groups/shared": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(fmt.Sprintf(api+"/groups/%d/groups/shared", g.id))
	}),
	"GET /api/v4/groups/{id}/invited_groups": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(fmt.Sprintf(api+"/groups/%d/invited_groups", g.id))
	}),
})
