package store

import (
	"context"
	"errors"
	"fmt"
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
	return q.redirectProject(ctx, projectID, oldFullPath, newFullPath)
}

// redirectProject keeps a moved project's old full path as a redirect
// route to it. The new path is the project's own now; the old one points
// at it, replacing whatever it pointed at before (GitLab's RedirectRoute).
func (q *Queries) redirectProject(ctx context.Context, projectID int64, oldFullPath, newFullPath string) error {
	if _, err := q.exec(ctx, "DELETE FROM redirect_routes WHERE lower(path) IN (lower(?), lower(?))",
		newFullPath, oldFullPath); err != nil {
		return fmt.Errorf("store: redirect route: %w", err)
	}
	if _, err := q.exec(ctx, "INSERT INTO redirect_routes (project_id, path, created_at) VALUES (?, ?, ?)",
		projectID, oldFullPath, ms(q.Now())); err != nil {
		return fmt.Errorf("store: redirect route: %w", err)
	}
	return nil
}

// RedirectedProjectID returns the project an old full path now redirects
// to; ErrNotFound when none.
func (q *Queries) RedirectedProjectID(ctx context.Context, fullPath string) (int64, error) {
	var id int64
	err := q.queryRow(ctx, "SELECT project_id FROM redirect_routes WHERE lower(path) = lower(?)", fullPath).Scan(&id)
	if err != nil {
		err = wrapErr(err)
		if errors.Is(err, ErrNotFound) {
			return 0, err
		}
		return 0, fmt.Errorf("store: redirect route: %w", err)
	}
	return id, nil
}
