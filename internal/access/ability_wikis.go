package access

// Wiki abilities (GitLab's read_wiki, create_wiki and admin_wiki): read
// for whoever sees the project or group, create (and edit) for
// Developers, admin (deleting pages) for Maintainers; a project's
// disabled wiki grants none.
const (
	ReadWiki   Ability = "read_wiki"
	CreateWiki Ability = "create_wiki"
	AdminWiki  Ability = "admin_wiki"
)
