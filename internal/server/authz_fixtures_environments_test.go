package server_test

import (
	"time"
)

// freshEnvironment creates, as root, an environment of its own on p and
// returns its path.
func (x *matrix) freshEnvironment(p *projectFixture) string {
	e := x.root("POST", p.api("/environments"), map[string]any{"name": "env-" + x.next()})
	return p.api("/environments/" + num(e["id"]))
}

// freshDeployment records, as root, a deployment of p's head to an
// environment of its own with status, and returns its path.
func (x *matrix) freshDeployment(p *projectFixture, env, status string) string {
	d := x.root("POST", p.api("/deployments"), map[string]any{"environment": env, "sha": p.head, "ref": "main",
		"tag": false, "status": status})
	return p.api("/deployments/" + num(d["id"]))
}

// Environments and deployments.
var _ = addFixtures(map[string]fixture{
	"GET " + api + "/projects/{id}/environments": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/environments"))
	}),
	"POST " + api + "/projects/{id}/environments": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/environments"), json: map[string]any{"name": "new-" + x.next()}}
	}),
	"POST " + api + "/projects/{id}/environments/stop_stale": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		before := time.Now().AddDate(0, 0, -14).UTC().Format(time.RFC3339)
		return request{path: p.api("/environments/stop_stale"), json: map[string]any{"before": before}}
	}),
	"GET " + api + "/projects/{id}/environments/{environment_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(x.freshEnvironment(p))
	}),
	"PUT " + api + "/projects/{id}/environments/{environment_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: x.freshEnvironment(p), json: map[string]any{"external_url": "https://example.com"}}
	}),
	// Only a stopped environment is deleted: each cell's is stopped.
	"DELETE " + api + "/projects/{id}/environments/{environment_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		path := x.freshEnvironment(p)
		x.root("POST", path+"/stop", map[string]any{"force": true})
		return get(path)
	}),
	"POST " + api + "/projects/{id}/environments/{environment_id}/stop": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(x.freshEnvironment(p) + "/stop")
	}),
	"GET " + api + "/projects/{id}/deployments": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/deployments"))
	}),
	"POST " + api + "/projects/{id}/deployments": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/deployments"), json: map[string]any{"environment": "dep-" + x.next(),
			"sha": p.head, "ref": "main", "tag": false, "status": "success"}}
	}),
	"GET " + api + "/projects/{id}/deployments/{deployment_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(x.freshDeployment(p, "dep-"+x.next(), "success"))
	}),
	"PUT " + api + "/projects/{id}/deployments/{deployment_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: x.freshDeployment(p, "dep-"+x.next(), "running"), json: map[string]any{"status": "success"}}
	}),
	// A deployment that is not its environment's last may be deleted.
	"DELETE " + api + "/projects/{id}/deployments/{deployment_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		env := "dep-" + x.next()
		path := x.freshDeployment(p, env, "success")
		x.freshDeployment(p, env, "success")
		return get(path)
	}),
})
