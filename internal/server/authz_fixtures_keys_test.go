package server_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"net/url"
	"strings"

	"golang.org/x/crypto/ssh"
)

// newPublicKey is a fresh ed25519 public key in authorized_keys form.
func newPublicKey() string {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		panic(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp)))
}

// freshKey adds, as root, a new SSH key to user userID and returns it.
func (x *matrix) freshKey(userID int64) map[string]any {
	return x.root("POST", api+"/users/"+itoa(userID)+"/keys", map[string]any{"title": "k" + x.next(), "key": newPublicKey()})
}

// SSH keys.
var _ = addFixtures(map[string]fixture{
	"GET /api/v4/user/keys": static(api + "/user/keys"),
	"POST /api/v4/user/keys": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/user/keys", json: map[string]any{"title": "mine", "key": newPublicKey()}}
	}},
	"GET /api/v4/user/keys/{key_id}": {build: func(x *matrix, c *cell) request {
		return get(api + "/user/keys/" + num(x.freshKey(x.callerUserID(c))["id"]))
	}},
	"DELETE /api/v4/user/keys/{key_id}": {build: func(x *matrix, c *cell) request {
		return get(api + "/user/keys/" + num(x.freshKey(x.callerUserID(c))["id"]))
	}},
	"GET /api/v4/users/{id}/keys": {build: func(x *matrix, c *cell) request {
		return get(api + "/users/" + itoa(x.users["owner"].ID) + "/keys")
	}},
	"GET /api/v4/users/{id}/keys/{key_id}": {build: func(x *matrix, c *cell) request {
		owner := x.users["owner"].ID
		return get(api + "/users/" + itoa(owner) + "/keys/" + num(x.freshKey(owner)["id"]))
	}},
	"POST /api/v4/users/{id}/keys": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/users/" + itoa(x.users["owner"].ID) + "/keys",
			json: map[string]any{"title": "admin-made", "key": newPublicKey()}}
	}},
	"DELETE /api/v4/users/{id}/keys/{key_id}": {build: func(x *matrix, c *cell) request {
		owner := x.users["owner"].ID
		return get(api + "/users/" + itoa(owner) + "/keys/" + num(x.freshKey(owner)["id"]))
	}},
	"GET /api/v4/keys/{id}": {build: func(x *matrix, c *cell) request {
		return get(api + "/keys/" + num(x.freshKey(x.users["owner"].ID)["id"]))
	}},
	"GET /api/v4/keys": {build: func(x *matrix, c *cell) request {
		k := x.freshKey(x.users["owner"].ID)
		pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(k["key"].(string)))
		if err != nil {
			panic(err)
		}
		return get(api + "/keys?fingerprint=" + url.QueryEscape(ssh.FingerprintSHA256(pub)))
	}},
})

// freshDeployKey adds, as root, a new deploy key to p and returns its path.
func (x *matrix) freshDeployKey(p *projectFixture) string {
	k := x.root("POST", p.api("/deploy_keys"), map[string]any{"title": "d" + x.next(), "key": newPublicKey()})
	return p.api("/deploy_keys/" + num(k["id"]))
}

// Deploy keys.
var _ = addFixtures(map[string]fixture{
	"GET /api/v4/deploy_keys": static(api + "/deploy_keys"),
	"POST /api/v4/deploy_keys": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/deploy_keys", json: map[string]any{"title": "instance", "key": newPublicKey()}}
	}},
	"GET /api/v4/projects/{id}/deploy_keys": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/deploy_keys"))
	}),
	"POST /api/v4/projects/{id}/deploy_keys": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/deploy_keys"), json: map[string]any{"title": "ci", "key": newPublicKey(), "can_push": true}}
	}),
	"GET /api/v4/projects/{id}/deploy_keys/{key_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(x.freshDeployKey(p))
	}),
	"PUT /api/v4/projects/{id}/deploy_keys/{key_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: x.freshDeployKey(p), json: map[string]any{"can_push": true}}
	}),
	"DELETE /api/v4/projects/{id}/deploy_keys/{key_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(x.freshDeployKey(p))
	}),
	"POST /api/v4/projects/{id}/deploy_keys/{key_id}/enable": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		k := x.root("POST", api+"/deploy_keys", map[string]any{"title": "i" + x.next(), "key": newPublicKey()})
		return get(p.api("/deploy_keys/" + num(k["id"]) + "/enable"))
	}),
})
