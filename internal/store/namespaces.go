package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

const namespaceColumns = `n.id, n.kind, n.name, n.path, n.full_path, n.full_name, n.parent_id, n.owner_id,
	n.depth, n.visibility_level, n.description, n.lfs_enabled, n.request_access_enabled,
	n.project_creation_level, n.subgroup_creation_level, n.marked_for_deletion_on, n.created_at, n.updated_at, n.avatar`

func scanNamespace(s scanner) (*model.Namespace, error) {
	var n model.Namespace
	var parent, owner sql.NullInt64
	var marked sql.NullString
	var created, updated int64
	if err := s.Scan(&n.ID, &n.Kind, &n.Name, &n.Path, &n.FullPath, &n.FullName, &parent, &owner,
		&n.Depth, &n.VisibilityLevel, &n.Description, &n.LFSEnabled, &n.RequestAccessEnabled,
		&n.ProjectCreationLevel, &n.SubgroupCreationLevel, &marked, &created, &updated, &n.Avatar); err != nil {
		return nil, wrapErr(err)
	}
	if parent.Valid {
		v := parent.Int64
		n.ParentID = &v
	}
	if owner.Valid {
		v := owner.Int64
		n.OwnerID = &v
	}
	n.MarkedForDeletionOn = fromNullStr(marked)
	n.CreatedAt, n.UpdatedAt = fromMS(created), fromMS(updated)
	return &n, nil
}

// NamespaceByID returns a namespace by id.
// Outside transactions it answers from the read caches while the access
// version stands.
func (q *Queries) NamespaceByID(ctx context.Context, id int64) (*model.Namespace, error) {
	c := q.caches()
	s, cached := q.stamp(TopicAccess)
	if cached {
		if ns, ok := c.namespaces.GetAt(id, s); ok {
			return ns.Clone(), nil
		}
	}
	ns, err := scanNamespace(q.queryRow(ctx, "SELECT "+namespaceColumns+" FROM namespaces n WHERE n.id = ?", id))
	if err == nil && cached {
		c.putNamespace(ns, s)
	}
	return ns, err
}

// NamespaceByFullPath returns a namespace by its full path, case-insensitively.
func (q *Queries) NamespaceByFullPath(ctx context.Context, fullPath string) (*model.Namespace, error) {
	c := q.caches()
	s, cached := q.stamp(TopicAccess)
	if cached {
		if id, ok := c.nsPaths.GetAt(asciiLower(fullPath), s); ok {
			if ns, ok := c.namespaces.GetAt(id, s); ok {
				return ns.Clone(), nil
			}
		}
	}
	ns, err := scanNamespace(q.queryRow(ctx, "SELECT "+namespaceColumns+" FROM namespaces n WHERE lower(n.full_path) = lower(?)", fullPath))
	if err == nil && cached {
		c.putNamespace(ns, s)
	}
	return ns, err
}

// NamespaceNameTaken reports whether a namespace directly below parentID
// (at the top level when nil) is named name, case-insensitively.
func (q *Queries) NamespaceNameTaken(ctx context.Context, parentID *int64, name string) (bool, error) {
	query, args := "SELECT 1 FROM namespaces WHERE parent_id IS NULL AND lower(name) = lower(?) LIMIT 1", []any{name}
	if parentID != nil {
		query, args = "SELECT 1 FROM namespaces WHERE parent_id = ? AND lower(name) = lower(?) LIMIT 1", []any{*parentID, name}
	}
	var one int
	err := wrapErr(q.queryRow(ctx, query, args...).Scan(&one))
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: namespace name taken: %w", err)
	}
	return true, nil
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// NamespacesByIDs returns namespaces keyed by id, in one query.
func (q *Queries) NamespacesByIDs(ctx context.Context, ids []int64) (map[int64]*model.Namespace, error) {
	out := make(map[int64]*model.Namespace, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := q.query(ctx, "SELECT "+namespaceColumns+" FROM namespaces n WHERE n.id IN ("+placeholders(len(ids))+")", args...)
	if err != nil {
		return nil, fmt.Errorf("store: namespaces by ids: %w", err)
	}
	list, err := collect(rows, scanNamespace)
	for _, v := range list {
		out[v.ID] = v
	}
	return out, err
}

// CreateNamespace inserts n below its parent (if any), deriving FullPath,
// FullName and Depth, and records its ancestry.
func (q *Queries) CreateNamespace(ctx context.Context, n *model.Namespace) error {
	now := q.Now()
	n.CreatedAt, n.UpdatedAt = now, now
	n.FullPath, n.FullName, n.Depth = n.Path, n.Name, 0
	if n.ParentID != nil {
		parent, err := q.NamespaceByID(ctx, *n.ParentID)
		if err != nil {
			return fmt.Errorf("store: parent namespace: %w", err)
		}
		n.FullPath = parent.FullPath + "/" + n.Path
		n.FullName = parent.FullName + " / " + n.Name
		n.Depth = parent.Depth + 1
	}
	if n.ProjectCreationLevel == "" {
		n.ProjectCreationLevel = "developer"
	}
	if n.SubgroupCreationLevel == "" {
		n.SubgroupCreationLevel = "maintainer"
	}
	id, err := q.insert(ctx, `INSERT INTO namespaces (kind, name, path, full_path, full_name, parent_id, owner_id,
		depth, visibility_level, description, lfs_enabled, request_access_enabled, project_creation_level,
		subgroup_creation_level, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		n.Kind, n.Name, n.Path, n.FullPath, n.FullName, n.ParentID, n.OwnerID, n.Depth, n.VisibilityLevel,
		n.Description, n.LFSEnabled, n.RequestAccessEnabled, n.ProjectCreationLevel, n.SubgroupCreationLevel,
		ms(now), ms(now))
	if err != nil {
		return fmt.Errorf("store: create namespace: %w", err)
	}
	n.ID = id
	if _, err := q.exec(ctx, "INSERT INTO namespace_closure (ancestor_id, descendant_id, depth) VALUES (?, ?, 0)", id, id); err != nil {
		return fmt.Errorf("store: create namespace closure: %w", err)
	}
	// The new namespace takes its path over from a moved one.
	if err := q.takeOverRedirects(ctx, n.FullPath); err != nil {
		return err
	}
	if n.ParentID != nil {
		if _, err := q.exec(ctx, `INSERT INTO namespace_closure (ancestor_id, descendant_id, depth)
			SELECT c.ancestor_id, ?, c.depth + 1 FROM namespace_closure c WHERE c.descendant_id = ?`, id, *n.ParentID); err != nil {
			return fmt.Errorf("store: create namespace closure: %w", err)
		}
	}
	return nil
}

// UpdateNamespace writes the mutable fields of n. When its name or path
// changed, the full paths and names of all descendants follow, and a new
// full path keeps the old ones of the subtree as redirect routes.
func (q *Queries) UpdateNamespace(ctx context.Context, n *model.Namespace) error {
	old, err := q.NamespaceByID(ctx, n.ID)
	if err != nil {
		return err
	}
	n.FullPath, n.FullName = n.Path, n.Name
	if n.ParentID != nil {
		parent, err := q.NamespaceByID(ctx, *n.ParentID)
		if err != nil {
			return err
		}
		n.FullPath = parent.FullPath + "/" + n.Path
		n.FullName = parent.FullName + " / " + n.Name
	}
	n.UpdatedAt = q.Now()
	if _, err := q.exec(ctx, `UPDATE namespaces SET name = ?, path = ?, full_path = ?, full_name = ?,
		visibility_level = ?, description = ?, lfs_enabled = ?, request_access_enabled = ?,
		project_creation_level = ?, subgroup_creation_level = ?, marked_for_deletion_on = ?, updated_at = ?
		WHERE id = ?`, n.Name, n.Path, n.FullPath, n.FullName, n.VisibilityLevel, n.Description, n.LFSEnabled,
		n.RequestAccessEnabled, n.ProjectCreationLevel, n.SubgroupCreationLevel, nullStr(n.MarkedForDeletionOn),
		ms(n.UpdatedAt), n.ID); err != nil {
		return fmt.Errorf("store: update namespace: %w", err)
	}
	if old.FullPath == n.FullPath && old.FullName == n.FullName {
		return nil
	}
	// Rewrite descendants' prefixes; the closure table names them all.
	rows, err := q.query(ctx, "SELECT "+namespaceColumns+` FROM namespaces n JOIN namespace_closure c
		ON c.descendant_id = n.id WHERE c.ancestor_id = ? AND c.depth > 0`, n.ID)
	if err != nil {
		return fmt.Errorf("store: update namespace descendants: %w", err)
	}
	var descendants []*model.Namespace
	for rows.Next() {
		d, err := scanNamespace(rows)
		if err != nil {
			rows.Close()
			return err
		}
		descendants = append(descendants, d)
	}
	rows.Close()
	for _, d := range descendants {
		fp := n.FullPath + d.FullPath[len(old.FullPath):]
		fn := n.FullName + d.FullName[len(old.FullName):]
		if _, err := q.exec(ctx, "UPDATE namespaces SET full_path = ?, full_name = ? WHERE id = ?", fp, fn, d.ID); err != nil {
			return fmt.Errorf("store: update namespace descendants: %w", err)
		}
	}
	if old.FullPath == n.FullPath {
		return nil
	}
	return q.redirectSubtree(ctx, n.ID, old.FullPath, n.FullPath)
}

// DeleteNamespace removes a namespace row with its memberships and
// ancestry. Callers remove descendants and projects first.
func (q *Queries) DeleteNamespace(ctx context.Context, id int64) error {
	for _, stmt := range []string{
		"DELETE FROM members WHERE source_type = 'Namespace' AND source_id = ?",
		"DELETE FROM custom_attributes WHERE source_type = 'Namespace' AND source_id = ?",
		"DELETE FROM notification_settings WHERE source_type = 'Namespace' AND source_id = ?",
		"DELETE FROM namespace_closure WHERE descendant_id = ?",
		"DELETE FROM namespaces WHERE id = ?",
	} {
		if _, err := q.exec(ctx, stmt, id); err != nil {
			return fmt.Errorf("store: delete namespace: %w", err)
		}
	}
	return nil
}

// AncestorIDs returns the ids of n's ancestors, nearest first, excluding n.
func (q *Queries) AncestorIDs(ctx context.Context, id int64) ([]int64, error) {
	out, err := q.int64s(ctx, "SELECT ancestor_id FROM namespace_closure WHERE descendant_id = ? AND depth > 0 ORDER BY depth", id)
	if err != nil {
		return nil, fmt.Errorf("store: ancestors: %w", err)
	}
	return out, nil
}

// DescendantIDs returns the ids of all namespaces below id, deepest first,
// excluding id itself.
func (q *Queries) DescendantIDs(ctx context.Context, id int64) ([]int64, error) {
	out, err := q.int64s(ctx, "SELECT descendant_id FROM namespace_closure WHERE ancestor_id = ? AND depth > 0 ORDER BY depth DESC, descendant_id", id)
	if err != nil {
		return nil, fmt.Errorf("store: descendants: %w", err)
	}
	return out, nil
}
