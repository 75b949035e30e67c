package server_test

// freshIntegration sets up, as root, emails on push on p and returns its
// path under base (integrations or services).
func (x *matrix) freshIntegration(p *projectFixture, base string) string {
	path := p.api("/" + base + "/emails-on-push")
	x.root("PUT", path, map[string]any{"recipients": "team@example.com"})
	return path
}

// Project integrations, under both of GitLab's paths.
var _ = addFixtures(integrationFixtures("integrations"))
var _ = addFixtures(integrationFixtures("services"))

func integrationFixtures(base string) map[string]fixture {
	prefix := "/api/v4/projects/{id}/" + base
	return map[string]fixture{
		"GET " + prefix: onProject(func(x *matrix, c *cell, p *projectFixture) request {
			return get(p.api("/" + base))
		}),
		"GET " + prefix + "/{slug}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
			return get(x.freshIntegration(p, base))
		}),
		"PUT " + prefix + "/{slug}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
			return request{path: p.api("/" + base + "/emails-on-push"),
				json: map[string]any{"recipients": "dev@example.com", "disable_diffs": true}}
		}),
		"DELETE " + prefix + "/{slug}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
			return get(x.freshIntegration(p, base))
		}),
	}
}
