package server_test

import "net/http"

// freshRelease makes, as root, a release with one link on a new tag of
// the project's main and returns the release's API path and the link's id.
func (x *matrix) freshRelease(p *projectFixture) (string, string) {
	tag := "r-" + x.next()
	rel := p.api("/releases/" + tag)
	m := x.root("POST", p.api("/releases"), map[string]any{"tag_name": tag, "ref": "main",
		"assets": map[string]any{"links": []any{map[string]any{"name": "bin", "url": "https://example.com/" + tag}}}})
	link := m["assets"].(map[string]any)["links"].([]any)[0].(map[string]any)
	return rel, num(link["id"])
}

// redirected accepts the permalink's 302.
func redirected(status int, _ http.Header) bool { return status == http.StatusFound }

// Releases and their links: every request acts on a release of its own.
var _ = addFixtures(map[string]fixture{
	"GET /api/v4/projects/{id}/releases": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/releases"))
	}),
	"POST /api/v4/projects/{id}/releases": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/releases"), json: map[string]any{"tag_name": "n-" + x.next(), "ref": "main"}}
	}),
	"GET /api/v4/projects/{id}/releases/permalink/latest": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		x.freshRelease(p)
		return request{path: p.api("/releases/permalink/latest"), accept: redirected}
	}),
	"GET /api/v4/projects/{id}/releases/permalink/latest/{suffix...}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		x.freshRelease(p)
		return request{path: p.api("/releases/permalink/latest/assets/links"), accept: redirected}
	}),
	"GET /api/v4/projects/{id}/releases/{tag_name}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		rel, _ := x.freshRelease(p)
		return get(rel)
	}),
	"PUT /api/v4/projects/{id}/releases/{tag_name}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		rel, _ := x.freshRelease(p)
		return request{path: rel, json: map[string]any{"name": "renamed"}}
	}),
	"DELETE /api/v4/projects/{id}/releases/{tag_name}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		rel, _ := x.freshRelease(p)
		return get(rel)
	}),
	"GET /api/v4/projects/{id}/releases/{tag_name}/assets/links": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		rel, _ := x.freshRelease(p)
		return get(rel + "/assets/links")
	}),
	"POST /api/v4/projects/{id}/releases/{tag_name}/assets/links": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		rel, _ := x.freshRelease(p)
		return request{path: rel + "/assets/links", json: map[string]any{"name": "doc", "url": "https://example.com/doc"}}
	}),
	"GET /api/v4/projects/{id}/releases/{tag_name}/assets/links/{link_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		rel, link := x.freshRelease(p)
		return get(rel + "/assets/links/" + link)
	}),
	"PUT /api/v4/projects/{id}/releases/{tag_name}/assets/links/{link_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		rel, link := x.freshRelease(p)
		return request{path: rel + "/assets/links/" + link, json: map[string]any{"name": "renamed"}}
	}),
	"DELETE /api/v4/projects/{id}/releases/{tag_name}/assets/links/{link_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		rel, link := x.freshRelease(p)
		return get(rel + "/assets/links/" + link)
	}),
	"GET /api/v4/groups/{id}/releases": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(groupAPI(g, "/releases"))
	}),
})
