package server_test

// jobTokenTarget creates, as root, a public project of its own: every
// caller sees it, so the allowlist routes answer by the caller's rights
// on the project whose list it is.
func (x *matrix) jobTokenTarget() string {
	t := x.root("POST", api+"/projects", map[string]any{"name": "jt" + x.next(),
		"namespace_id": x.groups[public].id, "visibility": "public"})
	return num(t["id"])
}

// jobTokenTargetGroup creates, as root, a public group of its own.
func (x *matrix) jobTokenTargetGroup() string {
	n := "jtg" + x.next()
	return num(x.root("POST", api+"/groups", map[string]any{"name": n, "path": n, "visibility": "public"})["id"])
}

// The job token's inbound scope.
var _ = addFixtures(map[string]fixture{
	"GET " + api + "/projects/{id}/job_token_scope": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/job_token_scope"))
	}),
	"PATCH " + api + "/projects/{id}/job_token_scope": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/job_token_scope"), json: map[string]any{"enabled": true}}
	}),
	"GET " + api + "/projects/{id}/job_token_scope/allowlist": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/job_token_scope/allowlist"))
	}),
	"POST " + api + "/projects/{id}/job_token_scope/allowlist": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/job_token_scope/allowlist"), json: map[string]any{"target_project_id": x.jobTokenTarget()}}
	}),
	"DELETE " + api + "/projects/{id}/job_token_scope/allowlist/{target_project_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		t := x.jobTokenTarget()
		x.root("POST", p.api("/job_token_scope/allowlist"), map[string]any{"target_project_id": t})
		return get(p.api("/job_token_scope/allowlist/" + t))
	}),
	"GET " + api + "/projects/{id}/job_token_scope/groups_allowlist": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/job_token_scope/groups_allowlist"))
	}),
	"POST " + api + "/projects/{id}/job_token_scope/groups_allowlist": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/job_token_scope/groups_allowlist"), json: map[string]any{"target_group_id": x.jobTokenTargetGroup()}}
	}),
	"DELETE " + api + "/projects/{id}/job_token_scope/groups_allowlist/{target_group_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		t := x.jobTokenTargetGroup()
		x.root("POST", p.api("/job_token_scope/groups_allowlist"), map[string]any{"target_group_id": t})
		return get(p.api("/job_token_scope/groups_allowlist/" + t))
	}),
})
