package server_test

import "net/http"

// Repository operations and notification settings. A housekeeping run
// already queued for the project answers 409: the caller passed the
// permission check.
var _ = addFixtures(map[string]fixture{
	"POST /api/v4/projects/{id}/housekeeping": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		r := request{path: p.api("/housekeeping"), json: map[string]any{"task": "prune"}}
		r.accept = func(status int, _ http.Header) bool {
			return status == http.StatusCreated || status == http.StatusConflict
		}
		return r
	}),
	"GET /api/v4/projects/{id}/storage": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/storage"))
	}),
	"GET /api/v4/projects/{id}/snapshot": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/snapshot"))
	}),
	"GET /api/v4/notification_settings": static(api + "/notification_settings"),
	"PUT /api/v4/notification_settings": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/notification_settings", json: map[string]any{"level": "watch"}}
	}},
	"GET /api/v4/groups/{id}/notification_settings": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(api + "/groups/" + itoa(g.id) + "/notification_settings")
	}),
	"PUT /api/v4/groups/{id}/notification_settings": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return request{path: api + "/groups/" + itoa(g.id) + "/notification_settings", json: map[string]any{"level": "watch"}}
	}),
	"GET /api/v4/projects/{id}/notification_settings": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/notification_settings"))
	}),
	"PUT /api/v4/projects/{id}/notification_settings": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/notification_settings"), json: map[string]any{"level": "custom", "new_note": true}}
	}),
})
