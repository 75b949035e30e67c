package v4

import "github.com/lablet/lablet/internal/access"

// sharingRoutes are sharing projects and groups with groups, a project's
// users and groups, and project transfer (sharing.go).
func sharingRoutes() []Endpoint {
	return []Endpoint{
		Row("POST /projects/{id}/share", (*API).shareProject, SignedIn, access.AdminProject),
		Row("DELETE /projects/{id}/share/{group_id}", (*API).unshareProject, SignedIn, access.AdminProject),
		Row("POST /groups/{id}/share", (*API).shareGroup, SignedIn, access.AdminGroup),
		Row("DELETE /groups/{id}/share/{group_id}", (*API).unshareGroup, SignedIn, access.AdminGroup),
		Row("GET /projects/{id}/users", (*API).listProjectUsers, Anyone, access.ReadProject),
		Row("GET /projects/{id}/groups", (*API).listProjectGroups, Anyone, access.ReadProject),
		Row("PUT /projects/{id}/transfer", (*API).transferProject, SignedIn, access.ChangeNamespace),
		Row("GET /projects/{id}/transfer_locations", (*API).listTransferLocations, SignedIn, access.ChangeNamespace),
	}
}
