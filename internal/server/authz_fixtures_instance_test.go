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
