package access

// Package registry abilities (GitLab's read_package, create_package and
// destroy_package): read for Reporters, and for whoever reads a public
// project's code (or an internal one's, not external users); create for
// Developers, destroy for Maintainers. On a group, read_package lists the
// packages of its projects the caller reads packages in.
const (
	ReadPackage    Ability = "read_package"
	CreatePackage  Ability = "create_package"
	DestroyPackage Ability = "destroy_package"
)
