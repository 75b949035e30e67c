package server_test

// freshWikiPage creates, as root, a page of its own in the wiki at holder
// (its API path) and returns the page's path.
func (x *matrix) freshWikiPage(holder string) string {
	p := x.root("POST", holder+"/wikis", map[string]any{"title": "page " + x.next(), "content": "hello"})
	return holder + "/wikis/" + p["slug"].(string)
}

// Wikis: reads see a page of their own; writes change or delete one of
// their own, or create one under a new title.
var _ = addFixtures(map[string]fixture{
	"GET /api/v4/projects/{id}/wikis": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/wikis"))
	}),
	"POST /api/v4/projects/{id}/wikis": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/wikis"), json: map[string]any{"title": "new " + x.next(), "content": "x"}}
	}),
	"POST /api/v4/projects/{id}/wikis/attachments": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		body, ct := multipartFile("note.txt", "hello")
		return request{path: p.api("/wikis/attachments"), raw: body, contentType: ct}
	}),
	"GET /api/v4/projects/{id}/wikis/{slug}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(x.freshWikiPage(p.api("")))
	}),
	"PUT /api/v4/projects/{id}/wikis/{slug}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: x.freshWikiPage(p.api("")), json: map[string]any{"content": "changed"}}
	}),
	"DELETE /api/v4/projects/{id}/wikis/{slug}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(x.freshWikiPage(p.api("")))
	}),

	"GET /api/v4/groups/{id}/wikis": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(groupAPI(g, "/wikis"))
	}),
	"POST /api/v4/groups/{id}/wikis": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return request{path: groupAPI(g, "/wikis"), json: map[string]any{"title": "new " + x.next(), "content": "x"}}
	}),
	"POST /api/v4/groups/{id}/wikis/attachments": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		body, ct := multipartFile("note.txt", "hello")
		return request{path: groupAPI(g, "/wikis/attachments"), raw: body, contentType: ct}
	}),
	"GET /api/v4/groups/{id}/wikis/{slug}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(x.freshWikiPage(groupAPI(g, "")))
	}),
	"PUT /api/v4/groups/{id}/wikis/{slug}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return request{path: x.freshWikiPage(groupAPI(g, "")), json: map[string]any{"content": "changed"}}
	}),
	"DELETE /api/v4/groups/{id}/wikis/{slug}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(x.freshWikiPage(groupAPI(g, "")))
	}),
})
