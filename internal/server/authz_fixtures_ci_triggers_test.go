package server_test

import (
	"encoding/json"
	"net/http"
)

// freshCITrigger creates, as root, a trigger token of its own on p and
// returns its path and token.
func (x *matrix) freshCITrigger(p *projectFixture) (path, token string) {
	tr := x.root("POST", p.api("/triggers"), map[string]any{"description": "t" + x.next()})
	return p.api("/triggers/" + num(tr["id"])), tr["token"].(string)
}

// ownCITrigger is a trigger the caller owns when they may create one
// (only its owner changes a trigger), else root's.
func (x *matrix) ownCITrigger(c *cell, p *projectFixture) string {
	r, err := x.send(c, request{method: http.MethodPost, path: p.api("/triggers"), json: map[string]any{"description": "mine"}})
	if err == nil && r.status == http.StatusCreated {
		var tr struct{ ID int64 }
		if json.Unmarshal(r.body, &tr) == nil && tr.ID > 0 {
			return p.api("/triggers/" + itoa(tr.ID))
		}
	}
	path, _ := x.freshCITrigger(p)
	return path
}

// Pipeline trigger tokens.
var _ = addFixtures(map[string]fixture{
	"GET " + api + "/projects/{id}/triggers": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/triggers"))
	}),
	"POST " + api + "/projects/{id}/triggers": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/triggers"), json: map[string]any{"description": "d" + x.next()}}
	}),
	"GET " + api + "/projects/{id}/triggers/{trigger_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		path, _ := x.freshCITrigger(p)
		return get(path)
	}),
	"PUT " + api + "/projects/{id}/triggers/{trigger_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: x.ownCITrigger(c, p), json: map[string]any{"description": "changed"}}
	}),
	"DELETE " + api + "/projects/{id}/triggers/{trigger_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		path, _ := x.freshCITrigger(p)
		return get(path)
	}),
	// The token in the body decides; the caller's credentials are not
	// read. Each request runs on a branch of its own with a CI file.
	"POST " + api + "/projects/{id}/trigger/pipeline": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		branch := "trig-" + x.next()
		x.root("POST", p.api("/repository/commits"), map[string]any{"branch": branch, "start_branch": "main",
			"commit_message": "ci", "actions": []map[string]any{{"action": "create", "file_path": ".gitlab-ci.yml",
				"content": "job:\n  script: [echo hi]\n"}}})
		_, token := x.freshCITrigger(p)
		return request{path: p.api("/trigger/pipeline"), json: map[string]any{"token": token, "ref": branch}}
	}),
})
