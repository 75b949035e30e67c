package main

import (
	"fmt"
	"net/http"
	"net/url"
)

// forkEndpoints are the rows of forks, outside the mix: a fork of one of
// the seeded repositories (project creation, a repository that borrows
// the source's objects, its refs copied) and a repository project's
// forks, the list those forks fill.
func (l *loader) forkEndpoints() []*endpoint {
	sd := l.sd
	return []*endpoint{
		{name: "POST /projects/:id/fork", req: func(w *worker) reqSpec {
			p := sd.RepoProjects[w.rng.IntN(len(sd.RepoProjects))]
			n := fmt.Sprintf("fork-%s-%d-%d-%d", w.phase, w.id, w.n, w.rng.IntN(1e9))
			form := url.Values{"name": {n}, "path": {n}}
			return reqSpec{method: http.MethodPost, path: fmt.Sprintf("/projects/%d/fork", p.ID),
				body: []byte(form.Encode()), ctype: "application/x-www-form-urlencoded"}
		}},
		{name: "GET /projects/:id/forks", req: func(w *worker) reqSpec {
			p := sd.RepoProjects[w.rng.IntN(len(sd.RepoProjects))]
			return reqSpec{method: http.MethodGet, path: fmt.Sprintf("/projects/%d/forks?per_page=20", p.ID)}
		}},
	}
}
