package access

// Snippet abilities (GitLab's PersonalSnippetPolicy and
// ProjectSnippetPolicy). read_snippet: a project's snippets to whoever
// sees the project and its snippets feature, each narrowed by its own
// visibility (private ones to members and the author); personal ones by
// visibility alone. create_snippet: a project's Reporter; personal ones
// any signed-in user who is not external. admin_snippet (update and
// delete): the author, a project's Maintainer, administrators.
const (
	ReadSnippet   Ability = "read_snippet"
	CreateSnippet Ability = "create_snippet"
	AdminSnippet  Ability = "admin_snippet"
)
