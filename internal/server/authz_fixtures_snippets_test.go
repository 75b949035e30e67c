package server_test

import "sync"

var (
	snippetsMu      sync.Mutex
	publicSnippets  = map[*matrix]string{}
	projectSnippets = map[*projectFixture]string{}
)

// snippetBody is a snippet of one file with visibility v.
func snippetBody(v visibility) map[string]any {
	return map[string]any{"title": "matrix", "visibility": string(v),
		"files": []map[string]any{{"file_path": "a.txt", "content": "a\n"}}}
}

// sharedPublicSnippet is the administrator's public personal snippet's
// API path, made once.
func (x *matrix) sharedPublicSnippet() string {
	snippetsMu.Lock()
	defer snippetsMu.Unlock()
	if publicSnippets[x] == "" {
		publicSnippets[x] = x.freshPersonalSnippet()
	}
	return publicSnippets[x]
}

// freshPersonalSnippet is a new public personal snippet of the
// administrator's.
func (x *matrix) freshPersonalSnippet() string {
	sn := x.root("POST", api+"/snippets", snippetBody(public))
	return api + "/snippets/" + num(sn["id"])
}

// projectSnippet is the administrator's snippet of the project, as
// visible as the project, made once per project.
func (x *matrix) projectSnippet(p *projectFixture, v visibility) string {
	snippetsMu.Lock()
	defer snippetsMu.Unlock()
	if s := projectSnippets[p]; s != "" {
		return s
	}
	s := x.freshProjectSnippet(p, v)
	projectSnippets[p] = s
	return s
}

func (x *matrix) freshProjectSnippet(p *projectFixture, v visibility) string {
	sn := x.root("POST", p.api("/snippets"), snippetBody(v))
	return p.api("/snippets/" + num(sn["id"]))
}

// freshSnippetNote is a new note of the administrator's on the
// project's snippet; its path.
func (x *matrix) freshSnippetNote(c *cell, p *projectFixture) string {
	sn := x.projectSnippet(p, c.vis)
	n := x.root("POST", sn+"/notes", map[string]any{"body": "matrix note"})
	return sn + "/notes/" + num(n["id"])
}

// freshSnippetDiscussion is a new discussion of the administrator's on
// the project's snippet: its path and its first note's id.
func (x *matrix) freshSnippetDiscussion(c *cell, p *projectFixture) (string, string) {
	sn := x.projectSnippet(p, c.vis)
	d := x.root("POST", sn+"/discussions", map[string]any{"body": "matrix thread"})
	note := d["notes"].([]any)[0].(map[string]any)
	return sn + "/discussions/" + d["id"].(string), num(note["id"])
}

func onSnippet(suffix string) fixture {
	return onProject(func(x *matrix, c *cell, p *projectFixture) request { return get(x.projectSnippet(p, c.vis) + suffix) })
}

var snippetFiles = []map[string]any{{"action": "update", "file_path": "a.txt", "content": "b\n"}}

// Snippets: personal ones are the administrator's public snippet (or a
// fresh one to delete); a project's are the administrator's, as visible
// as the project.
var _ = addFixtures(map[string]fixture{
	"GET /api/v4/snippets":        static(api + "/snippets"),
	"GET /api/v4/snippets/public": static(api + "/snippets/public"),
	"GET /api/v4/snippets/all":    static(api + "/snippets/all"),
	"POST /api/v4/snippets": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/snippets", json: snippetBody(private)}
	}},
	"GET /api/v4/snippets/{id}": {build: func(x *matrix, c *cell) request { return get(x.sharedPublicSnippet()) }},
	"PUT /api/v4/snippets/{id}": {build: func(x *matrix, c *cell) request {
		return request{path: x.sharedPublicSnippet(), json: map[string]any{"files": snippetFiles}}
	}},
	"DELETE /api/v4/snippets/{id}": {build: func(x *matrix, c *cell) request { return get(x.freshPersonalSnippet()) }},
	"GET /api/v4/snippets/{id}/raw": {build: func(x *matrix, c *cell) request {
		return get(x.sharedPublicSnippet() + "/raw")
	}},
	"GET /api/v4/snippets/{id}/files/{ref}/{file_path}/raw": {build: func(x *matrix, c *cell) request {
		return get(x.sharedPublicSnippet() + "/files/main/a.txt/raw")
	}},
	"GET /api/v4/snippets/{id}/user_agent_detail": {build: func(x *matrix, c *cell) request {
		return get(x.sharedPublicSnippet() + "/user_agent_detail")
	}},

	"GET /api/v4/projects/{id}/snippets": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/snippets"))
	}),
	"POST /api/v4/projects/{id}/snippets": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/snippets"), json: snippetBody(c.vis)}
	}),
	"GET /api/v4/projects/{id}/snippets/{snippet_id}": onSnippet(""),
	"PUT /api/v4/projects/{id}/snippets/{snippet_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: x.projectSnippet(p, c.vis), json: map[string]any{"files": snippetFiles}}
	}),
	"DELETE /api/v4/projects/{id}/snippets/{snippet_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(x.freshProjectSnippet(p, c.vis))
	}),
	"GET /api/v4/projects/{id}/snippets/{snippet_id}/raw":                         onSnippet("/raw"),
	"GET /api/v4/projects/{id}/snippets/{snippet_id}/files/{ref}/{file_path}/raw": onSnippet("/files/main/a.txt/raw"),
	"GET /api/v4/projects/{id}/snippets/{snippet_id}/user_agent_detail":           onSnippet("/user_agent_detail"),

	"GET /api/v4/projects/{id}/snippets/{snippet_id}/notes": onSnippet("/notes"),
	"POST /api/v4/projects/{id}/snippets/{snippet_id}/notes": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: x.projectSnippet(p, c.vis) + "/notes", json: map[string]any{"body": "hi"}}
	}),
	"GET /api/v4/projects/{id}/snippets/{snippet_id}/notes/{note_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(x.freshSnippetNote(c, p))
	}),
	"PUT /api/v4/projects/{id}/snippets/{snippet_id}/notes/{note_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: x.freshSnippetNote(c, p), json: map[string]any{"body": "changed"}}
	}),
	"DELETE /api/v4/projects/{id}/snippets/{snippet_id}/notes/{note_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(x.freshSnippetNote(c, p))
	}),
	"GET /api/v4/projects/{id}/snippets/{snippet_id}/discussions": onSnippet("/discussions"),
	"POST /api/v4/projects/{id}/snippets/{snippet_id}/discussions": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: x.projectSnippet(p, c.vis) + "/discussions", json: map[string]any{"body": "thread"}}
	}),
	"GET /api/v4/projects/{id}/snippets/{snippet_id}/discussions/{discussion_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		d, _ := x.freshSnippetDiscussion(c, p)
		return get(d)
	}),
	"POST /api/v4/projects/{id}/snippets/{snippet_id}/discussions/{discussion_id}/notes": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		d, _ := x.freshSnippetDiscussion(c, p)
		return request{path: d + "/notes", json: map[string]any{"body": "reply"}}
	}),
	"PUT /api/v4/projects/{id}/snippets/{snippet_id}/discussions/{discussion_id}/notes/{note_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		d, n := x.freshSnippetDiscussion(c, p)
		return request{path: d + "/notes/" + n, json: map[string]any{"body": "changed"}}
	}),
	"DELETE /api/v4/projects/{id}/snippets/{snippet_id}/discussions/{discussion_id}/notes/{note_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		d, n := x.freshSnippetDiscussion(c, p)
		return get(d + "/notes/" + n)
	}),
})
