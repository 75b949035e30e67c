package main

import "fmt"

// wikiEndpoints are the rows of wikis: a project's list of 20 pages, read
// from its wiki repository's tree at the branch head.
func (l *loader) wikiEndpoints() []*endpoint {
	return []*endpoint{l.madeListEndpoint("GET /projects/:id/wikis (20)", "wikis", 20,
		func(w *worker, i int) map[string]any {
			return map[string]any{"title": fmt.Sprintf("bench %s %d", w.phase, i), "content": "# Page\n\nbench"}
		})}
}
