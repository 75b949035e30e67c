package server_test

import (
	"encoding/json"
	"net/http"
)

// freshSchedule creates, as root, a pipeline schedule of its own on p's
// unprotected CI branch, with a variable, and returns its path.
func (x *matrix) freshSchedule(p *projectFixture) string {
	x.ciShared(p)
	ps := x.root("POST", p.api("/pipeline_schedules"), map[string]any{"description": "s" + x.next(),
		"ref": ciConfigBranch, "cron": "0 4 * * *"})
	path := p.api("/pipeline_schedules/" + num(ps["id"]))
	x.root("POST", path+"/variables", map[string]any{"key": "MATRIX", "value": "1"})
	return path
}

// ownSchedule is a schedule the caller owns when they may create one
// (only the owner changes a schedule), else root's.
func (x *matrix) ownSchedule(c *cell, p *projectFixture) string {
	x.ciShared(p)
	r, err := x.send(c, request{method: http.MethodPost, path: p.api("/pipeline_schedules"),
		json: map[string]any{"description": "mine", "ref": ciConfigBranch, "cron": "0 4 * * *"}})
	if err == nil && r.status == http.StatusCreated {
		var ps struct{ ID int64 }
		if json.Unmarshal(r.body, &ps) == nil && ps.ID > 0 {
			path := p.api("/pipeline_schedules/" + itoa(ps.ID))
			x.root("POST", path+"/variables", map[string]any{"key": "MATRIX", "value": "1"})
			return path
		}
	}
	return x.freshSchedule(p)
}

// Pipeline schedules: on the CI fixture's unprotected branch, so the
// protected-ref rule never decides.
var _ = addFixtures(map[string]fixture{
	"GET " + api + "/projects/{id}/pipeline_schedules": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/pipeline_schedules"))
	}),
	"POST " + api + "/projects/{id}/pipeline_schedules": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		x.ciShared(p)
		return request{path: p.api("/pipeline_schedules"), json: map[string]any{"description": "d" + x.next(),
			"ref": ciConfigBranch, "cron": "0 4 * * *"}}
	}),
	"GET " + api + "/projects/{id}/pipeline_schedules/{pipeline_schedule_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(x.freshSchedule(p))
	}),
	"PUT " + api + "/projects/{id}/pipeline_schedules/{pipeline_schedule_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{method: http.MethodPut, path: x.ownSchedule(c, p), json: map[string]any{"cron": "5 4 * * *"}}
	}),
	"DELETE " + api + "/projects/{id}/pipeline_schedules/{pipeline_schedule_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{method: http.MethodDelete, path: x.freshSchedule(p)}
	}),
	"GET " + api + "/projects/{id}/pipeline_schedules/{pipeline_schedule_id}/pipelines": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(x.freshSchedule(p) + "/pipelines")
	}),
	"POST " + api + "/projects/{id}/pipeline_schedules/{pipeline_schedule_id}/take_ownership": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: x.freshSchedule(p) + "/take_ownership"}
	}),
	"POST " + api + "/projects/{id}/pipeline_schedules/{pipeline_schedule_id}/play": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: x.freshSchedule(p) + "/play"}
	}),
	"POST " + api + "/projects/{id}/pipeline_schedules/{pipeline_schedule_id}/variables": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: x.ownSchedule(c, p) + "/variables", json: map[string]any{"key": "NEW", "value": "v"}}
	}),
	"PUT " + api + "/projects/{id}/pipeline_schedules/{pipeline_schedule_id}/variables/{key}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{method: http.MethodPut, path: x.ownSchedule(c, p) + "/variables/MATRIX", json: map[string]any{"value": "2"}}
	}),
	"DELETE " + api + "/projects/{id}/pipeline_schedules/{pipeline_schedule_id}/variables/{key}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{method: http.MethodDelete, path: x.freshSchedule(p) + "/variables/MATRIX"}
	}),
})
