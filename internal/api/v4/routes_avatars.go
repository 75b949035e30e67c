package v4

import "github.com/lablet/lablet/internal/access"

// avatarsRoutes are the rows of avatars and user associations
// (avatars.go); avatars are uploaded through the create and update routes
// of users, groups, projects and topics too, and served as files by the
// pages at /uploads/-/system/.
func avatarsRoutes() []Endpoint {
	return []Endpoint{
		Row("PUT /user/avatar", (*API).putOwnAvatar, SignedIn, access.ReadCurrentUser),
		Row("GET /groups/{id}/avatar", (*API).downloadGroupAvatar, Anyone, access.ReadGroup),
		Row("GET /projects/{id}/avatar", (*API).downloadProjectAvatar, Anyone, access.ReadProject),
		Row("GET /avatar", (*API).getAvatar, Anyone, access.None),
		Row("DELETE /users/{id}/identities/{provider}", (*API).deleteUserIdentity, Admin, access.AdminAll),
		Row("GET /users/{id}/associations_count", (*API).userAssociationsCount, SignedInOrReadUser, access.ReadCurrentUser),
	}
}
