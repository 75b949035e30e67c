package main

import "fmt"

// releaseEndpoints are the rows of releases: a project's list of 20
// releases, each with an asset link, which the bench user made.
func (l *loader) releaseEndpoints() []*endpoint {
	return []*endpoint{l.madeListEndpoint("GET /projects/:id/releases (20)", "releases", 20,
		func(w *worker, i int) map[string]any {
			tag := fmt.Sprintf("bench-%s-%d", w.phase, i)
			return map[string]any{"tag_name": tag, "ref": "HEAD", "description": "Release **" + tag + "**",
				"assets": map[string]any{"links": []any{map[string]any{"name": "bin", "url": "https://example.com/" + tag}}}}
		})}
}
