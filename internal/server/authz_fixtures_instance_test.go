package server_test

// The instance's settings. The write sets a default value again, so the
// matrix's callers leave the instance as it was.
var _ = addFixtures(map[string]fixture{
	"GET /api/v4/application/settings": static(api + "/application/settings"),
	"PUT /api/v4/application/settings": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/application/settings", json: map[string]any{"allow_local_requests_from_system_hooks": true}}
	}},
})
