package v4

import "github.com/lablet/lablet/internal/access"

// hooksRoutes are the webhooks of projects, groups and the instance
// (hooks.go).
func hooksRoutes() []Endpoint {
	return []Endpoint{
		Row("GET /projects/{id}/hooks", (*API).listProjectHooks, SignedIn, access.AdminProject),
		Row("POST /projects/{id}/hooks", (*API).createProjectHook, SignedIn, access.AdminProject),
		Row("GET /projects/{id}/hooks/{hook_id}", (*API).getProjectHook, SignedIn, access.AdminProject),
		Row("PUT /projects/{id}/hooks/{hook_id}", (*API).updateProjectHook, SignedIn, access.AdminProject),
		Row("DELETE /projects/{id}/hooks/{hook_id}", (*API).deleteProjectHook, SignedIn, access.AdminProject),
		Row("POST /projects/{id}/hooks/{hook_id}/test/{trigger}", (*API).testProjectHook, SignedIn, access.AdminProject),
		Row("GET /projects/{id}/hooks/{hook_id}/events", (*API).listProjectHookEvents, SignedIn, access.AdminProject),
		Row("POST /projects/{id}/hooks/{hook_id}/events/{hook_log_id}/resend", (*API).resendProjectHookEvent, SignedIn, access.AdminProject),
		Row("GET /groups/{id}/hooks", (*API).listGroupHooks, SignedIn, access.AdminGroup),
		Row("POST /groups/{id}/hooks", (*API).createGroupHook, SignedIn, access.AdminGroup),
		Row("GET /groups/{id}/hooks/{hook_id}", (*API).getGroupHook, SignedIn, access.AdminGroup),
		Row("PUT /groups/{id}/hooks/{hook_id}", (*API).updateGroupHook, SignedIn, access.AdminGroup),
		Row("DELETE /groups/{id}/hooks/{hook_id}", (*API).deleteGroupHook, SignedIn, access.AdminGroup),
		Row("POST /groups/{id}/hooks/{hook_id}/test/{trigger}", (*API).testGroupHook, SignedIn, access.AdminGroup),
		Row("GET /groups/{id}/hooks/{hook_id}/events", (*API).listGroupHookEvents, SignedIn, access.AdminGroup),
		Row("POST /groups/{id}/hooks/{hook_id}/events/{hook_log_id}/resend", (*API).resendGroupHookEvent, SignedIn, access.AdminGroup),
		Row("GET /hooks", (*API).listSystemHooks, Admin, access.AdminAll),
		Row("POST /hooks", (*API).createSystemHook, Admin, access.AdminAll),
		Row("GET /hooks/{hook_id}", (*API).getSystemHook, Admin, access.AdminAll),
		Row("POST /hooks/{hook_id}", (*API).testSystemHook, Admin, access.AdminAll),
		Row("PUT /hooks/{hook_id}", (*API).updateSystemHook, Admin, access.AdminAll),
		Row("DELETE /hooks/{hook_id}", (*API).deleteSystemHook, Admin, access.AdminAll),
	}
}
