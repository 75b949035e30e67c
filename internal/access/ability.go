package access

// Ability names a permission as GitLab's policies do (read_project,
// push_code …). Every route declares the one its operation checks; the
// service layer enforces it and the authorization matrix test derives
// each kind of caller's expected answer from it. An ability on a project
// or group answers 404 to callers who may not see the resource and 403 to
// those who see it without the ability.
type Ability string

// Abilities of the instance and of users.
const (
	// None: nothing beyond the route's authentication (version, health,
	// sign-in pages, OAuth's client-authenticated endpoints).
	None Ability = "none"
	// ReadUser: a user profile; private profiles show less to others.
	ReadUser Ability = "read_user"
	// ReadCurrentUser: the caller's own account.
	ReadCurrentUser Ability = "read_current_user"
	// ManageOwnTokens: the caller's own personal access tokens and OAuth
	// applications; administrators reach everyone's.
	ManageOwnTokens Ability = "manage_own_tokens"
	// AdminAll: instance administrators only (admin mode when it is on).
	AdminAll Ability = "admin_all_resources"
	// CreateGroup: top-level groups take can_create_group (not external
	// users); subgroups take the parent's subgroup creation level.
	CreateGroup Ability = "create_group"
	// CreateProject: in the caller's namespace (projects_limit) or in a
	// group at its project creation level; never in a bot's namespace.
	CreateProject Ability = "create_projects"
	// ReadNamespace: namespaces the caller holds a level on.
	ReadNamespace Ability = "read_namespace"
)

// Abilities on groups.
const (
	// ReadGroup: the group is visible to the caller.
	ReadGroup Ability = "read_group"
	// AdminGroup: Owner of the group.
	AdminGroup Ability = "admin_group"
	// ReadGroupMember: the group is visible.
	ReadGroupMember Ability = "read_group_member"
	// AdminGroupMember: Owner of the group.
	AdminGroupMember Ability = "admin_group_member"
	// ManageGroupAccessTokens: Owner of the group.
	ManageGroupAccessTokens Ability = "manage_group_access_tokens"
)

// Abilities on projects.
const (
	// ReadProject: the project is visible to the caller.
	ReadProject Ability = "read_project"
	// ReadProjectMember: the project is visible.
	ReadProjectMember Ability = "read_project_member"
	// ReadCode: the repository; Reporter on private projects (external
	// users also on internal ones), anyone who sees a public one.
	ReadCode Ability = "read_code"
	// PushCode: Developer, not on archived projects; protected branches
	// narrow it per branch.
	PushCode Ability = "push_code"
	// AdminTag: create and delete tags, Developer.
	AdminTag Ability = "admin_tag"
	// AdminProject: Maintainer (renaming, visibility and a few settings
	// take Owner).
	AdminProject Ability = "admin_project"
	// AdminProjectMember: Maintainer; the Owner role only by Owners.
	AdminProjectMember Ability = "admin_project_member"
	// ArchiveProject: Owner.
	ArchiveProject Ability = "archive_project"
	// RemoveProject: Owner.
	RemoveProject Ability = "remove_project"
	// ManageProjectAccessTokens: Maintainer.
	ManageProjectAccessTokens Ability = "manage_resource_access_tokens"
	// ForkProject: signed in and read_code (download_code); the fork goes
	// where the caller may create projects.
	ForkProject Ability = "fork_project"
	// LinkForkedProject: Owner of the project marked as a fork, who may
	// fork its source.
	LinkForkedProject Ability = "link_forked_project"
	// RemoveForkProject: Owner.
	RemoveForkProject Ability = "remove_fork_project"
	// AdminCICDVariables: a project's CI/CD variables take Maintainer, a
	// group's Owner.
	AdminCICDVariables Ability = "admin_cicd_variables"
)

// Release abilities on projects (a group's read_release lists its
// projects' releases).
const (
	// ReadRelease: everyone who sees the project (guest_access and
	// public_access); a release's commit, paths and sources take read_code.
	ReadRelease Ability = "read_release"
	// CreateRelease: Developer, not on archived projects.
	CreateRelease Ability = "create_release"
	// UpdateRelease: Developer, not on archived projects.
	UpdateRelease Ability = "update_release"
	// DestroyRelease: Developer, not on archived projects.
	DestroyRelease Ability = "destroy_release"
)

// Planning abilities on projects: issues, labels, milestones, notes, award
// emoji, uploads and boards. GitLab's guest_access covers members and, on
// a public project, every signed-in user (on an internal one every
// signed-in user who is not external): public_user_access.
const (
	// ReadIssue: the project is visible; confidential issues narrow it per
	// issue (Reporter, author, assignees).
	ReadIssue Ability = "read_issue"
	// CreateIssue: guest_access.
	CreateIssue Ability = "create_issue"
	// UpdateIssue: Reporter, or the issue's author or an assignee.
	UpdateIssue Ability = "update_issue"
	// AdminIssue: Reporter (labels, milestones, assignees, move, links).
	AdminIssue Ability = "admin_issue"
	// DestroyIssue: Owner.
	DestroyIssue Ability = "destroy_issue"
	// ReadLabel: the project (or group) is visible.
	ReadLabel Ability = "read_label"
	// AdminLabel: Reporter.
	AdminLabel Ability = "admin_label"
	// ReadMilestone: the project (or group) is visible.
	ReadMilestone Ability = "read_milestone"
	// AdminMilestone: Reporter.
	AdminMilestone Ability = "admin_milestone"
	// ReadNote: the noteable is readable; internal notes take Reporter.
	ReadNote Ability = "read_note"
	// CreateNote: guest_access, and the discussion not locked (unless
	// Reporter).
	CreateNote Ability = "create_note"
	// AdminNote: Maintainer (others' notes); authors edit their own.
	AdminNote Ability = "admin_note"
	// AwardEmoji: guest_access.
	AwardEmoji Ability = "award_emoji"
	// UploadFile: guest_access.
	UploadFile Ability = "upload_file"
	// AdminUpload: Maintainer; lists, downloads by id and deletes a
	// project's Markdown uploads (GitLab's admin_upload, destroy_upload).
	AdminUpload Ability = "admin_upload"
	// ReadIssueBoard: the project (or group) is visible.
	ReadIssueBoard Ability = "read_issue_board"
	// AdminIssueBoard: Reporter; creates, changes and deletes boards.
	AdminIssueBoard Ability = "admin_issue_board"
	// AdminIssueBoardList: Reporter; adds, moves and removes a board's
	// lists.
	AdminIssueBoardList Ability = "admin_issue_board_list"
)

// Merge request abilities on projects. A merge request within one project
// takes both of GitLab's create_merge_request_in (guest_access) and
// create_merge_request_from (push to the source): Developer.
const (
	// ReadMergeRequest: the project's merge requests are on and its code
	// is readable (Reporter, or public_access by its visibility).
	ReadMergeRequest Ability = "read_merge_request"
	// CreateMergeRequestIn: Developer, not on archived projects.
	CreateMergeRequestIn Ability = "create_merge_request_in"
	// UpdateMergeRequest: Developer, or the merge request's author or an
	// assignee.
	UpdateMergeRequest Ability = "update_merge_request"
	// AdminMergeRequest: Developer (labels, milestone, assignees,
	// reviewers, the discussion lock).
	AdminMergeRequest Ability = "admin_merge_request"
	// DestroyMergeRequest: Owner.
	DestroyMergeRequest Ability = "destroy_merge_request"
	// AcceptMergeRequest: merge it: Developer, narrowed by the target
	// branch's protection (who may merge into it); GitLab answers 401 to
	// a reader without it (can_be_merged_by?).
	AcceptMergeRequest Ability = "accept_merge_request"
	// ResolveNote: resolve a merge request's discussion: its first note's
	// author, the merge request's author or a Developer.
	ResolveNote Ability = "resolve_note"
	// ApproveMergeRequest: approve or unapprove it: update_merge_request
	// and project membership (GitLab Free: the author too).
	ApproveMergeRequest Ability = "approve_merge_request"
	// ApplySuggestion: apply a suggestion of a merge request's diff note:
	// push to its source branch (Developer, narrowed by the branch's
	// protection); a note the caller may not read is not found.
	ApplySuggestion Ability = "apply_suggestion"

	// ReadPipeline: see a project's pipelines, jobs, their logs and
	// artifacts: everyone who sees the project (GitLab's public_builds,
	// on by default).
	ReadPipeline Ability = "read_pipeline"
	// CreatePipeline: run a pipeline (Developer).
	CreatePipeline Ability = "create_pipeline"
	// UpdatePipeline: retry or cancel a pipeline or its jobs, play a
	// manual job (Developer).
	UpdatePipeline Ability = "update_pipeline"
	// DestroyPipeline: delete a pipeline (Owner).
	DestroyPipeline Ability = "destroy_pipeline"
	// EraseBuild: erase a job's log and artifacts (Maintainer).
	EraseBuild Ability = "erase_build"
	// DestroyArtifacts: delete a job's or a whole project's artifacts
	// (Maintainer).
	DestroyArtifacts Ability = "destroy_artifacts"
	// ManageTrigger: list, create and delete a project's pipeline trigger
	// tokens (Maintainer); a token is changed by its owner only.
	ManageTrigger Ability = "manage_trigger"
	// ReadPipelineSchedule: see a project's pipeline schedules: who reads
	// its pipelines (public_builds); their variables take
	// AdminPipelineSchedule.
	ReadPipelineSchedule Ability = "read_pipeline_schedule"
	// CreatePipelineSchedule: Developer, on a ref they may update.
	CreatePipelineSchedule Ability = "create_pipeline_schedule"
	// PlayPipelineSchedule: run a schedule now: create_pipeline on a ref
	// the caller may update.
	PlayPipelineSchedule Ability = "play_pipeline_schedule"
	// UpdatePipelineSchedule: change a schedule or its variables: its
	// owner, still a Developer (administrators too).
	UpdatePipelineSchedule Ability = "update_pipeline_schedule"
	// AdminPipelineSchedule: delete a schedule, take it over, delete its
	// variables: Maintainer, or its owner as a Developer.
	AdminPipelineSchedule Ability = "admin_pipeline_schedule"
	// ReadCommitStatus: list a commit's statuses: who reads the code.
	ReadCommitStatus Ability = "read_commit_status"
	// CreateCommitStatus: set a commit's external status (Developer).
	CreateCommitStatus Ability = "create_commit_status"

	// ReadStatistics: a project's storage statistics (Reporter).
	ReadStatistics Ability = "read_statistics"
	// ReadEnvironment: see a project's environments (Reporter).
	ReadEnvironment Ability = "read_environment"
	// ReadDeployment: see a project's deployments (Reporter).
	ReadDeployment Ability = "read_deployment"
	// CreateEnvironment, UpdateEnvironment: add or change an environment
	// (Developer).
	CreateEnvironment Ability = "create_environment"
	UpdateEnvironment Ability = "update_environment"
	// DestroyEnvironment: delete an environment (Developer), once it is
	// stopped.
	DestroyEnvironment Ability = "destroy_environment"
	// StopEnvironment: stop environments (Developer).
	StopEnvironment Ability = "stop_environment"
	// CreateDeployment, UpdateDeployment: record a deployment or change
	// its status through the API (Developer).
	CreateDeployment Ability = "create_deployment"
	UpdateDeployment Ability = "update_deployment"
	// DestroyDeployment: delete a finished deployment (Maintainer).
	DestroyDeployment Ability = "destroy_deployment"
)
