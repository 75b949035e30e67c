package hooks

import (
	"github.com/lablet/lablet/internal/access"
	v4 "github.com/lablet/lablet/internal/api/v4"
)

// Routes are the webhooks of projects, groups and the instance
// (hooks.go).
func Routes() []v4.Endpoint {
	return []v4.Endpoint{
		v4.Row("GET /projects/{id}/hooks", listProjectHooks, v4.SignedIn, access.AdminProject),
		v4.Row("POST /projects/{id}/hooks", createProjectHook, v4.SignedIn, access.AdminProject),
		v4.Row("GET /projects/{id}/hooks/{hook_id}", getProjectHook, v4.SignedIn, access.AdminProject),
		v4.Row("PUT /projects/{id}/hooks/{hook_id}", updateProjectHook, v4.SignedIn, access.AdminProject),
		v4.Row("DELETE /projects/{id}/hooks/{hook_id}", deleteProjectHook, v4.SignedIn, access.AdminProject),
		v4.Row("POST /projects/{id}/hooks/{hook_id}/test/{trigger}", testProjectHook, v4.SignedIn, access.AdminProject),
		v4.Row("GET /projects/{id}/hooks/{hook_id}/events", listProjectHookEvents, v4.SignedIn, access.AdminProject),
		v4.Row("POST /projects/{id}/hooks/{hook_id}/events/{hook_log_id}/resend", resendProjectHookEvent, v4.SignedIn, access.AdminProject),
		v4.Row("GET /groups/{id}/hooks", listGroupHooks, v4.SignedIn, access.AdminGroup),
		v4.Row("POST /groups/{id}/hooks", createGroupHook, v4.SignedIn, access.AdminGroup),
		v4.Row("GET /groups/{id}/hooks/{hook_id}", getGroupHook, v4.SignedIn, access.AdminGroup),
		v4.Row("PUT /groups/{id}/hooks/{hook_id}", updateGroupHook, v4.SignedIn, access.AdminGroup),
		v4.Row("DELETE /groups/{id}/hooks/{hook_id}", deleteGroupHook, v4.SignedIn, access.AdminGroup),
		v4.Row("POST /groups/{id}/hooks/{hook_id}/test/{trigger}", testGroupHook, v4.SignedIn, access.AdminGroup),
		v4.Row("GET /groups/{id}/hooks/{hook_id}/events", listGroupHookEvents, v4.SignedIn, access.AdminGroup),
		v4.Row("POST /groups/{id}/hooks/{hook_id}/events/{hook_log_id}/resend", resendGroupHookEvent, v4.SignedIn, access.AdminGroup),
		v4.Row("GET /hooks", listSystemHooks, v4.Admin, access.AdminAll),
		v4.Row("POST /hooks", createSystemHook, v4.Admin, access.AdminAll),
		v4.Row("GET /hooks/{hook_id}", getSystemHook, v4.Admin, access.AdminAll),
		v4.Row("POST /hooks/{hook_id}", testSystemHook, v4.Admin, access.AdminAll),
		v4.Row("PUT /hooks/{hook_id}", updateSystemHook, v4.Admin, access.AdminAll),
		v4.Row("DELETE /hooks/{hook_id}", deleteSystemHook, v4.Admin, access.AdminAll),
	}
}
