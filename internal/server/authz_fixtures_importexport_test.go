package server_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"mime/multipart"
	"net/http"
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

// rootGroupExport exports the group as root once and waits for the
// archive (a group export has no status route: the download answers 200
// once it is there).
func (x *matrix) rootGroupExport(g *groupFixture) {
	once, _ := exportsMade.LoadOrStore(x.s.URL+"/groups/"+g.path, &sync.Once{})
	once.(*sync.Once).Do(func() {
		x.root("POST", fmt.Sprintf("%s/groups/%d/export", api, g.id), nil)
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			req, _ := http.NewRequest("GET", fmt.Sprintf("%s%s/groups/%d/export/download", x.s.URL, api, g.id), nil)
			req.Header.Set("PRIVATE-TOKEN", x.s.RootToken)
			resp, err := x.http.Do(req)
			if err != nil {
				break
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		panic(fixtureFailure("group export of " + g.path + " did not finish"))
	})
}

// minimalGroupArchive is a group export of one group, nothing in it.
func minimalGroupArchive() []byte {
	var b bytes.Buffer
	gz := gzip.NewWriter(&b)
	tw := tar.NewWriter(gz)
	for _, e := range [][2]string{{"VERSION", "0.2.4"}, {"tree/groups/_all.ndjson", "7\n"},
		{"tree/groups/7.json", `{"id":7,"name":"x","path":"x"}`}} {
		_ = tw.WriteHeader(&tar.Header{Name: e[0], Mode: 0o600, Size: int64(len(e[1])), Typeflag: tar.TypeReg})
		_, _ = tw.Write([]byte(e[1]))
	}
	_ = tw.Close()
	_ = gz.Close()
	return b.Bytes()
}

// Group export and import: the download's group is exported first, as
// root; a new export runs on a group of its own; the import's archive is
// a minimal valid one (an import is written within its request).
var _ = addFixtures(map[string]fixture{
	"POST /api/v4/groups/{id}/export": onFreshGroup(func(x *matrix, c *cell, id int64) request {
		return request{path: fmt.Sprintf("%s/groups/%d/export", api, id)}
	}),
	"GET /api/v4/groups/{id}/export/download": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		x.rootGroupExport(g)
		return get(fmt.Sprintf("%s/groups/%d/export/download", api, g.id))
	}),
	"POST /api/v4/groups/import": {build: func(x *matrix, c *cell) request {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		n := "gimp" + x.next()
		_ = mw.WriteField("path", n)
		_ = mw.WriteField("name", n)
		fw, _ := mw.CreateFormFile("file", "export.tar.gz")
		_, _ = fw.Write(minimalGroupArchive())
		_ = mw.Close()
		return request{path: api + "/groups/import", raw: b.Bytes(), contentType: mw.FormDataContentType()}
	}},
})

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
