package main

import "fmt"

// snippetEndpoints are the rows of snippets: a project's list of 20,
// which its maintainer (the bench user) reads.
func (l *loader) snippetEndpoints() []*endpoint {
	return []*endpoint{l.madeListEndpoint("GET /projects/:id/snippets (20)", "snippets", 20,
		func(w *worker, i int) map[string]any {
			return map[string]any{"title": fmt.Sprintf("bench %s %d", w.phase, i), "visibility": "private",
				"files": []map[string]any{{"file_path": "a.txt", "content": "a\n"}, {"file_path": "b.txt", "content": "b\n"}}}
		})}
}
