package v4

import (
	"maps"
	"slices"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/service"
)

// table is the REST API's route table: every endpoint under /api/v4, its
// handler, who may call it (and with which token scopes) and the ability
// its operation checks in the service layer. `lablet routes` prints it;
// the authorization matrix tests every row. A route is served only if it
// is listed here.
func table() []endpoint {
	rows := []endpoint{
		// Instance (meta.go)
		row("GET /version", (*API).getVersion, signedInOrReadUser, access.None),
		row("GET /metadata", (*API).getMetadata, signedInOrReadUser, access.None),

		// Users (users.go)
		row("GET /user", (*API).getCurrentUser, signedInOrReadUser, access.ReadCurrentUser),
		row("GET /users", (*API).listUsers, anyoneOrReadUser, access.ReadUser),
		row("GET /users/{id}", (*API).getUser, anyoneOrReadUser, access.ReadUser),
		row("POST /users", (*API).createUser, admin, access.AdminAll),
		row("PUT /users/{id}", (*API).updateUser, admin, access.AdminAll),
		row("DELETE /users/{id}", (*API).deleteUser, admin, access.AdminAll),
		row("POST /users/{id}/block", userStateAction("block"), admin, access.AdminAll),
		row("POST /users/{id}/unblock", userStateAction("unblock"), admin, access.AdminAll),
		row("POST /users/{id}/deactivate", userStateAction("deactivate"), admin, access.AdminAll),
		row("POST /users/{id}/activate", userStateAction("activate"), admin, access.AdminAll),

		// Personal, impersonation tokens (tokens.go)
		// SSH keys (keys.go).
		row("GET /user/keys", (*API).listOwnKeys, signedInOrReadUser, access.ReadCurrentUser),
		row("POST /user/keys", (*API).createOwnKey, signedIn, access.ReadCurrentUser),
		row("GET /user/keys/{key_id}", (*API).getOwnKey, signedInOrReadUser, access.ReadCurrentUser),
		row("DELETE /user/keys/{key_id}", (*API).deleteOwnKey, signedIn, access.ReadCurrentUser),
		row("GET /users/{id}/keys", (*API).listUserKeys, anyoneOrReadUser, access.ReadUser),
		row("GET /users/{id}/keys/{key_id}", (*API).getUserKey, anyoneOrReadUser, access.ReadUser),
		row("POST /users/{id}/keys", (*API).createUserKey, admin, access.AdminAll),
		row("DELETE /users/{id}/keys/{key_id}", (*API).deleteUserKey, admin, access.AdminAll),
		row("GET /keys", (*API).findKey, admin, access.AdminAll),
		row("GET /keys/{id}", (*API).getKey, admin, access.AdminAll),

		// Deploy keys (deploy_keys.go).
		row("GET /deploy_keys", (*API).listDeployKeys, admin, access.AdminAll),
		row("POST /deploy_keys", (*API).createInstanceDeployKey, admin, access.AdminAll),
		row("GET /projects/{id}/deploy_keys", (*API).listProjectDeployKeys, signedIn, access.AdminProject),
		row("POST /projects/{id}/deploy_keys", (*API).createProjectDeployKey, signedIn, access.AdminProject),
		row("GET /projects/{id}/deploy_keys/{key_id}", (*API).getProjectDeployKey, signedIn, access.AdminProject),
		row("PUT /projects/{id}/deploy_keys/{key_id}", (*API).updateProjectDeployKey, signedIn, access.AdminProject),
		row("DELETE /projects/{id}/deploy_keys/{key_id}", (*API).deleteProjectDeployKey, signedIn, access.AdminProject),
		row("POST /projects/{id}/deploy_keys/{key_id}/enable", (*API).enableProjectDeployKey, signedIn, access.AdminProject),

		row("GET /personal_access_tokens", (*API).listTokens, signedIn, access.ManageOwnTokens),
		row("GET /personal_access_tokens/self", (*API).getSelfToken, withScopes(auth.PersonalScopes...), access.ManageOwnTokens),
		row("DELETE /personal_access_tokens/self", (*API).revokeSelfToken, withScopes(auth.PersonalScopes...), access.ManageOwnTokens),
		row("POST /personal_access_tokens/self/rotate", (*API).rotateSelfToken, withScopes(auth.ScopeAPI, auth.ScopeSelfRotate), access.ManageOwnTokens),
		row("GET /personal_access_tokens/{id}", (*API).getToken, signedIn, access.ManageOwnTokens),
		row("DELETE /personal_access_tokens/{id}", (*API).revokeToken, signedIn, access.ManageOwnTokens),
		row("POST /personal_access_tokens/{id}/rotate", (*API).rotateToken, signedIn, access.ManageOwnTokens),
		row("POST /user/personal_access_tokens", (*API).createSelfToken, signedIn, access.ManageOwnTokens),
		row("POST /users/{user_id}/personal_access_tokens", (*API).createUserToken, admin, access.AdminAll),
		row("GET /users/{user_id}/impersonation_tokens", (*API).listImpersonationTokens, adminOrReadUser, access.AdminAll),
		row("POST /users/{user_id}/impersonation_tokens", (*API).createImpersonationToken, admin, access.AdminAll),
		row("GET /users/{user_id}/impersonation_tokens/{token_id}", (*API).getImpersonationToken, adminOrReadUser, access.AdminAll),
		row("DELETE /users/{user_id}/impersonation_tokens/{token_id}", (*API).revokeImpersonationToken, admin, access.AdminAll),

		// Instance CI/CD variables (ci_variables.go)
		row("GET /admin/ci/variables", listCIVariables(model.CIVariableOfInstance), admin, access.AdminAll),
		row("POST /admin/ci/variables", createCIVariable(model.CIVariableOfInstance), admin, access.AdminAll),
		row("GET /admin/ci/variables/{key}", getCIVariable(model.CIVariableOfInstance), admin, access.AdminAll),
		row("PUT /admin/ci/variables/{key}", updateCIVariable(model.CIVariableOfInstance), admin, access.AdminAll),
		row("DELETE /admin/ci/variables/{key}", deleteCIVariable(model.CIVariableOfInstance), admin, access.AdminAll),

		// OAuth applications (applications.go)
		row("GET /applications", (*API).listApplications, admin, access.AdminAll),
		row("POST /applications", (*API).createApplication, admin, access.AdminAll),
		row("DELETE /applications/{id}", (*API).deleteApplication, admin, access.AdminAll),
		row("POST /applications/{id}/renew-secret", (*API).renewApplicationSecret, admin, access.AdminAll),

		// Namespaces (namespaces.go)
		row("GET /namespaces", (*API).listNamespaces, signedIn, access.ReadNamespace),
		row("GET /namespaces/{id}", (*API).getNamespace, signedIn, access.ReadNamespace),
		// Any signed-in user may ask whether a path is taken, as in GitLab.
		row("GET /namespaces/{id}/exists", (*API).namespaceExists, signedIn, access.None),

		// Groups (groups.go)
		row("GET /groups", (*API).listGroups, anyone, access.ReadGroup),
		row("POST /groups", (*API).createGroup, signedIn, access.CreateGroup),
		row("GET /groups/{id}", (*API).getGroup, anyone, access.ReadGroup),
		row("PUT /groups/{id}", (*API).updateGroup, signedIn, access.AdminGroup),
		row("DELETE /groups/{id}", (*API).deleteGroup, signedIn, access.AdminGroup),
		row("GET /groups/{id}/subgroups", listSubgroups(false), anyone, access.ReadGroup),
		row("GET /groups/{id}/descendant_groups", listSubgroups(true), anyone, access.ReadGroup),
		row("GET /groups/{id}/projects", (*API).listGroupProjects, anyone, access.ReadGroup),

		// Group CI/CD variables (ci_variables.go)
		row("GET /groups/{id}/variables", listCIVariables(model.CIVariableOfGroup), signedIn, access.AdminCICDVariables),
		row("POST /groups/{id}/variables", createCIVariable(model.CIVariableOfGroup), signedIn, access.AdminCICDVariables),
		row("GET /groups/{id}/variables/{key}", getCIVariable(model.CIVariableOfGroup), signedIn, access.AdminCICDVariables),
		row("PUT /groups/{id}/variables/{key}", updateCIVariable(model.CIVariableOfGroup), signedIn, access.AdminCICDVariables),
		row("DELETE /groups/{id}/variables/{key}", deleteCIVariable(model.CIVariableOfGroup), signedIn, access.AdminCICDVariables),

		// Group members (members.go)
		row("GET /groups/{id}/members", listMembers(groupMembers, false), anyone, access.ReadGroupMember),
		row("GET /groups/{id}/members/all", listMembers(groupMembers, true), anyone, access.ReadGroupMember),
		row("GET /groups/{id}/members/{user_id}", getMember(groupMembers, false), anyone, access.ReadGroupMember),
		row("GET /groups/{id}/members/all/{user_id}", getMember(groupMembers, true), anyone, access.ReadGroupMember),
		row("POST /groups/{id}/members", addMember(groupMembers), signedIn, access.AdminGroupMember),
		row("PUT /groups/{id}/members/{user_id}", updateMember(groupMembers), signedIn, access.AdminGroupMember),
		row("DELETE /groups/{id}/members/{user_id}", removeMember(groupMembers), signedIn, access.AdminGroupMember),

		// Group access tokens (access_tokens.go)
		row("GET /groups/{id}/access_tokens", listResourceTokens(groupTokens), signedIn, access.ManageGroupAccessTokens),
		row("POST /groups/{id}/access_tokens", createResourceToken(groupTokens), signedIn, access.ManageGroupAccessTokens),
		row("GET /groups/{id}/access_tokens/{token_id}", getResourceToken(groupTokens), signedIn, access.ManageGroupAccessTokens),
		row("DELETE /groups/{id}/access_tokens/{token_id}", revokeResourceToken(groupTokens), signedIn, access.ManageGroupAccessTokens),
		row("POST /groups/{id}/access_tokens/{token_id}/rotate", rotateResourceToken(groupTokens), signedIn, access.ManageGroupAccessTokens),
		// A token may rotate itself with self_rotate alone.
		row("POST /groups/{id}/access_tokens/self/rotate", rotateResourceToken(groupTokens), withScopes(auth.ScopeAPI, auth.ScopeSelfRotate), access.ManageGroupAccessTokens),

		// Projects (projects.go)
		row("GET /projects", (*API).listProjects, anyone, access.ReadProject),
		row("POST /projects", (*API).createProject, signedIn, access.CreateProject),
		row("POST /projects/user/{user_id}", (*API).createProjectForUser, admin, access.AdminAll),
		row("GET /projects/{id}", (*API).getProject, anyone, access.ReadProject),
		row("PUT /projects/{id}", (*API).updateProject, signedIn, access.AdminProject),
		row("DELETE /projects/{id}", (*API).deleteProject, signedIn, access.RemoveProject),
		row("POST /projects/{id}/archive", (*API).archiveProject, signedIn, access.ArchiveProject),
		row("POST /projects/{id}/unarchive", (*API).unarchiveProject, signedIn, access.ArchiveProject),
		row("GET /users/{user_id}/projects", (*API).listUserProjects, anyone, access.ReadUser),

		// Forks (forks.go)
		row("POST /projects/{id}/fork", (*API).forkProject, signedIn, access.ForkProject),
		row("GET /projects/{id}/forks", (*API).listForks, anyone, access.ReadProject),
		row("POST /projects/{id}/fork/{forked_from_id}", (*API).linkFork, signedIn, access.LinkForkedProject),
		row("DELETE /projects/{id}/fork", (*API).unlinkFork, signedIn, access.RemoveForkProject),

		// Project members (members.go)
		row("GET /projects/{id}/members", listMembers(projectMembers, false), anyone, access.ReadProjectMember),
		row("GET /projects/{id}/members/all", listMembers(projectMembers, true), anyone, access.ReadProjectMember),
		row("GET /projects/{id}/members/{user_id}", getMember(projectMembers, false), anyone, access.ReadProjectMember),
		row("GET /projects/{id}/members/all/{user_id}", getMember(projectMembers, true), anyone, access.ReadProjectMember),
		row("POST /projects/{id}/members", addMember(projectMembers), signedIn, access.AdminProjectMember),
		row("PUT /projects/{id}/members/{user_id}", updateMember(projectMembers), signedIn, access.AdminProjectMember),
		row("DELETE /projects/{id}/members/{user_id}", removeMember(projectMembers), signedIn, access.AdminProjectMember),

		// Project access tokens (access_tokens.go)
		row("GET /projects/{id}/access_tokens", listResourceTokens(projectTokens), signedIn, access.ManageProjectAccessTokens),
		row("POST /projects/{id}/access_tokens", createResourceToken(projectTokens), signedIn, access.ManageProjectAccessTokens),
		row("GET /projects/{id}/access_tokens/{token_id}", getResourceToken(projectTokens), signedIn, access.ManageProjectAccessTokens),
		row("DELETE /projects/{id}/access_tokens/{token_id}", revokeResourceToken(projectTokens), signedIn, access.ManageProjectAccessTokens),
		row("POST /projects/{id}/access_tokens/{token_id}/rotate", rotateResourceToken(projectTokens), signedIn, access.ManageProjectAccessTokens),
		row("POST /projects/{id}/access_tokens/self/rotate", rotateResourceToken(projectTokens), withScopes(auth.ScopeAPI, auth.ScopeSelfRotate), access.ManageProjectAccessTokens),

		// Project CI/CD variables (ci_variables.go)
		row("GET /projects/{id}/variables", listCIVariables(model.CIVariableOfProject), signedIn, access.AdminCICDVariables),
		row("POST /projects/{id}/variables", createCIVariable(model.CIVariableOfProject), signedIn, access.AdminCICDVariables),
		row("GET /projects/{id}/variables/{key}", getCIVariable(model.CIVariableOfProject), signedIn, access.AdminCICDVariables),
		row("PUT /projects/{id}/variables/{key}", updateCIVariable(model.CIVariableOfProject), signedIn, access.AdminCICDVariables),
		row("DELETE /projects/{id}/variables/{key}", deleteCIVariable(model.CIVariableOfProject), signedIn, access.AdminCICDVariables),

		// Protected branches (protected_branches.go)
		row("GET /projects/{id}/protected_branches", (*API).listProtectedBranches, signedIn, access.AdminProject),
		row("POST /projects/{id}/protected_branches", (*API).protectBranch, signedIn, access.AdminProject),
		row("GET /projects/{id}/protected_branches/{name}", (*API).getProtectedBranch, signedIn, access.AdminProject),
		row("PATCH /projects/{id}/protected_branches/{name}", (*API).updateProtectedBranch, signedIn, access.AdminProject),
		row("DELETE /projects/{id}/protected_branches/{name}", (*API).unprotectBranch, signedIn, access.AdminProject),

		// Branches (branches.go); {branch...}: names with "/" work escaped
		// (feature%2Fx) and unescaped.
		row("GET /projects/{id}/repository/branches", (*API).listBranches, anyone, access.ReadCode),
		row("POST /projects/{id}/repository/branches", (*API).createBranch, signedIn, access.PushCode),
		row("GET /projects/{id}/repository/branches/{branch...}", (*API).getBranch, anyone, access.ReadCode),
		row("HEAD /projects/{id}/repository/branches/{branch...}", (*API).headBranch, anyone, access.ReadCode),
		row("DELETE /projects/{id}/repository/branches/{branch...}", (*API).deleteBranch, signedIn, access.PushCode),
		row("DELETE /projects/{id}/repository/merged_branches", (*API).deleteMergedBranches, signedIn, access.PushCode),

		// Tags (tags.go)
		row("GET /projects/{id}/repository/tags", (*API).listTags, anyone, access.ReadCode),
		row("POST /projects/{id}/repository/tags", (*API).createTag, signedIn, access.AdminTag),
		row("GET /projects/{id}/repository/tags/{tag...}", (*API).getTag, anyone, access.ReadCode),
		row("DELETE /projects/{id}/repository/tags/{tag...}", (*API).deleteTag, signedIn, access.AdminTag),

		// Repository (repository.go, compare.go)
		row("GET /projects/{id}/repository/tree", (*API).listTree, anyone, access.ReadCode),
		row("GET /projects/{id}/repository/blobs/{sha}", (*API).getBlob, anyone, access.ReadCode),
		row("GET /projects/{id}/repository/blobs/{sha}/raw", (*API).getRawBlob, anyone, access.ReadCode),
		row("GET /projects/{id}/repository/archive", archive(""), anyone, access.ReadCode),
		row("GET /projects/{id}/repository/contributors", (*API).listContributors, anyone, access.ReadCode),
		row("GET /projects/{id}/repository/merge_base", (*API).mergeBase, anyone, access.ReadCode),
		row("GET /projects/{id}/repository/compare", (*API).compare, anyone, access.ReadCode),

		// Files (files.go)
		row("GET /projects/{id}/repository/files/{file_path}", (*API).getFile, anyone, access.ReadCode),
		row("GET /projects/{id}/repository/files/{file_path}/raw", (*API).getRawFile, anyone, access.ReadCode),
		row("GET /projects/{id}/repository/files/{file_path}/blame", (*API).getFileBlame, anyone, access.ReadCode),
		row("POST /projects/{id}/repository/files/{file_path}", (*API).createFile, signedIn, access.PushCode).withFiles(),
		row("PUT /projects/{id}/repository/files/{file_path}", (*API).updateFile, signedIn, access.PushCode).withFiles(),
		row("DELETE /projects/{id}/repository/files/{file_path}", (*API).deleteFile, signedIn, access.PushCode),

		// Commits (commits.go)
		row("GET /projects/{id}/repository/commits", (*API).listCommits, anyone, access.ReadCode),
		row("POST /projects/{id}/repository/commits", (*API).createCommit, signedIn, access.PushCode).withFiles(),
		row("GET /projects/{id}/repository/commits/{sha}", (*API).getCommit, anyone, access.ReadCode),
		row("GET /projects/{id}/repository/commits/{sha}/diff", (*API).getCommitDiff, anyone, access.ReadCode),
		row("GET /projects/{id}/repository/commits/{sha}/refs", (*API).getCommitRefs, anyone, access.ReadCode),
		row("POST /projects/{id}/repository/commits/{sha}/cherry_pick", (*API).cherryPick, signedIn, access.PushCode),
		row("POST /projects/{id}/repository/commits/{sha}/revert", (*API).revertCommit, signedIn, access.PushCode),

		// Commit comments and discussions (commit_notes.go; discussions.go
		// with the commit as noteable). Both need read_code; writing
		// needs create_note too.
		row("GET /projects/{id}/repository/commits/{sha}/comments", (*API).listCommitComments, anyone, access.ReadCode),
		row("POST /projects/{id}/repository/commits/{sha}/comments", (*API).createCommitComment, signedIn, access.CreateNote),
		row("GET /projects/{id}/repository/commits/{sha}/discussions", (*API).listIssueDiscussions, signedIn, access.ReadNote),
		row("POST /projects/{id}/repository/commits/{sha}/discussions", (*API).createIssueDiscussion, signedIn, access.CreateNote),
		row("GET /projects/{id}/repository/commits/{sha}/discussions/{discussion_id}", (*API).getIssueDiscussion, signedIn, access.ReadNote),
		row("GET /projects/{id}/repository/commits/{sha}/discussions/{discussion_id}/notes", (*API).listIssueDiscussionNotes, signedIn, access.ReadNote),
		row("POST /projects/{id}/repository/commits/{sha}/discussions/{discussion_id}/notes", (*API).replyToIssueDiscussion, signedIn, access.CreateNote),
		row("GET /projects/{id}/repository/commits/{sha}/discussions/{discussion_id}/notes/{note_id}", (*API).getIssueDiscussionNote, signedIn, access.ReadNote),
		row("PUT /projects/{id}/repository/commits/{sha}/discussions/{discussion_id}/notes/{note_id}", (*API).updateIssueDiscussionNote, signedIn, access.AdminNote),
		row("DELETE /projects/{id}/repository/commits/{sha}/discussions/{discussion_id}/notes/{note_id}", (*API).deleteIssueDiscussionNote, signedIn, access.AdminNote),
		row("GET /projects/{id}/repository/commits/{sha}/merge_requests", (*API).listCommitMergeRequests, anyone, access.ReadMergeRequest),

		// Events (events.go)
		row("GET /events", (*API).listMyEvents, signedInOrReadUser, access.ReadCurrentUser),
		row("GET /users/{id}/events", (*API).listUserEvents, anyoneOrReadUser, access.ReadUser),
		row("GET /projects/{id}/events", (*API).listProjectEvents, anyone, access.ReadProject),

		// Search (search.go): GitLab's basic search, signed-in callers only
		row("GET /search", searchAt("global"), signedIn, access.None),
		// GitLab routes ':id/(-/)search'; the official client asks for -/search.
		row("GET /groups/{id}/search", searchAt("group"), signedIn, access.ReadGroup),
		row("GET /groups/{id}/-/search", searchAt("group"), signedIn, access.ReadGroup),
		row("GET /projects/{id}/search", searchAt("project"), signedIn, access.ReadProject),
		row("GET /projects/{id}/-/search", searchAt("project"), signedIn, access.ReadProject),

		// To-do list (todos.go)
		row("GET /todos", (*API).listTodos, signedIn, access.ReadCurrentUser),
		row("POST /todos/{id}/mark_as_done", (*API).markTodoDone, signedIn, access.ReadCurrentUser),
		row("POST /todos/mark_as_done", (*API).markAllTodosDone, signedIn, access.ReadCurrentUser),
		row("POST /projects/{id}/issues/{issue_iid}/todo", (*API).createTodo, signedIn, access.ReadIssue),

		// Issues (issues*.go)
		row("GET /issues", (*API).listIssues, anyone, access.ReadIssue),
		row("GET /issues/{id}", (*API).getIssue, admin, access.AdminAll),
		row("GET /issues_statistics", (*API).issueStatistics, anyone, access.ReadIssue),
		row("GET /groups/{id}/issues", (*API).listGroupIssues, anyone, access.ReadIssue),
		row("GET /groups/{id}/issues_statistics", (*API).groupIssueStatistics, anyone, access.ReadIssue),
		row("GET /groups/{id}/milestones/{milestone_id}/issues", (*API).listGroupMilestoneIssues, anyone, access.ReadMilestone),
		row("GET /projects/{id}/issues", (*API).listProjectIssues, anyone, access.ReadIssue),
		row("POST /projects/{id}/issues", (*API).createIssue, signedIn, access.CreateIssue),
		row("GET /projects/{id}/issues_statistics", (*API).projectIssueStatistics, anyone, access.ReadIssue),
		row("GET /projects/{id}/issues/{issue_iid}", (*API).getProjectIssue, anyone, access.ReadIssue),
		row("PUT /projects/{id}/issues/{issue_iid}", (*API).updateIssue, signedIn, access.UpdateIssue),
		row("DELETE /projects/{id}/issues/{issue_iid}", (*API).deleteIssue, signedIn, access.DestroyIssue),
		row("PUT /projects/{id}/issues/{issue_iid}/reorder", (*API).reorderIssue, signedIn, access.UpdateIssue),
		row("POST /projects/{id}/issues/{issue_iid}/move", (*API).moveIssue, signedIn, access.AdminIssue),
		row("POST /projects/{id}/issues/{issue_iid}/subscribe", (*API).subscribeIssue, signedIn, access.ReadIssue),
		row("POST /projects/{id}/issues/{issue_iid}/unsubscribe", (*API).unsubscribeIssue, signedIn, access.ReadIssue),
		row("POST /projects/{id}/issues/{issue_iid}/time_estimate", (*API).setTimeEstimate, signedIn, access.AdminIssue),
		row("POST /projects/{id}/issues/{issue_iid}/reset_time_estimate", (*API).resetTimeEstimate, signedIn, access.AdminIssue),
		row("POST /projects/{id}/issues/{issue_iid}/add_spent_time", (*API).addSpentTime, signedIn, access.AdminIssue),
		row("POST /projects/{id}/issues/{issue_iid}/reset_spent_time", (*API).resetSpentTime, signedIn, access.AdminIssue),
		row("GET /projects/{id}/issues/{issue_iid}/time_stats", (*API).timeStats, anyone, access.ReadIssue),
		row("GET /projects/{id}/issues/{issue_iid}/participants", (*API).issueParticipants, anyone, access.ReadIssue),
		row("GET /projects/{id}/issues/{issue_iid}/related_merge_requests", (*API).issueRelatedMergeRequests, anyone, access.ReadIssue),
		row("GET /projects/{id}/issues/{issue_iid}/closed_by", (*API).issueClosedBy, anyone, access.ReadIssue),
		row("GET /projects/{id}/issues/{issue_iid}/links", (*API).listIssueLinks, anyone, access.ReadIssue),
		row("POST /projects/{id}/issues/{issue_iid}/links", (*API).createIssueLink, signedIn, access.AdminIssue),
		row("GET /projects/{id}/issues/{issue_iid}/links/{issue_link_id}", (*API).getIssueLink, anyone, access.ReadIssue),
		row("DELETE /projects/{id}/issues/{issue_iid}/links/{issue_link_id}", (*API).deleteIssueLink, signedIn, access.AdminIssue),
		row("GET /projects/{id}/milestones/{milestone_id}/issues", (*API).listProjectMilestoneIssues, anyone, access.ReadMilestone),
		row("GET /projects/{id}/milestones/{milestone_id}/merge_requests", (*API).listMilestoneMergeRequests, anyone, access.ReadMilestone),

		// Merge requests (merge_requests*.go)
		row("GET /merge_requests", (*API).listMergeRequests, anyone, access.ReadMergeRequest),
		row("GET /groups/{id}/merge_requests", (*API).listGroupMergeRequests, anyone, access.ReadMergeRequest),
		row("GET /projects/{id}/merge_requests", (*API).listProjectMergeRequests, anyone, access.ReadMergeRequest),
		row("POST /projects/{id}/merge_requests", (*API).createMergeRequest, signedIn, access.CreateMergeRequestIn),
		row("GET /projects/{id}/merge_requests/{merge_request_iid}", (*API).getMergeRequest, anyone, access.ReadMergeRequest),
		row("PUT /projects/{id}/merge_requests/{merge_request_iid}", (*API).updateMergeRequest, signedIn, access.UpdateMergeRequest),
		row("DELETE /projects/{id}/merge_requests/{merge_request_iid}", (*API).deleteMergeRequest, signedIn, access.DestroyMergeRequest),
		row("PUT /projects/{id}/merge_requests/{merge_request_iid}/merge", (*API).mergeMergeRequest, signedIn, access.AcceptMergeRequest),
		row("GET /projects/{id}/merge_requests/{merge_request_iid}/merge_ref", (*API).mergeRequestMergeRef, anyone, access.ReadMergeRequest),
		row("GET /projects/{id}/merge_requests/{merge_request_iid}/closes_issues", (*API).mergeRequestClosesIssues, anyone, access.ReadMergeRequest),
		row("GET /projects/{id}/merge_requests/{merge_request_iid}/related_issues", (*API).mergeRequestRelatedIssues, anyone, access.ReadMergeRequest),
		// Time tracking, to-do, reviewers, raw diffs (time_tracking.go, todos.go, merge_requests_extras.go).
		row("POST /projects/{id}/merge_requests/{merge_request_iid}/time_estimate", (*API).setTimeEstimate, signedIn, access.AdminMergeRequest),
		row("POST /projects/{id}/merge_requests/{merge_request_iid}/reset_time_estimate", (*API).resetTimeEstimate, signedIn, access.AdminMergeRequest),
		row("POST /projects/{id}/merge_requests/{merge_request_iid}/add_spent_time", (*API).addSpentTime, signedIn, access.AdminMergeRequest),
		row("POST /projects/{id}/merge_requests/{merge_request_iid}/reset_spent_time", (*API).resetSpentTime, signedIn, access.AdminMergeRequest),
		row("GET /projects/{id}/merge_requests/{merge_request_iid}/time_stats", (*API).timeStats, anyone, access.ReadMergeRequest),
		row("POST /projects/{id}/merge_requests/{merge_request_iid}/todo", (*API).createTodo, signedIn, access.ReadMergeRequest),
		row("GET /projects/{id}/merge_requests/{merge_request_iid}/reviewers", (*API).mergeRequestReviewers, anyone, access.ReadMergeRequest),
		row("GET /projects/{id}/merge_requests/{merge_request_iid}/raw_diffs", (*API).mergeRequestRawDiffs, anyone, access.ReadMergeRequest),
		// Merge request pipelines (merge_requests_pipelines.go): GitLab
		// checks read_pipeline, and create_pipeline to run one.
		row("GET /projects/{id}/merge_requests/{merge_request_iid}/pipelines", (*API).listMergeRequestPipelines, anyone, access.ReadPipeline),
		row("POST /projects/{id}/merge_requests/{merge_request_iid}/pipelines", (*API).createMergeRequestPipeline, signedIn, access.CreatePipeline),
		// Rebase and auto-merge (merge_requests_rebase.go).
		row("PUT /projects/{id}/merge_requests/{merge_request_iid}/rebase", (*API).rebaseMergeRequest, signedIn, access.PushCode),
		row("POST /projects/{id}/merge_requests/{merge_request_iid}/cancel_merge_when_pipeline_succeeds", (*API).cancelAutoMerge, signedIn, access.AcceptMergeRequest),
		// GitLab's subscriptions API finds merge requests with update_merge_request.
		row("POST /projects/{id}/merge_requests/{merge_request_iid}/subscribe", (*API).subscribeMergeRequest, signedIn, access.UpdateMergeRequest),
		row("POST /projects/{id}/merge_requests/{merge_request_iid}/unsubscribe", (*API).unsubscribeMergeRequest, signedIn, access.UpdateMergeRequest),
		row("GET /projects/{id}/merge_requests/{merge_request_iid}/participants", (*API).mergeRequestParticipants, anyone, access.ReadMergeRequest),
		row("GET /projects/{id}/merge_requests/{merge_request_iid}/commits", (*API).mergeRequestCommits, anyone, access.ReadMergeRequest),
		row("GET /projects/{id}/merge_requests/{merge_request_iid}/changes", (*API).mergeRequestChanges, anyone, access.ReadMergeRequest),
		row("GET /projects/{id}/merge_requests/{merge_request_iid}/diffs", (*API).mergeRequestDiffs, anyone, access.ReadMergeRequest),
		// Review: versions and approvals (merge_requests_review.go)
		row("GET /projects/{id}/merge_requests/{merge_request_iid}/versions", (*API).listMergeRequestVersions, anyone, access.ReadMergeRequest),
		row("GET /projects/{id}/merge_requests/{merge_request_iid}/versions/{version_id}", (*API).getMergeRequestVersion, anyone, access.ReadMergeRequest),
		row("GET /projects/{id}/merge_requests/{merge_request_iid}/approvals", (*API).mergeRequestApprovals, anyone, access.ReadMergeRequest),
		row("GET /projects/{id}/merge_requests/{merge_request_iid}/approval_state", (*API).mergeRequestApprovalState, anyone, access.ReadMergeRequest),
		row("POST /projects/{id}/merge_requests/{merge_request_iid}/approve", (*API).approveMergeRequest, signedIn, access.ApproveMergeRequest),
		row("POST /projects/{id}/merge_requests/{merge_request_iid}/unapprove", (*API).unapproveMergeRequest, signedIn, access.ApproveMergeRequest),
		// Suggestions of diff notes (suggestions.go)
		row("PUT /suggestions/{id}/apply", (*API).applySuggestion, signedIn, access.ApplySuggestion),
		row("PUT /suggestions/batch_apply", (*API).batchApplySuggestions, signedIn, access.ApplySuggestion),
		row("GET /projects/{id}/approvals", (*API).getProjectApprovals, signedIn, access.AdminProject),
		row("POST /projects/{id}/approvals", (*API).setProjectApprovals, signedIn, access.AdminProject),

		// Labels (labels.go). GitLab's labels, group labels and
		// subscriptions APIs all start with authenticate!, reads included.
		row("GET /projects/{id}/labels", (*API).listProjectLabels, signedIn, access.ReadLabel),
		row("POST /projects/{id}/labels", (*API).createProjectLabel, signedIn, access.AdminLabel),
		row("GET /projects/{id}/labels/{label_id}", (*API).getProjectLabel, signedIn, access.ReadLabel),
		row("PUT /projects/{id}/labels/{label_id}", (*API).updateProjectLabel, signedIn, access.AdminLabel),
		row("DELETE /projects/{id}/labels/{label_id}", (*API).deleteProjectLabel, signedIn, access.AdminLabel),
		row("PUT /projects/{id}/labels/{label_id}/promote", (*API).promoteProjectLabel, signedIn, access.AdminLabel),
		// GitLab's deprecated forms, naming the label by a parameter.
		row("PUT /projects/{id}/labels", updateLabelLegacy(false), signedIn, access.AdminLabel),
		row("DELETE /projects/{id}/labels", deleteLabelLegacy(false), signedIn, access.AdminLabel),
		row("PUT /projects/{id}/labels/promote", (*API).promoteLabelLegacy, signedIn, access.AdminLabel),
		row("POST /projects/{id}/labels/{label_id}/subscribe", labelSubscription(false, true), signedIn, access.ReadLabel),
		row("POST /projects/{id}/labels/{label_id}/unsubscribe", labelSubscription(false, false), signedIn, access.ReadLabel),
		row("GET /groups/{id}/labels", (*API).listGroupLabels, signedIn, access.ReadLabel),
		row("POST /groups/{id}/labels", (*API).createGroupLabel, signedIn, access.AdminLabel),
		row("GET /groups/{id}/labels/{label_id}", (*API).getGroupLabel, signedIn, access.ReadLabel),
		row("PUT /groups/{id}/labels/{label_id}", (*API).updateGroupLabel, signedIn, access.AdminLabel),
		row("DELETE /groups/{id}/labels/{label_id}", (*API).deleteGroupLabel, signedIn, access.AdminLabel),
		row("PUT /groups/{id}/labels", updateLabelLegacy(true), signedIn, access.AdminLabel),
		row("DELETE /groups/{id}/labels", deleteLabelLegacy(true), signedIn, access.AdminLabel),
		row("POST /groups/{id}/labels/{label_id}/subscribe", labelSubscription(true, true), signedIn, access.ReadLabel),
		row("POST /groups/{id}/labels/{label_id}/unsubscribe", labelSubscription(true, false), signedIn, access.ReadLabel),

		// Milestones (milestones.go). GitLab's project and group
		// milestones APIs start with authenticate!, reads included.
		row("GET /projects/{id}/milestones", listMilestones(false), signedIn, access.ReadMilestone),
		row("POST /projects/{id}/milestones", createMilestone(false), signedIn, access.AdminMilestone),
		row("GET /projects/{id}/milestones/{milestone_id}", getMilestone(false), signedIn, access.ReadMilestone),
		row("PUT /projects/{id}/milestones/{milestone_id}", updateMilestone(false), signedIn, access.AdminMilestone),
		row("DELETE /projects/{id}/milestones/{milestone_id}", deleteMilestone(false), signedIn, access.AdminMilestone),
		row("POST /projects/{id}/milestones/{milestone_id}/promote", (*API).promoteMilestone, signedIn, access.AdminMilestone),
		row("GET /groups/{id}/milestones", listMilestones(true), signedIn, access.ReadMilestone),
		row("POST /groups/{id}/milestones", createMilestone(true), signedIn, access.AdminMilestone),
		row("GET /groups/{id}/milestones/{milestone_id}", getMilestone(true), signedIn, access.ReadMilestone),
		row("PUT /groups/{id}/milestones/{milestone_id}", updateMilestone(true), signedIn, access.AdminMilestone),
		row("DELETE /groups/{id}/milestones/{milestone_id}", deleteMilestone(true), signedIn, access.AdminMilestone),

		// Issue boards (boards.go). GitLab's boards and group boards APIs
		// start with authenticate!, reads included.
		row("GET /projects/{id}/boards", listBoards(false), signedIn, access.ReadIssueBoard),
		row("POST /projects/{id}/boards", createBoard(false), signedIn, access.AdminIssueBoard),
		row("GET /projects/{id}/boards/{board_id}", getBoard(false), signedIn, access.ReadIssueBoard),
		row("PUT /projects/{id}/boards/{board_id}", updateBoard(false), signedIn, access.AdminIssueBoard),
		row("DELETE /projects/{id}/boards/{board_id}", deleteBoard(false), signedIn, access.AdminIssueBoard),
		row("GET /projects/{id}/boards/{board_id}/lists", listBoardLists(false), signedIn, access.ReadIssueBoard),
		row("POST /projects/{id}/boards/{board_id}/lists", createBoardList(false), signedIn, access.AdminIssueBoardList),
		row("GET /projects/{id}/boards/{board_id}/lists/{list_id}", getBoardList(false), signedIn, access.ReadIssueBoard),
		row("PUT /projects/{id}/boards/{board_id}/lists/{list_id}", updateBoardList(false), signedIn, access.AdminIssueBoardList),
		row("DELETE /projects/{id}/boards/{board_id}/lists/{list_id}", deleteBoardList(false), signedIn, access.AdminIssueBoardList),
		row("GET /groups/{id}/boards", listBoards(true), signedIn, access.ReadIssueBoard),
		// Creating and deleting group boards is Premium's in GitLab (CE has
		// no such routes); lablet allows several boards per group.
		row("POST /groups/{id}/boards", createBoard(true), signedIn, access.AdminIssueBoard),
		row("GET /groups/{id}/boards/{board_id}", getBoard(true), signedIn, access.ReadIssueBoard),
		row("PUT /groups/{id}/boards/{board_id}", updateBoard(true), signedIn, access.AdminIssueBoard),
		row("DELETE /groups/{id}/boards/{board_id}", deleteBoard(true), signedIn, access.AdminIssueBoard),
		row("GET /groups/{id}/boards/{board_id}/lists", listBoardLists(true), signedIn, access.ReadIssueBoard),
		row("POST /groups/{id}/boards/{board_id}/lists", createBoardList(true), signedIn, access.AdminIssueBoardList),
		row("GET /groups/{id}/boards/{board_id}/lists/{list_id}", getBoardList(true), signedIn, access.ReadIssueBoard),
		row("PUT /groups/{id}/boards/{board_id}/lists/{list_id}", updateBoardList(true), signedIn, access.AdminIssueBoardList),
		row("DELETE /groups/{id}/boards/{board_id}/lists/{list_id}", deleteBoardList(true), signedIn, access.AdminIssueBoardList),

		// Notes, discussions, award emoji, resource events (notes.go, discussions.go, award_emoji.go, resource_events.go)
		// GitLab's notes, discussions and resource events APIs authenticate
		// every request (before { authenticate! }); award emoji are read
		// anonymously on public issues.
		row("GET /projects/{id}/issues/{issue_iid}/notes", (*API).listIssueNotes, signedIn, access.ReadNote),
		row("POST /projects/{id}/issues/{issue_iid}/notes", (*API).createIssueNote, signedIn, access.CreateNote),
		row("GET /projects/{id}/issues/{issue_iid}/notes/{note_id}", (*API).getIssueNote, signedIn, access.ReadNote),
		row("PUT /projects/{id}/issues/{issue_iid}/notes/{note_id}", (*API).updateIssueNote, signedIn, access.AdminNote),
		row("DELETE /projects/{id}/issues/{issue_iid}/notes/{note_id}", (*API).deleteIssueNote, signedIn, access.AdminNote),
		row("GET /projects/{id}/issues/{issue_iid}/discussions", (*API).listIssueDiscussions, signedIn, access.ReadNote),
		row("POST /projects/{id}/issues/{issue_iid}/discussions", (*API).createIssueDiscussion, signedIn, access.CreateNote),
		row("GET /projects/{id}/issues/{issue_iid}/discussions/{discussion_id}", (*API).getIssueDiscussion, signedIn, access.ReadNote),
		row("GET /projects/{id}/issues/{issue_iid}/discussions/{discussion_id}/notes", (*API).listIssueDiscussionNotes, signedIn, access.ReadNote),
		row("POST /projects/{id}/issues/{issue_iid}/discussions/{discussion_id}/notes", (*API).replyToIssueDiscussion, signedIn, access.CreateNote),
		row("GET /projects/{id}/issues/{issue_iid}/discussions/{discussion_id}/notes/{note_id}", (*API).getIssueDiscussionNote, signedIn, access.ReadNote),
		row("PUT /projects/{id}/issues/{issue_iid}/discussions/{discussion_id}/notes/{note_id}", (*API).updateIssueDiscussionNote, signedIn, access.AdminNote),
		row("DELETE /projects/{id}/issues/{issue_iid}/discussions/{discussion_id}/notes/{note_id}", (*API).deleteIssueDiscussionNote, signedIn, access.AdminNote),
		row("GET /projects/{id}/issues/{issue_iid}/award_emoji", (*API).listAwardEmoji, anyone, access.ReadIssue),
		row("POST /projects/{id}/issues/{issue_iid}/award_emoji", (*API).createAwardEmoji, signedIn, access.AwardEmoji),
		row("GET /projects/{id}/issues/{issue_iid}/award_emoji/{award_id}", (*API).getAwardEmoji, anyone, access.ReadIssue),
		row("DELETE /projects/{id}/issues/{issue_iid}/award_emoji/{award_id}", (*API).deleteAwardEmoji, signedIn, access.AwardEmoji),
		row("GET /projects/{id}/issues/{issue_iid}/notes/{note_id}/award_emoji", (*API).listAwardEmoji, anyone, access.ReadIssue),
		row("POST /projects/{id}/issues/{issue_iid}/notes/{note_id}/award_emoji", (*API).createAwardEmoji, signedIn, access.AwardEmoji),
		row("GET /projects/{id}/issues/{issue_iid}/notes/{note_id}/award_emoji/{award_id}", (*API).getAwardEmoji, anyone, access.ReadIssue),
		row("DELETE /projects/{id}/issues/{issue_iid}/notes/{note_id}/award_emoji/{award_id}", (*API).deleteAwardEmoji, signedIn, access.AwardEmoji),
		row("GET /projects/{id}/issues/{issue_iid}/resource_label_events", listResourceEvents(service.EventLabel), signedIn, access.ReadIssue),
		row("GET /projects/{id}/issues/{issue_iid}/resource_label_events/{event_id}", getResourceEvent(service.EventLabel), signedIn, access.ReadIssue),
		row("GET /projects/{id}/issues/{issue_iid}/resource_milestone_events", listResourceEvents(service.EventMilestone), signedIn, access.ReadIssue),
		row("GET /projects/{id}/issues/{issue_iid}/resource_milestone_events/{event_id}", getResourceEvent(service.EventMilestone), signedIn, access.ReadIssue),
		row("GET /projects/{id}/issues/{issue_iid}/resource_state_events", listResourceEvents(service.EventState), signedIn, access.ReadIssue),
		row("GET /projects/{id}/issues/{issue_iid}/resource_state_events/{event_id}", getResourceEvent(service.EventState), signedIn, access.ReadIssue),

		// The same handlers on merge requests: they read the noteable from
		// the path ({merge_request_iid}); merge request discussions resolve.
		row("GET /projects/{id}/merge_requests/{merge_request_iid}/notes", (*API).listIssueNotes, signedIn, access.ReadNote),
		row("POST /projects/{id}/merge_requests/{merge_request_iid}/notes", (*API).createIssueNote, signedIn, access.CreateNote),
		row("GET /projects/{id}/merge_requests/{merge_request_iid}/notes/{note_id}", (*API).getIssueNote, signedIn, access.ReadNote),
		row("PUT /projects/{id}/merge_requests/{merge_request_iid}/notes/{note_id}", (*API).updateIssueNote, signedIn, access.AdminNote),
		row("DELETE /projects/{id}/merge_requests/{merge_request_iid}/notes/{note_id}", (*API).deleteIssueNote, signedIn, access.AdminNote),
		row("GET /projects/{id}/merge_requests/{merge_request_iid}/discussions", (*API).listIssueDiscussions, signedIn, access.ReadNote),
		row("POST /projects/{id}/merge_requests/{merge_request_iid}/discussions", (*API).createIssueDiscussion, signedIn, access.CreateNote),
		row("GET /projects/{id}/merge_requests/{merge_request_iid}/discussions/{discussion_id}", (*API).getIssueDiscussion, signedIn, access.ReadNote),
		row("PUT /projects/{id}/merge_requests/{merge_request_iid}/discussions/{discussion_id}", (*API).resolveDiscussion, signedIn, access.ResolveNote),
		row("GET /projects/{id}/merge_requests/{merge_request_iid}/discussions/{discussion_id}/notes", (*API).listIssueDiscussionNotes, signedIn, access.ReadNote),
		row("POST /projects/{id}/merge_requests/{merge_request_iid}/discussions/{discussion_id}/notes", (*API).replyToIssueDiscussion, signedIn, access.CreateNote),
		row("GET /projects/{id}/merge_requests/{merge_request_iid}/discussions/{discussion_id}/notes/{note_id}", (*API).getIssueDiscussionNote, signedIn, access.ReadNote),
		row("PUT /projects/{id}/merge_requests/{merge_request_iid}/discussions/{discussion_id}/notes/{note_id}", (*API).updateIssueDiscussionNote, signedIn, access.AdminNote),
		row("DELETE /projects/{id}/merge_requests/{merge_request_iid}/discussions/{discussion_id}/notes/{note_id}", (*API).deleteIssueDiscussionNote, signedIn, access.AdminNote),
		row("GET /projects/{id}/merge_requests/{merge_request_iid}/award_emoji", (*API).listAwardEmoji, anyone, access.ReadMergeRequest),
		row("POST /projects/{id}/merge_requests/{merge_request_iid}/award_emoji", (*API).createAwardEmoji, signedIn, access.AwardEmoji),
		row("GET /projects/{id}/merge_requests/{merge_request_iid}/award_emoji/{award_id}", (*API).getAwardEmoji, anyone, access.ReadMergeRequest),
		row("DELETE /projects/{id}/merge_requests/{merge_request_iid}/award_emoji/{award_id}", (*API).deleteAwardEmoji, signedIn, access.AwardEmoji),
		row("GET /projects/{id}/merge_requests/{merge_request_iid}/notes/{note_id}/award_emoji", (*API).listAwardEmoji, anyone, access.ReadMergeRequest),
		row("POST /projects/{id}/merge_requests/{merge_request_iid}/notes/{note_id}/award_emoji", (*API).createAwardEmoji, signedIn, access.AwardEmoji),
		row("GET /projects/{id}/merge_requests/{merge_request_iid}/notes/{note_id}/award_emoji/{award_id}", (*API).getAwardEmoji, anyone, access.ReadMergeRequest),
		row("DELETE /projects/{id}/merge_requests/{merge_request_iid}/notes/{note_id}/award_emoji/{award_id}", (*API).deleteAwardEmoji, signedIn, access.AwardEmoji),
		row("GET /projects/{id}/merge_requests/{merge_request_iid}/resource_label_events", listResourceEvents(service.EventLabel), signedIn, access.ReadMergeRequest),
		row("GET /projects/{id}/merge_requests/{merge_request_iid}/resource_milestone_events", listResourceEvents(service.EventMilestone), signedIn, access.ReadMergeRequest),
		row("GET /projects/{id}/merge_requests/{merge_request_iid}/resource_state_events", listResourceEvents(service.EventState), signedIn, access.ReadMergeRequest),

		// Markdown and uploads (markdown.go, uploads.go)
		row("POST /markdown", (*API).renderMarkdown, anyoneReadAPI, access.None),
		row("POST /projects/{id}/uploads", (*API).uploadFile, signedIn, access.UploadFile).withRawBody(),
		row("GET /projects/{id}/uploads", (*API).listUploads, anyone, access.AdminUpload),
		row("GET /projects/{id}/uploads/{upload_id}", (*API).downloadUploadByID, anyone, access.AdminUpload),
		// GitLab's read_upload: whoever sees the project.
		row("GET /projects/{id}/uploads/{secret}/{filename}", (*API).downloadUpload, anyone, access.ReadProject),
		row("DELETE /projects/{id}/uploads/{upload_id}", (*API).deleteUploadByID, signedIn, access.AdminUpload),
		row("DELETE /projects/{id}/uploads/{secret}/{filename}", (*API).deleteUpload, signedIn, access.AdminUpload),

		// Runners (runners*.go). A runner the caller may not use is 403
		// "No access granted" (GitLab finds it first); tokens with
		// manage_runner reach /runners/:id, create_runner POST /user/runners.
		row("POST /user/runners", (*API).createUserRunner, withScopes(auth.ScopeAPI, auth.ScopeCreateRunner), access.CreateRunner),
		row("GET /runners", listOwnedRunners, signedIn, access.ReadRunner),
		row("GET /runners/all", listAllRunners, admin, access.AdminAll),
		row("GET /runners/{id}", (*API).getRunner, withScopes(auth.ScopeAPI, auth.ScopeReadAPI, auth.ScopeManageRunner), access.ReadRunner),
		row("PUT /runners/{id}", (*API).updateRunner, withScopes(auth.ScopeAPI, auth.ScopeManageRunner), access.UpdateRunner),
		row("DELETE /runners/{id}", (*API).deleteRunner, withScopes(auth.ScopeAPI, auth.ScopeManageRunner), access.DeleteRunner),
		row("POST /runners/{id}/reset_authentication_token", (*API).resetRunnerToken, withScopes(auth.ScopeAPI, auth.ScopeManageRunner), access.UpdateRunner),
		row("GET /projects/{id}/runners", listProjectRunners, signedIn, access.ReadProjectRunners),
		row("POST /projects/{id}/runners", (*API).enableProjectRunner, signedIn, access.CreateRunner),
		row("DELETE /projects/{id}/runners/{runner_id}", (*API).disableProjectRunner, signedIn, access.AdminProjectRunners),
		row("GET /groups/{id}/runners", listGroupRunners, signedIn, access.ReadGroupRunners),
		row("POST /runners/reset_registration_token", resetInstanceRegistrationToken, admin, access.AdminAll),
		row("POST /projects/{id}/runners/reset_registration_token", resetProjectRegistrationToken, signedIn, access.UpdateRunnersRegistrationToken),
		row("POST /groups/{id}/runners/reset_registration_token", resetGroupRegistrationToken, signedIn, access.UpdateRunnersRegistrationToken),
		// GitLab Runner's own calls: its token is in the body.
		row("POST /runners", (*API).registerRunner, runnerToken, access.None),
		row("DELETE /runners", (*API).unregisterRunner, runnerToken, access.None),
		row("POST /runners/verify", (*API).verifyRunner, runnerToken, access.None),
		row("POST /runners/reset_authentication_token", (*API).resetRunnerTokenByToken, runnerToken, access.None),
	}
	rows = append(rows, ciRoutes()...)
	rows = append(rows, instanceRoutes()...)
	rows = append(rows, instanceAdminRoutes()...)
	// GitLab's archive(.:format): one row per format it accepts.
	for _, format := range slices.Sorted(maps.Keys(repo.ArchiveFormats)) {
		rows = append(rows, row("GET /projects/{id}/repository/archive."+format, archive(format), anyone, access.ReadCode))
	}
	return rows
}
