package server_test

// freshCIVariable creates, as root, a variable of its own under base (a
// project's or group's …/variables, or the instance's) and returns its
// path: each cell reads, changes or deletes its own.
func (x *matrix) freshCIVariable(base string) string {
	key := "V_" + x.next()
	x.root("POST", base, map[string]any{"key": key, "value": "value-" + key})
	return base + "/" + key
}

// ciVariableFixtures are the five routes of one owner's variables under
// route; on turns a request built on the owner's …/variables path into
// the owner's fixture.
func ciVariableFixtures(route string, on func(build func(x *matrix, base string) request) fixture) map[string]fixture {
	return map[string]fixture{
		"GET " + route: on(func(x *matrix, base string) request { return get(base) }),
		"POST " + route: on(func(x *matrix, base string) request {
			return request{path: base, json: map[string]any{"key": "V_" + x.next(), "value": "v"}}
		}),
		"GET " + route + "/{key}": on(func(x *matrix, base string) request { return get(x.freshCIVariable(base)) }),
		"PUT " + route + "/{key}": on(func(x *matrix, base string) request {
			return request{path: x.freshCIVariable(base), json: map[string]any{"value": "changed"}}
		}),
		"DELETE " + route + "/{key}": on(func(x *matrix, base string) request { return get(x.freshCIVariable(base)) }),
	}
}

// CI/CD variables of projects, groups and the instance.
var (
	_ = addFixtures(ciVariableFixtures(api+"/projects/{id}/variables", func(build func(*matrix, string) request) fixture {
		return onProject(func(x *matrix, c *cell, p *projectFixture) request { return build(x, p.api("/variables")) })
	}))
	_ = addFixtures(ciVariableFixtures(api+"/groups/{id}/variables", func(build func(*matrix, string) request) fixture {
		return onGroup(func(x *matrix, c *cell, g *groupFixture) request {
			return build(x, api+"/groups/"+itoa(g.id)+"/variables")
		})
	}))
	_ = addFixtures(ciVariableFixtures(api+"/admin/ci/variables", func(build func(*matrix, string) request) fixture {
		return fixture{build: func(x *matrix, c *cell) request { return build(x, api+"/admin/ci/variables") }}
	}))
)
