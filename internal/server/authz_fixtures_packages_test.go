package server_test

import (
	"encoding/json"
	"net/http"
)

// rootPackageFile publishes, as root, a generic package file of a fresh
// package in the project and returns the package's and the file's API
// paths and the package's name.
func (x *matrix) rootPackageFile(p *projectFixture) (pkg, file, name string) {
	name = "pkg-" + x.next()
	b := x.rootMultipart(http.MethodPut, p.api("/packages/generic/"+name+"/1.0.0/a.bin?select=package_file"),
		[]byte("package bytes"), "application/octet-stream", http.StatusCreated)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	pkg = p.api("/packages/" + num(m["package_id"]))
	return pkg, pkg + "/package_files/" + num(m["id"]), name
}

// The package registry: every request acts on a package of its own.
var _ = addFixtures(map[string]fixture{
	"PUT /api/v4/projects/{id}/packages/generic/{package_name}/{package_version}/{file_path...}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/packages/generic/up-" + x.next() + "/1.0.0/f.bin"), raw: []byte("bytes"),
			contentType: "application/octet-stream"}
	}),
	"GET /api/v4/projects/{id}/packages/generic/{package_name}/{package_version}/{file_path...}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		_, _, name := x.rootPackageFile(p)
		return get(p.api("/packages/generic/" + name + "/1.0.0/a.bin"))
	}),
	"GET /api/v4/projects/{id}/packages": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/packages"))
	}),
	"GET /api/v4/projects/{id}/packages/{package_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		pkg, _, _ := x.rootPackageFile(p)
		return get(pkg)
	}),
	"DELETE /api/v4/projects/{id}/packages/{package_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		pkg, _, _ := x.rootPackageFile(p)
		return get(pkg)
	}),
	"GET /api/v4/projects/{id}/packages/{package_id}/package_files": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		pkg, _, _ := x.rootPackageFile(p)
		return get(pkg + "/package_files")
	}),
	"DELETE /api/v4/projects/{id}/packages/{package_id}/package_files/{package_file_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		_, file, _ := x.rootPackageFile(p)
		return get(file)
	}),
	"GET /api/v4/groups/{id}/packages": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(groupAPI(g, "/packages"))
	}),
})
