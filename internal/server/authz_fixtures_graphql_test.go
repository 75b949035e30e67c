package server_test

import "net/url"

// GraphQL: the endpoint admits everyone a REST read admits; what each
// caller sees is decided per field (internal/graphql's tests). A query
// per visibility asks for the visibility's project, which answers null
// (status 200) to callers who can't see it.
var _ = addFixtures(map[string]fixture{
	"GET /api/graphql": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get("/api/graphql?" + url.Values{"query": {`query { project(fullPath: "` + p.path + `") { name } }`}}.Encode())
	}),
	"POST /api/graphql": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: "/api/graphql", json: map[string]any{"query": `query { currentUser { username } project(fullPath: "` + p.path + `") { name } }`}}
	}),
	"GET /-/graphql-explorer": static("/-/graphql-explorer"),
})
