package store

import (
	"context"
	"fmt"
)

// ProjectLanguages returns the languages kept for a project at a commit
// (ErrNotFound when none are).
func (q *Queries) ProjectLanguages(ctx context.Context, projectID int64, commit string) (string, error) {
	var s string
	err := q.queryRow(ctx, "SELECT languages FROM project_languages WHERE project_id = ? AND commit_sha = ?",
		projectID, commit).Scan(&s)
	return s, wrapErr(err)
}

// SaveProjectLanguages keeps a project's languages at commit, replacing
// those kept for its other commits.
func (q *Queries) SaveProjectLanguages(ctx context.Context, projectID int64, commit, languages string) error {
	if _, err := q.exec(ctx, "DELETE FROM project_languages WHERE project_id = ? AND commit_sha <> ?", projectID, commit); err != nil {
		return fmt.Errorf("store: save languages: %w", err)
	}
	if _, err := q.exec(ctx, `INSERT INTO project_languages (project_id, commit_sha, languages) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, projectID, commit, languages); err != nil {
		return fmt.Errorf("store: save languages: %w", err)
	}
	return nil
}
