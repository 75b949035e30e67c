package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// Time tracking columns (time_estimate, total_time_spent) are the same on
// issues and merge requests; one statement per table keeps them static.
var (
	lockTimeQueries = map[string]string{
		model.NoteableIssue:        "SELECT time_estimate, total_time_spent FROM issues WHERE id = ?",
		model.NoteableMergeRequest: "SELECT time_estimate, total_time_spent FROM merge_requests WHERE id = ?",
	}
	setTimeQueries = map[string]string{
		model.NoteableIssue: `UPDATE issues SET time_estimate = ?, total_time_spent = ?,
			lock_version = lock_version + 1, updated_at = ? WHERE id = ?`,
		model.NoteableMergeRequest: `UPDATE merge_requests SET time_estimate = ?, total_time_spent = ?,
			lock_version = lock_version + 1, updated_at = ? WHERE id = ?`,
	}
)

// LockTimeTracking reads an issue's or merge request's time estimate and
// total time spent (seconds) inside a transaction, locking the row on
// PostgreSQL.
func (q *Queries) LockTimeTracking(ctx context.Context, noteableType string, id int64) (estimate, spent int64, err error) {
	query, ok := lockTimeQueries[noteableType]
	if !ok {
		return 0, 0, fmt.Errorf("store: time tracking of %q: %w", noteableType, ErrNotFound)
	}
	if q.dialect == Postgres {
		query += " FOR UPDATE"
	}
	err = q.queryRow(ctx, query, id).Scan(&estimate, &spent)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, ErrNotFound
	}
	if err != nil {
		return 0, 0, fmt.Errorf("store: time tracking: %w", err)
	}
	return estimate, spent, nil
}

// SetTimeTracking writes an issue's or merge request's time estimate and
// total time spent, as an update of the row (lock_version, updated_at).
func (q *Queries) SetTimeTracking(ctx context.Context, noteableType string, id, estimate, spent int64) error {
	query, ok := setTimeQueries[noteableType]
	if !ok {
		return fmt.Errorf("store: time tracking of %q: %w", noteableType, ErrNotFound)
	}
	if _, err := q.exec(ctx, query, estimate, spent, ms(q.Now()), id); err != nil {
		return fmt.Errorf("store: set time tracking: %w", err)
	}
	return nil
}
