package server_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
)

// hookURL is a public address no request reaches: fixtures never deliver
// to it (system hooks' tests go to a closed loopback port instead).
const hookURL = "http://192.0.2.1/hook"

// freshProjectHook adds, as root, a hook to p and returns its path.
func (x *matrix) freshProjectHook(p *projectFixture) string {
	h := x.root("POST", p.api("/hooks"), map[string]any{"url": hookURL + x.next()})
	return p.api("/hooks/" + num(h["id"]))
}

// freshGroupHook adds, as root, a hook to g and returns its path.
func (x *matrix) freshGroupHook(g *groupFixture) string {
	base := api + "/groups/" + itoa(g.id) + "/hooks"
	h := x.root("POST", base, map[string]any{"url": hookURL + x.next()})
	return base + "/" + num(h["id"])
}

// freshSystemHook adds a system hook and returns its path.
func (x *matrix) freshSystemHook() string {
	h := x.root("POST", api+"/hooks", map[string]any{"url": "http://127.0.0.1:1/hook" + x.next()})
	return api + "/hooks/" + num(h["id"])
}

// Webhooks. The test routes ask for wiki page events, which have no
// sample to build: allowed callers get GitLab's 422, nothing is sent.
var _ = addFixtures(map[string]fixture{
	"GET /api/v4/projects/{id}/hooks": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/hooks"))
	}),
	"POST /api/v4/projects/{id}/hooks": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/hooks"), json: map[string]any{"url": hookURL, "issues_events": true}}
	}),
	"GET /api/v4/projects/{id}/hooks/{hook_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(x.freshProjectHook(p))
	}),
	"PUT /api/v4/projects/{id}/hooks/{hook_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: x.freshProjectHook(p), json: map[string]any{"note_events": true}}
	}),
	"DELETE /api/v4/projects/{id}/hooks/{hook_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(x.freshProjectHook(p))
	}),
	"POST /api/v4/projects/{id}/hooks/{hook_id}/test/{trigger}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return untestable(get(x.freshProjectHook(p) + "/test/wiki_page_events"))
	}),
	"GET /api/v4/groups/{id}/hooks": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(api + "/groups/" + itoa(g.id) + "/hooks")
	}),
	"POST /api/v4/groups/{id}/hooks": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return request{path: api + "/groups/" + itoa(g.id) + "/hooks", json: map[string]any{"url": hookURL, "member_events": true}}
	}),
	"GET /api/v4/groups/{id}/hooks/{hook_id}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(x.freshGroupHook(g))
	}),
	"PUT /api/v4/groups/{id}/hooks/{hook_id}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return request{path: x.freshGroupHook(g), json: map[string]any{"push_events": false}}
	}),
	"DELETE /api/v4/groups/{id}/hooks/{hook_id}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(x.freshGroupHook(g))
	}),
	"POST /api/v4/groups/{id}/hooks/{hook_id}/test/{trigger}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return untestable(get(x.freshGroupHook(g) + "/test/wiki_page_events"))
	}),
	"GET /api/v4/hooks": static(api + "/hooks"),
	"POST /api/v4/hooks": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/hooks", json: map[string]any{"url": "http://127.0.0.1:1/new"}}
	}},
	"GET /api/v4/hooks/{hook_id}":  {build: func(x *matrix, c *cell) request { return get(x.freshSystemHook()) }},
	"POST /api/v4/hooks/{hook_id}": {build: func(x *matrix, c *cell) request { return get(x.freshSystemHook()) }},
	"PUT /api/v4/hooks/{hook_id}": {build: func(x *matrix, c *cell) request {
		return request{path: x.freshSystemHook(), json: map[string]any{"tag_push_events": true}}
	}},
	"DELETE /api/v4/hooks/{hook_id}": {build: func(x *matrix, c *cell) request { return get(x.freshSystemHook()) }},
})

// untestable accepts GitLab's 422 for a test with no sample to send: the
// caller passed the permission check.
func untestable(r request) request {
	r.accept = func(status int, _ http.Header) bool { return status == http.StatusUnprocessableEntity }
	return r
}

// hookSink is a loopback receiver answering 200, for fixtures that need a
// delivery logged; started once for the matrix's process.
var hookSink = sync.OnceValue(func() string {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})).URL
})

// loggedHookEvent makes, as root, a hook at base that reaches the sink,
// sends it a test push, and returns the path of that delivery's log.
func (x *matrix) loggedHookEvent(base string) string {
	x.root("PUT", api+"/application/settings", map[string]any{"allow_local_requests_from_web_hooks_and_services": true})
	h := x.root("POST", base, map[string]any{"url": hookSink() + "/" + x.next()})
	hook := base + "/" + num(h["id"])
	x.root("POST", hook+"/test/push_events", nil)
	logs := x.rootList(hook + "/events")
	if len(logs) == 0 {
		panic(fixtureFailure("no delivery logged"))
	}
	return hook + "/events/" + num(logs[0]["id"])
}

// Webhook deliveries.
var _ = addFixtures(map[string]fixture{
	"GET /api/v4/projects/{id}/hooks/{hook_id}/events": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(x.freshProjectHook(p) + "/events")
	}),
	"POST /api/v4/projects/{id}/hooks/{hook_id}/events/{hook_log_id}/resend": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(x.loggedHookEvent(p.api("/hooks")) + "/resend")
	}),
	"GET /api/v4/groups/{id}/hooks/{hook_id}/events": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(x.freshGroupHook(g) + "/events")
	}),
	"POST /api/v4/groups/{id}/hooks/{hook_id}/events/{hook_log_id}/resend": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(x.loggedHookEvent(api+"/groups/"+itoa(g.id)+"/hooks") + "/resend")
	}),
})
