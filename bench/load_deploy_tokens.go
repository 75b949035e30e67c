package main

import "fmt"

// deployTokenEndpoints are the rows of deploy tokens: a project's list of
// 20, which its maintainer (the bench user) reads.
func (l *loader) deployTokenEndpoints() []*endpoint {
	return []*endpoint{l.madeListEndpoint("GET /projects/:id/deploy_tokens (20)", "deploy_tokens", 20,
		func(w *worker, i int) map[string]any {
			return map[string]any{"name": fmt.Sprintf("bench %s %d", w.phase, i), "scopes": []string{"read_repository"}}
		})}
}
