package server_test

import "net/url"

var _ = addFixtures(map[string]fixture{
	"GET /api/v4/events": static(api + "/events"),
	"GET /api/v4/users/{id}/events": {build: func(x *matrix, c *cell) request {
		return get(api + "/users/" + url.PathEscape(x.users["owner"].Username) + "/events")
	}},
	"GET /api/v4/projects/{id}/events": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/events"))
	}),
})
