package v4

import (
	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/templates"
)

// instanceRoutes are the instance's own resources: its settings and the
// file templates it offers.
func instanceRoutes() []Endpoint {
	rows := []Endpoint{
		Row("GET /application/settings", (*API).getApplicationSettings, Admin, access.AdminAll),
		Row("PUT /application/settings", (*API).updateApplicationSettings, Admin, access.AdminAll),

		Row("GET /templates/licenses", (*API).listLicenseTemplates, Anyone, access.None),
		Row("GET /templates/licenses/{name}", (*API).getLicenseTemplate, Anyone, access.None),
		Row("GET /projects/{id}/templates/{type}", (*API).listProjectTemplates, Anyone, access.ReadProject),
		Row("GET /projects/{id}/templates/{type}/{name}", (*API).getProjectTemplate, Anyone, access.ReadProject),
	}
	for _, kind := range []templates.Kind{templates.Dockerfiles, templates.Gitignores, templates.GitlabCIYmls} {
		rows = append(rows,
			Row("GET /templates/"+string(kind), listFileTemplates(kind), Anyone, access.None),
			Row("GET /templates/"+string(kind)+"/{name}", getFileTemplate(kind), Anyone, access.None))
	}
	return rows
}

// instanceAdminRoutes are the instance's messages, flags, appearance and
// metrics.
func instanceAdminRoutes() []Endpoint {
	rows := []Endpoint{
		Row("GET /application/appearance", (*API).getAppearance, Admin, access.AdminAll),
		Row("PUT /application/appearance", (*API).updateAppearance, Admin, access.AdminAll),
		Row("GET /application/statistics", (*API).getStatistics, Admin, access.AdminAll),

		Row("GET /broadcast_messages", (*API).listBroadcastMessages, Anyone, access.None),
		Row("GET /broadcast_messages/{id}", (*API).getBroadcastMessage, Anyone, access.None),
		Row("POST /broadcast_messages", (*API).createBroadcastMessage, Admin, access.AdminAll),
		Row("PUT /broadcast_messages/{id}", (*API).updateBroadcastMessage, Admin, access.AdminAll),
		Row("DELETE /broadcast_messages/{id}", (*API).deleteBroadcastMessage, Admin, access.AdminAll),

		Row("GET /features", (*API).listFeatures, Admin, access.AdminAll),
		Row("POST /features/{name}", (*API).setFeature, Admin, access.AdminAll),
		Row("DELETE /features/{name}", (*API).deleteFeature, Admin, access.AdminAll),
	}
	for _, part := range []string{"queue_metrics", "process_metrics", "job_stats", "compound_metrics"} {
		rows = append(rows, Row("GET /sidekiq/"+part, sidekiq(part), Admin, access.AdminAll))
	}
	return rows
}
