package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/lablet/lablet/internal/model"
)

// CommitStatuses lists the statuses of a commit: the jobs of every type
// of the project's pipelines for that sha, oldest first, with their
// total count. Retried ones only when f.All.
func (q *Queries) CommitStatuses(ctx context.Context, f model.CommitStatusFilter) ([]*model.Job, int64, error) {
	conds := []string{"pipeline_id IN (SELECT id FROM ci_pipelines WHERE project_id = ? AND sha = ?)"}
	args := []any{f.ProjectID, f.SHA}
	if !f.All {
		conds = append(conds, "NOT retried")
	}
	for _, c := range []struct {
		col string
		val any
		set bool
	}{
		{"ref", f.Ref, f.Ref != ""},
		{"stage", f.Stage, f.Stage != ""},
		{"name", f.Name, f.Name != ""},
		{"pipeline_id", f.PipelineID, f.PipelineID != 0},
	} {
		if c.set {
			conds, args = append(conds, c.col+" = ?"), append(args, c.val)
		}
	}
	w := " WHERE " + strings.Join(conds, " AND ")
	var total int64
	if err := q.queryRow(ctx, "SELECT COUNT(*) FROM ci_builds"+w, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count commit statuses: %w", err)
	}
	rows, err := q.query(ctx, "SELECT "+jobColumns+" FROM ci_builds"+w+" ORDER BY id LIMIT ? OFFSET ?",
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list commit statuses: %w", err)
	}
	js, err := collect(rows, scanJob)
	return js, total, err
}

// LockProjectStatuses makes the transactions that create a project's
// external pipelines (commit statuses of a commit without one) queue on
// PostgreSQL, so that statuses posted at once share one pipeline. It holds
// the project's row with FOR NO KEY UPDATE: inserts of rows that refer to
// the project do not wait for it. SQLite needs nothing (one writer).
func (q *Queries) LockProjectStatuses(ctx context.Context, projectID int64) error {
	return q.holdRows(ctx, fmt.Sprint("project ", projectID), "SELECT id FROM projects WHERE id = ? FOR NO KEY UPDATE", projectID)
}

// NewestPipelineOfSHA returns the newest pipeline of a project for sha
// (not a child pipeline), restricted to ref and to pipeline id when they
// are given.
func (q *Queries) NewestPipelineOfSHA(ctx context.Context, projectID int64, sha, ref string, id int64) (*model.Pipeline, error) {
	query := "SELECT " + pipelineColumns + " FROM ci_pipelines WHERE project_id = ? AND sha = ? AND " + notChildPipeline
	args := []any{projectID, sha}
	if ref != "" {
		query, args = query+" AND ref = ?", append(args, ref)
	}
	if id != 0 {
		query, args = query+" AND id = ?", append(args, id)
	}
	return scanPipeline(q.queryRow(ctx, query+" ORDER BY id DESC LIMIT 1", args...))
}

// OpenCommitStatus returns the pending or running commit status named
// name that user set on ref in a pipeline (the one a new state moves on);
// onlyProtected restricts it to statuses of a protected ref.
func (q *Queries) OpenCommitStatus(ctx context.Context, pipelineID int64, ref, name string, userID *int64, onlyProtected bool) (*model.Job, error) {
	query := "SELECT " + jobColumns + ` FROM ci_builds WHERE pipeline_id = ? AND job_type = 'commit_status'
		AND status IN ('pending', 'running') AND ref = ? AND name = ?`
	args := []any{pipelineID, ref, name}
	if userID != nil {
		query, args = query+" AND user_id = ?", append(args, *userID)
	} else {
		query += " AND user_id IS NULL"
	}
	if onlyProtected {
		query += " AND protected"
	}
	return scanJob(q.queryRow(ctx, query+" ORDER BY id DESC LIMIT 1", args...))
}

// UpdateCommitStatus writes a commit status's state, times and details.
func (q *Queries) UpdateCommitStatus(ctx context.Context, j *model.Job) error {
	j.UpdatedAt = q.Now()
	_, err := q.exec(ctx, `UPDATE ci_builds SET status = ?, queued_at = ?, started_at = ?, finished_at = ?,
		failure_reason = ?, coverage = ?, target_url = ?, description = ?, updated_at = ?
		WHERE id = ? AND job_type = 'commit_status'`,
		j.Status, nullMS(j.QueuedAt), nullMS(j.StartedAt), nullMS(j.FinishedAt), nullStr(j.FailureReason), j.Coverage,
		nullStr(j.TargetURL), nullStr(j.Description), ms(j.UpdatedAt), j.ID)
	if err != nil {
		return fmt.Errorf("store: update commit status: %w", wrapErr(err))
	}
	return nil
}

// RetryOlderStatuses marks the other jobs named name of a pipeline
// retried: the newest status of a name replaces the ones before it.
func (q *Queries) RetryOlderStatuses(ctx context.Context, pipelineID int64, name string, keepID int64) error {
	_, err := q.exec(ctx, `UPDATE ci_builds SET retried = TRUE, updated_at = ? WHERE pipeline_id = ? AND name = ?
		AND id <> ? AND NOT retried`, ms(q.Now()), pipelineID, name, keepID)
	if err != nil {
		return fmt.Errorf("store: retry older statuses: %w", wrapErr(err))
	}
	return nil
}
