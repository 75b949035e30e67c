package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/model"
)

const jobColumns = `id, project_id, pipeline_id, name, stage, stage_idx, status, job_when, allow_failure,
	scheduling_type, user_id, runner_id, token_digest, spec, tag_list, ref, sha, tag, protected, coverage,
	coverage_regex, failure_reason, exit_code, retried, interruptible, timeout, resource_group, environment,
	trace_size, created_at, updated_at, queued_at, started_at, finished_at, scheduled_at, erased_at,
	erased_by_id, artifacts_expire_at, job_type, target_url, description`

func scanJob(s scanner) (*model.Job, error) {
	var j model.Job
	var token, coverageRegex, failure, resourceGroup, environment, targetURL, description sql.NullString
	var coverage sql.NullFloat64
	var exitCode, timeout sql.NullInt64
	var tags string
	var created, updated int64
	var queued, started, finished, scheduled, erased, expires sql.NullInt64
	if err := s.Scan(&j.ID, &j.ProjectID, &j.PipelineID, &j.Name, &j.Stage, &j.StageIdx, &j.Status, &j.When,
		&j.AllowFailure, &j.SchedulingType, &j.UserID, &j.RunnerID, &token, &j.Spec, &tags, &j.Ref, &j.SHA, &j.Tag,
		&j.Protected, &coverage, &coverageRegex, &failure, &exitCode, &j.Retried, &j.Interruptible, &timeout,
		&resourceGroup, &environment, &j.TraceSize, &created, &updated, &queued, &started, &finished, &scheduled,
		&erased, &j.ErasedByID, &expires, &j.Type, &targetURL, &description); err != nil {
		return nil, wrapErr(err)
	}
	j.TokenDigest, j.CoverageRegex, j.FailureReason = fromNullStr(token), fromNullStr(coverageRegex), fromNullStr(failure)
	j.ResourceGroup, j.Environment = fromNullStr(resourceGroup), fromNullStr(environment)
	j.TargetURL, j.Description = fromNullStr(targetURL), fromNullStr(description)
	if coverage.Valid {
		j.Coverage = &coverage.Float64
	}
	if exitCode.Valid {
		v := int(exitCode.Int64)
		j.ExitCode = &v
	}
	if timeout.Valid {
		v := int(timeout.Int64)
		j.Timeout = &v
	}
	j.Tags = SplitTags(tags)
	j.CreatedAt, j.UpdatedAt = fromMS(created), fromMS(updated)
	j.QueuedAt, j.StartedAt, j.FinishedAt = fromNullMS(queued), fromNullMS(started), fromNullMS(finished)
	j.ScheduledAt, j.ErasedAt, j.ArtifactsExpireAt = fromNullMS(scheduled), fromNullMS(erased), fromNullMS(expires)
	return &j, nil
}

// InsertJob stores j, filling in its ID and timestamps; a job without a
// type is a build.
func (q *Queries) InsertJob(ctx context.Context, j *model.Job) error {
	now := q.Now()
	j.CreatedAt, j.UpdatedAt = now, now
	if j.Type == "" {
		j.Type = model.JobTypeBuild
	}
	id, err := q.insert(ctx, `INSERT INTO ci_builds (project_id, pipeline_id, name, stage, stage_idx, status,
		job_when, allow_failure, scheduling_type, user_id, spec, tag_list, ref, sha, tag, protected, coverage_regex,
		interruptible, timeout, resource_group, environment, created_at, updated_at, job_type, target_url,
		description, coverage, queued_at, started_at, finished_at, failure_reason)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		j.ProjectID, j.PipelineID, j.Name, j.Stage, j.StageIdx, j.Status, j.When, j.AllowFailure, j.SchedulingType,
		j.UserID, j.Spec, JoinTags(j.Tags), j.Ref, j.SHA, j.Tag, j.Protected, nullStr(j.CoverageRegex),
		j.Interruptible, j.Timeout, nullStr(j.ResourceGroup), nullStr(j.Environment), ms(now), ms(now), j.Type,
		nullStr(j.TargetURL), nullStr(j.Description), j.Coverage, nullMS(j.QueuedAt), nullMS(j.StartedAt),
		nullMS(j.FinishedAt), nullStr(j.FailureReason))
	if err != nil {
		return fmt.Errorf("store: insert job: %w", err)
	}
	j.ID = id
	return nil
}

// JobByID returns a job.
func (q *Queries) JobByID(ctx context.Context, id int64) (*model.Job, error) {
	return scanJob(q.queryRow(ctx, "SELECT "+jobColumns+" FROM ci_builds WHERE id = ?", id))
}

// JobByTokenDigest returns the running job whose token has this digest.
func (q *Queries) JobByTokenDigest(ctx context.Context, digest string) (*model.Job, error) {
	return scanJob(q.queryRow(ctx, "SELECT "+jobColumns+" FROM ci_builds WHERE token_digest = ?", digest))
}

// JobsOfPipeline lists a pipeline's jobs, retried ones too, by id.
func (q *Queries) JobsOfPipeline(ctx context.Context, pipelineID int64) ([]*model.Job, error) {
	rows, err := q.query(ctx, "SELECT "+jobColumns+" FROM ci_builds WHERE pipeline_id = ? ORDER BY id", pipelineID)
	if err != nil {
		return nil, fmt.Errorf("store: pipeline jobs: %w", err)
	}
	return collect(rows, scanJob)
}

// JobsByIDs lists jobs by id.
func (q *Queries) JobsByIDs(ctx context.Context, ids []int64) ([]*model.Job, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := q.query(ctx, "SELECT "+jobColumns+" FROM ci_builds WHERE id IN ("+placeholders(len(ids))+
		") ORDER BY id", int64Args(ids)...)
	if err != nil {
		return nil, fmt.Errorf("store: jobs by id: %w", err)
	}
	return collect(rows, scanJob)
}

// JobsOfPipelines lists the jobs of several pipelines, retried ones too.
func (q *Queries) JobsOfPipelines(ctx context.Context, ids []int64) ([]*model.Job, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := int64Args(ids)
	rows, err := q.query(ctx, "SELECT "+jobColumns+" FROM ci_builds WHERE pipeline_id IN ("+
		placeholders(len(ids))+") ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("store: pipelines' jobs: %w", err)
	}
	return collect(rows, scanJob)
}

// Jobs lists jobs, newest first, with their total count.
func (q *Queries) Jobs(ctx context.Context, f model.JobFilter) ([]*model.Job, int64, error) {
	// The jobs API shows builds only, never external commit statuses;
	// bridges are listed apart.
	typ := f.Type
	if typ == "" {
		typ = model.JobTypeBuild
	}
	conds := []string{"job_type = ?"}
	args := []any{typ}
	if f.ProjectID != 0 {
		conds, args = append(conds, "project_id = ?"), append(args, f.ProjectID)
	}
	if f.PipelineID != 0 {
		conds, args = append(conds, "pipeline_id = ?"), append(args, f.PipelineID)
	}
	if len(f.PipelineIDs) > 0 {
		conds = append(conds, "pipeline_id IN ("+placeholders(len(f.PipelineIDs))+")")
		for _, id := range f.PipelineIDs {
			args = append(args, id)
		}
	}
	if f.RunnerID != 0 {
		conds, args = append(conds, "runner_id = ?"), append(args, f.RunnerID)
	}
	if len(f.Scopes) > 0 {
		conds = append(conds, "status IN ("+placeholders(len(f.Scopes))+")")
		for _, s := range f.Scopes {
			args = append(args, s)
		}
	}
	switch {
	case f.OnlyRetried:
		conds = append(conds, "retried")
	case !f.IncludeRetried:
		conds = append(conds, "NOT retried")
	}
	w := " WHERE " + strings.Join(conds, " AND ")
	var total int64
	if err := q.queryRow(ctx, "SELECT COUNT(*) FROM ci_builds"+w, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count jobs: %w", err)
	}
	dir := "DESC"
	if f.Asc {
		dir = "ASC"
	}
	rows, err := q.query(ctx, "SELECT "+jobColumns+" FROM ci_builds"+w+" ORDER BY id "+dir+" LIMIT ? OFFSET ?",
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list jobs: %w", err)
	}
	js, err := collect(rows, scanJob)
	return js, total, err
}

// SetJobStatus moves a job from one of the statuses in from to status
// and writes its times and its user (a played job becomes its player's); false when it was in none of them (another
// writer moved it first).
func (q *Queries) SetJobStatus(ctx context.Context, j *model.Job, from []string) (bool, error) {
	j.UpdatedAt = q.Now()
	args := []any{j.Status, nullMS(j.QueuedAt), nullMS(j.StartedAt), nullMS(j.FinishedAt), nullMS(j.ScheduledAt),
		nullStr(j.FailureReason), j.ExitCode, nullStr(j.TokenDigest), j.RunnerID, j.Coverage,
		nullMS(j.ArtifactsExpireAt), j.AllowFailure, j.UserID, ms(j.UpdatedAt), j.ID}
	for _, s := range from {
		args = append(args, s)
	}
	res, err := q.exec(ctx, `UPDATE ci_builds SET status = ?, queued_at = ?, started_at = ?, finished_at = ?,
		scheduled_at = ?, failure_reason = ?, exit_code = ?, token_digest = ?, runner_id = ?, coverage = ?,
		artifacts_expire_at = ?, allow_failure = ?, user_id = ?, updated_at = ? WHERE id = ? AND status IN (`+placeholders(len(from))+")", args...)
	if err != nil {
		return false, fmt.Errorf("store: set job status: %w", wrapErr(err))
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// MarkJobRetried flags a job replaced by its retry.
func (q *Queries) MarkJobRetried(ctx context.Context, id int64) error {
	_, err := q.exec(ctx, "UPDATE ci_builds SET retried = TRUE, updated_at = ? WHERE id = ?", ms(q.Now()), id)
	return wrapErr(err)
}

// EraseJob marks a job erased.
func (q *Queries) EraseJob(ctx context.Context, id, userID int64) error {
	now := ms(q.Now())
	_, err := q.exec(ctx, "UPDATE ci_builds SET erased_at = ?, erased_by_id = ?, trace_size = 0, updated_at = ? WHERE id = ?",
		now, userID, now, id)
	return wrapErr(err)
}

// QueuedJob is what the queue knows of a pending job before it is taken.
type QueuedJob struct {
	ID        int64
	Tags      []string
	Protected bool
}

// QueueForRunner lists up to limit pending jobs, oldest first, that r may
// take by its scope (instance, its group's projects, its projects); tags
// and protection are the caller's to match.
func (q *Queries) QueueForRunner(ctx context.Context, r *model.Runner, limit int) ([]QueuedJob, error) {
	query := "SELECT b.id, b.tag_list, b.protected FROM ci_builds b"
	var args []any
	switch r.RunnerType {
	case model.RunnerInstance:
		query += " WHERE b.status = 'pending' AND b.job_type = 'build'"
	case model.RunnerGroup:
		query += ` JOIN projects p ON p.id = b.project_id
			JOIN namespace_closure c ON c.descendant_id = p.namespace_id
			JOIN ci_runner_namespaces rn ON rn.namespace_id = c.ancestor_id AND rn.runner_id = ?
			WHERE b.status = 'pending' AND b.job_type = 'build'`
		args = append(args, r.ID)
	default:
		query += ` JOIN ci_runner_projects rp ON rp.project_id = b.project_id AND rp.runner_id = ?
			WHERE b.status = 'pending' AND b.job_type = 'build'`
		args = append(args, r.ID)
	}
	rows, err := q.query(ctx, query+" ORDER BY b.id LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: runner queue: %w", err)
	}
	return collect(rows, func(s scanner) (QueuedJob, error) {
		var j QueuedJob
		var tags string
		err := s.Scan(&j.ID, &tags, &j.Protected)
		j.Tags = SplitTags(tags)
		return j, err
	})
}

// ClaimJob gives a pending build to runner: it starts running with token
// digest as its CI_JOB_TOKEN. false when another runner took it first.
func (q *Queries) ClaimJob(ctx context.Context, jobID, runnerID int64, tokenDigest string, now time.Time) (bool, error) {
	res, err := q.exec(ctx, `UPDATE ci_builds SET status = 'running', runner_id = ?, token_digest = ?, started_at = ?,
		updated_at = ? WHERE id = ? AND status = 'pending' AND job_type = 'build'`, runnerID, tokenDigest, ms(now), ms(now), jobID)
	if err != nil {
		return false, fmt.Errorf("store: claim job: %w", wrapErr(err))
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// DueScheduledJobs lists delayed jobs whose time has come.
func (q *Queries) DueScheduledJobs(ctx context.Context, now time.Time, limit int) ([]*model.Job, error) {
	rows, err := q.query(ctx, "SELECT "+jobColumns+" FROM ci_builds WHERE status = 'scheduled' AND scheduled_at <= ? ORDER BY scheduled_at LIMIT ?",
		ms(now), limit)
	if err != nil {
		return nil, fmt.Errorf("store: due jobs: %w", err)
	}
	return collect(rows, scanJob)
}

// StuckRunningJobs lists running jobs not updated since before.
func (q *Queries) StuckRunningJobs(ctx context.Context, before time.Time, limit int) ([]*model.Job, error) {
	rows, err := q.query(ctx, "SELECT "+jobColumns+` FROM ci_builds WHERE status = 'running' AND job_type = 'build'
		AND updated_at < ? ORDER BY id LIMIT ?`, ms(before), limit)
	if err != nil {
		return nil, fmt.Errorf("store: stuck jobs: %w", err)
	}
	return collect(rows, scanJob)
}

// TouchJob records that a running job's runner reported on it.
func (q *Queries) TouchJob(ctx context.Context, id int64) error {
	_, err := q.exec(ctx, "UPDATE ci_builds SET updated_at = ? WHERE id = ? AND status = 'running'", ms(q.Now()), id)
	return wrapErr(err)
}

// LatestSuccessfulJobs lists the jobs named name of ref's successful
// pipelines, newest pipeline first.
func (q *Queries) LatestSuccessfulJobs(ctx context.Context, projectID int64, ref, name string) ([]*model.Job, error) {
	rows, err := q.query(ctx, `SELECT `+jobColumns+` FROM ci_builds WHERE project_id = ? AND ref = ? AND name = ?
		AND status = 'success' AND NOT retried AND pipeline_id IN (SELECT id FROM ci_pipelines
		WHERE project_id = ? AND ref = ? AND status = 'success') ORDER BY pipeline_id DESC, id DESC LIMIT 20`,
		projectID, ref, name, projectID, ref)
	if err != nil {
		return nil, fmt.Errorf("store: latest successful jobs: %w", err)
	}
	return collect(rows, scanJob)
}

// JobRetriesCount counts the earlier runs of a job: its pipeline's jobs
// of the same name before it (Ci::Build#retries_count).
func (q *Queries) JobRetriesCount(ctx context.Context, pipelineID int64, name string, before int64) (int, error) {
	var n int
	err := q.queryRow(ctx, "SELECT COUNT(*) FROM ci_builds WHERE pipeline_id = ? AND name = ? AND id < ?",
		pipelineID, name, before).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: job retries: %w", wrapErr(err))
	}
	return n, nil
}
