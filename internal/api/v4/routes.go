package v4

import (
	"maps"
	"slices"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/service"
)

// table is the REST API's route table: every endpoint under /api/v4, its
// handler, who may call it (and with which token scopes) and the ability
// its operation checks in the service layer. `lablet routes` prints it;
// the authorization matrix tests every row. A route is served only if it
// is listed here or in a domain package's table (domains: cicd.Routes),
// which New appends.
func table(domains []Endpoint) []Endpoint {
	rows := []Endpoint{
		// Instance (meta.go)
		Row("GET /version", (*API).getVersion, SignedInOrReadUser, access.None),
		Row("GET /metadata", (*API).getMetadata, SignedInOrReadUser, access.None),

		// Users (users.go)
		Row("GET /user", (*API).getCurrentUser, SignedInOrReadUser, access.ReadCurrentUser),
		Row("GET /users", (*API).listUsers, AnyoneOrReadUser, access.ReadUser),
		Row("GET /users/{id}", (*API).getUser, AnyoneOrReadUser, access.ReadUser),
		Row("POST /users", (*API).createUser, Admin, access.AdminAll),
		Row("PUT /users/{id}", (*API).updateUser, Admin, access.AdminAll),
		Row("DELETE /users/{id}", (*API).deleteUser, Admin, access.AdminAll),
		Row("POST /users/{id}/block", userStateAction("block"), Admin, access.AdminAll),
		Row("POST /users/{id}/unblock", userStateAction("unblock"), Admin, access.AdminAll),
		Row("POST /users/{id}/deactivate", userStateAction("deactivate"), Admin, access.AdminAll),
		Row("POST /users/{id}/activate", userStateAction("activate"), Admin, access.AdminAll),

		// Personal, impersonation tokens (tokens.go)
		Row("GET /personal_access_tokens", (*API).listTokens, SignedIn, access.ManageOwnTokens),
		Row("GET /personal_access_tokens/self", (*API).getSelfToken, WithScopes(auth.PersonalScopes...), access.ManageOwnTokens),
		Row("DELETE /personal_access_tokens/self", (*API).revokeSelfToken, WithScopes(auth.PersonalScopes...), access.ManageOwnTokens),
		Row("POST /personal_access_tokens/self/rotate", (*API).rotateSelfToken, WithScopes(auth.ScopeAPI, auth.ScopeSelfRotate), access.ManageOwnTokens),
		Row("GET /personal_access_tokens/{id}", (*API).getToken, SignedIn, access.ManageOwnTokens),
		Row("DELETE /personal_access_tokens/{id}", (*API).revokeToken, SignedIn, access.ManageOwnTokens),
		Row("POST /personal_access_tokens/{id}/rotate", (*API).rotateToken, SignedIn, access.ManageOwnTokens),
		Row("POST /user/personal_access_tokens", (*API).createSelfToken, SignedIn, access.ManageOwnTokens),
		Row("POST /users/{user_id}/personal_access_tokens", (*API).createUserToken, Admin, access.AdminAll),
		Row("GET /users/{user_id}/impersonation_tokens", (*API).listImpersonationTokens, adminOrReadUser, access.AdminAll),
		Row("POST /users/{user_id}/impersonation_tokens", (*API).createImpersonationToken, Admin, access.AdminAll),
		Row("GET /users/{user_id}/impersonation_tokens/{token_id}", (*API).getImpersonationToken, adminOrReadUser, access.AdminAll),
		Row("DELETE /users/{user_id}/impersonation_tokens/{token_id}", (*API).revokeImpersonationToken, Admin, access.AdminAll),

		// OAuth applications (applications.go)
		Row("GET /applications", (*API).listApplications, Admin, access.AdminAll),
		Row("POST /applications", (*API).createApplication, Admin, access.AdminAll),
		Row("DELETE /applications/{id}", (*API).deleteApplication, Admin, access.AdminAll),
		Row("POST /applications/{id}/renew-secret", (*API).renewApplicationSecret, Admin, access.AdminAll),

		// Namespaces (namespaces.go)
		Row("GET /namespaces", (*API).listNamespaces, SignedIn, access.ReadNamespace),
		Row("GET /namespaces/{id}", (*API).getNamespace, SignedIn, access.ReadNamespace),
		// Any signed-in user may ask whether a path is taken, as in GitLab.
		Row("GET /namespaces/{id}/exists", (*API).namespaceExists, SignedIn, access.None),

		// Groups (groups.go)
		Row("GET /groups", (*API).listGroups, Anyone, access.ReadGroup),
		Row("POST /groups", (*API).createGroup, SignedIn, access.CreateGroup),
		Row("GET /groups/{id}", (*API).getGroup, Anyone, access.ReadGroup),
		Row("PUT /groups/{id}", (*API).updateGroup, SignedIn, access.AdminGroup),
		Row("DELETE /groups/{id}", (*API).deleteGroup, SignedIn, access.AdminGroup),
		Row("GET /groups/{id}/subgroups", listSubgroups(false), Anyone, access.ReadGroup),
		Row("GET /groups/{id}/descendant_groups", listSubgroups(true), Anyone, access.ReadGroup),
		Row("GET /groups/{id}/projects", (*API).listGroupProjects, Anyone, access.ReadGroup),

		// Group members (members.go)
		Row("GET /groups/{id}/members", listMembers(groupMembers, false), Anyone, access.ReadGroupMember),
		Row("GET /groups/{id}/members/all", listMembers(groupMembers, true), Anyone, access.ReadGroupMember),
		Row("GET /groups/{id}/members/{user_id}", getMember(groupMembers, false), Anyone, access.ReadGroupMember),
		Row("GET /groups/{id}/members/all/{user_id}", getMember(groupMembers, true), Anyone, access.ReadGroupMember),
		Row("POST /groups/{id}/members", addMember(groupMembers), SignedIn, access.AdminGroupMember),
		Row("PUT /groups/{id}/members/{user_id}", updateMember(groupMembers), SignedIn, access.AdminGroupMember),
		Row("DELETE /groups/{id}/members/{user_id}", removeMember(groupMembers), SignedIn, access.AdminGroupMember),

		// Group access tokens (access_tokens.go)
		Row("GET /groups/{id}/access_tokens", listResourceTokens(groupTokens), SignedIn, access.ManageGroupAccessTokens),
		Row("POST /groups/{id}/access_tokens", createResourceToken(groupTokens), SignedIn, access.ManageGroupAccessTokens),
		Row("GET /groups/{id}/access_tokens/{token_id}", getResourceToken(groupTokens), SignedIn, access.ManageGroupAccessTokens),
		Row("DELETE /groups/{id}/access_tokens/{token_id}", revokeResourceToken(groupTokens), SignedIn, access.ManageGroupAccessTokens),
		Row("POST /groups/{id}/access_tokens/{token_id}/rotate", rotateResourceToken(groupTokens), SignedIn, access.ManageGroupAccessTokens),
		// A token may rotate itself with self_rotate alone.
		Row("POST /groups/{id}/access_tokens/self/rotate", rotateResourceToken(groupTokens), WithScopes(auth.ScopeAPI, auth.ScopeSelfRotate), access.ManageGroupAccessTokens),

		// Projects (projects.go)
		Row("GET /projects", (*API).listProjects, Anyone, access.ReadProject),
		Row("POST /projects", (*API).createProject, SignedIn, access.CreateProject),
		Row("POST /projects/user/{user_id}", (*API).createProjectForUser, Admin, access.AdminAll),
		Row("GET /projects/{id}", (*API).getProject, Anyone, access.ReadProject),
		Row("PUT /projects/{id}", (*API).updateProject, SignedIn, access.AdminProject),
		Row("DELETE /projects/{id}", (*API).deleteProject, SignedIn, access.RemoveProject),
		Row("POST /projects/{id}/archive", (*API).archiveProject, SignedIn, access.ArchiveProject),
		Row("POST /projects/{id}/unarchive", (*API).unarchiveProject, SignedIn, access.ArchiveProject),
		Row("GET /users/{user_id}/projects", (*API).listUserProjects, Anyone, access.ReadUser),

		// Forks (forks.go)
		Row("POST /projects/{id}/fork", (*API).forkProject, SignedIn, access.ForkProject),
		Row("GET /projects/{id}/forks", (*API).listForks, Anyone, access.ReadProject),
		Row("POST /projects/{id}/fork/{forked_from_id}", (*API).linkFork, SignedIn, access.LinkForkedProject),
		Row("DELETE /projects/{id}/fork", (*API).unlinkFork, SignedIn, access.RemoveForkProject),

		// Project members (members.go)
		Row("GET /projects/{id}/members", listMembers(projectMembers, false), Anyone, access.ReadProjectMember),
		Row("GET /projects/{id}/members/all", listMembers(projectMembers, true), Anyone, access.ReadProjectMember),
		Row("GET /projects/{id}/members/{user_id}", getMember(projectMembers, false), Anyone, access.ReadProjectMember),
		Row("GET /projects/{id}/members/all/{user_id}", getMember(projectMembers, true), Anyone, access.ReadProjectMember),
		Row("POST /projects/{id}/members", addMember(projectMembers), SignedIn, access.AdminProjectMember),
		Row("PUT /projects/{id}/members/{user_id}", updateMember(projectMembers), SignedIn, access.AdminProjectMember),
		Row("DELETE /projects/{id}/members/{user_id}", removeMember(projectMembers), SignedIn, access.AdminProjectMember),

		// Project access tokens (access_tokens.go)
		Row("GET /projects/{id}/access_tokens", listResourceTokens(projectTokens), SignedIn, access.ManageProjectAccessTokens),
		Row("POST /projects/{id}/access_tokens", createResourceToken(projectTokens), SignedIn, access.ManageProjectAccessTokens),
		Row("GET /projects/{id}/access_tokens/{token_id}", getResourceToken(projectTokens), SignedIn, access.ManageProjectAccessTokens),
		Row("DELETE /projects/{id}/access_tokens/{token_id}", revokeResourceToken(projectTokens), SignedIn, access.ManageProjectAccessTokens),
		Row("POST /projects/{id}/access_tokens/{token_id}/rotate", rotateResourceToken(projectTokens), SignedIn, access.ManageProjectAccessTokens),
		Row("POST /projects/{id}/access_tokens/self/rotate", rotateResourceToken(projectTokens), WithScopes(auth.ScopeAPI, auth.ScopeSelfRotate), access.ManageProjectAccessTokens),

		// Protected branches (protected_branches.go)
		Row("GET /projects/{id}/protected_branches", (*API).listProtectedBranches, SignedIn, access.AdminProject),
		Row("POST /projects/{id}/protected_branches", (*API).protectBranch, SignedIn, access.AdminProject),
		Row("GET /projects/{id}/protected_branches/{name}", (*API).getProtectedBranch, SignedIn, access.AdminProject),
		Row("PATCH /projects/{id}/protected_branches/{name}", (*API).updateProtectedBranch, SignedIn, access.AdminProject),
		Row("DELETE /projects/{id}/protected_branches/{name}", (*API).unprotectBranch, SignedIn, access.AdminProject),

		// Branches (branches.go); {branch...}: names with "/" work escaped
		// (feature%2Fx) and unescaped.
		Row("GET /projects/{id}/repository/branches", (*API).listBranches, Anyone, access.ReadCode),
		Row("POST /projects/{id}/repository/branches", (*API).createBranch, SignedIn, access.PushCode),
		Row("GET /projects/{id}/repository/branches/{branch...}", (*API).getBranch, Anyone, access.ReadCode),
		Row("HEAD /projects/{id}/repository/branches/{branch...}", (*API).headBranch, Anyone, access.ReadCode),
		Row("DELETE /projects/{id}/repository/branches/{branch...}", (*API).deleteBranch, SignedIn, access.PushCode),
		Row("DELETE /projects/{id}/repository/merged_branches", (*API).deleteMergedBranches, SignedIn, access.PushCode),

		// Tags (tags.go)
		Row("GET /projects/{id}/repository/tags", (*API).listTags, Anyone, access.ReadCode),
		Row("POST /projects/{id}/repository/tags", (*API).createTag, SignedIn, access.AdminTag),
		Row("GET /projects/{id}/repository/tags/{tag...}", (*API).getTag, Anyone, access.ReadCode),
		Row("DELETE /projects/{id}/repository/tags/{tag...}", (*API).deleteTag, SignedIn, access.AdminTag),

		// Repository (repository.go, compare.go)
		Row("GET /projects/{id}/repository/tree", (*API).listTree, Anyone, access.ReadCode),
		Row("GET /projects/{id}/repository/blobs/{sha}", (*API).getBlob, Anyone, access.ReadCode),
		Row("GET /projects/{id}/repository/blobs/{sha}/raw", (*API).getRawBlob, Anyone, access.ReadCode),
		Row("GET /projects/{id}/repository/archive", archive(""), Anyone, access.ReadCode),
		Row("GET /projects/{id}/repository/contributors", (*API).listContributors, Anyone, access.ReadCode),
		Row("GET /projects/{id}/repository/merge_base", (*API).mergeBase, Anyone, access.ReadCode),
		Row("GET /projects/{id}/repository/compare", (*API).compare, Anyone, access.ReadCode),

		// Files (files.go)
		Row("GET /projects/{id}/repository/files/{file_path}", (*API).getFile, Anyone, access.ReadCode),
		Row("GET /projects/{id}/repository/files/{file_path}/raw", (*API).getRawFile, Anyone, access.ReadCode),
		Row("GET /projects/{id}/repository/files/{file_path}/blame", (*API).getFileBlame, Anyone, access.ReadCode),
		Row("POST /projects/{id}/repository/files/{file_path}", (*API).createFile, SignedIn, access.PushCode).withFiles(),
		Row("PUT /projects/{id}/repository/files/{file_path}", (*API).updateFile, SignedIn, access.PushCode).withFiles(),
		Row("DELETE /projects/{id}/repository/files/{file_path}", (*API).deleteFile, SignedIn, access.PushCode),

		// Commits (commits.go)
		Row("GET /projects/{id}/repository/commits", (*API).listCommits, Anyone, access.ReadCode),
		Row("POST /projects/{id}/repository/commits", (*API).createCommit, SignedIn, access.PushCode).withFiles(),
		Row("GET /projects/{id}/repository/commits/{sha}", (*API).getCommit, Anyone, access.ReadCode),
		Row("GET /projects/{id}/repository/commits/{sha}/diff", (*API).getCommitDiff, Anyone, access.ReadCode),
		Row("GET /projects/{id}/repository/commits/{sha}/refs", (*API).getCommitRefs, Anyone, access.ReadCode),
		Row("POST /projects/{id}/repository/commits/{sha}/cherry_pick", (*API).cherryPick, SignedIn, access.PushCode),
		Row("POST /projects/{id}/repository/commits/{sha}/revert", (*API).revertCommit, SignedIn, access.PushCode),

		// Commit comments and discussions (commit_notes.go; discussions.go
		// with the commit as noteable). Both need read_code; writing
		// needs create_note too.
		Row("GET /projects/{id}/repository/commits/{sha}/comments", (*API).listCommitComments, Anyone, access.ReadCode),
		Row("POST /projects/{id}/repository/commits/{sha}/comments", (*API).createCommitComment, SignedIn, access.CreateNote),
		Row("GET /projects/{id}/repository/commits/{sha}/discussions", (*API).listIssueDiscussions, SignedIn, access.ReadNote),
		Row("POST /projects/{id}/repository/commits/{sha}/discussions", (*API).createIssueDiscussion, SignedIn, access.CreateNote),
		Row("GET /projects/{id}/repository/commits/{sha}/discussions/{discussion_id}", (*API).getIssueDiscussion, SignedIn, access.ReadNote),
		Row("GET /projects/{id}/repository/commits/{sha}/discussions/{discussion_id}/notes", (*API).listIssueDiscussionNotes, SignedIn, access.ReadNote),
		Row("POST /projects/{id}/repository/commits/{sha}/discussions/{discussion_id}/notes", (*API).replyToIssueDiscussion, SignedIn, access.CreateNote),
		Row("GET /projects/{id}/repository/commits/{sha}/discussions/{discussion_id}/notes/{note_id}", (*API).getIssueDiscussionNote, SignedIn, access.ReadNote),
		Row("PUT /projects/{id}/repository/commits/{sha}/discussions/{discussion_id}/notes/{note_id}", (*API).updateIssueDiscussionNote, SignedIn, access.AdminNote),
		Row("DELETE /projects/{id}/repository/commits/{sha}/discussions/{discussion_id}/notes/{note_id}", (*API).deleteIssueDiscussionNote, SignedIn, access.AdminNote),
		Row("GET /projects/{id}/repository/commits/{sha}/merge_requests", (*API).listCommitMergeRequests, Anyone, access.ReadMergeRequest),

		// Notes and discussions of project snippets (notes.go,
		// discussions.go with the snippet as noteable; snippets are the
		// api/v4/snippets domain's).
		Row("GET /projects/{id}/snippets/{snippet_id}/notes", (*API).listIssueNotes, SignedIn, access.ReadNote),
		Row("POST /projects/{id}/snippets/{snippet_id}/notes", (*API).createIssueNote, SignedIn, access.CreateNote),
		Row("GET /projects/{id}/snippets/{snippet_id}/notes/{note_id}", (*API).getIssueNote, SignedIn, access.ReadNote),
		Row("PUT /projects/{id}/snippets/{snippet_id}/notes/{note_id}", (*API).updateIssueNote, SignedIn, access.AdminNote),
		Row("DELETE /projects/{id}/snippets/{snippet_id}/notes/{note_id}", (*API).deleteIssueNote, SignedIn, access.AdminNote),
		Row("GET /projects/{id}/snippets/{snippet_id}/discussions", (*API).listIssueDiscussions, SignedIn, access.ReadNote),
		Row("POST /projects/{id}/snippets/{snippet_id}/discussions", (*API).createIssueDiscussion, SignedIn, access.CreateNote),
		Row("GET /projects/{id}/snippets/{snippet_id}/discussions/{discussion_id}", (*API).getIssueDiscussion, SignedIn, access.ReadNote),
		Row("POST /projects/{id}/snippets/{snippet_id}/discussions/{discussion_id}/notes", (*API).replyToIssueDiscussion, SignedIn, access.CreateNote),
		Row("PUT /projects/{id}/snippets/{snippet_id}/discussions/{discussion_id}/notes/{note_id}", (*API).updateIssueDiscussionNote, SignedIn, access.AdminNote),
		Row("DELETE /projects/{id}/snippets/{snippet_id}/discussions/{discussion_id}/notes/{note_id}", (*API).deleteIssueDiscussionNote, SignedIn, access.AdminNote),

		// Events (events.go)
		Row("GET /events", (*API).listMyEvents, SignedInOrReadUser, access.ReadCurrentUser),
		Row("GET /users/{id}/events", (*API).listUserEvents, AnyoneOrReadUser, access.ReadUser),
		Row("GET /projects/{id}/events", (*API).listProjectEvents, Anyone, access.ReadProject),

		// Search (search.go): GitLab's basic search, signed-in callers only
		Row("GET /search", searchAt("global"), SignedIn, access.None),
		// GitLab routes ':id/(-/)search'; the official client asks for -/search.
		Row("GET /groups/{id}/search", searchAt("group"), SignedIn, access.ReadGroup),
		Row("GET /groups/{id}/-/search", searchAt("group"), SignedIn, access.ReadGroup),
		Row("GET /projects/{id}/search", searchAt("project"), SignedIn, access.ReadProject),
		Row("GET /projects/{id}/-/search", searchAt("project"), SignedIn, access.ReadProject),

		// To-do list (todos.go)
		Row("GET /todos", (*API).listTodos, SignedIn, access.ReadCurrentUser),
		Row("POST /todos/{id}/mark_as_done", (*API).markTodoDone, SignedIn, access.ReadCurrentUser),
		Row("POST /todos/mark_as_done", (*API).markAllTodosDone, SignedIn, access.ReadCurrentUser),
		Row("POST /projects/{id}/issues/{issue_iid}/todo", (*API).createTodo, SignedIn, access.ReadIssue),

		// Issues (issues*.go)
		Row("GET /issues", (*API).listIssues, Anyone, access.ReadIssue),
		Row("GET /issues/{id}", (*API).getIssue, Admin, access.AdminAll),
		Row("GET /issues_statistics", (*API).issueStatistics, Anyone, access.ReadIssue),
		Row("GET /groups/{id}/issues", (*API).listGroupIssues, Anyone, access.ReadIssue),
		Row("GET /groups/{id}/issues_statistics", (*API).groupIssueStatistics, Anyone, access.ReadIssue),
		Row("GET /groups/{id}/milestones/{milestone_id}/issues", (*API).listGroupMilestoneIssues, Anyone, access.ReadMilestone),
		Row("GET /projects/{id}/issues", (*API).listProjectIssues, Anyone, access.ReadIssue),
		Row("POST /projects/{id}/issues", (*API).createIssue, SignedIn, access.CreateIssue),
		Row("GET /projects/{id}/issues_statistics", (*API).projectIssueStatistics, Anyone, access.ReadIssue),
		Row("GET /projects/{id}/issues/{issue_iid}", (*API).getProjectIssue, Anyone, access.ReadIssue),
		Row("PUT /projects/{id}/issues/{issue_iid}", (*API).updateIssue, SignedIn, access.UpdateIssue),
		Row("DELETE /projects/{id}/issues/{issue_iid}", (*API).deleteIssue, SignedIn, access.DestroyIssue),
		Row("PUT /projects/{id}/issues/{issue_iid}/reorder", (*API).reorderIssue, SignedIn, access.UpdateIssue),
		Row("POST /projects/{id}/issues/{issue_iid}/move", (*API).moveIssue, SignedIn, access.AdminIssue),
		Row("POST /projects/{id}/issues/{issue_iid}/subscribe", (*API).subscribeIssue, SignedIn, access.ReadIssue),
		Row("POST /projects/{id}/issues/{issue_iid}/unsubscribe", (*API).unsubscribeIssue, SignedIn, access.ReadIssue),
		Row("POST /projects/{id}/issues/{issue_iid}/time_estimate", (*API).setTimeEstimate, SignedIn, access.AdminIssue),
		Row("POST /projects/{id}/issues/{issue_iid}/reset_time_estimate", (*API).resetTimeEstimate, SignedIn, access.AdminIssue),
		Row("POST /projects/{id}/issues/{issue_iid}/add_spent_time", (*API).addSpentTime, SignedIn, access.AdminIssue),
		Row("POST /projects/{id}/issues/{issue_iid}/reset_spent_time", (*API).resetSpentTime, SignedIn, access.AdminIssue),
		Row("GET /projects/{id}/issues/{issue_iid}/time_stats", (*API).timeStats, Anyone, access.ReadIssue),
		Row("GET /projects/{id}/issues/{issue_iid}/participants", (*API).issueParticipants, Anyone, access.ReadIssue),
		Row("GET /projects/{id}/issues/{issue_iid}/related_merge_requests", (*API).issueRelatedMergeRequests, Anyone, access.ReadIssue),
		Row("GET /projects/{id}/issues/{issue_iid}/closed_by", (*API).issueClosedBy, Anyone, access.ReadIssue),
		Row("GET /projects/{id}/issues/{issue_iid}/links", (*API).listIssueLinks, Anyone, access.ReadIssue),
		Row("POST /projects/{id}/issues/{issue_iid}/links", (*API).createIssueLink, SignedIn, access.AdminIssue),
		Row("GET /projects/{id}/issues/{issue_iid}/links/{issue_link_id}", (*API).getIssueLink, Anyone, access.ReadIssue),
		Row("DELETE /projects/{id}/issues/{issue_iid}/links/{issue_link_id}", (*API).deleteIssueLink, SignedIn, access.AdminIssue),
		Row("GET /projects/{id}/milestones/{milestone_id}/issues", (*API).listProjectMilestoneIssues, Anyone, access.ReadMilestone),
		Row("GET /projects/{id}/milestones/{milestone_id}/merge_requests", (*API).listMilestoneMergeRequests, Anyone, access.ReadMilestone),

		// Merge requests (merge_requests*.go)
		Row("GET /merge_requests", (*API).listMergeRequests, Anyone, access.ReadMergeRequest),
		Row("GET /groups/{id}/merge_requests", (*API).listGroupMergeRequests, Anyone, access.ReadMergeRequest),
		Row("GET /projects/{id}/merge_requests", (*API).listProjectMergeRequests, Anyone, access.ReadMergeRequest),
		Row("POST /projects/{id}/merge_requests", (*API).createMergeRequest, SignedIn, access.CreateMergeRequestIn),
		Row("GET /projects/{id}/merge_requests/{merge_request_iid}", (*API).getMergeRequest, Anyone, access.ReadMergeRequest),
		Row("PUT /projects/{id}/merge_requests/{merge_request_iid}", (*API).updateMergeRequest, SignedIn, access.UpdateMergeRequest),
		Row("DELETE /projects/{id}/merge_requests/{merge_request_iid}", (*API).deleteMergeRequest, SignedIn, access.DestroyMergeRequest),
		Row("PUT /projects/{id}/merge_requests/{merge_request_iid}/merge", (*API).mergeMergeRequest, SignedIn, access.AcceptMergeRequest),
		Row("GET /projects/{id}/merge_requests/{merge_request_iid}/merge_ref", (*API).mergeRequestMergeRef, Anyone, access.ReadMergeRequest),
		Row("GET /projects/{id}/merge_requests/{merge_request_iid}/closes_issues", (*API).mergeRequestClosesIssues, Anyone, access.ReadMergeRequest),
		Row("GET /projects/{id}/merge_requests/{merge_request_iid}/related_issues", (*API).mergeRequestRelatedIssues, Anyone, access.ReadMergeRequest),
		// Time tracking, to-do, reviewers, raw diffs (time_tracking.go, todos.go, merge_requests_extras.go).
		Row("POST /projects/{id}/merge_requests/{merge_request_iid}/time_estimate", (*API).setTimeEstimate, SignedIn, access.AdminMergeRequest),
		Row("POST /projects/{id}/merge_requests/{merge_request_iid}/reset_time_estimate", (*API).resetTimeEstimate, SignedIn, access.AdminMergeRequest),
		Row("POST /projects/{id}/merge_requests/{merge_request_iid}/add_spent_time", (*API).addSpentTime, SignedIn, access.AdminMergeRequest),
		Row("POST /projects/{id}/merge_requests/{merge_request_iid}/reset_spent_time", (*API).resetSpentTime, SignedIn, access.AdminMergeRequest),
		Row("GET /projects/{id}/merge_requests/{merge_request_iid}/time_stats", (*API).timeStats, Anyone, access.ReadMergeRequest),
		Row("POST /projects/{id}/merge_requests/{merge_request_iid}/todo", (*API).createTodo, SignedIn, access.ReadMergeRequest),
		Row("GET /projects/{id}/merge_requests/{merge_request_iid}/reviewers", (*API).mergeRequestReviewers, Anyone, access.ReadMergeRequest),
		Row("GET /projects/{id}/merge_requests/{merge_request_iid}/raw_diffs", (*API).mergeRequestRawDiffs, Anyone, access.ReadMergeRequest),
		// Rebase and auto-merge (merge_requests_rebase.go).
		Row("PUT /projects/{id}/merge_requests/{merge_request_iid}/rebase", (*API).rebaseMergeRequest, SignedIn, access.PushCode),
		Row("POST /projects/{id}/merge_requests/{merge_request_iid}/cancel_merge_when_pipeline_succeeds", (*API).cancelAutoMerge, SignedIn, access.AcceptMergeRequest),
		// GitLab's subscriptions API finds merge requests with update_merge_request.
		Row("POST /projects/{id}/merge_requests/{merge_request_iid}/subscribe", (*API).subscribeMergeRequest, SignedIn, access.UpdateMergeRequest),
		Row("POST /projects/{id}/merge_requests/{merge_request_iid}/unsubscribe", (*API).unsubscribeMergeRequest, SignedIn, access.UpdateMergeRequest),
		Row("GET /projects/{id}/merge_requests/{merge_request_iid}/participants", (*API).mergeRequestParticipants, Anyone, access.ReadMergeRequest),
		Row("GET /projects/{id}/merge_requests/{merge_request_iid}/commits", (*API).mergeRequestCommits, Anyone, access.ReadMergeRequest),
		Row("GET /projects/{id}/merge_requests/{merge_request_iid}/changes", (*API).mergeRequestChanges, Anyone, access.ReadMergeRequest),
		Row("GET /projects/{id}/merge_requests/{merge_request_iid}/diffs", (*API).mergeRequestDiffs, Anyone, access.ReadMergeRequest),
		// Review: versions and approvals (merge_requests_review.go)
		Row("GET /projects/{id}/merge_requests/{merge_request_iid}/versions", (*API).listMergeRequestVersions, Anyone, access.ReadMergeRequest),
		Row("GET /projects/{id}/merge_requests/{merge_request_iid}/versions/{version_id}", (*API).getMergeRequestVersion, Anyone, access.ReadMergeRequest),
		Row("GET /projects/{id}/merge_requests/{merge_request_iid}/approvals", (*API).mergeRequestApprovals, Anyone, access.ReadMergeRequest),
		Row("GET /projects/{id}/merge_requests/{merge_request_iid}/approval_state", (*API).mergeRequestApprovalState, Anyone, access.ReadMergeRequest),
		Row("POST /projects/{id}/merge_requests/{merge_request_iid}/approve", (*API).approveMergeRequest, SignedIn, access.ApproveMergeRequest),
		Row("POST /projects/{id}/merge_requests/{merge_request_iid}/unapprove", (*API).unapproveMergeRequest, SignedIn, access.ApproveMergeRequest),
		// Suggestions of diff notes (suggestions.go)
		Row("PUT /suggestions/{id}/apply", (*API).applySuggestion, SignedIn, access.ApplySuggestion),
		Row("PUT /suggestions/batch_apply", (*API).batchApplySuggestions, SignedIn, access.ApplySuggestion),
		Row("GET /projects/{id}/approvals", (*API).getProjectApprovals, SignedIn, access.AdminProject),
		Row("POST /projects/{id}/approvals", (*API).setProjectApprovals, SignedIn, access.AdminProject),

		// Labels (labels.go). GitLab's labels, group labels and
		// subscriptions APIs all start with authenticate!, reads included.
		Row("GET /projects/{id}/labels", (*API).listProjectLabels, SignedIn, access.ReadLabel),
		Row("POST /projects/{id}/labels", (*API).createProjectLabel, SignedIn, access.AdminLabel),
		Row("GET /projects/{id}/labels/{label_id}", (*API).getProjectLabel, SignedIn, access.ReadLabel),
		Row("PUT /projects/{id}/labels/{label_id}", (*API).updateProjectLabel, SignedIn, access.AdminLabel),
		Row("DELETE /projects/{id}/labels/{label_id}", (*API).deleteProjectLabel, SignedIn, access.AdminLabel),
		Row("PUT /projects/{id}/labels/{label_id}/promote", (*API).promoteProjectLabel, SignedIn, access.AdminLabel),
		// GitLab's deprecated forms, naming the label by a parameter.
		Row("PUT /projects/{id}/labels", updateLabelLegacy(false), SignedIn, access.AdminLabel),
		Row("DELETE /projects/{id}/labels", deleteLabelLegacy(false), SignedIn, access.AdminLabel),
		Row("PUT /projects/{id}/labels/promote", (*API).promoteLabelLegacy, SignedIn, access.AdminLabel),
		Row("POST /projects/{id}/labels/{label_id}/subscribe", labelSubscription(false, true), SignedIn, access.ReadLabel),
		Row("POST /projects/{id}/labels/{label_id}/unsubscribe", labelSubscription(false, false), SignedIn, access.ReadLabel),
		Row("GET /groups/{id}/labels", (*API).listGroupLabels, SignedIn, access.ReadLabel),
		Row("POST /groups/{id}/labels", (*API).createGroupLabel, SignedIn, access.AdminLabel),
		Row("GET /groups/{id}/labels/{label_id}", (*API).getGroupLabel, SignedIn, access.ReadLabel),
		Row("PUT /groups/{id}/labels/{label_id}", (*API).updateGroupLabel, SignedIn, access.AdminLabel),
		Row("DELETE /groups/{id}/labels/{label_id}", (*API).deleteGroupLabel, SignedIn, access.AdminLabel),
		Row("PUT /groups/{id}/labels", updateLabelLegacy(true), SignedIn, access.AdminLabel),
		Row("DELETE /groups/{id}/labels", deleteLabelLegacy(true), SignedIn, access.AdminLabel),
		Row("POST /groups/{id}/labels/{label_id}/subscribe", labelSubscription(true, true), SignedIn, access.ReadLabel),
		Row("POST /groups/{id}/labels/{label_id}/unsubscribe", labelSubscription(true, false), SignedIn, access.ReadLabel),

		// Milestones (milestones.go). GitLab's project and group
		// milestones APIs start with authenticate!, reads included.
		Row("GET /projects/{id}/milestones", listMilestones(false), SignedIn, access.ReadMilestone),
		Row("POST /projects/{id}/milestones", createMilestone(false), SignedIn, access.AdminMilestone),
		Row("GET /projects/{id}/milestones/{milestone_id}", getMilestone(false), SignedIn, access.ReadMilestone),
		Row("PUT /projects/{id}/milestones/{milestone_id}", updateMilestone(false), SignedIn, access.AdminMilestone),
		Row("DELETE /projects/{id}/milestones/{milestone_id}", deleteMilestone(false), SignedIn, access.AdminMilestone),
		Row("POST /projects/{id}/milestones/{milestone_id}/promote", (*API).promoteMilestone, SignedIn, access.AdminMilestone),
		Row("GET /groups/{id}/milestones", listMilestones(true), SignedIn, access.ReadMilestone),
		Row("POST /groups/{id}/milestones", createMilestone(true), SignedIn, access.AdminMilestone),
		Row("GET /groups/{id}/milestones/{milestone_id}", getMilestone(true), SignedIn, access.ReadMilestone),
		Row("PUT /groups/{id}/milestones/{milestone_id}", updateMilestone(true), SignedIn, access.AdminMilestone),
		Row("DELETE /groups/{id}/milestones/{milestone_id}", deleteMilestone(true), SignedIn, access.AdminMilestone),

		// Issue boards (boards.go). GitLab's boards and group boards APIs
		// start with authenticate!, reads included.
		Row("GET /projects/{id}/boards", listBoards(false), SignedIn, access.ReadIssueBoard),
		Row("POST /projects/{id}/boards", createBoard(false), SignedIn, access.AdminIssueBoard),
		Row("GET /projects/{id}/boards/{board_id}", getBoard(false), SignedIn, access.ReadIssueBoard),
		Row("PUT /projects/{id}/boards/{board_id}", updateBoard(false), SignedIn, access.AdminIssueBoard),
		Row("DELETE /projects/{id}/boards/{board_id}", deleteBoard(false), SignedIn, access.AdminIssueBoard),
		Row("GET /projects/{id}/boards/{board_id}/lists", listBoardLists(false), SignedIn, access.ReadIssueBoard),
		Row("POST /projects/{id}/boards/{board_id}/lists", createBoardList(false), SignedIn, access.AdminIssueBoardList),
		Row("GET /projects/{id}/boards/{board_id}/lists/{list_id}", getBoardList(false), SignedIn, access.ReadIssueBoard),
		Row("PUT /projects/{id}/boards/{board_id}/lists/{list_id}", updateBoardList(false), SignedIn, access.AdminIssueBoardList),
		Row("DELETE /projects/{id}/boards/{board_id}/lists/{list_id}", deleteBoardList(false), SignedIn, access.AdminIssueBoardList),
		Row("GET /groups/{id}/boards", listBoards(true), SignedIn, access.ReadIssueBoard),
		// Creating and deleting group boards is Premium's in GitLab (CE has
		// no such routes); lablet allows several boards per group.
		Row("POST /groups/{id}/boards", createBoard(true), SignedIn, access.AdminIssueBoard),
		Row("GET /groups/{id}/boards/{board_id}", getBoard(true), SignedIn, access.ReadIssueBoard),
		Row("PUT /groups/{id}/boards/{board_id}", updateBoard(true), SignedIn, access.AdminIssueBoard),
		Row("DELETE /groups/{id}/boards/{board_id}", deleteBoard(true), SignedIn, access.AdminIssueBoard),
		Row("GET /groups/{id}/boards/{board_id}/lists", listBoardLists(true), SignedIn, access.ReadIssueBoard),
		Row("POST /groups/{id}/boards/{board_id}/lists", createBoardList(true), SignedIn, access.AdminIssueBoardList),
		Row("GET /groups/{id}/boards/{board_id}/lists/{list_id}", getBoardList(true), SignedIn, access.ReadIssueBoard),
		Row("PUT /groups/{id}/boards/{board_id}/lists/{list_id}", updateBoardList(true), SignedIn, access.AdminIssueBoardList),
		Row("DELETE /groups/{id}/boards/{board_id}/lists/{list_id}", deleteBoardList(true), SignedIn, access.AdminIssueBoardList),

		// Notes, discussions, award emoji, resource events (notes.go, discussions.go, award_emoji.go, resource_events.go)
		// GitLab's notes, discussions and resource events APIs authenticate
		// every request (before { authenticate! }); award emoji are read
		// anonymously on public issues.
		Row("GET /projects/{id}/issues/{issue_iid}/notes", (*API).listIssueNotes, SignedIn, access.ReadNote),
		Row("POST /projects/{id}/issues/{issue_iid}/notes", (*API).createIssueNote, SignedIn, access.CreateNote),
		Row("GET /projects/{id}/issues/{issue_iid}/notes/{note_id}", (*API).getIssueNote, SignedIn, access.ReadNote),
		Row("PUT /projects/{id}/issues/{issue_iid}/notes/{note_id}", (*API).updateIssueNote, SignedIn, access.AdminNote),
		Row("DELETE /projects/{id}/issues/{issue_iid}/notes/{note_id}", (*API).deleteIssueNote, SignedIn, access.AdminNote),
		Row("GET /projects/{id}/issues/{issue_iid}/discussions", (*API).listIssueDiscussions, SignedIn, access.ReadNote),
		Row("POST /projects/{id}/issues/{issue_iid}/discussions", (*API).createIssueDiscussion, SignedIn, access.CreateNote),
		Row("GET /projects/{id}/issues/{issue_iid}/discussions/{discussion_id}", (*API).getIssueDiscussion, SignedIn, access.ReadNote),
		Row("GET /projects/{id}/issues/{issue_iid}/discussions/{discussion_id}/notes", (*API).listIssueDiscussionNotes, SignedIn, access.ReadNote),
		Row("POST /projects/{id}/issues/{issue_iid}/discussions/{discussion_id}/notes", (*API).replyToIssueDiscussion, SignedIn, access.CreateNote),
		Row("GET /projects/{id}/issues/{issue_iid}/discussions/{discussion_id}/notes/{note_id}", (*API).getIssueDiscussionNote, SignedIn, access.ReadNote),
		Row("PUT /projects/{id}/issues/{issue_iid}/discussions/{discussion_id}/notes/{note_id}", (*API).updateIssueDiscussionNote, SignedIn, access.AdminNote),
		Row("DELETE /projects/{id}/issues/{issue_iid}/discussions/{discussion_id}/notes/{note_id}", (*API).deleteIssueDiscussionNote, SignedIn, access.AdminNote),
		Row("GET /projects/{id}/issues/{issue_iid}/award_emoji", (*API).listAwardEmoji, Anyone, access.ReadIssue),
		Row("POST /projects/{id}/issues/{issue_iid}/award_emoji", (*API).createAwardEmoji, SignedIn, access.AwardEmoji),
		Row("GET /projects/{id}/issues/{issue_iid}/award_emoji/{award_id}", (*API).getAwardEmoji, Anyone, access.ReadIssue),
		Row("DELETE /projects/{id}/issues/{issue_iid}/award_emoji/{award_id}", (*API).deleteAwardEmoji, SignedIn, access.AwardEmoji),
		Row("GET /projects/{id}/issues/{issue_iid}/notes/{note_id}/award_emoji", (*API).listAwardEmoji, Anyone, access.ReadIssue),
		Row("POST /projects/{id}/issues/{issue_iid}/notes/{note_id}/award_emoji", (*API).createAwardEmoji, SignedIn, access.AwardEmoji),
		Row("GET /projects/{id}/issues/{issue_iid}/notes/{note_id}/award_emoji/{award_id}", (*API).getAwardEmoji, Anyone, access.ReadIssue),
		Row("DELETE /projects/{id}/issues/{issue_iid}/notes/{note_id}/award_emoji/{award_id}", (*API).deleteAwardEmoji, SignedIn, access.AwardEmoji),
		Row("GET /projects/{id}/issues/{issue_iid}/resource_label_events", listResourceEvents(service.EventLabel), SignedIn, access.ReadIssue),
		Row("GET /projects/{id}/issues/{issue_iid}/resource_label_events/{event_id}", getResourceEvent(service.EventLabel), SignedIn, access.ReadIssue),
		Row("GET /projects/{id}/issues/{issue_iid}/resource_milestone_events", listResourceEvents(service.EventMilestone), SignedIn, access.ReadIssue),
		Row("GET /projects/{id}/issues/{issue_iid}/resource_milestone_events/{event_id}", getResourceEvent(service.EventMilestone), SignedIn, access.ReadIssue),
		Row("GET /projects/{id}/issues/{issue_iid}/resource_state_events", listResourceEvents(service.EventState), SignedIn, access.ReadIssue),
		Row("GET /projects/{id}/issues/{issue_iid}/resource_state_events/{event_id}", getResourceEvent(service.EventState), SignedIn, access.ReadIssue),

		// The same handlers on merge requests: they read the noteable from
		// the path ({merge_request_iid}); merge request discussions resolve.
		Row("GET /projects/{id}/merge_requests/{merge_request_iid}/notes", (*API).listIssueNotes, SignedIn, access.ReadNote),
		Row("POST /projects/{id}/merge_requests/{merge_request_iid}/notes", (*API).createIssueNote, SignedIn, access.CreateNote),
		Row("GET /projects/{id}/merge_requests/{merge_request_iid}/notes/{note_id}", (*API).getIssueNote, SignedIn, access.ReadNote),
		Row("PUT /projects/{id}/merge_requests/{merge_request_iid}/notes/{note_id}", (*API).updateIssueNote, SignedIn, access.AdminNote),
		Row("DELETE /projects/{id}/merge_requests/{merge_request_iid}/notes/{note_id}", (*API).deleteIssueNote, SignedIn, access.AdminNote),
		Row("GET /projects/{id}/merge_requests/{merge_request_iid}/discussions", (*API).listIssueDiscussions, SignedIn, access.ReadNote),
		Row("POST /projects/{id}/merge_requests/{merge_request_iid}/discussions", (*API).createIssueDiscussion, SignedIn, access.CreateNote),
		Row("GET /projects/{id}/merge_requests/{merge_request_iid}/discussions/{discussion_id}", (*API).getIssueDiscussion, SignedIn, access.ReadNote),
		Row("PUT /projects/{id}/merge_requests/{merge_request_iid}/discussions/{discussion_id}", (*API).resolveDiscussion, SignedIn, access.ResolveNote),
		Row("GET /projects/{id}/merge_requests/{merge_request_iid}/discussions/{discussion_id}/notes", (*API).listIssueDiscussionNotes, SignedIn, access.ReadNote),
		Row("POST /projects/{id}/merge_requests/{merge_request_iid}/discussions/{discussion_id}/notes", (*API).replyToIssueDiscussion, SignedIn, access.CreateNote),
		Row("GET /projects/{id}/merge_requests/{merge_request_iid}/discussions/{discussion_id}/notes/{note_id}", (*API).getIssueDiscussionNote, SignedIn, access.ReadNote),
		Row("PUT /projects/{id}/merge_requests/{merge_request_iid}/discussions/{discussion_id}/notes/{note_id}", (*API).updateIssueDiscussionNote, SignedIn, access.AdminNote),
		Row("DELETE /projects/{id}/merge_requests/{merge_request_iid}/discussions/{discussion_id}/notes/{note_id}", (*API).deleteIssueDiscussionNote, SignedIn, access.AdminNote),
		Row("GET /projects/{id}/merge_requests/{merge_request_iid}/award_emoji", (*API).listAwardEmoji, Anyone, access.ReadMergeRequest),
		Row("POST /projects/{id}/merge_requests/{merge_request_iid}/award_emoji", (*API).createAwardEmoji, SignedIn, access.AwardEmoji),
		Row("GET /projects/{id}/merge_requests/{merge_request_iid}/award_emoji/{award_id}", (*API).getAwardEmoji, Anyone, access.ReadMergeRequest),
		Row("DELETE /projects/{id}/merge_requests/{merge_request_iid}/award_emoji/{award_id}", (*API).deleteAwardEmoji, SignedIn, access.AwardEmoji),
		Row("GET /projects/{id}/merge_requests/{merge_request_iid}/notes/{note_id}/award_emoji", (*API).listAwardEmoji, Anyone, access.ReadMergeRequest),
		Row("POST /projects/{id}/merge_requests/{merge_request_iid}/notes/{note_id}/award_emoji", (*API).createAwardEmoji, SignedIn, access.AwardEmoji),
		Row("GET /projects/{id}/merge_requests/{merge_request_iid}/notes/{note_id}/award_emoji/{award_id}", (*API).getAwardEmoji, Anyone, access.ReadMergeRequest),
		Row("DELETE /projects/{id}/merge_requests/{merge_request_iid}/notes/{note_id}/award_emoji/{award_id}", (*API).deleteAwardEmoji, SignedIn, access.AwardEmoji),
		Row("GET /projects/{id}/merge_requests/{merge_request_iid}/resource_label_events", listResourceEvents(service.EventLabel), SignedIn, access.ReadMergeRequest),
		Row("GET /projects/{id}/merge_requests/{merge_request_iid}/resource_milestone_events", listResourceEvents(service.EventMilestone), SignedIn, access.ReadMergeRequest),
		Row("GET /projects/{id}/merge_requests/{merge_request_iid}/resource_state_events", listResourceEvents(service.EventState), SignedIn, access.ReadMergeRequest),

		// Markdown and uploads (markdown.go, uploads.go)
		Row("POST /markdown", (*API).renderMarkdown, anyoneReadAPI, access.None),
		Row("POST /projects/{id}/uploads", (*API).uploadFile, SignedIn, access.UploadFile).WithRawBody(),
		Row("GET /projects/{id}/uploads", (*API).listUploads, Anyone, access.AdminUpload),
		Row("GET /projects/{id}/uploads/{upload_id}", (*API).downloadUploadByID, Anyone, access.AdminUpload),
		// GitLab's read_upload: whoever sees the project.
		Row("GET /projects/{id}/uploads/{secret}/{filename}", (*API).downloadUpload, Anyone, access.ReadProject),
		Row("DELETE /projects/{id}/uploads/{upload_id}", (*API).deleteUploadByID, SignedIn, access.AdminUpload),
		Row("DELETE /projects/{id}/uploads/{secret}/{filename}", (*API).deleteUpload, SignedIn, access.AdminUpload),
	}
	rows = append(rows, sharingRoutes()...)
	rows = append(rows, usersExtraRoutes()...)
	rows = append(rows, badgesRoutes()...)
	rows = append(rows, avatarsRoutes()...)
	rows = append(rows, domains...)
	// GitLab's archive(.:format): one row per format it accepts.
	for _, format := range slices.Sorted(maps.Keys(repo.ArchiveFormats)) {
		rows = append(rows, Row("GET /projects/{id}/repository/archive."+format, archive(format), Anyone, access.ReadCode))
	}
	return rows
}
