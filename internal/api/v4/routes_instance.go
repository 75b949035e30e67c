package v4

import "github.com/lablet/lablet/internal/access"

// instanceRoutes are the instance's own resources: its settings.
func instanceRoutes() []endpoint {
	return []endpoint{
		row("GET /application/settings", (*API).getApplicationSettings, admin, access.AdminAll),
		row("PUT /application/settings", (*API).updateApplicationSettings, admin, access.AdminAll),
	}
}
