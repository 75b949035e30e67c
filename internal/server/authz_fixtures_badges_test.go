package server_test

// freshBadge adds, as root, a badge to base (a project's or group's
// …/badges) and returns its path.
func (x *matrix) freshBadge(base string) string {
	b := x.root("POST", base, map[string]any{"link_url": "https://example.com/%{project_path}",
		"image_url": "https://img.example.com/b.svg", "name": "b" + x.next()})
	return base + "/" + num(b["id"])
}

// badgeFixtures are the badge routes under route, base building the
// source's …/badges path for a cell.
func badgeFixtures(route string, on func(func(x *matrix, base string) request) fixture) map[string]fixture {
	body := map[string]any{"link_url": "https://example.com/x", "image_url": "https://example.com/i.svg"}
	return map[string]fixture{
		"GET " + route: on(func(x *matrix, base string) request { return get(base) }),
		"GET " + route + "/render": on(func(x *matrix, base string) request {
			return get(base + "/render?link_url=https://a.example/%25%7Bproject_id%7D&image_url=https://b.example/i.svg")
		}),
		"GET " + route + "/{badge_id}": on(func(x *matrix, base string) request { return get(x.freshBadge(base)) }),
		"POST " + route:                on(func(x *matrix, base string) request { return request{path: base, json: body} }),
		"PUT " + route + "/{badge_id}": on(func(x *matrix, base string) request {
			return request{path: x.freshBadge(base), json: map[string]any{"name": "renamed"}}
		}),
		"DELETE " + route + "/{badge_id}": on(func(x *matrix, base string) request { return get(x.freshBadge(base)) }),
	}
}

var (
	_ = addFixtures(badgeFixtures(api+"/projects/{id}/badges", func(build func(*matrix, string) request) fixture {
		return onProject(func(x *matrix, c *cell, p *projectFixture) request { return build(x, p.api("/badges")) })
	}))
	_ = addFixtures(badgeFixtures(api+"/groups/{id}/badges", func(build func(*matrix, string) request) fixture {
		return onGroup(func(x *matrix, c *cell, g *groupFixture) request {
			return build(x, api+"/groups/"+itoa(g.id)+"/badges")
		})
	}))
)

// Stars.
var _ = addFixtures(map[string]fixture{
	// A caller may have starred the project in an earlier cell: 304 is
	// an allowed answer, as for subscriptions.
	"POST /api/v4/projects/{id}/star": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/star"), accept: subscriptionAnswered}
	}),
	"POST /api/v4/projects/{id}/unstar": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/unstar"), accept: subscriptionAnswered}
	}),
	"GET /api/v4/projects/{id}/starrers": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/starrers"))
	}),
	"GET /api/v4/users/{user_id}/starred_projects": {build: func(x *matrix, c *cell) request {
		return get(api + "/users/" + itoa(x.users["owner"].ID) + "/starred_projects")
	}},
})

// freshTopic creates, as root, a topic of its own and returns its path.
func (x *matrix) freshTopic() string {
	n := "topic-" + x.next()
	t := x.root("POST", api+"/topics", map[string]any{"name": n, "title": n})
	return api + "/topics/" + num(t["id"])
}

// Topics.
var _ = addFixtures(map[string]fixture{
	"GET /api/v4/topics":      static(api + "/topics"),
	"GET /api/v4/topics/{id}": {build: func(x *matrix, c *cell) request { return get(x.freshTopic()) }},
	"POST /api/v4/topics": {build: func(x *matrix, c *cell) request {
		n := "made-" + x.next()
		return request{path: api + "/topics", json: map[string]any{"name": n, "title": n}}
	}},
	"PUT /api/v4/topics/{id}": {build: func(x *matrix, c *cell) request {
		return request{path: x.freshTopic(), json: map[string]any{"title": "changed"}}
	}},
	"DELETE /api/v4/topics/{id}": {build: func(x *matrix, c *cell) request { return get(x.freshTopic()) }},
	"POST /api/v4/topics/merge": {build: func(x *matrix, c *cell) request {
		id := func(path string) string { return path[len(api+"/topics/"):] }
		return request{path: api + "/topics/merge", json: map[string]any{"source_topic_id": id(x.freshTopic()),
			"target_topic_id": id(x.freshTopic())}}
	}},
})

// Languages.
var _ = addFixtures(map[string]fixture{
	"GET /api/v4/projects/{id}/languages": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/languages"))
	}),
})
