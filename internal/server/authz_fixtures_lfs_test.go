package server_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
)

// lfsMatrixObject is the LFS object of the matrix's projects.
var lfsMatrixObject = []byte("matrix lfs object\n")

func lfsMatrixOid() string {
	sum := sha256.Sum256(lfsMatrixObject)
	return hex.EncodeToString(sum[:])
}

var lfsObjectsGiven sync.Map // server URL + project path → *sync.Once

// lfsSend sends an LFS request to the project with the caller's git
// credentials (the root's when c is nil) and returns the status and body.
func (x *matrix) lfsSend(c *cell, method, path string, body []byte) (int, []byte) {
	hr, _ := http.NewRequest(method, x.s.URL+path, bytes.NewReader(body))
	hr.Header.Set("Content-Type", "application/vnd.git-lfs+json")
	if c == nil {
		hr.SetBasicAuth("root", x.s.RootToken)
	} else {
		c.caller.credentials(hr, gitSurface, c.vis, request{})
	}
	resp, err := x.http.Do(hr)
	if err != nil {
		panic(fixtureFailure(err.Error()))
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	_, _ = out.ReadFrom(resp.Body)
	return resp.StatusCode, out.Bytes()
}

// rootLFSObject uploads the matrix's object to the project once, as root.
func (x *matrix) rootLFSObject(p *projectFixture) {
	once, _ := lfsObjectsGiven.LoadOrStore(x.s.URL+p.path, &sync.Once{})
	once.(*sync.Once).Do(func() {
		path := "/" + p.path + ".git/gitlab-lfs/objects/" + lfsMatrixOid() + "/" + strconv.Itoa(len(lfsMatrixObject))
		if st, body := x.lfsSend(nil, http.MethodPut, path, lfsMatrixObject); st != http.StatusOK {
			panic(fixtureFailure("lfs upload: " + strconv.Itoa(st) + " " + string(body)))
		}
	})
}

// callerLock locks a fresh path as the cell's caller and returns the
// lock's id; a caller who may not lock gets an id that names no lock (the
// request is refused before the lock is looked up).
func (x *matrix) callerLock(c *cell, p *projectFixture) string {
	b, _ := json.Marshal(map[string]string{"path": "m-" + x.next() + ".bin"})
	st, body := x.lfsSend(c, http.MethodPost, "/"+p.path+".git/info/lfs/locks", b)
	if st != http.StatusCreated {
		return "999999999"
	}
	var out struct {
		Lock struct {
			ID string `json:"id"`
		} `json:"lock"`
	}
	_ = json.Unmarshal(body, &out)
	return out.Lock.ID
}

func lfsJSON(path string, v any) request {
	b, _ := json.Marshal(v)
	return request{path: path, raw: b, contentType: "application/vnd.git-lfs+json"}
}

// Git LFS: the batch and the object transfers it hands out, and locks.
var _ = addFixtures(map[string]fixture{
	"POST /{repo...}/info/lfs/objects/batch": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return lfsJSON("/"+p.path+".git/info/lfs/objects/batch", map[string]any{"operation": "download",
			"objects": []map[string]any{{"oid": lfsMatrixOid(), "size": len(lfsMatrixObject)}}})
	}),
	"GET /{repo...}/gitlab-lfs/objects/{oid}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		x.rootLFSObject(p)
		return get("/" + p.path + ".git/gitlab-lfs/objects/" + lfsMatrixOid())
	}),
	"PUT /{repo...}/gitlab-lfs/objects/{oid}/{size}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{method: http.MethodPut, path: "/" + p.path + ".git/gitlab-lfs/objects/" + lfsMatrixOid() + "/" +
			strconv.Itoa(len(lfsMatrixObject)), raw: lfsMatrixObject, contentType: "application/octet-stream"}
	}),
	"GET /{repo...}/info/lfs/locks": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get("/" + p.path + ".git/info/lfs/locks")
	}),
	"POST /{repo...}/info/lfs/locks": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return lfsJSON("/"+p.path+".git/info/lfs/locks", map[string]any{"path": "c-" + x.next() + ".bin"})
	}),
	"POST /{repo...}/info/lfs/locks/verify": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return lfsJSON("/"+p.path+".git/info/lfs/locks/verify", map[string]any{})
	}),
	"POST /{repo...}/info/lfs/locks/{id}/unlock": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return lfsJSON("/"+p.path+".git/info/lfs/locks/"+x.callerLock(c, p)+"/unlock", map[string]any{})
	}),
})
