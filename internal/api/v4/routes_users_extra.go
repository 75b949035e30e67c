package v4

import "github.com/lablet/lablet/internal/access"

// usersExtraRoutes are the user routes beyond accounts, keys and tokens:
// emails, status, preferences, activities, memberships, bans, pending
// approvals, counts and custom attributes (users_extra*.go). GitLab's
// users API takes read_user on every read.
func usersExtraRoutes() []Endpoint {
	return []Endpoint{
		// Emails (users_extra.go)
		Row("GET /user/emails", (*API).listOwnEmails, SignedInOrReadUser, access.ReadCurrentUser),
		Row("POST /user/emails", (*API).addOwnEmail, SignedIn, access.ReadCurrentUser),
		Row("GET /user/emails/{email_id}", (*API).getOwnEmail, SignedInOrReadUser, access.ReadCurrentUser),
		Row("DELETE /user/emails/{email_id}", (*API).deleteOwnEmail, SignedIn, access.ReadCurrentUser),
		Row("GET /users/{id}/emails", (*API).listUserEmails, adminOrReadUser, access.AdminAll),
		Row("POST /users/{id}/emails", (*API).addUserEmail, Admin, access.AdminAll),
		Row("DELETE /users/{id}/emails/{email_id}", (*API).deleteUserEmail, Admin, access.AdminAll),

		// Status and preferences (users_extra.go)
		Row("GET /user/status", (*API).getOwnStatus, SignedInOrReadUser, access.ReadCurrentUser),
		Row("PUT /user/status", (*API).putOwnStatus, SignedIn, access.ReadCurrentUser),
		Row("PATCH /user/status", (*API).patchOwnStatus, SignedIn, access.ReadCurrentUser),
		Row("GET /users/{id}/status", (*API).getUserStatus, AnyoneOrReadUser, access.ReadUser),
		Row("GET /user/preferences", (*API).getOwnPreferences, SignedInOrReadUser, access.ReadCurrentUser),
		Row("PUT /user/preferences", (*API).putOwnPreferences, SignedIn, access.ReadCurrentUser),
		Row("GET /user_counts", (*API).getUserCounts, SignedInOrReadUser, access.ReadCurrentUser),

		// Administration (users_admin_extra.go)
		Row("GET /user/activities", (*API).listUserActivities, adminOrReadUser, access.AdminAll),
		Row("GET /users/{id}/memberships", (*API).listUserMemberships, adminOrReadUser, access.AdminAll),
		Row("POST /users/{id}/ban", userStateAction("ban"), Admin, access.AdminAll),
		Row("POST /users/{id}/unban", userStateAction("unban"), Admin, access.AdminAll),
		Row("POST /users/{id}/approve", pendingApproval(true), Admin, access.AdminAll),
		Row("POST /users/{id}/reject", pendingApproval(false), Admin, access.AdminAll),

		// Custom attributes (users_admin_extra.go)
		Row("GET /users/{id}/custom_attributes", listCustomAttributes(userAttrs), adminOrReadUser, access.AdminAll),
		Row("GET /users/{id}/custom_attributes/{key}", getCustomAttribute(userAttrs), adminOrReadUser, access.AdminAll),
		Row("PUT /users/{id}/custom_attributes/{key}", setCustomAttribute(userAttrs), Admin, access.AdminAll),
		Row("DELETE /users/{id}/custom_attributes/{key}", deleteCustomAttribute(userAttrs), Admin, access.AdminAll),
		Row("GET /groups/{id}/custom_attributes", listCustomAttributes(groupAttrs), Admin, access.AdminAll),
		Row("GET /groups/{id}/custom_attributes/{key}", getCustomAttribute(groupAttrs), Admin, access.AdminAll),
		Row("PUT /groups/{id}/custom_attributes/{key}", setCustomAttribute(groupAttrs), Admin, access.AdminAll),
		Row("DELETE /groups/{id}/custom_attributes/{key}", deleteCustomAttribute(groupAttrs), Admin, access.AdminAll),
		Row("GET /projects/{id}/custom_attributes", listCustomAttributes(projectAttrs), Admin, access.AdminAll),
		Row("GET /projects/{id}/custom_attributes/{key}", getCustomAttribute(projectAttrs), Admin, access.AdminAll),
		Row("PUT /projects/{id}/custom_attributes/{key}", setCustomAttribute(projectAttrs), Admin, access.AdminAll),
		Row("DELETE /projects/{id}/custom_attributes/{key}", deleteCustomAttribute(projectAttrs), Admin, access.AdminAll),
	}
}
