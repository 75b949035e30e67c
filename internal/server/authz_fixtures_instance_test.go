package server_test

// The instance's settings. The write sets a default value again, so the
// matrix's callers leave the instance as it was.
var _ = addFixtures(map[string]fixture{
	"GET /api/v4/application/settings": static(api + "/application/settings"),
	"PUT /api/v4/application/settings": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/application/settings", json: map[string]any{"allow_local_requests_from_system_hooks": true}}
	}},
})

// File templates: the instance's are anyone's; a project's follow the
// project's visibility.
var _ = addFixtures(map[string]fixture{
	"GET /api/v4/templates/licenses":              static(api + "/templates/licenses"),
	"GET /api/v4/templates/licenses/{name}":       static(api + "/templates/licenses/mit"),
	"GET /api/v4/templates/gitignores":            static(api + "/templates/gitignores"),
	"GET /api/v4/templates/gitignores/{name}":     static(api + "/templates/gitignores/Go"),
	"GET /api/v4/templates/dockerfiles":           static(api + "/templates/dockerfiles"),
	"GET /api/v4/templates/dockerfiles/{name}":    static(api + "/templates/dockerfiles/Golang"),
	"GET /api/v4/templates/gitlab_ci_ymls":        static(api + "/templates/gitlab_ci_ymls"),
	"GET /api/v4/templates/gitlab_ci_ymls/{name}": static(api + "/templates/gitlab_ci_ymls/Bash"),
	"GET /api/v4/projects/{id}/templates/{type}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/templates/licenses"))
	}),
	"GET /api/v4/projects/{id}/templates/{type}/{name}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/templates/gitignores/Go"))
	}),
})

// freshBroadcast creates, as root, a broadcast message and returns its path.
func (x *matrix) freshBroadcast() string {
	m := x.root("POST", api+"/broadcast_messages", map[string]any{"message": "m" + x.next()})
	return api + "/broadcast_messages/" + num(m["id"])
}

// Appearance, statistics, broadcast messages, feature flags and the job
// queue's metrics: administrators' except reading broadcast messages.
var _ = addFixtures(map[string]fixture{
	"GET /api/v4/application/appearance": static(api + "/application/appearance"),
	"PUT /api/v4/application/appearance": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/application/appearance", json: map[string]any{"title": ""}}
	}},
	"GET /api/v4/application/statistics":  static(api + "/application/statistics"),
	"GET /api/v4/broadcast_messages":      static(api + "/broadcast_messages"),
	"GET /api/v4/broadcast_messages/{id}": {build: func(x *matrix, c *cell) request { return get(x.freshBroadcast()) }},
	"POST /api/v4/broadcast_messages": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/broadcast_messages", json: map[string]any{"message": "hello"}}
	}},
	"PUT /api/v4/broadcast_messages/{id}": {build: func(x *matrix, c *cell) request {
		return request{path: x.freshBroadcast(), json: map[string]any{"message": "changed"}}
	}},
	"DELETE /api/v4/broadcast_messages/{id}": {build: func(x *matrix, c *cell) request { return get(x.freshBroadcast()) }},
	"GET /api/v4/features":                   static(api + "/features"),
	"GET /api/v4/features/definitions":       static(api + "/features/definitions"),
	"POST /api/v4/features/{name}": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/features/matrix_flag", json: map[string]any{"value": "true"}}
	}},
	"DELETE /api/v4/features/{name}":       static(api + "/features/matrix_flag"),
	"GET /api/v4/sidekiq/queue_metrics":    static(api + "/sidekiq/queue_metrics"),
	"GET /api/v4/sidekiq/process_metrics":  static(api + "/sidekiq/process_metrics"),
	"GET /api/v4/sidekiq/job_stats":        static(api + "/sidekiq/job_stats"),
	"GET /api/v4/sidekiq/compound_metrics": static(api + "/sidekiq/compound_metrics"),
})
