package main

import (
	"fmt"
	"net/http"
)

// sharingEndpoints are the rows of sharing: the users with access to a
// project of the bench's (its group's members and its own), and its
// groups.
func (l *loader) sharingEndpoints() []*endpoint {
	id := l.sd.RepoProjects[0].ID
	return []*endpoint{
		{name: "GET /projects/:id/users", req: func(w *worker) reqSpec {
			return reqSpec{method: http.MethodGet, path: fmt.Sprintf("/projects/%d/users", id)}
		}},
		{name: "GET /projects/:id/groups", req: func(w *worker) reqSpec {
			return reqSpec{method: http.MethodGet, path: fmt.Sprintf("/projects/%d/groups?with_shared=true", id)}
		}},
	}
}
