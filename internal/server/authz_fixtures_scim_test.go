package server_test

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/service"
)

// freshSCIMIdentity provisions, through the service as the group's SCIM
// token would, a user of its own in the group and returns its extern_uid.
func (x *matrix) freshSCIMIdentity(g *groupFixture) string {
	n := "scim" + x.next()
	_, err := x.s.Srv.Service.CreateSCIMUser(context.Background(), service.SCIMScope{GroupID: g.id},
		service.SCIMUserInput{ExternalID: "uid-" + n, UserName: n, Name: n, Email: n + "@example.com"})
	if err != nil {
		panic(fixtureFailure(fmt.Sprintf("provision %s: %v", n, err)))
	}
	return "uid-" + n
}

// SCIM: the protocol's Users routes take only a SCIM token, which no
// matrix caller holds (user tokens, OAuth tokens and sessions are all 401:
// internal/scim's tests cover the token); discovery is public.
var _ = addFixtures(scimFixtures())

func scimFixtures() map[string]fixture {
	m := map[string]fixture{
		"POST /api/v4/groups/{id}/scim/tokens": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
			return get(groupAPI(g, "/scim/tokens"))
		}),
		"POST /api/v4/application/scim/tokens": static(api + "/application/scim/tokens"),
		"GET /api/v4/groups/{id}/scim/identities": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
			return get(groupAPI(g, "/scim/identities"))
		}),
		"GET /api/v4/groups/{id}/scim/{uid}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
			return get(groupAPI(g, "/scim/"+x.freshSCIMIdentity(g)))
		}),
		"PATCH /api/v4/groups/{id}/scim/{uid}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
			return request{path: groupAPI(g, "/scim/"+x.freshSCIMIdentity(g)), json: map[string]any{"extern_uid": "new-" + x.next()}}
		}),
		"DELETE /api/v4/groups/{id}/scim/{uid}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
			return get(groupAPI(g, "/scim/"+x.freshSCIMIdentity(g)))
		}),
	}
	for _, base := range []string{"/api/scim/v2/groups/{group_path}", "/api/scim/v2/application"} {
		path := func(x *matrix, suffix string) string {
			if base == "/api/scim/v2/application" {
				return base + suffix
			}
			return "/api/scim/v2/groups/" + x.groups[private].path + suffix
		}
		users := func(suffix string) fixture {
			return fixture{build: func(x *matrix, c *cell) request {
				return request{path: path(x, suffix), json: map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}}}
			}}
		}
		m["GET "+base+"/Users"] = users("/Users")
		m["POST "+base+"/Users"] = users("/Users")
		for _, method := range []string{"GET", "PATCH", "PUT", "DELETE"} {
			m[method+" "+base+"/Users/{id}"] = users("/Users/some-uid")
		}
		for _, d := range []string{"/ServiceProviderConfig", "/Schemas", "/ResourceTypes"} {
			m["GET "+base+d] = fixture{build: func(x *matrix, c *cell) request { return get(path(x, d)) }}
		}
	}
	return m
}
