package store

import (
	"context"
	"fmt"
)

// MoveNamespace puts group id below newParent (nil: the top level) with
// visibility, every namespace and project below it moving along (run it in
// a transaction): its ancestry in the closure table, parent, depth, the
// full paths and names of the whole subtree, and visibility capped for
// the subtree's groups and projects. Every namespace and project of the
// subtree keeps its old full path as a redirect route. Repositories stay where they are: they
// are stored under the project id, not the path. A clash with another
// namespace's full path is ErrConflict.
func (q *Queries) MoveNamespace(ctx context.Context, id int64, newParent *int64, visibility int) error {
	// Unlink the subtree from its old ancestors, then link it below the new.
	if _, err := q.exec(ctx, `DELETE FROM namespace_closure
		WHERE descendant_id IN (SELECT descendant_id FROM namespace_closure WHERE ancestor_id = ?)
		  AND ancestor_id NOT IN (SELECT descendant_id FROM namespace_closure WHERE ancestor_id = ?)`, id, id); err != nil {
		return fmt.Errorf("store: move namespace: %w", err)
	}
	if newParent != nil {
		if _, err := q.exec(ctx, `INSERT INTO namespace_closure (ancestor_id, descendant_id, depth)
			SELECT a.ancestor_id, d.descendant_id, a.depth + d.depth + 1
			FROM namespace_closure a CROSS JOIN namespace_closure d
			WHERE a.descendant_id = ? AND d.ancestor_id = ?`, *newParent, id); err != nil {
			return fmt.Errorf("store: move namespace: %w", err)
		}
	}
	if _, err := q.exec(ctx, "UPDATE namespaces SET parent_id = ?, visibility_level = ? WHERE id = ?", newParent, visibility, id); err != nil {
		return fmt.Errorf("store: move namespace: %w", wrapErr(err))
	}
	subtree := "SELECT descendant_id FROM namespace_closure WHERE ancestor_id = ?"
	for _, st := range []struct {
		query string
		args  []any
	}{
		{`UPDATE namespaces SET depth = (SELECT count(*) - 1 FROM namespace_closure c WHERE c.descendant_id = namespaces.id)
		 WHERE id IN (` + subtree + `)`, []any{id}},
		{"UPDATE namespaces SET visibility_level = ? WHERE visibility_level > ? AND id IN (" + subtree + ")",
			[]any{visibility, visibility, id}},
		{"UPDATE projects SET visibility_level = ? WHERE visibility_level > ? AND namespace_id IN (" + subtree + ")",
			[]any{visibility, visibility, id}},
	} {
		if _, err := q.exec(ctx, st.query, st.args...); err != nil {
			return fmt.Errorf("store: move namespace: %w", err)
		}
	}
	// UpdateNamespace derives the full path and name from the new parent,
	// rewrites the descendants' prefixes and keeps the old paths as
	// redirect routes.
	n, err := q.NamespaceByID(ctx, id)
	if err != nil {
		return err
	}
	return q.UpdateNamespace(ctx, n)
}

// NamespacePathTakenBelow reports whether a namespace or a project directly
// below parent (the top level when nil) has path, case-insensitively.
func (q *Queries) NamespacePathTakenBelow(ctx context.Context, parent *int64, path string) (bool, error) {
	query, args := `SELECT count(*) FROM namespaces WHERE parent_id IS NULL AND lower(path) = lower(?)`, []any{path}
	if parent != nil {
		query = `SELECT (SELECT count(*) FROM namespaces WHERE parent_id = ? AND lower(path) = lower(?))
			+ (SELECT count(*) FROM projects WHERE namespace_id = ? AND lower(path) = lower(?))`
		args = []any{*parent, path, *parent, path}
	}
	var n int
	if err := q.queryRow(ctx, query, args...).Scan(&n); err != nil {
		return false, fmt.Errorf("store: namespace path taken: %w", wrapErr(err))
	}
	return n > 0, nil
}
