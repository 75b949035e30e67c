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
