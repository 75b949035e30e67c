package server_test

import (
	"bytes"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"sync"
)

// tinyPNG is a 1×1 PNG, a valid avatar.
var tinyPNG = func() []byte {
	var b bytes.Buffer
	_ = png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1)))
	return b.Bytes()
}()

// multipartAvatar is a multipart body with one "avatar" file part.
func multipartAvatar(name string, content []byte) ([]byte, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("avatar", name)
	_, _ = fw.Write(content)
	_ = mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

// avatarsGiven are the API paths root has put an avatar on.
var avatarsGiven sync.Map

// rootAvatar gives the group or project at API path (/groups/1) an
// avatar, once, as root.
func (x *matrix) rootAvatar(path string) {
	once, _ := avatarsGiven.LoadOrStore(x.s.URL+path, &sync.Once{})
	once.(*sync.Once).Do(func() {
		body, ct := multipartAvatar("a.png", tinyPNG)
		x.rootMultipart(http.MethodPut, path, body, ct, http.StatusOK)
	})
}

// Avatars and user associations.
var _ = addFixtures(map[string]fixture{
	"PUT /api/v4/user/avatar": {build: func(x *matrix, c *cell) request {
		body, ct := multipartAvatar("me.png", tinyPNG)
		return request{path: api + "/user/avatar", raw: body, contentType: ct}
	}},
	"GET /api/v4/groups/{id}/avatar": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		x.rootAvatar(api + "/groups/" + itoa(g.id))
		return get(api + "/groups/" + itoa(g.id) + "/avatar")
	}),
	"GET /api/v4/projects/{id}/avatar": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		x.rootAvatar(p.api(""))
		return get(p.api("/avatar"))
	}),
	"GET /api/v4/avatar": static(api + "/avatar?email=nobody@example.com"),
	// Callers ask for their own counts (others' are 403, see the tests).
	"GET /api/v4/users/{id}/associations_count": {build: func(x *matrix, c *cell) request {
		return get(api + "/users/" + itoa(x.callerUserID(c)) + "/associations_count")
	}},
	"DELETE /api/v4/users/{id}/identities/{provider}": {build: func(x *matrix, c *cell) request {
		u := x.freshUser("idt")
		x.root("PUT", api+"/users/"+itoa(u.ID), map[string]any{"provider": "ldapmain", "extern_uid": "uid=" + u.Username})
		return request{method: http.MethodDelete, path: api + "/users/" + itoa(u.ID) + "/identities/ldapmain"}
	}},
	// The pages serving avatars.
	"GET /uploads/-/system/user/avatar/{id}/{filename}": {build: func(x *matrix, c *cell) request {
		u := x.users["owner"]
		x.rootAvatar(api + "/users/" + itoa(u.ID))
		return page("/uploads/-/system/user/avatar/" + itoa(u.ID) + "/a.png")
	}},
	"GET /uploads/-/system/group/avatar/{id}/{filename}": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		x.rootAvatar(api + "/groups/" + itoa(g.id))
		return page("/uploads/-/system/group/avatar/" + itoa(g.id) + "/a.png")
	}),
	"GET /uploads/-/system/project/avatar/{id}/{filename}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		x.rootAvatar(p.api(""))
		return page("/uploads/-/system/project/avatar/" + itoa(p.id) + "/a.png")
	}),
	"GET /uploads/-/system/projects/topic/avatar/{id}/{filename}": {build: func(x *matrix, c *cell) request {
		t := x.root("POST", api+"/topics", map[string]any{"name": "avatar-topic" + x.next(), "title": "T"})
		x.rootAvatar(api + "/topics/" + num(t["id"]))
		return page("/uploads/-/system/projects/topic/avatar/" + num(t["id"]) + "/a.png")
	}},
})
