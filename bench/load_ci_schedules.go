package main

import "fmt"

// ciScheduleEndpoints are the rows of pipeline schedules: a project's list
// of 20 schedules, which its maintainer (the bench user) reads.
func (l *loader) ciScheduleEndpoints() []*endpoint {
	return []*endpoint{l.madeListEndpoint("GET /projects/:id/pipeline_schedules (20)", "pipeline_schedules", 20,
		func(w *worker, i int) map[string]any {
			return map[string]any{"description": fmt.Sprintf("bench %s %d", w.phase, i), "ref": "main",
				"cron": fmt.Sprintf("%d 4 * * *", i), "cron_timezone": "Europe/Berlin"}
		})}
}
