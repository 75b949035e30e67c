package service

import (
	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
)

// snippetsFeature is read access to a visible project's snippets feature
// (enabled: whoever sees the project; disabled: nobody but
// administrators).
func snippetsFeature(id *auth.Identity, p *model.Project, level access.Level) bool {
	return p.SnippetsEnabled || id.IsAdmin()
}

// canReadSnippet is read_snippet. PersonalSnippetPolicy: public ones to
// everyone, internal ones to signed-in users who are not external,
// private ones to their author; administrators read all.
// ProjectSnippetPolicy takes the stricter of the project's rules (the
// caller sees the project and its snippets feature, checked by the
// caller) and the snippet's visibility, where private ones are the
// project members' and the author's.
func canReadSnippet(id *auth.Identity, v *SnippetView) bool {
	sn := v.Snippet
	if id.IsAdmin() {
		return true
	}
	if v.Project != nil && !snippetsFeature(id, v.Project, v.Level) {
		return false
	}
	if id.Authenticated() && sn.AuthorID != nil && *sn.AuthorID == id.User.ID {
		return true
	}
	switch {
	case sn.VisibilityLevel >= access.Public:
		return true
	case sn.VisibilityLevel >= access.Internal:
		return id.Authenticated() && !id.User.External || v.Project != nil && v.Level >= access.Guest
	}
	return v.Project != nil && v.Level >= access.Guest
}

// canAdminSnippet is update_snippet and admin_snippet: a personal
// snippet's author; on a project, its author while still allowed to
// create snippets there (Reporter), or a Maintainer; administrators
// always. Archived projects take no changes.
func canAdminSnippet(id *auth.Identity, v *SnippetView) bool {
	if !id.Authenticated() {
		return false
	}
	if id.IsAdmin() {
		return v.Project == nil || !v.Project.Archived
	}
	author := v.Snippet.AuthorID != nil && *v.Snippet.AuthorID == id.User.ID
	if v.Project == nil {
		return author
	}
	if v.Project.Archived {
		return false
	}
	return v.Level >= access.Maintainer || author && v.Level >= access.Reporter
}

// canCreateProjectSnippet is a project's create_snippet: Reporter, on a
// project that is not archived, with its snippets feature on.
func canCreateProjectSnippet(id *auth.Identity, p *model.Project, level access.Level) bool {
	return id.Authenticated() && level >= access.Reporter && !p.Archived && snippetsFeature(id, p, level)
}

// canCreatePersonalSnippet is the global create_snippet: signed-in users
// who are not external.
func canCreatePersonalSnippet(id *auth.Identity) bool {
	return id.Authenticated() && (!id.User.External || id.IsAdmin())
}
