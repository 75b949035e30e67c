package server_test

import (
	"context"
	"net/http"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/route"
	"github.com/lablet/lablet/internal/store"
)

// freshRunner stores a project runner of projects (the first its owner)
// and returns its id and token.
func (x *matrix) freshRunner(projects ...int64) (int64, string) {
	token := auth.NewSecret("glrt-", 20)
	r := &model.Runner{RunnerType: model.RunnerProject, TokenDigest: auth.Digest(token),
		RegistrationType: "authenticated_user", RunUntagged: true, AccessLevel: "not_protected", ProjectIDs: projects}
	x.inStore(func(ctx context.Context, q *store.Queries) error { return q.InsertRunner(ctx, r) })
	return r.ID, token
}

// freshRegistrationToken is the registration token of a group of its
// own, so that no other cell resets it while the cell registers.
func (x *matrix) freshRegistrationToken() string {
	n := "reg" + x.next()
	g := x.root("POST", api+"/groups", map[string]any{"name": n, "path": n})
	token := auth.NewSecret("GR1348941", 20)
	x.inStore(func(ctx context.Context, q *store.Queries) error {
		return q.SetRegistrationToken(ctx, model.RegistrationGroup, int64(g["id"].(float64)), auth.Digest(token))
	})
	return token
}

// otherProject is a main project of another visibility than v's.
func (x *matrix) otherProject(v visibility) int64 {
	if v == public {
		return x.projects[private].id
	}
	return x.projects[public].id
}

// Runners: each destructive cell has a runner of its own.
var _ = addFixtures(map[string]fixture{
	"POST /api/v4/user/runners": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: api + "/user/runners", json: map[string]any{"runner_type": "project_type", "project_id": p.id}}
	}),
	"GET /api/v4/runners":     static(api + "/runners"),
	"GET /api/v4/runners/all": static(api + "/runners/all"),
	"GET /api/v4/runners/{id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		id, _ := x.freshRunner(p.id)
		return get(api + "/runners/" + itoa(id))
	}),
	"PUT /api/v4/runners/{id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		id, _ := x.freshRunner(p.id)
		return request{path: api + "/runners/" + itoa(id), json: map[string]any{"description": "matrix"}}
	}),
	"DELETE /api/v4/runners/{id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		id, _ := x.freshRunner(p.id)
		return get(api + "/runners/" + itoa(id))
	}),
	"POST /api/v4/runners/{id}/reset_authentication_token": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		id, _ := x.freshRunner(p.id)
		return get(api + "/runners/" + itoa(id) + "/reset_authentication_token")
	}),
	"GET /api/v4/projects/{id}/runners": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/runners"))
	}),
	// A runner of the visibility's main project, assigned to a fresh
	// project of the same group: the caller's role is the same on both.
	"POST /api/v4/projects/{id}/runners": onFreshProject(func(x *matrix, c *cell, id int64) request {
		runner, _ := x.freshRunner(x.projects[c.vis].id)
		return request{path: api + "/projects/" + itoa(id) + "/runners", json: map[string]any{"runner_id": runner}}
	}),
	// A runner owned elsewhere and assigned to the main project too: its
	// Maintainers may unassign it.
	"DELETE /api/v4/projects/{id}/runners/{runner_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		runner, _ := x.freshRunner(x.otherProject(c.vis), p.id)
		return get(p.api("/runners/" + itoa(runner)))
	}),
	"GET /api/v4/groups/{id}/runners": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(api + "/groups/" + itoa(g.id) + "/runners")
	}),
	"POST /api/v4/runners/reset_registration_token": static(api + "/runners/reset_registration_token"),
	"POST /api/v4/projects/{id}/runners/reset_registration_token": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/runners/reset_registration_token"))
	}),
	"POST /api/v4/groups/{id}/runners/reset_registration_token": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(api + "/groups/" + itoa(g.id) + "/runners/reset_registration_token")
	}),
	// The runner's own calls: a valid token in the body, whoever sends it.
	"POST /api/v4/runners": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/runners", json: map[string]any{"token": x.freshRegistrationToken()}}
	}},
	"DELETE /api/v4/runners": {build: func(x *matrix, c *cell) request {
		_, token := x.freshRunner(x.projects[private].id)
		return request{path: api + "/runners", json: map[string]any{"token": token}}
	}},
	"POST /api/v4/runners/verify": {build: func(x *matrix, c *cell) request {
		_, token := x.freshRunner(x.projects[private].id)
		return request{path: api + "/runners/verify", json: map[string]any{"token": token}}
	}},
	"POST /api/v4/runners/reset_authentication_token": {build: func(x *matrix, c *cell) request {
		_, token := x.freshRunner(x.projects[private].id)
		return request{path: api + "/runners/reset_authentication_token", json: map[string]any{"token": token}}
	}},
})

// expectRunner is GitLab's answer on the runner routes, once the caller
// has passed the route's authentication, scope and admin checks (ok false
// for other routes). A runner is found before anything is asked, so a
// runner the caller may not use is 403 whatever its project's visibility;
// the fixtures' runners belong to the target project, whose Maintainers
// manage them. The project and group lists, assignment and registration
// tokens check the project or group first (404 when invisible).
func expectRunner(r *route.Route, c *caller, t target) (outcome, bool) {
	maintainer := c.admin || c.level(t) >= access.Maintainer
	allowedIf := func(ok bool) outcome {
		if ok {
			return allowed
		}
		return forbidden
	}
	switch r.Ability {
	case access.ReadRunner, access.UpdateRunner, access.DeleteRunner:
		if t.kind == noTarget { // the caller's own runners
			return allowed, true
		}
		return allowedIf(maintainer), true
	case access.CreateRunner:
		if r.Pattern == api+"/user/runners" && r.Method == http.MethodPost {
			// CreateRunnerService finds the project by id, visible or not.
			return allowedIf(maintainer), true
		}
		fallthrough
	case access.ReadProjectRunners, access.AdminProjectRunners:
		if !projectVisible(c, t) {
			return notFound, true
		}
		return allowedIf(maintainer), true
	case access.ReadGroupRunners:
		if !groupVisible(c, t) {
			return notFound, true
		}
		return allowedIf(maintainer), true
	case access.UpdateRunnersRegistrationToken:
		switch t.kind {
		case mainGroup, freshGroup:
			if !groupVisible(c, t) {
				return notFound, true
			}
			return allowedIf(c.admin || c.level(t) >= access.Owner), true
		}
		if !projectVisible(c, t) {
			return notFound, true
		}
		return allowedIf(maintainer), true
	}
	return "", false
}
