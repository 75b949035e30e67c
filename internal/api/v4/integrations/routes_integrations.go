package integrations

import (
	"github.com/lablet/lablet/internal/access"
	v4 "github.com/lablet/lablet/internal/api/v4"
)

// Routes are a project's integrations, under GitLab's path and the older
// /services one it keeps (integrations.go).
func Routes() []v4.Endpoint {
	var rows []v4.Endpoint
	for _, base := range []string{"/projects/{id}/integrations", "/projects/{id}/services"} {
		rows = append(rows,
			v4.Row("GET "+base, listIntegrations, v4.SignedIn, access.AdminProject),
			v4.Row("GET "+base+"/{slug}", getIntegration, v4.SignedIn, access.AdminProject),
			v4.Row("PUT "+base+"/{slug}", setIntegration, v4.SignedIn, access.AdminProject),
			v4.Row("DELETE "+base+"/{slug}", deleteIntegration, v4.SignedIn, access.AdminProject))
	}
	return rows
}
