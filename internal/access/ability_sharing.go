package access

// Sharing and transfer abilities.
const (
	// ChangeNamespace: transfer a project, Owner (GitLab's
	// change_namespace).
	ChangeNamespace Ability = "change_namespace"
)
