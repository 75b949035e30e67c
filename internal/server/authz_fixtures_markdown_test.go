package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
)

// Markdown and uploads.
var _ = addFixtures(map[string]fixture{
	"POST /api/v4/markdown": {build: func(x *matrix, c *cell) request {
		return request{path: api + "/markdown", json: map[string]any{"text": "Hello #1 @root :smile:", "gfm": true}}
	}},
	"POST /api/v4/projects/{id}/uploads": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		body, ct := multipartFile("note.txt", "hello")
		return request{path: p.api("/uploads"), raw: body, contentType: ct}
	}),
	"GET /api/v4/projects/{id}/uploads": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/uploads"))
	}),
	"GET /api/v4/projects/{id}/uploads/{upload_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		u := x.rootUpload(p)
		return get(p.api("/uploads/" + num(u["id"])))
	}),
	"GET /api/v4/projects/{id}/uploads/{secret}/{filename}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api(x.rootUpload(p)["url"].(string)))
	}),
	"DELETE /api/v4/projects/{id}/uploads/{upload_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		u := x.rootUpload(p)
		return request{method: http.MethodDelete, path: p.api("/uploads/" + num(u["id"]))}
	}),
	"DELETE /api/v4/projects/{id}/uploads/{secret}/{filename}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{method: http.MethodDelete, path: p.api(x.rootUpload(p)["url"].(string))}
	}),
	// The pages serving uploads: the project's visibility decides.
	"GET /-/project/{id}/uploads/{secret}/{filename}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return page(x.rootUpload(p)["full_path"].(string))
	}),
	"GET /{full_path...}/uploads/{secret}/{filename}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return page("/" + p.path + x.rootUpload(p)["url"].(string))
	}),
})

// multipartFile is a multipart body with one "file" part.
func multipartFile(name, content string) ([]byte, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = io.WriteString(fw, content)
	_ = mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

// rootUpload uploads a file to p as root and returns GitLab's answer.
func (x *matrix) rootUpload(p *projectFixture) map[string]any {
	body, ct := multipartFile("note.txt", "hello")
	var m map[string]any
	_ = json.Unmarshal(x.rootMultipart(http.MethodPost, p.api("/uploads"), body, ct, http.StatusCreated), &m)
	return m
}

// rootMultipart sends a multipart body as root and returns the answer's
// body; any status but want fails the fixture.
func (x *matrix) rootMultipart(method, path string, body []byte, ct string, want int) []byte {
	req, _ := http.NewRequest(method, x.s.URL+path, bytes.NewReader(body))
	req.Header.Set("PRIVATE-TOKEN", x.s.RootToken)
	req.Header.Set("Content-Type", ct)
	resp, err := x.http.Do(req)
	if err != nil {
		panic(fixtureFailure(err.Error()))
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		panic(fixtureFailure(fmt.Sprintf("%s %s = %d %s", method, path, resp.StatusCode, b)))
	}
	return b
}
