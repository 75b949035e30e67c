package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// IIDPipelines numbers a project's pipelines.
const IIDPipelines = "ci_pipelines"

const pipelineColumns = `id, project_id, iid, ref, tag, sha, before_sha, source, status, user_id, name,
	yaml_errors, failure_reason, protected, merge_request_id, parent_pipeline_id, created_at, updated_at,
	started_at, finished_at, committed_at, duration, queued_duration, pipeline_schedule_id, auto_cancel_on_new_commit`

func scanPipeline(s scanner) (*model.Pipeline, error) {
	var p model.Pipeline
	var name, yamlErrors, failure sql.NullString
	var started, finished, committed sql.NullInt64
	var created, updated int64
	if err := s.Scan(&p.ID, &p.ProjectID, &p.IID, &p.Ref, &p.Tag, &p.SHA, &p.BeforeSHA, &p.Source, &p.Status,
		&p.UserID, &name, &yamlErrors, &failure, &p.Protected, &p.MergeRequestID, &p.ParentPipelineID,
		&created, &updated, &started, &finished, &committed, &p.Duration, &p.QueuedDuration, &p.ScheduleID,
		&p.AutoCancelOnNewCommit); err != nil {
		return nil, wrapErr(err)
	}
	p.Name, p.YAMLErrors, p.FailureReason = fromNullStr(name), fromNullStr(yamlErrors), fromNullStr(failure)
	p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
	p.StartedAt, p.FinishedAt, p.CommittedAt = fromNullMS(started), fromNullMS(finished), fromNullMS(committed)
	return &p, nil
}

// InsertPipeline stores p with the next iid of its project, filling in
// ID, IID and timestamps.
func (q *Queries) InsertPipeline(ctx context.Context, p *model.Pipeline) error {
	iid, err := q.NextIID(ctx, IIDPipelines, p.ProjectID)
	if err != nil {
		return err
	}
	now := q.Now()
	p.IID, p.CreatedAt, p.UpdatedAt = iid, now, now
	p.AutoCancelOnNewCommit = cmp.Or(p.AutoCancelOnNewCommit, "conservative")
	id, err := q.insert(ctx, `INSERT INTO ci_pipelines (project_id, iid, ref, tag, sha, before_sha, source, status,
		user_id, name, yaml_errors, failure_reason, protected, merge_request_id, parent_pipeline_id, created_at,
		updated_at, committed_at, pipeline_schedule_id, auto_cancel_on_new_commit)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ProjectID, p.IID, p.Ref, p.Tag, p.SHA, p.BeforeSHA, p.Source, p.Status, p.UserID, nullStr(p.Name),
		nullStr(p.YAMLErrors), nullStr(p.FailureReason), p.Protected, p.MergeRequestID, p.ParentPipelineID,
		ms(now), ms(now), nullMS(p.CommittedAt), p.ScheduleID, p.AutoCancelOnNewCommit)
	if err != nil {
		return fmt.Errorf("store: insert pipeline: %w", err)
	}
	p.ID = id
	return nil
}

// InsertPipelineVariables stores the variables given to a pipeline.
func (q *Queries) InsertPipelineVariables(ctx context.Context, pipelineID int64, vars []model.PipelineVariable) error {
	for _, v := range vars {
		if _, err := q.exec(ctx, `INSERT INTO ci_pipeline_variables (pipeline_id, key, value, variable_type, raw)
			VALUES (?, ?, ?, ?, ?)`, pipelineID, v.Key, v.Value, v.VariableType, v.Raw); err != nil {
			return fmt.Errorf("store: insert pipeline variable: %w", wrapErr(err))
		}
	}
	return nil
}

// PipelineVariables lists a pipeline's variables in the order given.
func (q *Queries) PipelineVariables(ctx context.Context, pipelineID int64) ([]model.PipelineVariable, error) {
	rows, err := q.query(ctx, `SELECT key, value, variable_type, raw FROM ci_pipeline_variables
		WHERE pipeline_id = ? ORDER BY id`, pipelineID)
	if err != nil {
		return nil, fmt.Errorf("store: pipeline variables: %w", err)
	}
	return collect(rows, func(s scanner) (model.PipelineVariable, error) {
		var v model.PipelineVariable
		return v, s.Scan(&v.Key, &v.Value, &v.VariableType, &v.Raw)
	})
}

// PipelineByID returns a pipeline.
func (q *Queries) PipelineByID(ctx context.Context, id int64) (*model.Pipeline, error) {
	return scanPipeline(q.queryRow(ctx, "SELECT "+pipelineColumns+" FROM ci_pipelines WHERE id = ?", id))
}

// LockPipeline takes the pipeline's row for the rest of the transaction
// (its status is recomputed from its jobs by one writer at a time) and
// returns it.
func (q *Queries) LockPipeline(ctx context.Context, id int64) (*model.Pipeline, error) {
	query := "SELECT " + pipelineColumns + " FROM ci_pipelines WHERE id = ?"
	if q.dialect == Postgres {
		query += " FOR UPDATE"
	}
	return scanPipeline(q.queryRow(ctx, query, id))
}

// UpdatePipelineStatus writes a pipeline's status and times.
func (q *Queries) UpdatePipelineStatus(ctx context.Context, p *model.Pipeline) error {
	p.UpdatedAt = q.Now()
	_, err := q.exec(ctx, `UPDATE ci_pipelines SET status = ?, started_at = ?, finished_at = ?, duration = ?,
		queued_duration = ?, failure_reason = ?, updated_at = ? WHERE id = ?`,
		p.Status, nullMS(p.StartedAt), nullMS(p.FinishedAt), p.Duration, p.QueuedDuration, nullStr(p.FailureReason),
		ms(p.UpdatedAt), p.ID)
	if err != nil {
		return fmt.Errorf("store: update pipeline: %w", wrapErr(err))
	}
	return nil
}

// DeletePipeline removes a pipeline with its jobs and their records.
func (q *Queries) DeletePipeline(ctx context.Context, id int64) error {
	if _, err := q.exec(ctx, "DELETE FROM ci_pipelines WHERE id = ?", id); err != nil {
		return fmt.Errorf("store: delete pipeline: %w", wrapErr(err))
	}
	return nil
}

func pipelineWhere(f model.PipelineFilter) (string, []any) {
	w := " WHERE project_id = ?"
	args := []any{f.ProjectID}
	add := func(cond string, v any) { w += " AND " + cond; args = append(args, v) }
	if f.ScheduleID != 0 {
		add("pipeline_schedule_id = ?", f.ScheduleID)
	}
	if f.Status != "" {
		add("status = ?", f.Status)
	}
	if f.Ref != "" {
		add("ref = ?", f.Ref)
	}
	if f.SHA != "" {
		add("sha = ?", f.SHA)
	}
	if f.Source != "" {
		add("source = ?", f.Source)
	}
	if f.Source != "parent_pipeline" {
		// Child pipelines show under their parent, as GitLab's no_child.
		w += " AND " + notChildPipeline
	}
	if f.UserID != nil {
		add("user_id = ?", *f.UserID)
	}
	if f.Name != "" {
		add("name = ?", f.Name)
	}
	if f.UpdatedAfter != nil {
		add("updated_at > ?", *f.UpdatedAfter)
	}
	if f.UpdatedBefore != nil {
		add("updated_at < ?", *f.UpdatedBefore)
	}
	if f.CreatedAfter != nil {
		add("created_at > ?", *f.CreatedAfter)
	}
	if f.CreatedBefore != nil {
		add("created_at < ?", *f.CreatedBefore)
	}
	switch f.Scope {
	case "running", "pending":
		add("status = ?", f.Scope)
	case "finished":
		w += " AND status IN ('success', 'failed', 'canceled', 'skipped')"
	case "tags":
		w += " AND tag"
	case "branches":
		w += " AND NOT tag"
	}
	return w, args
}

// Pipelines lists pipelines with their total count.
func (q *Queries) Pipelines(ctx context.Context, f model.PipelineFilter) ([]*model.Pipeline, int64, error) {
	w, args := pipelineWhere(f)
	var total int64
	if err := q.queryRow(ctx, "SELECT COUNT(*) FROM ci_pipelines"+w, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count pipelines: %w", err)
	}
	col := "id"
	switch f.OrderBy {
	case "status", "ref", "updated_at", "user_id":
		col = f.OrderBy
	}
	dir := "DESC"
	if f.Sort == "asc" {
		dir = "ASC"
	}
	rows, err := q.query(ctx, "SELECT "+pipelineColumns+" FROM ci_pipelines"+w+
		" ORDER BY "+col+" "+dir+", id "+dir+" LIMIT ? OFFSET ?", append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list pipelines: %w", err)
	}
	ps, err := collect(rows, scanPipeline)
	return ps, total, err
}

// notChildPipeline leaves child pipelines out (GitLab's ci_sources, no_child)
// for a ref's latest pipeline, a commit's last one and the pipeline list.
const notChildPipeline = "source <> 'parent_pipeline'"

// LatestPipeline returns the newest pipeline of a ref (and sha, when not
// empty).
func (q *Queries) LatestPipeline(ctx context.Context, projectID int64, ref, sha string) (*model.Pipeline, error) {
	query := "SELECT " + pipelineColumns + " FROM ci_pipelines WHERE project_id = ? AND ref = ? AND " + notChildPipeline
	args := []any{projectID, ref}
	if sha != "" {
		query += " AND sha = ?"
		args = append(args, sha)
	}
	return scanPipeline(q.queryRow(ctx, query+" ORDER BY id DESC LIMIT 1", args...))
}

// PipelinesByIDs returns the pipelines of ids by id (unknown ids are
// left out).
func (q *Queries) PipelinesByIDs(ctx context.Context, ids []int64) (map[int64]*model.Pipeline, error) {
	out := make(map[int64]*model.Pipeline, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := int64Args(ids)
	rows, err := q.query(ctx, "SELECT "+pipelineColumns+" FROM ci_pipelines WHERE id IN ("+placeholders(len(ids))+")", args...)
	if err != nil {
		return nil, fmt.Errorf("store: pipelines by id: %w", err)
	}
	list, err := collect(rows, scanPipeline)
	for _, p := range list {
		out[p.ID] = p
	}
	return out, err
}
