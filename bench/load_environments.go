package main

import (
	"fmt"
	"strings"
)

// environmentEndpoints are the rows of environments and deployments: a
// project's list of 20 environments and of 20 deployments (made through
// the API, to four environments), which its maintainer (the bench user)
// reads.
func (l *loader) environmentEndpoints() []*endpoint {
	sha := strings.Repeat("0123456789", 4)
	return []*endpoint{
		l.madeListEndpoint("GET /projects/:id/environments (20)", "environments", 20,
			func(w *worker, i int) map[string]any {
				return map[string]any{"name": fmt.Sprintf("bench-%s-%d", w.phase, i),
					"external_url": "https://bench.example.com"}
			}),
		l.madeListEndpoint("GET /projects/:id/deployments (20)", "deployments", 20,
			func(w *worker, i int) map[string]any {
				return map[string]any{"environment": fmt.Sprintf("deploy-%s-%d", w.phase, i%4), "sha": sha,
					"ref": "main", "tag": false, "status": "success"}
			}),
	}
}
