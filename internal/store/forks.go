package store

import (
	"context"
	"fmt"
)

// LinkFork records that project forkID was forked from sourceID and counts
// it in the source's forks_count; false when forkID is a fork already (a
// concurrent link won). Run it in a transaction.
func (q *Queries) LinkFork(ctx context.Context, forkID, sourceID int64) (bool, error) {
	res, err := q.exec(ctx, `UPDATE projects SET forked_from_project_id = ?
		WHERE id = ? AND forked_from_project_id IS NULL`, sourceID, forkID)
	if err != nil {
		return false, fmt.Errorf("store: link fork: %w", wrapErr(err))
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, wrapErr(err)
	}
	if err := q.countFork(ctx, sourceID, 1); err != nil {
		return false, err
	}
	return true, nil
}

// CountNewFork counts a project just inserted with its ForkedFromID set
// (CreateNewProject) in its source's forks_count.
func (q *Queries) CountNewFork(ctx context.Context, sourceID int64) error {
	return q.countFork(ctx, sourceID, 1)
}

func (q *Queries) countFork(ctx context.Context, sourceID int64, delta int) error {
	if _, err := q.exec(ctx, "UPDATE projects SET forks_count = forks_count + ? WHERE id = ?", delta, sourceID); err != nil {
		return fmt.Errorf("store: count forks: %w", wrapErr(err))
	}
	return nil
}

// UnlinkFork removes forkID's fork relation to sourceID, the one it was
// read with, and uncounts it; false when the relation had gone already
// (a concurrent unlink, or the source's deletion, won). Run it in a
// transaction.
func (q *Queries) UnlinkFork(ctx context.Context, forkID, sourceID int64) (bool, error) {
	res, err := q.exec(ctx, `UPDATE projects SET forked_from_project_id = NULL
		WHERE id = ? AND forked_from_project_id = ?`, forkID, sourceID)
	if err != nil {
		return false, fmt.Errorf("store: unlink fork: %w", wrapErr(err))
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, wrapErr(err)
	}
	if err := q.countFork(ctx, sourceID, -1); err != nil {
		return false, err
	}
	return true, nil
}

// maxForkDepth bounds the walk up a fork's sources: relations linked by
// hand could otherwise loop.
const maxForkDepth = 64

// ForkAncestors returns the projects id was forked from, nearest first.
func (q *Queries) ForkAncestors(ctx context.Context, id int64) ([]int64, error) {
	out, err := q.int64s(ctx, `WITH RECURSIVE t (id, depth) AS (
		SELECT forked_from_project_id, 1 FROM projects WHERE id = ? AND forked_from_project_id IS NOT NULL
		UNION ALL
		SELECT p.forked_from_project_id, t.depth + 1 FROM projects p JOIN t ON p.id = t.id
		 WHERE p.forked_from_project_id IS NOT NULL AND t.depth < ?
	) SELECT id FROM t ORDER BY depth`, id, maxForkDepth)
	if err != nil {
		return nil, fmt.Errorf("store: fork ancestors: %w", wrapErr(err))
	}
	return out, nil
}
