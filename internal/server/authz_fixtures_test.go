package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/service"
	"github.com/lablet/lablet/internal/store"
)

// targetKind is what a route's path addresses.
type targetKind int

const (
	noTarget     targetKind = iota // nothing tied to a visibility
	mainProject                    // the visibility's shared project
	freshProject                   // a project made for this request, in the visibility's group
	mainGroup                      // the visibility's shared group
	freshGroup                     // a subgroup made for this request
)

type target struct {
	kind targetKind
	vis  visibility
}

func (k targetKind) of(v visibility) target { return target{kind: k, vis: v} }

// fixture says how to make a request to a route that an allowed caller
// would see succeed: the target's kind (which sets the visibilities the
// route runs on and the caller's membership there) and the request.
// Destructive routes build a target of their own per request.
type fixture struct {
	target targetKind
	build  func(x *matrix, c *cell) request
}

// fixtureFailure aborts a cell whose setup failed.
type fixtureFailure string

const api = "/api/v4"

// addFixtures adds one family's fixtures, kept in a file of its own
// (authz_fixtures_<family>_test.go: `var _ = addFixtures(map…)`); a route
// given twice is a mistake.
func addFixtures(m map[string]fixture) struct{} {
	for k, f := range m {
		if _, dup := fixtures[k]; dup {
			panic("authz fixtures: " + k + " given twice")
		}
		fixtures[k] = f
	}
	return struct{}{}
}

// fixtures has one entry per served route, "METHOD PATTERN".
var fixtures = withArchiveFormats(map[string]fixture{
	// Instance
	"GET /api/v4/version":  static(api + "/version"),
	"GET /api/v4/metadata": static(api + "/metadata"),

	// Users
	"GET /api/v4/user":  static(api + "/user"),
	"GET /api/v4/users": {build: func(x *matrix, c *cell) request { return get(api + "/users?username=owner") }},
	"GET /api/v4/users/{id}": {build: func(x *matrix, c *cell) request {
		return get(api + "/users/" + itoa(x.users["owner"].ID))
	}},
	"POST /api/v4/users": {build: func(x *matrix, c *cell) request {
		n := "new" + x.next()
		return request{path: api + "/users", json: map[string]any{"username": n, "email": n + "@example.com", "name": n, "password": matrixPassword}}
	}},
	"PUT /api/v4/users/{id}": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/users/" + itoa(x.freshUser("put").ID), json: map[string]any{"bio": "matrix"}}
	}},
	"DELETE /api/v4/users/{id}":          freshUserAction(api+"/users/%d", ""),
	"POST /api/v4/users/{id}/block":      freshUserAction(api+"/users/%d/block", ""),
	"POST /api/v4/users/{id}/unblock":    freshUserAction(api+"/users/%d/unblock", "blocked"),
	"POST /api/v4/users/{id}/deactivate": freshUserAction(api+"/users/%d/deactivate", ""),
	"POST /api/v4/users/{id}/activate":   freshUserAction(api+"/users/%d/activate", "deactivated"),

	// Personal and impersonation tokens
	"GET /api/v4/personal_access_tokens": static(api + "/personal_access_tokens"),
	"GET /api/v4/personal_access_tokens/self": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/personal_access_tokens/self"}
	}},
	// Revoking or rotating "self" consumes the token: a fresh one each.
	"DELETE /api/v4/personal_access_tokens/self": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/personal_access_tokens/self", token: x.freshToken(c.caller, c.vis)}
	}},
	"POST /api/v4/personal_access_tokens/self/rotate": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/personal_access_tokens/self/rotate", token: x.freshToken(c.caller, c.vis)}
	}},
	"GET /api/v4/personal_access_tokens/{id}": {build: func(x *matrix, c *cell) request {
		return get(api + "/personal_access_tokens/" + itoa(x.ownerToken))
	}},
	"DELETE /api/v4/personal_access_tokens/{id}": {build: func(x *matrix, c *cell) request {
		id, _ := x.mintToken(x.users["owner"].ID)
		return get(api + "/personal_access_tokens/" + itoa(id))
	}},
	"POST /api/v4/personal_access_tokens/{id}/rotate": {build: func(x *matrix, c *cell) request {
		id, _ := x.mintToken(x.users["owner"].ID)
		return get(api + "/personal_access_tokens/" + itoa(id) + "/rotate")
	}},
	"POST /api/v4/user/personal_access_tokens": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/user/personal_access_tokens", json: map[string]any{"name": "k8s", "scopes": []string{"k8s_proxy"}}}
	}},
	"POST /api/v4/users/{user_id}/personal_access_tokens": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/users/" + itoa(x.users["owner"].ID) + "/personal_access_tokens",
			json: map[string]any{"name": "admin-made", "scopes": []string{"read_api"}}}
	}},
	"GET /api/v4/users/{user_id}/impersonation_tokens": {build: func(x *matrix, c *cell) request {
		return get(api + "/users/" + itoa(x.users["owner"].ID) + "/impersonation_tokens")
	}},
	"POST /api/v4/users/{user_id}/impersonation_tokens": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/users/" + itoa(x.users["owner"].ID) + "/impersonation_tokens",
			json: map[string]any{"name": "imp", "scopes": []string{"read_api"}}}
	}},
	"GET /api/v4/users/{user_id}/impersonation_tokens/{token_id}": {build: func(x *matrix, c *cell) request {
		return get(api + "/users/" + itoa(x.users["owner"].ID) + "/impersonation_tokens/" + itoa(x.impersonation))
	}},
	"DELETE /api/v4/users/{user_id}/impersonation_tokens/{token_id}": {build: func(x *matrix, c *cell) request {
		owner := itoa(x.users["owner"].ID)
		imp := x.root("POST", api+"/users/"+owner+"/impersonation_tokens", map[string]any{"name": "imp", "scopes": []string{"api"}})
		return get(api + "/users/" + owner + "/impersonation_tokens/" + num(imp["id"]))
	}},

	// OAuth applications
	"GET /api/v4/applications": static(api + "/applications"),
	"POST /api/v4/applications": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/applications", json: map[string]any{"name": "app", "redirect_uri": "http://127.0.0.1:9/cb", "scopes": "api"}}
	}},
	"DELETE /api/v4/applications/{id}": {build: func(x *matrix, c *cell) request {
		return get(api + "/applications/" + x.freshApplication())
	}},
	"POST /api/v4/applications/{id}/renew-secret": {build: func(x *matrix, c *cell) request {
		return get(api + "/applications/" + x.freshApplication() + "/renew-secret")
	}},

	// Namespaces
	"GET /api/v4/namespaces":      static(api + "/namespaces"),
	"GET /api/v4/namespaces/{id}": onGroup(func(x *matrix, c *cell, g *groupFixture) request { return get(api + "/namespaces/" + itoa(g.id)) }),
	// Whether a path is taken is any signed-in caller's to ask, private
	// groups included (GitLab looks at every namespace).
	"GET /api/v4/namespaces/{id}/exists": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(api + "/namespaces/" + url.PathEscape(g.path) + "/exists")
	}),

	// Groups
	"GET /api/v4/groups": static(api + "/groups"),
	"POST /api/v4/groups": {build: func(x *matrix, c *cell) request {
		n := "g" + x.next()
		return request{path: api + "/groups", json: map[string]any{"name": n, "path": n}}
	}},
	"GET /api/v4/groups/{id}": onGroup(func(x *matrix, c *cell, g *groupFixture) request { return get(api + "/groups/" + itoa(g.id)) }),
	"PUT /api/v4/groups/{id}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return request{path: api + "/groups/" + itoa(g.id), json: map[string]any{"description": "matrix"}}
	}),
	"DELETE /api/v4/groups/{id}": onFreshGroup(func(x *matrix, c *cell, id int64) request { return get(api + "/groups/" + itoa(id)) }),
	"GET /api/v4/groups/{id}/subgroups": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(api + "/groups/" + itoa(g.id) + "/subgroups")
	}),
	"GET /api/v4/groups/{id}/descendant_groups": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(api + "/groups/" + itoa(g.id) + "/descendant_groups")
	}),
	"GET /api/v4/groups/{id}/projects": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(api + "/groups/" + itoa(g.id) + "/projects")
	}),

	// Group members
	"GET /api/v4/groups/{id}/members": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(api + "/groups/" + itoa(g.id) + "/members")
	}),
	"GET /api/v4/groups/{id}/members/all": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(api + "/groups/" + itoa(g.id) + "/members/all")
	}),
	"GET /api/v4/groups/{id}/members/{user_id}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(api + "/groups/" + itoa(g.id) + "/members/" + itoa(g.member))
	}),
	"GET /api/v4/groups/{id}/members/all/{user_id}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(api + "/groups/" + itoa(g.id) + "/members/all/" + itoa(g.member))
	}),
	"POST /api/v4/groups/{id}/members": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return request{path: api + "/groups/" + itoa(g.id) + "/members",
			json: map[string]any{"user_id": x.freshUser("gm").ID, "access_level": 10}}
	}),
	"PUT /api/v4/groups/{id}/members/{user_id}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return request{path: api + "/groups/" + itoa(g.id) + "/members/" + itoa(g.member), json: map[string]any{"access_level": 10}}
	}),
	"DELETE /api/v4/groups/{id}/members/{user_id}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		u := x.freshUser("gm")
		x.root("POST", fmt.Sprintf("%s/groups/%d/members", api, g.id), map[string]any{"user_id": u.ID, "access_level": 10})
		return get(fmt.Sprintf("%s/groups/%d/members/%d", api, g.id, u.ID))
	}),

	// Group access tokens
	"GET /api/v4/groups/{id}/access_tokens": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(api + "/groups/" + itoa(g.id) + "/access_tokens")
	}),
	"POST /api/v4/groups/{id}/access_tokens": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return request{path: api + "/groups/" + itoa(g.id) + "/access_tokens", json: newResourceTokenBody()}
	}),
	"GET /api/v4/groups/{id}/access_tokens/{token_id}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(api + "/groups/" + itoa(g.id) + "/access_tokens/" + itoa(g.tokenID))
	}),
	"DELETE /api/v4/groups/{id}/access_tokens/{token_id}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(api + "/groups/" + itoa(g.id) + "/access_tokens/" + x.freshResourceToken("groups", g.id))
	}),
	"POST /api/v4/groups/{id}/access_tokens/{token_id}/rotate": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(api + "/groups/" + itoa(g.id) + "/access_tokens/" + x.freshResourceToken("groups", g.id) + "/rotate")
	}),
	"POST /api/v4/groups/{id}/access_tokens/self/rotate": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return request{path: api + "/groups/" + itoa(g.id) + "/access_tokens/self/rotate", token: x.freshToken(c.caller, c.vis)}
	}),

	// Projects
	"GET /api/v4/projects": static(api + "/projects"),
	"POST /api/v4/projects": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/projects", json: map[string]any{"name": "p" + x.next()}}
	}},
	"POST /api/v4/projects/user/{user_id}": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/projects/user/" + itoa(x.users["nonmember"].ID), json: map[string]any{"name": "u" + x.next()}}
	}},
	"GET /api/v4/projects/{id}": onProject(func(x *matrix, c *cell, p *projectFixture) request { return get(p.api("")) }),
	"PUT /api/v4/projects/{id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api(""), json: map[string]any{"description": "matrix"}}
	}),
	"DELETE /api/v4/projects/{id}": onFreshProject(func(x *matrix, c *cell, id int64) request { return get(api + "/projects/" + itoa(id)) }),
	"POST /api/v4/projects/{id}/archive": onFreshProject(func(x *matrix, c *cell, id int64) request {
		return get(api + "/projects/" + itoa(id) + "/archive")
	}),
	"POST /api/v4/projects/{id}/unarchive": onFreshProject(func(x *matrix, c *cell, id int64) request {
		x.root("POST", api+"/projects/"+itoa(id)+"/archive", nil)
		return get(api + "/projects/" + itoa(id) + "/unarchive")
	}),
	"GET /api/v4/users/{user_id}/projects": {build: func(x *matrix, c *cell) request {
		return get(api + "/users/" + itoa(x.users["owner"].ID) + "/projects")
	}},

	// Project members
	"GET /api/v4/projects/{id}/members":     onProject(func(x *matrix, c *cell, p *projectFixture) request { return get(p.api("/members")) }),
	"GET /api/v4/projects/{id}/members/all": onProject(func(x *matrix, c *cell, p *projectFixture) request { return get(p.api("/members/all")) }),
	"GET /api/v4/projects/{id}/members/{user_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/members/" + itoa(p.member)))
	}),
	"GET /api/v4/projects/{id}/members/all/{user_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/members/all/" + itoa(p.member)))
	}),
	"POST /api/v4/projects/{id}/members": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/members"), json: map[string]any{"user_id": x.freshUser("pm").ID, "access_level": 30}}
	}),
	"PUT /api/v4/projects/{id}/members/{user_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/members/" + itoa(p.member)), json: map[string]any{"access_level": 10}}
	}),
	"DELETE /api/v4/projects/{id}/members/{user_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		u := x.freshUser("pm")
		x.root("POST", p.api("/members"), map[string]any{"user_id": u.ID, "access_level": 10})
		return get(p.api("/members/" + itoa(u.ID)))
	}),

	// Project access tokens
	"GET /api/v4/projects/{id}/access_tokens": onProject(func(x *matrix, c *cell, p *projectFixture) request { return get(p.api("/access_tokens")) }),
	"POST /api/v4/projects/{id}/access_tokens": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/access_tokens"), json: newResourceTokenBody()}
	}),
	"GET /api/v4/projects/{id}/access_tokens/{token_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/access_tokens/" + itoa(p.tokenID)))
	}),
	"DELETE /api/v4/projects/{id}/access_tokens/{token_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/access_tokens/" + x.freshResourceToken("projects", p.id)))
	}),
	"POST /api/v4/projects/{id}/access_tokens/{token_id}/rotate": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/access_tokens/" + x.freshResourceToken("projects", p.id) + "/rotate"))
	}),
	"POST /api/v4/projects/{id}/access_tokens/self/rotate": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/access_tokens/self/rotate"), token: x.freshToken(c.caller, c.vis)}
	}),

	// Protected branches
	"GET /api/v4/projects/{id}/protected_branches": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/protected_branches"))
	}),
	"POST /api/v4/projects/{id}/protected_branches": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/protected_branches"), json: map[string]any{"name": "pb-" + x.next()}}
	}),
	"GET /api/v4/projects/{id}/protected_branches/{name}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/protected_branches/" + p.protected))
	}),
	"PATCH /api/v4/projects/{id}/protected_branches/{name}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/protected_branches/" + p.protected), json: map[string]any{"allow_force_push": false}}
	}),
	"DELETE /api/v4/projects/{id}/protected_branches/{name}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		name := "pb-" + x.next()
		x.root("POST", p.api("/protected_branches"), map[string]any{"name": name})
		return get(p.api("/protected_branches/" + name))
	}),

	// Branches
	"GET /api/v4/projects/{id}/repository/branches": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/repository/branches"))
	}),
	"POST /api/v4/projects/{id}/repository/branches": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/repository/branches"), json: map[string]any{"branch": "b-" + x.next(), "ref": "main"}}
	}),
	"GET /api/v4/projects/{id}/repository/branches/{branch...}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/repository/branches/keep-dev"))
	}),
	"HEAD /api/v4/projects/{id}/repository/branches/{branch...}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/repository/branches/keep-dev"))
	}),
	"DELETE /api/v4/projects/{id}/repository/branches/{branch...}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		name := "d-" + x.next()
		x.root("POST", p.api("/repository/branches"), map[string]any{"branch": name, "ref": "main"})
		return get(p.api("/repository/branches/" + name))
	}),
	// It deletes every merged branch: a project of its own.
	"DELETE /api/v4/projects/{id}/repository/merged_branches": onFreshProject(func(x *matrix, c *cell, id int64) request {
		return get(api + "/projects/" + itoa(id) + "/repository/merged_branches")
	}),

	// Tags
	"GET /api/v4/projects/{id}/repository/tags": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/repository/tags"))
	}),
	"POST /api/v4/projects/{id}/repository/tags": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/repository/tags"), json: map[string]any{"tag_name": "t-" + x.next(), "ref": "main"}}
	}),
	"GET /api/v4/projects/{id}/repository/tags/{tag...}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/repository/tags/v1"))
	}),
	"DELETE /api/v4/projects/{id}/repository/tags/{tag...}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		name := "t-" + x.next()
		x.root("POST", p.api("/repository/tags"), map[string]any{"tag_name": name, "ref": "main"})
		return get(p.api("/repository/tags/" + name))
	}),

	// Repository
	"GET /api/v4/projects/{id}/repository/tree": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/repository/tree"))
	}),
	"GET /api/v4/projects/{id}/repository/blobs/{sha}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/repository/blobs/" + p.blob))
	}),
	"GET /api/v4/projects/{id}/repository/blobs/{sha}/raw": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/repository/blobs/" + p.blob + "/raw"))
	}),
	"GET /api/v4/projects/{id}/repository/archive": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/repository/archive?sha=main"))
	}),
	"GET /api/v4/projects/{id}/repository/contributors": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/repository/contributors"))
	}),
	"GET /api/v4/projects/{id}/repository/merge_base": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/repository/merge_base?refs[]=main&refs[]=keep-feature"))
	}),
	"GET /api/v4/projects/{id}/repository/compare": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/repository/compare?from=main&to=keep-feature"))
	}),

	// Files
	"GET /api/v4/projects/{id}/repository/files/{file_path}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/repository/files/README.md?ref=main"))
	}),
	"GET /api/v4/projects/{id}/repository/files/{file_path}/raw": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/repository/files/README.md/raw?ref=main"))
	}),
	"GET /api/v4/projects/{id}/repository/files/{file_path}/blame": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/repository/files/README.md/blame?ref=main"))
	}),
	// Writes go to new branches: main is protected for Maintainers.
	"POST /api/v4/projects/{id}/repository/files/{file_path}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		n := x.next()
		return request{path: p.api("/repository/files/new-" + n + ".txt"), json: map[string]any{"branch": "f-" + n,
			"start_branch": "main", "content": "new\n", "commit_message": "add"}}
	}),
	"PUT /api/v4/projects/{id}/repository/files/{file_path}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/repository/files/README.md"), json: map[string]any{"branch": "u-" + x.next(),
			"start_branch": "main", "content": "changed\n", "commit_message": "change"}}
	}),
	"DELETE /api/v4/projects/{id}/repository/files/{file_path}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/repository/files/README.md"), json: map[string]any{"branch": "r-" + x.next(),
			"start_branch": "main", "commit_message": "remove"}}
	}),

	// Commits
	"GET /api/v4/projects/{id}/repository/commits": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/repository/commits"))
	}),
	"POST /api/v4/projects/{id}/repository/commits": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		n := x.next()
		return request{path: p.api("/repository/commits"), json: map[string]any{"branch": "c-" + n, "start_branch": "main",
			"commit_message": "commit", "actions": []map[string]any{{"action": "create", "file_path": "c-" + n + ".txt", "content": "x\n"}}}}
	}),
	"GET /api/v4/projects/{id}/repository/commits/{sha}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/repository/commits/" + p.head))
	}),
	"GET /api/v4/projects/{id}/repository/commits/{sha}/diff": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/repository/commits/" + p.feature + "/diff"))
	}),
	"GET /api/v4/projects/{id}/repository/commits/{sha}/refs": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/repository/commits/" + p.head + "/refs"))
	}),
	// Dry runs: the check and the answer, without moving the branch.
	"POST /api/v4/projects/{id}/repository/commits/{sha}/cherry_pick": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/repository/commits/" + p.feature + "/cherry_pick"), json: map[string]any{"branch": "keep-dev", "dry_run": true}}
	}),
	"POST /api/v4/projects/{id}/repository/commits/{sha}/revert": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/repository/commits/" + p.feature + "/revert"), json: map[string]any{"branch": "keep-feature", "dry_run": true}}
	}),

	// Git over HTTP: an empty request ("0000") is a whole conversation.
	"GET /{repo...}/info/refs": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get("/" + p.path + ".git/info/refs?service=git-upload-pack")
	}),
	"POST /{repo...}/git-upload-pack": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: "/" + p.path + ".git/git-upload-pack", raw: []byte("0000"), contentType: "application/x-git-upload-pack-request"}
	}),
	"POST /{repo...}/git-receive-pack": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: "/" + p.path + ".git/git-receive-pack", raw: []byte("0000"), contentType: "application/x-git-receive-pack-request"}
	}),

	// OAuth's machine endpoints: reachable with the client's credentials
	// (their errors are tested in internal/oauth).
	"POST /oauth/token": {build: func(x *matrix, c *cell) request {
		return x.client(request{path: "/oauth/token", form: url.Values{"grant_type": {"password"}, "username": {"developer"},
			"password": {matrixPassword}, "scope": {"api"}}})
	}},
	"POST /oauth/revoke": {build: func(x *matrix, c *cell) request {
		return x.client(request{path: "/oauth/revoke", form: url.Values{"token": {"no-such-token"}}})
	}},
	"POST /oauth/introspect": {build: func(x *matrix, c *cell) request {
		return x.client(request{path: "/oauth/introspect", form: url.Values{"token": {"no-such-token"}}})
	}},
	"GET /oauth/token/info":                       static("/oauth/token/info"),
	"GET /oauth/userinfo":                         static("/oauth/userinfo"),
	"POST /oauth/userinfo":                        static("/oauth/userinfo"),
	"GET /oauth/discovery/keys":                   static("/oauth/discovery/keys"),
	"GET /.well-known/openid-configuration":       static("/.well-known/openid-configuration"),
	"GET /.well-known/oauth-authorization-server": static("/.well-known/oauth-authorization-server"),
	"POST /oauth/register": {build: func(x *matrix, c *cell) request {
		return request{path: "/oauth/register", json: map[string]any{"client_name": "dyn", "redirect_uris": []string{"http://127.0.0.1:9/cb"}},
			header: map[string]string{"Authorization": ""}}
	}},
	"POST /oauth/authorize_device": {build: func(x *matrix, c *cell) request {
		return x.client(request{path: "/oauth/authorize_device", form: url.Values{"scope": {"api"}}})
	}},

	// Pages
	"GET /{$}":                {build: func(x *matrix, c *cell) request { return page("/") }},
	"GET /-/static/{file...}": {build: func(x *matrix, c *cell) request { return page("/-/static/lablet.css") }},
	// Identicons are anyone's, whatever credentials come along.
	"GET /-/identicons/{file}": {build: func(x *matrix, c *cell) request {
		return page("/-/identicons/" + itoa(x.users["owner"].ID) + ".png")
	}},
	// Signed-in visitors are sent on to the dashboard.
	"GET /users/sign_in": {build: func(x *matrix, c *cell) request {
		r := page("/users/sign_in")
		r.accept = redirectNotSignIn
		return r
	}},
	// A wrong password: the form again with its error (401), which
	// refuses the password, not the caller.
	"POST /users/sign_in": {build: func(x *matrix, c *cell) request {
		r := pageForm("/users/sign_in", url.Values{"user[login]": {"nobody"}, "user[password]": {"wrong"}})
		r.accept = func(status int, h http.Header) bool {
			return status == http.StatusOK || status == http.StatusUnauthorized || redirectNotSignIn(status, h)
		}
		return r
	}},
	// Signing out ends the session (a fresh one each) and clears its
	// cookie on the way to the sign-in page.
	"POST /users/sign_out": {build: func(x *matrix, c *cell) request {
		r := pageForm("/users/sign_out", url.Values{})
		r.session = x.freshSession(c.caller)
		r.accept = func(status int, h http.Header) bool {
			return status == http.StatusFound && strings.Contains(h.Get("Set-Cookie"), auth.SessionCookie+"=;")
		}
		return r
	}},
	// Admin Mode: the form, then entering and leaving it — each on a
	// fresh session, so that no other cell's session changes mode.
	"GET /admin/session/new": {build: func(x *matrix, c *cell) request { return page("/admin/session/new") }},
	"POST /admin/session": {build: func(x *matrix, c *cell) request {
		r := pageForm("/admin/session", url.Values{"user[password]": {matrixPassword}})
		r.session = x.freshSession(c.caller)
		r.accept = redirectNotSignIn
		return r
	}},
	"POST /admin/session/destroy": {build: func(x *matrix, c *cell) request {
		r := pageForm("/admin/session/destroy", url.Values{})
		r.session = x.freshSession(c.caller)
		r.accept = redirectNotSignIn
		return r
	}},
	"GET /-/user_settings/personal_access_tokens": {build: func(x *matrix, c *cell) request { return page("/-/user_settings/personal_access_tokens") }},
	"POST /-/user_settings/personal_access_tokens": {build: func(x *matrix, c *cell) request {
		return pageForm("/-/user_settings/personal_access_tokens", url.Values{"name": {"web"}, "scopes": {"read_api"}})
	}},
	"POST /-/user_settings/personal_access_tokens/{token_id}/revoke": {build: func(x *matrix, c *cell) request {
		id, _ := x.mintToken(x.pageUser(c).ID)
		return pageForm("/-/user_settings/personal_access_tokens/"+itoa(id)+"/revoke", url.Values{})
	}},
	"GET /{full_path...}/-/settings/access_tokens": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return page("/" + p.path + "/-/settings/access_tokens")
	}),
	"POST /{full_path...}/-/settings/access_tokens": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return pageForm("/"+p.path+"/-/settings/access_tokens", url.Values{"name": {"web"}, "scopes": {"read_api"}, "access_level": {"30"}})
	}),
	"POST /{full_path...}/-/settings/access_tokens/{token_id}/revoke": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return pageForm("/"+p.path+"/-/settings/access_tokens/"+x.freshResourceToken("projects", p.id)+"/revoke", url.Values{})
	}),
	"GET /groups/{full_path...}/-/settings/access_tokens": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return page("/groups/" + g.path + "/-/settings/access_tokens")
	}),
	"POST /groups/{full_path...}/-/settings/access_tokens": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return pageForm("/groups/"+g.path+"/-/settings/access_tokens", url.Values{"name": {"web"}, "scopes": {"read_api"}, "access_level": {"30"}})
	}),
	"POST /groups/{full_path...}/-/settings/access_tokens/{token_id}/revoke": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return pageForm("/groups/"+g.path+"/-/settings/access_tokens/"+x.freshResourceToken("groups", g.id)+"/revoke", url.Values{})
	}),
	// The consent page, or straight back to the client once consented.
	"GET /oauth/authorize": {build: func(x *matrix, c *cell) request {
		r := page("/oauth/authorize?" + x.authorizeQuery())
		r.accept = redirectNotSignIn
		return r
	}},
	"POST /oauth/authorize": {build: func(x *matrix, c *cell) request {
		r := pageForm("/oauth/authorize?"+x.authorizeQuery(), url.Values{"decision": {"authorize"}})
		r.accept = redirectNotSignIn
		return r
	}},
	"GET /oauth/device": {build: func(x *matrix, c *cell) request { return page("/oauth/device") }},
	"POST /oauth/device": {build: func(x *matrix, c *cell) request {
		return pageForm("/oauth/device", url.Values{"user_code": {x.deviceUserCode()}, "decision": {"authorize"}})
	}},
	"GET /-/user_settings/applications": {build: func(x *matrix, c *cell) request { return page("/-/user_settings/applications") }},
	"POST /-/user_settings/applications": {build: func(x *matrix, c *cell) request {
		return pageForm("/-/user_settings/applications", url.Values{"name": {"mine"}, "redirect_uri": {"http://127.0.0.1:9/cb"}, "scopes": {"read_user"}})
	}},
	"POST /-/user_settings/applications/{id}/renew": {build: func(x *matrix, c *cell) request {
		return pageForm("/-/user_settings/applications/"+x.userApplication(x.pageUser(c))+"/renew", url.Values{})
	}},
	"POST /-/user_settings/applications/{id}/delete": {build: func(x *matrix, c *cell) request {
		return pageForm("/-/user_settings/applications/"+x.userApplication(x.pageUser(c))+"/delete", url.Values{})
	}},
	"POST /-/user_settings/applications/authorized/{id}/revoke": {build: func(x *matrix, c *cell) request {
		return pageForm("/-/user_settings/applications/authorized/"+x.oauthClientRowID()+"/revoke", url.Values{})
	}},
	"GET /admin/applications": {build: func(x *matrix, c *cell) request { return page("/admin/applications") }},
	"POST /admin/applications": {build: func(x *matrix, c *cell) request {
		return pageForm("/admin/applications", url.Values{"name": {"inst"}, "redirect_uri": {"http://127.0.0.1:9/cb"}, "scopes": {"read_user"}})
	}},
	"POST /admin/applications/{id}/renew": {build: func(x *matrix, c *cell) request {
		return pageForm("/admin/applications/"+x.freshApplication()+"/renew", url.Values{})
	}},
	"POST /admin/applications/{id}/delete": {build: func(x *matrix, c *cell) request {
		return pageForm("/admin/applications/"+x.freshApplication()+"/delete", url.Values{})
	}},

	// Health
	"GET /-/health":    static("/-/health"),
	"GET /-/liveness":  static("/-/liveness"),
	"GET /-/readiness": static("/-/readiness"),
})

// withArchiveFormats adds GitLab's archive(.:format) rows, one per format.
func withArchiveFormats(m map[string]fixture) map[string]fixture {
	for f := range repo.ArchiveFormats {
		m["GET /api/v4/projects/{id}/repository/archive."+f] = onProject(func(x *matrix, c *cell, p *projectFixture) request {
			return get(p.api("/repository/archive." + f + "?sha=main"))
		})
	}
	return m
}

func get(path string) request { return request{path: path} }

// static is a route whose request is the same for every caller.
func static(path string) fixture {
	return fixture{build: func(*matrix, *cell) request { return get(path) }}
}

func page(path string) request { return request{path: path} }

// pageForm is a page's form POST; session callers add the CSRF token.
func pageForm(path string, form url.Values) request {
	return request{path: path, form: form, accept: redirectNotSignIn}
}

// redirectNotSignIn: a form handled (2xx, or a redirect elsewhere than
// the sign-in page).
func redirectNotSignIn(status int, h http.Header) bool {
	if status == http.StatusFound || status == http.StatusSeeOther {
		return !strings.Contains(h.Get("Location"), "/users/sign_in")
	}
	return status >= 200 && status < 300
}

func onProject(fn func(x *matrix, c *cell, p *projectFixture) request) fixture {
	return fixture{target: mainProject, build: func(x *matrix, c *cell) request { return fn(x, c, x.projects[c.vis]) }}
}

func onGroup(fn func(x *matrix, c *cell, g *groupFixture) request) fixture {
	return fixture{target: mainGroup, build: func(x *matrix, c *cell) request { return fn(x, c, x.groups[c.vis]) }}
}

// onFreshProject gives every request a project of its own in the
// visibility's group (so with the same inherited members).
func onFreshProject(fn func(x *matrix, c *cell, id int64) request) fixture {
	return fixture{target: freshProject, build: func(x *matrix, c *cell) request {
		p := x.root("POST", api+"/projects", map[string]any{"name": "fresh" + x.next(), "namespace_id": x.groups[c.vis].id,
			"visibility": string(c.vis)})
		return fn(x, c, int64(p["id"].(float64)))
	}}
}

// onFreshGroup gives every request a subgroup of the visibility's group.
func onFreshGroup(fn func(x *matrix, c *cell, id int64) request) fixture {
	return fixture{target: freshGroup, build: func(x *matrix, c *cell) request {
		n := "sub" + x.next()
		g := x.root("POST", api+"/groups", map[string]any{"name": n, "path": n, "parent_id": x.groups[c.vis].id,
			"visibility": string(c.vis)})
		return fn(x, c, int64(g["id"].(float64)))
	}}
}

// freshUserAction acts on a user of its own, first put in state.
func freshUserAction(pattern, state string) fixture {
	return fixture{build: func(x *matrix, c *cell) request {
		u := x.freshUser("u")
		switch state {
		case "blocked":
			x.root("POST", fmt.Sprintf(api+"/users/%d/block", u.ID), nil)
		case "deactivated":
			x.root("POST", fmt.Sprintf(api+"/users/%d/deactivate", u.ID), nil)
		}
		return get(fmt.Sprintf(pattern, u.ID))
	}}
}

func newResourceTokenBody() map[string]any {
	return map[string]any{"name": "made", "scopes": []string{"read_api"}, "access_level": 30}
}

func (p *projectFixture) api(suffix string) string { return api + "/projects/" + itoa(p.id) + suffix }

func num(v any) string { return fmt.Sprintf("%d", int64(v.(float64))) }

// root calls the API as root (api, sudo, admin_mode); anything but 2xx
// fails the cell.
func (x *matrix) root(method, path string, body any) map[string]any {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, x.s.URL+path, rd)
	req.Header.Set("PRIVATE-TOKEN", x.s.RootToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := x.http.Do(req)
	if err != nil {
		panic(fixtureFailure(err.Error()))
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		panic(fixtureFailure(fmt.Sprintf("%s %s = %d %s", method, path, resp.StatusCode, b)))
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

func decode(t testing.TB, resp *http.Response) map[string]any {
	var m map[string]any
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return m
}

// freshUser creates a user directly in the store.
func (x *matrix) freshUser(prefix string) *model.User {
	ctx := context.Background()
	n := prefix + x.next()
	u := &model.User{Username: n, Email: n + "@example.com", Name: n, CanCreateGroup: true, ProjectsLimit: 100000}
	if err := x.s.Srv.DB.WithTx(ctx, func(q *store.Queries) error { return q.CreateUser(ctx, u) }); err != nil {
		panic(fixtureFailure(err.Error()))
	}
	return u
}

// freshResourceToken creates an access token of a project or group.
func (x *matrix) freshResourceToken(kind string, id int64) string {
	t := x.root("POST", fmt.Sprintf("%s/%s/%d/access_tokens", api, kind, id), newResourceTokenBody())
	return num(t["id"])
}

func (x *matrix) freshApplication() string {
	a := x.root("POST", api+"/applications", map[string]any{"name": "app" + x.next(), "redirect_uri": "http://127.0.0.1:9/cb", "scopes": "api"})
	return num(a["id"])
}

// userApplication creates an application owned by u.
func (x *matrix) userApplication(u *model.User) string {
	na, err := x.s.Srv.Service.CreateApplication(context.Background(), &auth.Identity{User: u, Owner: u},
		service.ApplicationInput{Name: "mine" + x.next(), RedirectURI: "http://127.0.0.1:9/cb", Scopes: []string{"read_user"}})
	if err != nil {
		panic(fixtureFailure(err.Error()))
	}
	return itoa(na.App.ID)
}

// pageUser is whose settings a page request addresses: the session's
// user, or (for callers without one) the Owner.
func (x *matrix) pageUser(c *cell) *model.User {
	if c.caller.kind == sessionCaller {
		return c.caller.user
	}
	return x.users["owner"]
}

// oauthClientRowID is the database id of the matrix's OAuth application.
func (x *matrix) oauthClientRowID() string {
	apps := x.rootList(api + "/applications")
	for _, a := range apps {
		if a["application_id"] == x.oauthClient.id {
			return num(a["id"])
		}
	}
	panic(fixtureFailure("no matrix application"))
}

func (x *matrix) rootList(path string) []map[string]any {
	req, _ := http.NewRequest("GET", x.s.URL+path, nil)
	req.Header.Set("PRIVATE-TOKEN", x.s.RootToken)
	resp, err := x.http.Do(req)
	if err != nil {
		panic(fixtureFailure(err.Error()))
	}
	defer resp.Body.Close()
	var out []map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return out
}

// deviceUserCode starts a device authorization and returns its user code.
func (x *matrix) deviceUserCode() string {
	req, _ := http.NewRequest("POST", x.s.URL+"/oauth/authorize_device", strings.NewReader(url.Values{"scope": {"api"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(x.oauthClient.id, x.oauthClient.secret)
	resp, err := x.http.Do(req)
	if err != nil {
		panic(fixtureFailure(err.Error()))
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	code, _ := m["user_code"].(string)
	if code == "" {
		panic(fixtureFailure(fmt.Sprintf("device authorization = %d %v", resp.StatusCode, m)))
	}
	return code
}

func (x *matrix) authorizeQuery() string {
	return url.Values{"client_id": {x.oauthClient.id}, "redirect_uri": {"http://127.0.0.1:9/cb"}, "response_type": {"code"},
		"scope": {"api"}, "state": {"s"}}.Encode()
}

// client authenticates a machine endpoint's request as the matrix's
// OAuth application (HTTP Basic, replacing the caller's credentials).
func (x *matrix) client(r request) request {
	r.header = map[string]string{"Authorization": "Basic " + basic(x.oauthClient.id, x.oauthClient.secret)}
	return r
}

func basic(user, password string) string {
	req, _ := http.NewRequest("GET", "/", nil)
	req.SetBasicAuth(user, password)
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Basic ")
}

// freshSession signs the session caller's user in again.
func (x *matrix) freshSession(c *caller) *caller {
	if c.kind != sessionCaller {
		return nil
	}
	in, err := x.s.Srv.Service.SignIn(context.Background(), service.SignInInput{Login: c.user.Username, Password: matrixPassword})
	if err != nil {
		panic(fixtureFailure(err.Error()))
	}
	fresh := *c
	fresh.cookie, fresh.csrfTok = in.Cookie, in.Session.CSRFToken
	return &fresh
}

// newGroup creates the visibility's group with every role a member, its
// bot (a Maintainer group access token), a second token and a Guest to
// update.
func (x *matrix) newGroup(v visibility, roles map[string]access.Level) *groupFixture {
	path := "grp-" + string(v)
	g := x.root("POST", api+"/groups", map[string]any{"name": path, "path": path, "visibility": string(v)})
	gf := &groupFixture{id: int64(g["id"].(float64)), path: path}
	for name, level := range roles {
		x.root("POST", fmt.Sprintf("%s/groups/%d/members", api, gf.id), map[string]any{"user_id": x.users[name].ID, "access_level": int(level)})
	}
	member := x.freshUser("gmember")
	x.root("POST", fmt.Sprintf("%s/groups/%d/members", api, gf.id), map[string]any{"user_id": member.ID, "access_level": 10})
	gf.member = member.ID
	bot := x.root("POST", fmt.Sprintf("%s/groups/%d/access_tokens", api, gf.id),
		map[string]any{"name": "bot", "scopes": []string{"api"}, "access_level": 40})
	gf.botToken, gf.botUser = bot["token"].(string), int64(bot["user_id"].(float64))
	gf.tokenID, _ = parseInt(x.freshResourceToken("groups", gf.id))
	return gf
}

// newProject creates the visibility's project in its group with a README
// on main, branches keep-dev (at main) and keep-feature (one commit
// ahead) that the keep-* rule protects from merged-branch cleanup while
// letting Developers push, a tag v1, a rule to read and patch, its bot (a
// Maintainer project access token), a second token and a direct Guest.
func (x *matrix) newProject(v visibility) *projectFixture {
	g := x.groups[v]
	path := "app-" + string(v)
	p := x.root("POST", api+"/projects", map[string]any{"name": path, "path": path, "namespace_id": g.id,
		"visibility": string(v), "initialize_with_readme": true})
	pf := &projectFixture{id: int64(p["id"].(float64)), path: g.path + "/" + path, protected: "rule-target"}
	x.root("POST", pf.api("/protected_branches"), map[string]any{"name": "keep-*", "push_access_level": 30, "merge_access_level": 30})
	x.root("POST", pf.api("/protected_branches"), map[string]any{"name": pf.protected})
	x.root("POST", pf.api("/repository/branches"), map[string]any{"branch": "keep-dev", "ref": "main"})
	c := x.root("POST", pf.api("/repository/commits"), map[string]any{"branch": "keep-feature", "start_branch": "main",
		"commit_message": "feature", "actions": []map[string]any{{"action": "create", "file_path": "feature.txt", "content": "f\n"}}})
	pf.feature = c["id"].(string)
	x.root("POST", pf.api("/repository/tags"), map[string]any{"tag_name": "v1", "ref": "main"})
	f := x.root("GET", pf.api("/repository/files/README.md?ref=main"), nil)
	pf.blob, pf.head = f["blob_id"].(string), f["commit_id"].(string)
	member := x.freshUser("pmember")
	x.root("POST", pf.api("/members"), map[string]any{"user_id": member.ID, "access_level": 10})
	pf.member = member.ID
	bot := x.root("POST", pf.api("/access_tokens"), map[string]any{"name": "bot", "scopes": []string{"api"}, "access_level": 40})
	pf.botToken, pf.botUser = bot["token"].(string), int64(bot["user_id"].(float64))
	pf.tokenID, _ = parseInt(x.freshResourceToken("projects", pf.id))
	return pf
}

func parseInt(s string) (int64, error) {
	var n int64
	_, err := fmt.Sscan(s, &n)
	return n, err
}
