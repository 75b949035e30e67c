package store

// The SQL of "who may see what" for lists that span projects (events,
// search): conditions on a projects row aliased p, added to a conds so
// their arguments stay in step. Point reads decide through the service
// layer instead (VisibleProject and friends, over the cached lookups).

// projectMemberSQL holds when a user holds at least a level on project p,
// directly, through a group above it, or through a group p or a group
// above it is shared with (at most the share's group_access). Arguments:
// projectMemberArgs.
const projectMemberSQL = `(EXISTS (SELECT 1 FROM members m WHERE m.source_type = 'Project'
		AND m.source_id = p.id AND m.user_id = ? AND m.access_level >= ?
		AND (m.expires_at IS NULL OR m.expires_at >= ?))
	OR EXISTS (SELECT 1 FROM namespace_closure c JOIN members m ON m.source_type = 'Namespace'
		AND m.source_id = c.ancestor_id WHERE c.descendant_id = p.namespace_id
		AND m.user_id = ? AND m.access_level >= ? AND (m.expires_at IS NULL OR m.expires_at >= ?))
	OR EXISTS (SELECT 1 FROM project_group_links l JOIN namespace_closure c ON c.descendant_id = l.group_id
		JOIN members m ON m.source_type = 'Namespace' AND m.source_id = c.ancestor_id
		WHERE l.project_id = p.id AND l.group_access >= ? AND m.user_id = ? AND m.access_level >= ?
		AND (m.expires_at IS NULL OR m.expires_at >= ?))
	OR EXISTS (SELECT 1 FROM namespace_closure c JOIN group_group_links g ON g.shared_group_id = c.ancestor_id
		JOIN namespace_closure wc ON wc.descendant_id = g.shared_with_group_id
		JOIN members m ON m.source_type = 'Namespace' AND m.source_id = wc.ancestor_id
		WHERE c.descendant_id = p.namespace_id AND g.group_access >= ? AND m.user_id = ? AND m.access_level >= ?
		AND (m.expires_at IS NULL OR m.expires_at >= ?)))`

// projectMemberArgs are projectMemberSQL's arguments.
func projectMemberArgs(userID int64, level int, today string) []any {
	return []any{userID, level, today, userID, level, today, level, userID, level, today, level, userID, level, today}
}

// projectMember adds "user holds at least level on p".
func (c *conds) projectMember(userID int64, level int, today string) {
	c.add(projectMemberSQL, projectMemberArgs(userID, level, today)...)
}

// viewerScope is who is looking, for the conditions below.
type viewerScope struct {
	ID            int64 // 0 for anonymous callers
	Admin         bool
	MinVisibility int // lowest visibility seen without membership
	Today         string
}

// projectVisible adds "the viewer may see p": administrators see every
// project; others those open enough for them or where they are members,
// and none scheduled for deletion.
func (c *conds) projectVisible(v viewerScope) {
	c.visibleTo(v, "p", projectMemberSQL, projectMemberArgs(v.ID, 10, v.Today))
}

// visibleTo adds "the viewer may see row alias" for a projects or
// namespaces row: administrators every one; others none scheduled for
// deletion, and of the rest those open enough for them or, when signed
// in, those where member (with memberArgs) holds.
func (c *conds) visibleTo(v viewerScope, alias, member string, memberArgs []any) {
	if v.Admin {
		return
	}
	c.add(alias + ".marked_for_deletion_on IS NULL")
	if v.ID == 0 {
		c.add(alias+".visibility_level >= ?", v.MinVisibility)
		return
	}
	c.add("("+alias+".visibility_level >= ? OR "+member+")", append([]any{v.MinVisibility}, memberArgs...)...)
}

// issueReadable adds "the viewer may read issue issues of project p" for
// a viewer who sees p: the issues feature is on, and a confidential issue
// takes Reporter, being its author or an assignee (administrators read
// all).
func (c *conds) issueReadable(v viewerScope) {
	if v.Admin {
		return
	}
	c.add("p.issues_enabled = ?", true)
	if v.ID == 0 {
		c.add("issues.confidential = ?", false)
		return
	}
	c.add(`(issues.confidential = ? OR issues.author_id = ?
		OR EXISTS (SELECT 1 FROM issue_assignees ia WHERE ia.issue_id = issues.id AND ia.user_id = ?)
		OR `+projectMemberSQL+")", append([]any{false, v.ID, v.ID}, projectMemberArgs(v.ID, 20, v.Today)...)...)
}

// projectInNamespaceSQL holds when a user holds an unexpired membership
// of a project in namespace n or below it (GitLab's has_projects: such a
// user may read the group). Arguments: user, today.
const projectInNamespaceSQL = `EXISTS (SELECT 1 FROM members pm JOIN projects pp ON pp.id = pm.source_id
		JOIN namespace_closure pc ON pc.descendant_id = pp.namespace_id AND pc.ancestor_id = n.id
		WHERE pm.user_id = ? AND pm.source_type = 'Project' AND (pm.expires_at IS NULL OR pm.expires_at >= ?))`

// groupVisible adds "the viewer may read group n" (GitLab's read_group):
// administrators read every group; others those open enough for them,
// those they are members of (or that are shared with one of their
// groups), and those holding a project they are a member of; none
// scheduled for deletion. As service.VisibleGroup, for lists.
func (c *conds) groupVisible(v viewerScope) {
	c.visibleTo(v, "n", memberOfNamespaceSQL+" OR "+projectInNamespaceSQL,
		append(memberOfNamespaceArgs(v.ID, 10, v.Today), v.ID, v.Today))
}
