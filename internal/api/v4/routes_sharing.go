package v4

import "github.com/lablet/lablet/internal/access"

// sharingRoutes are sharing projects and groups with groups, a project's
// users and groups, and project transfer (sharing.go).
func sharingRoutes() []endpoint {
	return []endpoint{
		row("POST /projects/{id}/share", (*API).shareProject, signedIn, access.AdminProject),
		row("DELETE /projects/{id}/share/{group_id}", (*API).unshareProject, signedIn, access.AdminProject),
		row("POST /groups/{id}/share", (*API).shareGroup, signedIn, access.AdminGroup),
		row("DELETE /groups/{id}/share/{group_id}", (*API).unshareGroup, signedIn, access.AdminGroup),
		row("GET /projects/{id}/users", (*API).listProjectUsers, anyone, access.ReadProject),
		row("GET /projects/{id}/groups", (*API).listProjectGroups, anyone, access.ReadProject),
		row("PUT /projects/{id}/transfer", (*API).transferProject, signedIn, access.ChangeNamespace),
		row("GET /projects/{id}/transfer_locations", (*API).listTransferLocations, signedIn, access.ChangeNamespace),
	}
}
