package server_test

// freshDeployToken adds, as root, a deploy token to the project or group
// at holder (its API path) and returns the token's path.
func (x *matrix) freshDeployToken(holder string) string {
	t := x.root("POST", holder+"/deploy_tokens", map[string]any{"name": "d" + x.next(), "scopes": []string{"read_repository"}})
	return holder + "/deploy_tokens/" + num(t["id"])
}

// Deploy tokens: every request reads or deletes a token of its own.
var _ = addFixtures(map[string]fixture{
	"GET /api/v4/deploy_tokens": static(api + "/deploy_tokens"),

	"GET /api/v4/projects/{id}/deploy_tokens": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/deploy_tokens"))
	}),
	"POST /api/v4/projects/{id}/deploy_tokens": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/deploy_tokens"), json: map[string]any{"name": "ci", "scopes": []string{"read_repository"}}}
	}),
	"GET /api/v4/projects/{id}/deploy_tokens/{token_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(x.freshDeployToken(p.api("")))
	}),
	"DELETE /api/v4/projects/{id}/deploy_tokens/{token_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(x.freshDeployToken(p.api("")))
	}),

	"GET /api/v4/groups/{id}/deploy_tokens": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(groupAPI(g, "/deploy_tokens"))
	}),
	"POST /api/v4/groups/{id}/deploy_tokens": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return request{path: groupAPI(g, "/deploy_tokens"), json: map[string]any{"name": "ci", "scopes": []string{"read_repository"}}}
	}),
	"GET /api/v4/groups/{id}/deploy_tokens/{token_id}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(x.freshDeployToken(groupAPI(g, "")))
	}),
	"DELETE /api/v4/groups/{id}/deploy_tokens/{token_id}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(x.freshDeployToken(groupAPI(g, "")))
	}),
})
