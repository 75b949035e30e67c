package main

import "fmt"

// hookEndpoints are the rows of webhooks: a project's list of 20, which
// its maintainer (the bench user) reads. The hooks take no events and
// name an address no request reaches (TEST-NET-1, no DNS), so the bench
// delivers nothing.
func (l *loader) hookEndpoints() []*endpoint {
	return []*endpoint{l.madeListEndpoint("GET /projects/:id/hooks (20)", "hooks", 20,
		func(w *worker, i int) map[string]any {
			return map[string]any{"url": fmt.Sprintf("http://192.0.2.1/bench/%s/%d", w.phase, i), "push_events": false}
		})}
}
