package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// resourceHolderStatuses are the statuses of a job that holds its
// resource group: from the moment it is enqueued until it ends.
var resourceHolderStatuses = []string{model.CIStatusPreparing, model.CIStatusPending, model.CIStatusRunning,
	model.CIStatusCanceling}

// WaitingForResource reports whether a job of the project waits for the
// resource group. It takes no lock: a caller that finds none after its
// own change committed needs not assign (a job that starts waiting later
// assigns after its own commit).
func (q *Queries) WaitingForResource(ctx context.Context, projectID int64, group string) (bool, error) {
	_, err := scanInt64(q.queryRow(ctx, `SELECT id FROM ci_builds WHERE project_id = ? AND resource_group = ?
		AND status = ? LIMIT 1`, projectID, group, model.CIStatusWaitingForResource))
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: waiting for resource: %w", err)
	}
	return true, nil
}

// AssignResource gives the project's resource group to its oldest job
// waiting for it, made pending, when no job holds the group, and returns
// that job; nil when the group is held or nobody waits. It must run in a
// transaction: on PostgreSQL an advisory lock per project and group makes
// assignments one at a time (under READ COMMITTED two conditional updates
// of different jobs could each miss the other's holder); SQLite has one
// writer already.
func (q *Queries) AssignResource(ctx context.Context, projectID int64, group string) (*model.Job, error) {
	if q.tx == nil {
		return nil, errors.New("store: assign resource: not in a transaction")
	}
	if q.dialect == Postgres {
		key := fmt.Sprintf("ci_resource_group:%d:%s", projectID, group)
		if _, err := q.exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", key); err != nil {
			return nil, fmt.Errorf("store: lock resource group: %w", wrapErr(err))
		}
	}
	j, err := scanJob(q.queryRow(ctx, "SELECT "+jobColumns+` FROM ci_builds WHERE project_id = ? AND resource_group = ?
		AND status = ? ORDER BY id LIMIT 1`, projectID, group, model.CIStatusWaitingForResource))
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: next waiting job: %w", err)
	}
	now := q.Now()
	args := []any{model.CIStatusPending, ms(now), ms(now), j.ID, model.CIStatusWaitingForResource, projectID, group}
	for _, s := range resourceHolderStatuses {
		args = append(args, s)
	}
	res, err := q.exec(ctx, `UPDATE ci_builds SET status = ?, queued_at = ?, updated_at = ? WHERE id = ? AND status = ?
		AND NOT EXISTS (SELECT 1 FROM ci_builds h WHERE h.project_id = ? AND h.resource_group = ?
			AND h.status IN (`+placeholders(len(resourceHolderStatuses))+"))", args...)
	if err != nil {
		return nil, fmt.Errorf("store: assign resource: %w", wrapErr(err))
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return nil, err
	}
	j.Status, j.QueuedAt, j.UpdatedAt = model.CIStatusPending, &now, now
	return j, nil
}
