package main

import "fmt"

// ciTriggerEndpoints are the rows of pipeline trigger tokens: a project's
// list of 20 triggers, which its maintainer (the bench user) reads.
func (l *loader) ciTriggerEndpoints() []*endpoint {
	return []*endpoint{l.madeListEndpoint("GET /projects/:id/triggers (20)", "triggers", 20,
		func(w *worker, i int) map[string]any {
			return map[string]any{"description": fmt.Sprintf("bench %s %d", w.phase, i)}
		})}
}
