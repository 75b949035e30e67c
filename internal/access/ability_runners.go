package access

// Abilities of CI runners (GitLab's Ci::RunnerPolicy and the project and
// group runner abilities). A runner the caller may not use is 403 "No
// access granted", not 404: GitLab finds runners before asking.
const (
	// ReadRunner: a runner's details; lists of one's own runners.
	// Instance runners: every signed-in user; group runners: the group's
	// Maintainers; project runners: Maintainers of any of its projects.
	ReadRunner Ability = "read_runner"
	// UpdateRunner: change a runner or reset its token: admins, the
	// group's Owners, Maintainers of the owner project.
	UpdateRunner Ability = "update_runner"
	// DeleteRunner: as UpdateRunner, and never a runner of several
	// projects but by admins.
	DeleteRunner Ability = "delete_runner"
	// CreateRunner: create a runner in a project (Maintainer), a group
	// (Owner) or the instance (admin), or assign one to a project.
	CreateRunner Ability = "create_runner"
	// ReadProjectRunners: list a project's runners (Maintainer).
	ReadProjectRunners Ability = "read_project_runners"
	// AdminProjectRunners: unassign a runner from a project (Maintainer).
	AdminProjectRunners Ability = "admin_project_runners"
	// ReadGroupRunners: list a group's runners (Maintainer).
	ReadGroupRunners Ability = "read_group_runners"
	// UpdateRunnersRegistrationToken: reset a legacy registration token:
	// the instance's (admin), a group's (Owner), a project's (Maintainer).
	UpdateRunnersRegistrationToken Ability = "update_runners_registration_token"
)
