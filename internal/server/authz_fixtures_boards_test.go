package server_test

// Issue boards of projects and groups: every request gets a board of its
// own (and lists over fresh labels), so writes never share one.
var _ = addFixtures(map[string]fixture{
	// Project boards
	"GET /api/v4/projects/{id}/boards": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		x.freshBoard(p.api(""), x.freshProjectLabel(p))
		return get(p.api("/boards"))
	}),
	"POST /api/v4/projects/{id}/boards": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/boards"), json: map[string]any{"name": "made" + x.next()}}
	}),
	"GET /api/v4/projects/{id}/boards/{board_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/boards/" + x.freshBoard(p.api(""), x.freshProjectLabel(p))))
	}),
	"PUT /api/v4/projects/{id}/boards/{board_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/boards/" + x.freshBoard(p.api(""))), json: map[string]any{"name": "renamed", "hide_closed_list": true}}
	}),
	"DELETE /api/v4/projects/{id}/boards/{board_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/boards/" + x.freshBoard(p.api(""))))
	}),
	"GET /api/v4/projects/{id}/boards/{board_id}/lists": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/boards/" + x.freshBoard(p.api(""), x.freshProjectLabel(p)) + "/lists"))
	}),
	"POST /api/v4/projects/{id}/boards/{board_id}/lists": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/boards/" + x.freshBoard(p.api("")) + "/lists"), json: map[string]any{"label_id": x.freshProjectLabel(p)}}
	}),
	"GET /api/v4/projects/{id}/boards/{board_id}/lists/{list_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(x.freshBoardList(p.api(""), x.freshProjectLabel(p), x.freshProjectLabel(p)))
	}),
	// The first of two lists moves to the second place.
	"PUT /api/v4/projects/{id}/boards/{board_id}/lists/{list_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: x.freshBoardList(p.api(""), x.freshProjectLabel(p), x.freshProjectLabel(p)), json: map[string]any{"position": 1}}
	}),
	"DELETE /api/v4/projects/{id}/boards/{board_id}/lists/{list_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(x.freshBoardList(p.api(""), x.freshProjectLabel(p)))
	}),

	// Group boards
	"GET /api/v4/groups/{id}/boards": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		x.freshBoard(groupAPI(g, ""), x.freshGroupLabel(g))
		return get(groupAPI(g, "/boards"))
	}),
	"POST /api/v4/groups/{id}/boards": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return request{path: groupAPI(g, "/boards"), json: map[string]any{"name": "made" + x.next()}}
	}),
	"GET /api/v4/groups/{id}/boards/{board_id}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(groupAPI(g, "/boards/"+x.freshBoard(groupAPI(g, ""), x.freshGroupLabel(g))))
	}),
	"PUT /api/v4/groups/{id}/boards/{board_id}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return request{path: groupAPI(g, "/boards/"+x.freshBoard(groupAPI(g, ""))), json: map[string]any{"hide_backlog_list": true}}
	}),
	"DELETE /api/v4/groups/{id}/boards/{board_id}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(groupAPI(g, "/boards/"+x.freshBoard(groupAPI(g, ""))))
	}),
	"GET /api/v4/groups/{id}/boards/{board_id}/lists": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(groupAPI(g, "/boards/"+x.freshBoard(groupAPI(g, ""), x.freshGroupLabel(g))+"/lists"))
	}),
	"POST /api/v4/groups/{id}/boards/{board_id}/lists": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return request{path: groupAPI(g, "/boards/"+x.freshBoard(groupAPI(g, ""))+"/lists"), json: map[string]any{"label_id": x.freshGroupLabel(g)}}
	}),
	"GET /api/v4/groups/{id}/boards/{board_id}/lists/{list_id}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(x.freshBoardList(groupAPI(g, ""), x.freshGroupLabel(g)))
	}),
	"PUT /api/v4/groups/{id}/boards/{board_id}/lists/{list_id}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return request{path: x.freshBoardList(groupAPI(g, ""), x.freshGroupLabel(g), x.freshGroupLabel(g)), json: map[string]any{"position": 1}}
	}),
	"DELETE /api/v4/groups/{id}/boards/{board_id}/lists/{list_id}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(x.freshBoardList(groupAPI(g, ""), x.freshGroupLabel(g)))
	}),
})

// freshBoard creates a board under a project or group API path, with a
// list for each of labels, and returns its id.
func (x *matrix) freshBoard(parent string, labels ...string) string {
	b := num(x.root("POST", parent+"/boards", map[string]any{"name": "board" + x.next()})["id"])
	for _, l := range labels {
		x.root("POST", parent+"/boards/"+b+"/lists", map[string]any{"label_id": l})
	}
	return b
}

// freshBoardList creates a board with a list for each of labels and
// returns the API path of its first list.
func (x *matrix) freshBoardList(parent string, labels ...string) string {
	b := x.freshBoard(parent, labels...)
	lists := x.rootList(parent + "/boards/" + b + "/lists")
	return parent + "/boards/" + b + "/lists/" + num(lists[0]["id"])
}
