package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/lablet/lablet/internal/model"
)

// AutoCancelCandidates returns, oldest first, the newest limit pipelines
// of a project's ref, other than exceptID, that have not ended (GitLab's
// Ci::Pipeline::CANCELABLE_STATUSES), were created after since and run
// none of the commits skipSHAs (auto-cancel of redundant pipelines).
func (q *Queries) AutoCancelCandidates(ctx context.Context, projectID int64, ref string, exceptID int64, since time.Time, limit int, skipSHAs ...string) ([]*model.Pipeline, error) {
	query := "SELECT " + pipelineColumns + ` FROM ci_pipelines WHERE project_id = ? AND ref = ? AND id <> ?
		AND status IN ('created', 'waiting_for_resource', 'preparing', 'pending', 'running', 'scheduled', 'manual')
		AND created_at > ?`
	args := []any{projectID, ref, exceptID, ms(since)}
	for _, sha := range skipSHAs {
		query += " AND sha <> ?"
		args = append(args, sha)
	}
	rows, err := q.query(ctx, query+" ORDER BY id DESC LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: auto-cancel candidates: %w", err)
	}
	ps, err := collect(rows, scanPipeline)
	if err != nil {
		return nil, err
	}
	slices.Reverse(ps)
	return ps, nil
}

// PipelinesWithStartedUninterruptibleJobs returns which of pipelineIDs
// have a build (not a bridge nor a commit status) that is not
// interruptible and has started: running, success or failed (GitLab's
// conservative_interruptible scope, negated).
func (q *Queries) PipelinesWithStartedUninterruptibleJobs(ctx context.Context, pipelineIDs []int64) (map[int64]bool, error) {
	out := make(map[int64]bool)
	if len(pipelineIDs) == 0 {
		return out, nil
	}
	rows, err := q.query(ctx, `SELECT DISTINCT pipeline_id FROM ci_builds WHERE pipeline_id IN (`+
		placeholders(len(pipelineIDs))+`) AND job_type = 'build' AND NOT interruptible
		AND status IN ('running', 'success', 'failed')`, int64Args(pipelineIDs)...)
	if err != nil {
		return nil, fmt.Errorf("store: uninterruptible pipelines: %w", err)
	}
	ids, err := collect(rows, func(s scanner) (int64, error) {
		var id int64
		return id, s.Scan(&id)
	})
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}
