package server_test

import (
	"fmt"
)

// freshEmail adds, as root, a confirmed secondary address to user userID
// and returns its id.
func (x *matrix) freshEmail(userID int64) string {
	e := x.root("POST", api+"/users/"+itoa(userID)+"/emails",
		map[string]any{"email": "extra" + x.next() + "@example.com", "skip_confirmation": true})
	return num(e["id"])
}

// freshAttribute sets, as root, a custom attribute on the resource at
// path (…/users/:id, …/groups/:id, …/projects/:id) and returns its path.
func (x *matrix) freshAttribute(path string) string {
	key := "k" + x.next()
	x.root("PUT", path+"/custom_attributes/"+key, map[string]any{"value": "v"})
	return path + "/custom_attributes/" + key
}

// Emails, status, preferences, counts, activities, memberships, bans,
// approvals and custom attributes.
var _ = addFixtures(map[string]fixture{
	"GET /api/v4/user/emails": static(api + "/user/emails"),
	"POST /api/v4/user/emails": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/user/emails", json: map[string]any{"email": "mine" + x.next() + "@example.com"}}
	}},
	"GET /api/v4/user/emails/{email_id}": {build: func(x *matrix, c *cell) request {
		return get(api + "/user/emails/" + x.freshEmail(x.callerUserID(c)))
	}},
	"DELETE /api/v4/user/emails/{email_id}": {build: func(x *matrix, c *cell) request {
		return get(api + "/user/emails/" + x.freshEmail(x.callerUserID(c)))
	}},
	"GET /api/v4/users/{id}/emails": {build: func(x *matrix, c *cell) request {
		return get(api + "/users/" + itoa(x.users["owner"].ID) + "/emails")
	}},
	"POST /api/v4/users/{id}/emails": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/users/" + itoa(x.users["owner"].ID) + "/emails",
			json: map[string]any{"email": "admin-made" + x.next() + "@example.com"}}
	}},
	"DELETE /api/v4/users/{id}/emails/{email_id}": {build: func(x *matrix, c *cell) request {
		owner := x.users["owner"].ID
		return get(api + "/users/" + itoa(owner) + "/emails/" + x.freshEmail(owner))
	}},

	"GET /api/v4/user/status": static(api + "/user/status"),
	"PUT /api/v4/user/status": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/user/status", json: map[string]any{"emoji": "coffee", "message": "away"}}
	}},
	"PATCH /api/v4/user/status": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/user/status", json: map[string]any{"availability": "busy"}}
	}},
	"GET /api/v4/users/{id}/status": {build: func(x *matrix, c *cell) request {
		return get(api + "/users/" + x.users["owner"].Username + "/status")
	}},
	"GET /api/v4/user/preferences": static(api + "/user/preferences"),
	"PUT /api/v4/user/preferences": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/user/preferences", json: map[string]any{"view_diffs_file_by_file": true}}
	}},
	"GET /api/v4/user_counts":     static(api + "/user_counts"),
	"GET /api/v4/user/activities": static(api + "/user/activities"),
	"GET /api/v4/users/{id}/memberships": {build: func(x *matrix, c *cell) request {
		return get(api + "/users/" + itoa(x.users["owner"].ID) + "/memberships")
	}},
	"POST /api/v4/users/{id}/ban": freshUserAction(api+"/users/%d/ban", ""),
	"POST /api/v4/users/{id}/unban": {build: func(x *matrix, c *cell) request {
		u := x.freshUser("u")
		x.root("POST", fmt.Sprintf(api+"/users/%d/ban", u.ID), nil)
		return get(fmt.Sprintf(api+"/users/%d/unban", u.ID))
	}},
	"POST /api/v4/users/{id}/approve": freshUserAction(api+"/users/%d/approve", ""),
	"POST /api/v4/users/{id}/reject":  freshUserAction(api+"/users/%d/reject", ""),

	"GET /api/v4/users/{id}/custom_attributes": {build: func(x *matrix, c *cell) request {
		return get(api + "/users/" + itoa(x.users["owner"].ID) + "/custom_attributes")
	}},
	"GET /api/v4/users/{id}/custom_attributes/{key}": {build: func(x *matrix, c *cell) request {
		return get(x.freshAttribute(api + "/users/" + itoa(x.users["owner"].ID)))
	}},
	"PUT /api/v4/users/{id}/custom_attributes/{key}": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/users/" + itoa(x.users["owner"].ID) + "/custom_attributes/k" + x.next(),
			json: map[string]any{"value": "v"}}
	}},
	"DELETE /api/v4/users/{id}/custom_attributes/{key}": {build: func(x *matrix, c *cell) request {
		return get(x.freshAttribute(api + "/users/" + itoa(x.users["owner"].ID)))
	}},
	"GET /api/v4/groups/{id}/custom_attributes": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(api + "/groups/" + itoa(g.id) + "/custom_attributes")
	}),
	"GET /api/v4/groups/{id}/custom_attributes/{key}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(x.freshAttribute(api + "/groups/" + itoa(g.id)))
	}),
	"PUT /api/v4/groups/{id}/custom_attributes/{key}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return request{path: api + "/groups/" + itoa(g.id) + "/custom_attributes/k" + x.next(), json: map[string]any{"value": "v"}}
	}),
	"DELETE /api/v4/groups/{id}/custom_attributes/{key}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(x.freshAttribute(api + "/groups/" + itoa(g.id)))
	}),
	"GET /api/v4/projects/{id}/custom_attributes": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/custom_attributes"))
	}),
	"GET /api/v4/projects/{id}/custom_attributes/{key}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(x.freshAttribute(p.api("")))
	}),
	"PUT /api/v4/projects/{id}/custom_attributes/{key}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/custom_attributes/k" + x.next()), json: map[string]any{"value": "v"}}
	}),
	"DELETE /api/v4/projects/{id}/custom_attributes/{key}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(x.freshAttribute(p.api("")))
	}),
})
