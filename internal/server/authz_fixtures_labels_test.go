package server_test

import "net/http"

// Labels and milestones: writes that consume their object (delete,
// promote, subscribe) get a fresh label or milestone per request.
var _ = addFixtures(map[string]fixture{
	// Project labels
	"GET /api/v4/projects/{id}/labels": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/labels?with_counts=true"))
	}),
	"POST /api/v4/projects/{id}/labels": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/labels"), json: map[string]any{"name": "made" + x.next(), "color": "red", "priority": 1}}
	}),
	"GET /api/v4/projects/{id}/labels/{label_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/labels/" + x.freshProjectLabel(p)))
	}),
	"PUT /api/v4/projects/{id}/labels/{label_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/labels/" + x.freshProjectLabel(p)), json: map[string]any{"color": "#00ff00", "priority": 2}}
	}),
	"DELETE /api/v4/projects/{id}/labels/{label_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/labels/" + x.freshProjectLabel(p)))
	}),
	"PUT /api/v4/projects/{id}/labels/{label_id}/promote": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/labels/" + x.freshProjectLabel(p) + "/promote"))
	}),
	"POST /api/v4/projects/{id}/labels/{label_id}/subscribe": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/labels/" + x.freshProjectLabel(p) + "/subscribe"))
	}),
	"PUT /api/v4/projects/{id}/labels": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/labels"), json: map[string]any{"label_id": x.freshProjectLabel(p), "description": "legacy"}}
	}),
	"DELETE /api/v4/projects/{id}/labels": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/labels"), json: map[string]any{"label_id": x.freshProjectLabel(p)}}
	}),
	"PUT /api/v4/projects/{id}/labels/promote": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		id := x.freshProjectLabel(p)
		l := x.root("GET", p.api("/labels/"+id), nil)
		return request{path: p.api("/labels/promote"), json: map[string]any{"name": l["name"]}}
	}),
	// Not subscribed: nothing to change, 304 — the answer of an allowed
	// caller.
	"POST /api/v4/projects/{id}/labels/{label_id}/unsubscribe": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/labels/" + x.freshProjectLabel(p) + "/unsubscribe"), accept: notModified}
	}),

	// Group labels
	"GET /api/v4/groups/{id}/labels": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(groupAPI(g, "/labels?with_counts=true"))
	}),
	"POST /api/v4/groups/{id}/labels": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return request{path: groupAPI(g, "/labels"), json: map[string]any{"name": "made" + x.next(), "color": "#123"}}
	}),
	"GET /api/v4/groups/{id}/labels/{label_id}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(groupAPI(g, "/labels/"+x.freshGroupLabel(g)))
	}),
	"PUT /api/v4/groups/{id}/labels/{label_id}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return request{path: groupAPI(g, "/labels/"+x.freshGroupLabel(g)), json: map[string]any{"description": "matrix"}}
	}),
	"DELETE /api/v4/groups/{id}/labels/{label_id}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(groupAPI(g, "/labels/"+x.freshGroupLabel(g)))
	}),
	"PUT /api/v4/groups/{id}/labels": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return request{path: groupAPI(g, "/labels"), json: map[string]any{"label_id": x.freshGroupLabel(g), "color": "blue"}}
	}),
	"DELETE /api/v4/groups/{id}/labels": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		l := x.root("GET", groupAPI(g, "/labels/"+x.freshGroupLabel(g)), nil)
		return request{path: groupAPI(g, "/labels"), json: map[string]any{"name": l["name"]}}
	}),
	"POST /api/v4/groups/{id}/labels/{label_id}/subscribe": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(groupAPI(g, "/labels/"+x.freshGroupLabel(g)+"/subscribe"))
	}),
	"POST /api/v4/groups/{id}/labels/{label_id}/unsubscribe": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return request{path: groupAPI(g, "/labels/"+x.freshGroupLabel(g)+"/unsubscribe"), accept: notModified}
	}),

	// Project milestones
	"GET /api/v4/projects/{id}/milestones": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/milestones?include_ancestors=true"))
	}),
	"POST /api/v4/projects/{id}/milestones": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/milestones"), json: map[string]any{"title": "made" + x.next(), "due_date": "2030-01-02"}}
	}),
	"GET /api/v4/projects/{id}/milestones/{milestone_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/milestones/" + x.freshMilestone(p.api(""))))
	}),
	"PUT /api/v4/projects/{id}/milestones/{milestone_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/milestones/" + x.freshMilestone(p.api(""))), json: map[string]any{"state_event": "close"}}
	}),
	"DELETE /api/v4/projects/{id}/milestones/{milestone_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/milestones/" + x.freshMilestone(p.api(""))))
	}),
	"POST /api/v4/projects/{id}/milestones/{milestone_id}/promote": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/milestones/" + x.freshMilestone(p.api("")) + "/promote"))
	}),

	// Group milestones
	"GET /api/v4/groups/{id}/milestones": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(groupAPI(g, "/milestones?include_descendants=true"))
	}),
	"POST /api/v4/groups/{id}/milestones": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return request{path: groupAPI(g, "/milestones"), json: map[string]any{"title": "made" + x.next()}}
	}),
	"GET /api/v4/groups/{id}/milestones/{milestone_id}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(groupAPI(g, "/milestones/"+x.freshMilestone(groupAPI(g, ""))))
	}),
	"PUT /api/v4/groups/{id}/milestones/{milestone_id}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return request{path: groupAPI(g, "/milestones/"+x.freshMilestone(groupAPI(g, ""))), json: map[string]any{"description": "matrix"}}
	}),
	"DELETE /api/v4/groups/{id}/milestones/{milestone_id}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(groupAPI(g, "/milestones/"+x.freshMilestone(groupAPI(g, ""))))
	}),
})

// groupAPI is the API path of g plus suffix.
func groupAPI(g *groupFixture, suffix string) string { return api + "/groups/" + itoa(g.id) + suffix }

// notModified accepts 304 too: an allowed caller's answer when there is
// nothing to change.
func notModified(status int, _ http.Header) bool {
	return status == http.StatusNotModified || status >= 200 && status < 300
}

// freshProjectLabel creates a label in p and returns its id.
func (x *matrix) freshProjectLabel(p *projectFixture) string {
	l := x.root("POST", p.api("/labels"), map[string]any{"name": "lbl" + x.next(), "color": "#428BCA"})
	return num(l["id"])
}

func (x *matrix) freshGroupLabel(g *groupFixture) string {
	l := x.root("POST", groupAPI(g, "/labels"), map[string]any{"name": "glbl" + x.next(), "color": "#428BCA"})
	return num(l["id"])
}

// freshMilestone creates a milestone under a project or group API path.
func (x *matrix) freshMilestone(parent string) string {
	m := x.root("POST", parent+"/milestones", map[string]any{"title": "ms" + x.next()})
	return num(m["id"])
}
