package access

// Deploy token abilities (GitLab's read_deploy_token, create_deploy_token
// and destroy_deploy_token): a project's take Maintainer; a group's take
// Maintainer to read and Owner to create or delete.
const (
	ReadDeployToken    Ability = "read_deploy_token"
	CreateDeployToken  Ability = "create_deploy_token"
	DestroyDeployToken Ability = "destroy_deploy_token"
)
