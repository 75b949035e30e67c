package v4

import "github.com/lablet/lablet/internal/access"

// sharingRoutes are sharing projects and groups with groups, a project's
// users and groups, and project and group transfer (sharing.go,
// group_transfer.go).
func sharingRoutes() []Endpoint {
	return []Endpoint{
		Row("POST /projects/{id}/share", (*API).shareProject, SignedIn, access.AdminProject),
		Row("DELETE /projects/{id}/share/{group_id}", (*API).unshareProject, SignedIn, access.AdminProject),
		Row("POST /groups/{id}/share", (*API).shareGroup, SignedIn, access.AdminGroup),
		Row("DELETE /groups/{id}/share/{group_id}", (*API).unshareGroup, SignedIn, access.AdminGroup),
		Row("GET /groups/{id}/projects/shared", (*API).listGroupSharedProjects, Anyone, access.ReadGroup),
		Row("GET /groups/{id}/groups/shared", (*API).listGroupSharedGroups, Anyone, access.ReadGroup),
		Row("GET /groups/{id}/invited_groups", (*API).listGroupInvitedGroups, Anyone, access.ReadGroup),
		Row("GET /projects/{id}/users", (*API).listProjectUsers, Anyone, access.ReadProject),
		Row("GET /projects/{id}/groups", (*API).listProjectGroups, Anyone, access.ReadProject),
		Row("PUT /projects/{id}/transfer", (*API).transferProject, SignedIn, access.ChangeNamespace),
		Row("GET /projects/{id}/transfer_locations", (*API).listTransferLocations, SignedIn, access.ChangeNamespace),
		Row("POST /groups/{id}/transfer", (*API).transferGroup, SignedIn, access.AdminGroup),
		Row("GET /groups/{id}/transfer_locations", (*API).listGroupTransferLocations, SignedIn, access.AdminGroup),
		Row("POST /groups/{id}/projects/{project_id}", (*API).transferProjectToGroup, Admin, access.AdminGroup),
	}
}
