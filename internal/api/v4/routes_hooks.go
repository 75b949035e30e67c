package v4

import "github.com/lablet/lablet/internal/access"

// hooksRoutes are the webhooks of projects, groups and the instance
// (hooks.go).
func hooksRoutes() []endpoint {
	return []endpoint{
		row("GET /projects/{id}/hooks", (*API).listProjectHooks, signedIn, access.AdminProject),
		row("POST /projects/{id}/hooks", (*API).createProjectHook, signedIn, access.AdminProject),
		row("GET /projects/{id}/hooks/{hook_id}", (*API).getProjectHook, signedIn, access.AdminProject),
		row("PUT /projects/{id}/hooks/{hook_id}", (*API).updateProjectHook, signedIn, access.AdminProject),
		row("DELETE /projects/{id}/hooks/{hook_id}", (*API).deleteProjectHook, signedIn, access.AdminProject),
		row("POST /projects/{id}/hooks/{hook_id}/test/{trigger}", (*API).testProjectHook, signedIn, access.AdminProject),
		row("GET /projects/{id}/hooks/{hook_id}/events", (*API).listProjectHookEvents, signedIn, access.AdminProject),
		row("POST /projects/{id}/hooks/{hook_id}/events/{hook_log_id}/resend", (*API).resendProjectHookEvent, signedIn, access.AdminProject),
		row("GET /groups/{id}/hooks", (*API).listGroupHooks, signedIn, access.AdminGroup),
		row("POST /groups/{id}/hooks", (*API).createGroupHook, signedIn, access.AdminGroup),
		row("GET /groups/{id}/hooks/{hook_id}", (*API).getGroupHook, signedIn, access.AdminGroup),
		row("PUT /groups/{id}/hooks/{hook_id}", (*API).updateGroupHook, signedIn, access.AdminGroup),
		row("DELETE /groups/{id}/hooks/{hook_id}", (*API).deleteGroupHook, signedIn, access.AdminGroup),
		row("POST /groups/{id}/hooks/{hook_id}/test/{trigger}", (*API).testGroupHook, signedIn, access.AdminGroup),
		row("GET /groups/{id}/hooks/{hook_id}/events", (*API).listGroupHookEvents, signedIn, access.AdminGroup),
		row("POST /groups/{id}/hooks/{hook_id}/events/{hook_log_id}/resend", (*API).resendGroupHookEvent, signedIn, access.AdminGroup),
		row("GET /hooks", (*API).listSystemHooks, admin, access.AdminAll),
		row("POST /hooks", (*API).createSystemHook, admin, access.AdminAll),
		row("GET /hooks/{hook_id}", (*API).getSystemHook, admin, access.AdminAll),
		row("POST /hooks/{hook_id}", (*API).testSystemHook, admin, access.AdminAll),
		row("PUT /hooks/{hook_id}", (*API).updateSystemHook, admin, access.AdminAll),
		row("DELETE /hooks/{hook_id}", (*API).deleteSystemHook, admin, access.AdminAll),
	}
}
