package v4

import "github.com/lablet/lablet/internal/access"

// instanceRoutes are the instance's own resources: its settings.
func instanceRoutes() []Endpoint {
	return []Endpoint{
		Row("GET /application/settings", (*API).getApplicationSettings, Admin, access.AdminAll),
		Row("PUT /application/settings", (*API).updateApplicationSettings, Admin, access.AdminAll),
	}
}
