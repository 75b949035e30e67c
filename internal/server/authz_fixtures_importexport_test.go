package server_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"sync"
	"time"
)

// exportsMade: the projects rootExport has exported, once each.
var exportsMade sync.Map

// rootExport exports the project as root once and waits for the archive.
func (x *matrix) rootExport(p *projectFixture) {
	once, _ := exportsMade.LoadOrStore(x.s.URL+p.path, &sync.Once{})
	once.(*sync.Once).Do(func() {
		x.root("POST", p.api("/export"), nil)
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if st := x.root("GET", p.api("/export"), nil)["export_status"]; st == "finished" {
				return
			} else if st == "failed" {
				break
			}
		}
		panic(fixtureFailure("export of " + p.path + " did not finish"))
	})
}

// Project export and import. The download's project is exported
// first, as root; the import's file is junk
// (the background job fails it, after the permission check).
var _ = addFixtures(map[string]fixture{
	// A new export replaces the finished one the download cells read, so
	// it runs on a project of its own.
	"POST /api/v4/projects/{id}/export": onFreshProject(func(x *matrix, c *cell, id int64) request {
		return request{path: fmt.Sprintf("%s/projects/%d/export", api, id)}
	}),
	"GET /api/v4/projects/{id}/export": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/export"))
	}),
	"GET /api/v4/projects/{id}/export/download": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		x.rootExport(p)
		return get(p.api("/export/download"))
	}),
	"POST /api/v4/projects/import": {build: func(x *matrix, c *cell) request {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		fw, _ := mw.CreateFormFile("file", "export.tar.gz")
		_, _ = fw.Write([]byte("not an archive"))
		_ = mw.WriteField("path", "imp"+x.next())
		_ = mw.Close()
		return request{path: api + "/projects/import", raw: b.Bytes(), contentType: mw.FormDataContentType()}
	}},
	"GET /api/v4/projects/{id}/import": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/import"))
	}),
})
