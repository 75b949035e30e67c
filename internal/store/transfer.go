package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MoveProject moves a project to namespace toNS (run it in a transaction)
// with visibility: the row, both namespaces' project counts, and
// oldFullPath kept as a
// redirect route to it. A project of the same path in toNS is ErrConflict.
// The repository stays where it is: its directory is named by the project
// id (the hashed layout), not by its path.
func (q *Queries) MoveProject(ctx context.Context, projectID, fromNS, toNS int64, visibility int, oldFullPath, newFullPath string) error {
	if _, err := q.exec(ctx, "UPDATE projects SET namespace_id = ?, visibility_level = ?, updated_at = ? WHERE id = ?",
		toNS, visibility, ms(q.Now()), projectID); err != nil {
		return fmt.Errorf("store: move project: %w", wrapErr(err))
	}
	if _, err := q.exec(ctx, "UPDATE namespace_project_counts SET projects = projects - 1 WHERE namespace_id = ?", fromNS); err != nil {
		return fmt.Errorf("store: move project: %w", err)
	}
	if _, err := q.exec(ctx, `INSERT INTO namespace_project_counts (namespace_id, projects) VALUES (?, 1)
		ON CONFLICT (namespace_id) DO UPDATE SET projects = namespace_project_counts.projects + 1`, toNS); err != nil {
		return fmt.Errorf("store: move project: %w", err)
	}
	return q.RedirectProject(ctx, projectID, oldFullPath, newFullPath)
}

// RedirectProject keeps a moved or renamed project's old full path as a redirect
// route to it. The new path is the project's own now; the old one points
// at it, replacing whatever it pointed at before (GitLab's RedirectRoute).
func (q *Queries) RedirectProject(ctx context.Context, projectID int64, oldFullPath, newFullPath string) error {
	if err := q.takeOverRedirects(ctx, newFullPath); err != nil {
		return err
	}
	return q.redirect(ctx, "project_id", projectID, oldFullPath)
}

// redirect points oldFullPath at a project or namespace (column names
// which), replacing whatever it pointed at before.
func (q *Queries) redirect(ctx context.Context, column string, id int64, oldFullPath string) error {
	if _, err := q.exec(ctx, "DELETE FROM redirect_routes WHERE lower(path) = lower(?)", oldFullPath); err != nil {
		return fmt.Errorf("store: redirect route: %w", err)
	}
	if _, err := q.exec(ctx, "INSERT INTO redirect_routes ("+column+", path, created_at) VALUES (?, ?, ?)",
		id, oldFullPath, ms(q.Now())); err != nil {
		return fmt.Errorf("store: redirect route: %w", err)
	}
	return nil
}

// takeOverRedirects removes the redirects of fullPath and of every path
// below it: a project or namespace holds that path now (GitLab's
// Route#delete_conflicting_redirects, matching_path_and_descendants).
func (q *Queries) takeOverRedirects(ctx context.Context, fullPath string) error {
	prefix := fullPath + "/"
	if _, err := q.exec(ctx, `DELETE FROM redirect_routes
		WHERE lower(path) = lower(?) OR lower(substr(path, 1, ?)) = lower(?)`,
		fullPath, utf8.RuneCountInString(prefix), prefix); err != nil {
		return fmt.Errorf("store: take over redirect routes: %w", err)
	}
	return nil
}

// RedirectedProjectID returns the project an old full path now redirects
// to; ErrNotFound when none.
func (q *Queries) RedirectedProjectID(ctx context.Context, fullPath string) (int64, error) {
	return q.redirectedID(ctx, "project_id", fullPath)
}

// RedirectedNamespaceID returns the namespace (group or user) an old full
// path now redirects to; ErrNotFound when none.
func (q *Queries) RedirectedNamespaceID(ctx context.Context, fullPath string) (int64, error) {
	return q.redirectedID(ctx, "namespace_id", fullPath)
}

func (q *Queries) redirectedID(ctx context.Context, column, fullPath string) (int64, error) {
	var id int64
	err := q.queryRow(ctx, "SELECT "+column+" FROM redirect_routes WHERE lower(path) = lower(?) AND "+column+" IS NOT NULL",
		fullPath).Scan(&id)
	if err != nil {
		err = wrapErr(err)
		if errors.Is(err, ErrNotFound) {
			return 0, err
		}
		return 0, fmt.Errorf("store: redirect route: %w", err)
	}
	return id, nil
}

// redirectSubtree keeps the old full paths of namespace id, the namespaces
// and the projects below it as redirect routes after its full path changed
// from oldPrefix to newPrefix (GitLab's Route#rename_descendants), and
// drops the redirects the new paths take over.
func (q *Queries) redirectSubtree(ctx context.Context, id int64, oldPrefix, newPrefix string) error {
	if err := q.takeOverRedirects(ctx, newPrefix); err != nil {
		return err
	}
	rows, err := q.query(ctx, `SELECT 'namespace_id', n.id, n.full_path FROM namespaces n
		JOIN namespace_closure c ON c.descendant_id = n.id WHERE c.ancestor_id = ?
		UNION ALL
		SELECT 'project_id', p.id, n.full_path || '/' || p.path FROM projects p
		JOIN namespaces n ON n.id = p.namespace_id
		JOIN namespace_closure c ON c.descendant_id = p.namespace_id WHERE c.ancestor_id = ?`, id, id)
	if err != nil {
		return fmt.Errorf("store: redirect subtree: %w", err)
	}
	type moved struct {
		column string
		id     int64
		path   string
	}
	var all []moved
	for rows.Next() {
		var m moved
		if err := rows.Scan(&m.column, &m.id, &m.path); err != nil {
			rows.Close()
			return fmt.Errorf("store: redirect subtree: %w", err)
		}
		all = append(all, m)
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("store: redirect subtree: %w", err)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: redirect subtree: %w", err)
	}
	for _, m := range all {
		if !strings.HasPrefix(m.path, newPrefix) {
			continue
		}
		if err := q.redirect(ctx, m.column, m.id, oldPrefix+m.path[len(newPrefix):]); err != nil {
			return err
		}
	}
	return nil
}
