package server_test

import (
	"time"

	"github.com/lablet/lablet/internal/labtest"
)

// freshGPGKey adds, as root, a new GPG key to user userID and returns it.
func (x *matrix) freshGPGKey(userID int64) map[string]any {
	k := labtest.NewGPGKey(x.t, "Matrix", "m"+x.next()+"@example.com", time.Time{}, 0)
	return x.root("POST", api+"/users/"+itoa(userID)+"/gpg_keys", map[string]any{"key": k.Public(x.t)})
}

// GPG keys and commit signatures.
var _ = addFixtures(map[string]fixture{
	"GET /api/v4/user/gpg_keys": static(api + "/user/gpg_keys"),
	"POST /api/v4/user/gpg_keys": {build: func(x *matrix, c *cell) request {
		k := labtest.NewGPGKey(x.t, "Mine", "mine@example.com", time.Time{}, 0)
		return request{path: api + "/user/gpg_keys", json: map[string]any{"key": k.Public(x.t)}}
	}},
	"GET /api/v4/user/gpg_keys/{key_id}": {build: func(x *matrix, c *cell) request {
		return get(api + "/user/gpg_keys/" + num(x.freshGPGKey(x.callerUserID(c))["id"]))
	}},
	"DELETE /api/v4/user/gpg_keys/{key_id}": {build: func(x *matrix, c *cell) request {
		return get(api + "/user/gpg_keys/" + num(x.freshGPGKey(x.callerUserID(c))["id"]))
	}},
	"POST /api/v4/user/gpg_keys/{key_id}/revoke": {build: func(x *matrix, c *cell) request {
		return get(api + "/user/gpg_keys/" + num(x.freshGPGKey(x.callerUserID(c))["id"]) + "/revoke")
	}},
	"GET /api/v4/users/{id}/gpg_keys": {build: func(x *matrix, c *cell) request {
		return get(api + "/users/" + itoa(x.users["owner"].ID) + "/gpg_keys")
	}},
	"GET /api/v4/users/{id}/gpg_keys/{key_id}": {build: func(x *matrix, c *cell) request {
		owner := x.users["owner"].ID
		return get(api + "/users/" + itoa(owner) + "/gpg_keys/" + num(x.freshGPGKey(owner)["id"]))
	}},
	"POST /api/v4/users/{id}/gpg_keys": {build: func(x *matrix, c *cell) request {
		k := labtest.NewGPGKey(x.t, "Admin made", "admin-made@example.com", time.Time{}, 0)
		return request{path: api + "/users/" + itoa(x.users["owner"].ID) + "/gpg_keys", json: map[string]any{"key": k.Public(x.t)}}
	}},
	"DELETE /api/v4/users/{id}/gpg_keys/{key_id}": {build: func(x *matrix, c *cell) request {
		owner := x.users["owner"].ID
		return get(api + "/users/" + itoa(owner) + "/gpg_keys/" + num(x.freshGPGKey(owner)["id"]))
	}},
	"POST /api/v4/users/{id}/gpg_keys/{key_id}/revoke": {build: func(x *matrix, c *cell) request {
		owner := x.users["owner"].ID
		return get(api + "/users/" + itoa(owner) + "/gpg_keys/" + num(x.freshGPGKey(owner)["id"]) + "/revoke")
	}},
	// A commit signed by a key nobody added: its signature is unknown_key.
	"GET /api/v4/projects/{id}/repository/commits/{sha}/signature": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		k := labtest.NewGPGKey(x.t, "Stranger", "stranger@example.com", time.Time{}, 0)
		sha := x.s.WriteCommit(x.t, p.id, labtest.Commit{Parent: p.head, Name: "Stranger", Email: "stranger@example.com",
			Message: "signed", Key: k})
		return get(p.api("/repository/commits/" + sha + "/signature"))
	}),
})
