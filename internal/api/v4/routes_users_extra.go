package v4

import "github.com/lablet/lablet/internal/access"

// usersExtraRoutes are the user routes beyond accounts, keys and tokens:
// emails, status, preferences, activities, memberships, bans, pending
// approvals, counts and custom attributes (users_extra*.go). GitLab's
// users API takes read_user on every read.
func usersExtraRoutes() []endpoint {
	return []endpoint{
		// Emails (users_extra.go)
		row("GET /user/emails", (*API).listOwnEmails, signedInOrReadUser, access.ReadCurrentUser),
		row("POST /user/emails", (*API).addOwnEmail, signedIn, access.ReadCurrentUser),
		row("GET /user/emails/{email_id}", (*API).getOwnEmail, signedInOrReadUser, access.ReadCurrentUser),
		row("DELETE /user/emails/{email_id}", (*API).deleteOwnEmail, signedIn, access.ReadCurrentUser),
		row("GET /users/{id}/emails", (*API).listUserEmails, adminOrReadUser, access.AdminAll),
		row("POST /users/{id}/emails", (*API).addUserEmail, admin, access.AdminAll),
		row("DELETE /users/{id}/emails/{email_id}", (*API).deleteUserEmail, admin, access.AdminAll),

		// Status and preferences (users_extra.go)
		row("GET /user/status", (*API).getOwnStatus, signedInOrReadUser, access.ReadCurrentUser),
		row("PUT /user/status", (*API).putOwnStatus, signedIn, access.ReadCurrentUser),
		row("PATCH /user/status", (*API).patchOwnStatus, signedIn, access.ReadCurrentUser),
		row("GET /users/{id}/status", (*API).getUserStatus, anyoneOrReadUser, access.ReadUser),
		row("GET /user/preferences", (*API).getOwnPreferences, signedInOrReadUser, access.ReadCurrentUser),
		row("PUT /user/preferences", (*API).putOwnPreferences, signedIn, access.ReadCurrentUser),
		row("GET /user_counts", (*API).getUserCounts, signedInOrReadUser, access.ReadCurrentUser),

		// Administration (users_admin_extra.go)
		row("GET /user/activities", (*API).listUserActivities, adminOrReadUser, access.AdminAll),
		row("GET /users/{id}/memberships", (*API).listUserMemberships, adminOrReadUser, access.AdminAll),
		row("POST /users/{id}/ban", userStateAction("ban"), admin, access.AdminAll),
		row("POST /users/{id}/unban", userStateAction("unban"), admin, access.AdminAll),
		row("POST /users/{id}/approve", pendingApproval(true), admin, access.AdminAll),
		row("POST /users/{id}/reject", pendingApproval(false), admin, access.AdminAll),

		// Custom attributes (users_admin_extra.go)
		row("GET /users/{id}/custom_attributes", listCustomAttributes(userAttrs), adminOrReadUser, access.AdminAll),
		row("GET /users/{id}/custom_attributes/{key}", getCustomAttribute(userAttrs), adminOrReadUser, access.AdminAll),
		row("PUT /users/{id}/custom_attributes/{key}", setCustomAttribute(userAttrs), admin, access.AdminAll),
		row("DELETE /users/{id}/custom_attributes/{key}", deleteCustomAttribute(userAttrs), admin, access.AdminAll),
		row("GET /groups/{id}/custom_attributes", listCustomAttributes(groupAttrs), admin, access.AdminAll),
		row("GET /groups/{id}/custom_attributes/{key}", getCustomAttribute(groupAttrs), admin, access.AdminAll),
		row("PUT /groups/{id}/custom_attributes/{key}", setCustomAttribute(groupAttrs), admin, access.AdminAll),
		row("DELETE /groups/{id}/custom_attributes/{key}", deleteCustomAttribute(groupAttrs), admin, access.AdminAll),
		row("GET /projects/{id}/custom_attributes", listCustomAttributes(projectAttrs), admin, access.AdminAll),
		row("GET /projects/{id}/custom_attributes/{key}", getCustomAttribute(projectAttrs), admin, access.AdminAll),
		row("PUT /projects/{id}/custom_attributes/{key}", setCustomAttribute(projectAttrs), admin, access.AdminAll),
		row("DELETE /projects/{id}/custom_attributes/{key}", deleteCustomAttribute(projectAttrs), admin, access.AdminAll),
	}
}
