package v4

import (
	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/templates"
)

// instanceRoutes are the instance's own resources: its settings and the
// file templates it offers.
func instanceRoutes() []endpoint {
	rows := []endpoint{
		row("GET /application/settings", (*API).getApplicationSettings, admin, access.AdminAll),
		row("PUT /application/settings", (*API).updateApplicationSettings, admin, access.AdminAll),

		row("GET /templates/licenses", (*API).listLicenseTemplates, anyone, access.None),
		row("GET /templates/licenses/{name}", (*API).getLicenseTemplate, anyone, access.None),
		row("GET /projects/{id}/templates/{type}", (*API).listProjectTemplates, anyone, access.ReadProject),
		row("GET /projects/{id}/templates/{type}/{name}", (*API).getProjectTemplate, anyone, access.ReadProject),
	}
	for _, kind := range []templates.Kind{templates.Dockerfiles, templates.Gitignores, templates.GitlabCIYmls} {
		rows = append(rows,
			row("GET /templates/"+string(kind), listFileTemplates(kind), anyone, access.None),
			row("GET /templates/"+string(kind)+"/{name}", getFileTemplate(kind), anyone, access.None))
	}
	return rows
}

// instanceAdminRoutes are the instance's messages, flags, appearance and
// metrics.
func instanceAdminRoutes() []endpoint {
	rows := []endpoint{
		row("GET /application/appearance", (*API).getAppearance, admin, access.AdminAll),
		row("PUT /application/appearance", (*API).updateAppearance, admin, access.AdminAll),
		row("GET /application/statistics", (*API).getStatistics, admin, access.AdminAll),

		row("GET /broadcast_messages", (*API).listBroadcastMessages, anyone, access.None),
		row("GET /broadcast_messages/{id}", (*API).getBroadcastMessage, anyone, access.None),
		row("POST /broadcast_messages", (*API).createBroadcastMessage, admin, access.AdminAll),
		row("PUT /broadcast_messages/{id}", (*API).updateBroadcastMessage, admin, access.AdminAll),
		row("DELETE /broadcast_messages/{id}", (*API).deleteBroadcastMessage, admin, access.AdminAll),

		row("GET /features", (*API).listFeatures, admin, access.AdminAll),
		row("POST /features/{name}", (*API).setFeature, admin, access.AdminAll),
		row("DELETE /features/{name}", (*API).deleteFeature, admin, access.AdminAll),
	}
	for _, part := range []string{"queue_metrics", "process_metrics", "job_stats", "compound_metrics"} {
		rows = append(rows, row("GET /sidekiq/"+part, sidekiq(part), admin, access.AdminAll))
	}
	return rows
}
