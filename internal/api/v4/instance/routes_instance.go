package instance

import (
	"github.com/lablet/lablet/internal/access"
	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/templates"
)

// Routes are the instance's rows of the REST API's route table;
// internal/server hands them to v4.New.
func Routes() []v4.Endpoint {
	return append(instanceRoutes(), instanceAdminRoutes()...)
}

// instanceRoutes are the instance's own resources: its settings and the
// file templates it offers.
func instanceRoutes() []v4.Endpoint {
	rows := []v4.Endpoint{
		v4.Row("GET /application/settings", getApplicationSettings, v4.Admin, access.AdminAll),
		v4.Row("PUT /application/settings", updateApplicationSettings, v4.Admin, access.AdminAll),

		v4.Row("GET /templates/licenses", listLicenseTemplates, v4.Anyone, access.None),
		v4.Row("GET /templates/licenses/{name}", getLicenseTemplate, v4.Anyone, access.None),
		v4.Row("GET /projects/{id}/templates/{type}", listProjectTemplates, v4.Anyone, access.ReadProject),
		v4.Row("GET /projects/{id}/templates/{type}/{name}", getProjectTemplate, v4.Anyone, access.ReadProject),
	}
	for _, kind := range []templates.Kind{templates.Dockerfiles, templates.Gitignores, templates.GitlabCIYmls} {
		rows = append(rows,
			v4.Row("GET /templates/"+string(kind), listFileTemplates(kind), v4.Anyone, access.None),
			v4.Row("GET /templates/"+string(kind)+"/{name}", getFileTemplate(kind), v4.Anyone, access.None))
	}
	return rows
}

// instanceAdminRoutes are the instance's messages, flags, appearance and
// metrics.
func instanceAdminRoutes() []v4.Endpoint {
	rows := []v4.Endpoint{
		v4.Row("GET /application/appearance", getAppearance, v4.Admin, access.AdminAll),
		v4.Row("PUT /application/appearance", updateAppearance, v4.Admin, access.AdminAll),
		v4.Row("GET /application/statistics", getStatistics, v4.Admin, access.AdminAll),

		v4.Row("GET /broadcast_messages", listBroadcastMessages, v4.Anyone, access.None),
		v4.Row("GET /broadcast_messages/{id}", getBroadcastMessage, v4.Anyone, access.None),
		v4.Row("POST /broadcast_messages", createBroadcastMessage, v4.Admin, access.AdminAll),
		v4.Row("PUT /broadcast_messages/{id}", updateBroadcastMessage, v4.Admin, access.AdminAll),
		v4.Row("DELETE /broadcast_messages/{id}", deleteBroadcastMessage, v4.Admin, access.AdminAll),

		v4.Row("GET /features", listFeatures, v4.Admin, access.AdminAll),
		v4.Row("GET /features/definitions", listFeatureDefinitions, v4.Admin, access.AdminAll),
		v4.Row("POST /features/{name}", setFeature, v4.Admin, access.AdminAll),
		v4.Row("DELETE /features/{name}", deleteFeature, v4.Admin, access.AdminAll),
	}
	for _, part := range []string{"queue_metrics", "process_metrics", "job_stats", "compound_metrics"} {
		rows = append(rows, v4.Row("GET /sidekiq/"+part, sidekiq(part), v4.Admin, access.AdminAll))
	}
	return rows
}
