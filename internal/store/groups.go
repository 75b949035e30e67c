package store

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// memberOfNamespaceSQL matches namespaces n reached by an unexpired
// membership of user ? (on n or an ancestor) of at least level ?, or by
// one of a group n or an ancestor is shared with, at most the share's
// group_access. Arguments: memberOfNamespaceArgs.
const memberOfNamespaceSQL = `(` + namespaceMembershipSQL + `
	OR EXISTS (SELECT 1 FROM namespace_closure ac JOIN group_group_links g ON g.shared_group_id = ac.ancestor_id
	JOIN namespace_closure wc ON wc.descendant_id = g.shared_with_group_id
	JOIN members am ON am.source_type = 'Namespace' AND am.source_id = wc.ancestor_id
	WHERE ac.descendant_id = n.id AND am.user_id = ? AND am.access_level >= ? AND g.group_access >= ?
	AND (am.expires_at IS NULL OR am.expires_at >= ?)))`

// namespaceMembershipSQL is memberOfNamespaceSQL without shares.
// Arguments: user, level, today.
const namespaceMembershipSQL = `EXISTS (SELECT 1 FROM namespace_closure ac
	JOIN members am ON am.source_type = 'Namespace' AND am.source_id = ac.ancestor_id
	WHERE ac.descendant_id = n.id AND am.user_id = ? AND am.access_level >= ?
	AND (am.expires_at IS NULL OR am.expires_at >= ?))`

func memberOfNamespaceArgs(userID int64, level int, today string) []any {
	return []any{userID, level, today, userID, level, level, today}
}

// ListGroups returns a page of groups matching f and the total count.
func (q *Queries) ListGroups(ctx context.Context, f model.GroupFilter) ([]*model.Namespace, int, error) {
	var w conds
	w.add("n.kind = 'group'")
	if !f.Admin {
		w.add("n.marked_for_deletion_on IS NULL")
		minLevel := max(f.MinAccessLevel, 10)
		switch {
		case f.MemberOnly && f.UserID != 0:
			w.add(memberOfNamespaceSQL, memberOfNamespaceArgs(f.UserID, minLevel, f.Today)...)
		case f.MemberOnly:
			w.add("1 = 0")
		case f.UserID != 0:
			w.add("(n.visibility_level >= ? OR "+memberOfNamespaceSQL+")", append([]any{f.MinVisibility}, memberOfNamespaceArgs(f.UserID, 10, f.Today)...)...)
		default:
			w.add("n.visibility_level >= ?", f.MinVisibility)
		}
	} else if f.MinAccessLevel > 0 {
		// Administrators asking for their own access see their memberships.
		w.add(memberOfNamespaceSQL, memberOfNamespaceArgs(f.UserID, f.MinAccessLevel, f.Today)...)
	}
	if f.Search != "" {
		w.search(f.Search, "n.name", "n.path")
	}
	if f.TopLevelOnly {
		w.add("n.parent_id IS NULL")
	}
	customAttributeConds(&w, model.AttrSourceNamespace, "n.id", f.CustomAttributes)
	if f.ParentID != nil {
		w.add("n.parent_id = ?", *f.ParentID)
	}
	if f.AncestorID != nil {
		w.add("n.id IN (SELECT descendant_id FROM namespace_closure WHERE ancestor_id = ? AND depth > 0)", *f.AncestorID)
	}
	if f.Visibility != nil {
		w.add("n.visibility_level = ?", *f.Visibility)
	}
	if len(f.SkipIDs) > 0 {
		w.in("n.id", true, f.SkipIDs)
	}
	if f.SharedWithGroupID != 0 {
		w.add("n.id IN (SELECT g.shared_group_id FROM group_group_links g WHERE g.shared_with_group_id = ?)", f.SharedWithGroupID)
	}
	if len(f.InvitedTo) > 0 {
		args := make([]any, len(f.InvitedTo))
		for i, id := range f.InvitedTo {
			args[i] = id
		}
		w.add("n.id IN (SELECT g.shared_with_group_id FROM group_group_links g WHERE g.shared_group_id IN ("+
			placeholders(len(args))+"))", args...)
	}
	cond, args := w.where(), w.args
	var total int
	if err := q.queryRow(ctx, "SELECT count(*) FROM namespaces n"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count groups: %w", wrapErr(err))
	}
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	order := " ORDER BY lower(n.name)" + dir + ", n.id" + dir
	switch f.OrderBy {
	case "path":
		order = " ORDER BY lower(n.path)" + dir + ", n.id" + dir
	case "id":
		order = " ORDER BY n.id" + dir
	}
	rows, err := q.query(ctx, "SELECT "+namespaceColumns+" FROM namespaces n"+cond+order+" LIMIT ? OFFSET ?",
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list groups: %w", err)
	}
	out, err := collect(rows, scanNamespace)
	return out, total, err
}

// ListNamespaces returns a page of namespaces matching f and the total.
func (q *Queries) ListNamespaces(ctx context.Context, f model.NamespaceFilter) ([]*model.Namespace, int, error) {
	var w conds
	if !f.All {
		minLevel := 10
		if f.OwnedOnly {
			minLevel = 50
		}
		w.add("((n.kind = 'user' AND n.owner_id = ?) OR (n.kind = 'group' AND n.marked_for_deletion_on IS NULL AND "+
			memberOfNamespaceSQL+"))", append([]any{f.UserID}, memberOfNamespaceArgs(f.UserID, minLevel, f.Today)...)...)
	}
	if f.Search != "" {
		w.search(f.Search, "n.name", "n.path")
	}
	cond, args := w.where(), w.args
	var total int
	if err := q.queryRow(ctx, "SELECT count(*) FROM namespaces n"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count namespaces: %w", wrapErr(err))
	}
	rows, err := q.query(ctx, "SELECT "+namespaceColumns+" FROM namespaces n"+cond+" ORDER BY n.id LIMIT ? OFFSET ?",
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list namespaces: %w", err)
	}
	out, err := collect(rows, scanNamespace)
	return out, total, err
}

// MaxDescendantVisibility returns the highest visibility among the groups
// below id and among the projects in id and its descendants.
func (q *Queries) MaxDescendantVisibility(ctx context.Context, id int64) (groups, projects int, err error) {
	err = q.queryRow(ctx, `SELECT
		(SELECT coalesce(max(n.visibility_level), 0) FROM namespaces n JOIN namespace_closure c ON c.descendant_id = n.id
		  WHERE c.ancestor_id = ? AND c.depth > 0),
		(SELECT coalesce(max(p.visibility_level), 0) FROM projects p JOIN namespace_closure c ON c.descendant_id = p.namespace_id
		  WHERE c.ancestor_id = ?)`, id, id).Scan(&groups, &projects)
	if err != nil {
		return 0, 0, fmt.Errorf("store: descendant visibility: %w", wrapErr(err))
	}
	return groups, projects, nil
}

// MarkNamespaceTreeForDeletion schedules namespace id, every namespace
// below it and all their projects for deletion on date.
func (q *Queries) MarkNamespaceTreeForDeletion(ctx context.Context, id int64, date string) error {
	if _, err := q.exec(ctx, `UPDATE namespaces SET marked_for_deletion_on = ?
		WHERE id IN (SELECT descendant_id FROM namespace_closure WHERE ancestor_id = ?)`, date, id); err != nil {
		return fmt.Errorf("store: mark namespaces for deletion: %w", err)
	}
	if _, err := q.exec(ctx, `UPDATE projects SET marked_for_deletion_on = ?
		WHERE marked_for_deletion_on IS NULL
		  AND namespace_id IN (SELECT descendant_id FROM namespace_closure WHERE ancestor_id = ?)`, date, id); err != nil {
		return fmt.Errorf("store: mark projects for deletion: %w", err)
	}
	return nil
}

// GroupIDsMarkedForDeletion returns the marked groups whose parent is not
// itself marked (purging those removes every marked descendant too),
// oldest mark first. It runs twice a second, so it must read only the
// marked rows: ordering by the mark lets both engines walk
// namespaces_marked, and only groups are ever marked, so there is no kind
// condition to tempt SQLite's planner onto namespaces_kind (every group).
func (q *Queries) GroupIDsMarkedForDeletion(ctx context.Context) ([]int64, error) {
	out, err := q.int64s(ctx, `SELECT n.id FROM namespaces n LEFT JOIN namespaces p ON p.id = n.parent_id
		WHERE n.marked_for_deletion_on IS NOT NULL AND p.marked_for_deletion_on IS NULL
		ORDER BY n.marked_for_deletion_on, n.id`)
	if err != nil {
		return nil, fmt.Errorf("store: marked groups: %w", err)
	}
	return out, nil
}

// ProjectIDsInNamespaces returns the ids of the projects in the given
// namespaces.
func (q *Queries) ProjectIDsInNamespaces(ctx context.Context, nsIDs []int64) ([]int64, error) {
	if len(nsIDs) == 0 {
		return nil, nil
	}
	args := make([]any, len(nsIDs))
	for i, id := range nsIDs {
		args[i] = id
	}
	out, err := q.int64s(ctx, "SELECT id FROM projects WHERE namespace_id IN ("+placeholders(len(nsIDs))+") ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("store: projects in namespaces: %w", err)
	}
	return out, nil
}

// GroupFullPathsOf returns the full paths of the groups user belongs to,
// directly or through an ancestor group, in path order (the OIDC "groups"
// claim).
func (q *Queries) GroupFullPathsOf(ctx context.Context, userID int64, today string) ([]string, error) {
	rows, err := q.query(ctx, "SELECT n.full_path FROM namespaces n WHERE n.kind = 'group' AND n.marked_for_deletion_on IS NULL AND "+
		namespaceMembershipSQL+" ORDER BY n.full_path", userID, 10, today)
	if err != nil {
		return nil, fmt.Errorf("store: groups of user: %w", err)
	}
	return collect(rows, func(s scanner) (string, error) {
		var p string
		err := s.Scan(&p)
		return p, wrapErr(err)
	})
}
