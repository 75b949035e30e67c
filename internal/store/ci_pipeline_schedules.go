package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lablet/lablet/internal/model"
)

const pipelineScheduleColumns = `id, project_id, owner_id, description, ref, cron, cron_timezone, next_run_at, active,
	created_at, updated_at`

func scanPipelineSchedule(s scanner) (*model.PipelineSchedule, error) {
	var ps model.PipelineSchedule
	var next sql.NullInt64
	var created, updated int64
	if err := s.Scan(&ps.ID, &ps.ProjectID, &ps.OwnerID, &ps.Description, &ps.Ref, &ps.Cron, &ps.CronTimezone, &next,
		&ps.Active, &created, &updated); err != nil {
		return nil, wrapErr(err)
	}
	ps.NextRunAt = fromNullMS(next)
	ps.CreatedAt, ps.UpdatedAt = fromMS(created), fromMS(updated)
	return &ps, nil
}

// PipelineSchedules lists a project's pipeline schedules by id; active,
// when not nil, keeps those of that state (the API's scope).
func (q *Queries) PipelineSchedules(ctx context.Context, projectID int64, active *bool) ([]*model.PipelineSchedule, error) {
	query := "SELECT " + pipelineScheduleColumns + " FROM ci_pipeline_schedules WHERE project_id = ?"
	args := []any{projectID}
	if active != nil {
		query += " AND active = ?"
		args = append(args, *active)
	}
	rows, err := q.query(ctx, query+" ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("store: list pipeline schedules: %w", err)
	}
	return collect(rows, scanPipelineSchedule)
}

// PipelineSchedule returns a project's pipeline schedule by id.
func (q *Queries) PipelineSchedule(ctx context.Context, projectID, id int64) (*model.PipelineSchedule, error) {
	return scanPipelineSchedule(q.queryRow(ctx, "SELECT "+pipelineScheduleColumns+
		" FROM ci_pipeline_schedules WHERE project_id = ? AND id = ?", projectID, id))
}

// LockPipelineSchedule is PipelineSchedule taking the row for the rest of
// the transaction, so a change is made to the row as it is.
func (q *Queries) LockPipelineSchedule(ctx context.Context, projectID, id int64) (*model.PipelineSchedule, error) {
	query := "SELECT " + pipelineScheduleColumns + " FROM ci_pipeline_schedules WHERE project_id = ? AND id = ?"
	if q.dialect == Postgres {
		query += " FOR UPDATE"
	}
	return scanPipelineSchedule(q.queryRow(ctx, query, projectID, id))
}

// SetPipelineScheduleOwner gives a schedule to a user.
func (q *Queries) SetPipelineScheduleOwner(ctx context.Context, id, ownerID int64) error {
	if _, err := q.exec(ctx, "UPDATE ci_pipeline_schedules SET owner_id = ?, updated_at = ? WHERE id = ?",
		ownerID, ms(q.Now()), id); err != nil {
		return fmt.Errorf("store: set pipeline schedule owner: %w", err)
	}
	return nil
}

// CreatePipelineSchedule inserts ps, filling in its ID and times.
func (q *Queries) CreatePipelineSchedule(ctx context.Context, ps *model.PipelineSchedule) error {
	now := q.Now()
	ps.CreatedAt, ps.UpdatedAt = now, now
	id, err := q.insert(ctx, `INSERT INTO ci_pipeline_schedules (project_id, owner_id, description, ref, cron,
		cron_timezone, next_run_at, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ps.ProjectID, ps.OwnerID, ps.Description, ps.Ref, ps.Cron, ps.CronTimezone, nullMS(ps.NextRunAt), ps.Active,
		ms(now), ms(now))
	if err != nil {
		return fmt.Errorf("store: create pipeline schedule: %w", err)
	}
	ps.ID = id
	return nil
}

// UpdatePipelineSchedule writes every field of ps but its project.
func (q *Queries) UpdatePipelineSchedule(ctx context.Context, ps *model.PipelineSchedule) error {
	ps.UpdatedAt = q.Now()
	_, err := q.exec(ctx, `UPDATE ci_pipeline_schedules SET owner_id = ?, description = ?, ref = ?, cron = ?,
		cron_timezone = ?, next_run_at = ?, active = ?, updated_at = ? WHERE id = ?`,
		ps.OwnerID, ps.Description, ps.Ref, ps.Cron, ps.CronTimezone, nullMS(ps.NextRunAt), ps.Active,
		ms(ps.UpdatedAt), ps.ID)
	if err != nil {
		return fmt.Errorf("store: update pipeline schedule: %w", err)
	}
	return nil
}

// DeletePipelineSchedule removes a schedule with its variables; its
// pipelines stay, no longer naming it.
func (q *Queries) DeletePipelineSchedule(ctx context.Context, id int64) error {
	if _, err := q.exec(ctx, "DELETE FROM ci_pipeline_schedules WHERE id = ?", id); err != nil {
		return fmt.Errorf("store: delete pipeline schedule: %w", err)
	}
	return nil
}

// DuePipelineSchedules lists active schedules whose next run is at or
// before now, the most overdue first.
func (q *Queries) DuePipelineSchedules(ctx context.Context, now time.Time, limit int) ([]*model.PipelineSchedule, error) {
	rows, err := q.query(ctx, "SELECT "+pipelineScheduleColumns+` FROM ci_pipeline_schedules
		WHERE active AND next_run_at <= ? ORDER BY next_run_at, id LIMIT ?`, ms(now), limit)
	if err != nil {
		return nil, fmt.Errorf("store: due pipeline schedules: %w", err)
	}
	return collect(rows, scanPipelineSchedule)
}

// ClaimPipelineScheduleRun moves an active schedule's next run from was to
// next, only if it still is was: of several instances reading the same
// due schedule, exactly one claims the run.
func (q *Queries) ClaimPipelineScheduleRun(ctx context.Context, id int64, was time.Time, next *time.Time) (bool, error) {
	res, err := q.exec(ctx, `UPDATE ci_pipeline_schedules SET next_run_at = ?, updated_at = ?
		WHERE id = ? AND active AND next_run_at = ?`, nullMS(next), ms(q.Now()), id, ms(was))
	if err != nil {
		return false, fmt.Errorf("store: claim pipeline schedule run: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// DeactivatePipelineSchedule turns a schedule off.
func (q *Queries) DeactivatePipelineSchedule(ctx context.Context, id int64) error {
	if _, err := q.exec(ctx, "UPDATE ci_pipeline_schedules SET active = FALSE, updated_at = ? WHERE id = ? AND active",
		ms(q.Now()), id); err != nil {
		return fmt.Errorf("store: deactivate pipeline schedule: %w", err)
	}
	return nil
}

// DeactivateUserPipelineSchedules turns off the schedules a user owns.
func (q *Queries) DeactivateUserPipelineSchedules(ctx context.Context, userID int64) error {
	if _, err := q.exec(ctx, "UPDATE ci_pipeline_schedules SET active = FALSE, updated_at = ? WHERE owner_id = ? AND active",
		ms(q.Now()), userID); err != nil {
		return fmt.Errorf("store: deactivate user's pipeline schedules: %w", err)
	}
	return nil
}

// PipelineScheduleVariables returns the variables of the schedules ids,
// by schedule, each in key order.
func (q *Queries) PipelineScheduleVariables(ctx context.Context, ids []int64) (map[int64][]model.PipelineVariable, error) {
	out := make(map[int64][]model.PipelineVariable, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.query(ctx, `SELECT pipeline_schedule_id, key, value, variable_type, raw
		FROM ci_pipeline_schedule_variables WHERE pipeline_schedule_id IN (`+placeholders(len(ids))+`) ORDER BY key`,
		int64Args(ids)...)
	if err != nil {
		return nil, fmt.Errorf("store: pipeline schedule variables: %w", err)
	}
	type row struct {
		id int64
		v  model.PipelineVariable
	}
	list, err := collect(rows, func(s scanner) (row, error) {
		var r row
		return r, s.Scan(&r.id, &r.v.Key, &r.v.Value, &r.v.VariableType, &r.v.Raw)
	})
	for _, r := range list {
		out[r.id] = append(out[r.id], r.v)
	}
	return out, err
}

// CreatePipelineScheduleVariable adds a variable to a schedule
// (ErrConflict when the schedule has one of that key).
func (q *Queries) CreatePipelineScheduleVariable(ctx context.Context, scheduleID int64, v model.PipelineVariable) error {
	if _, err := q.exec(ctx, `INSERT INTO ci_pipeline_schedule_variables (pipeline_schedule_id, key, value,
		variable_type, raw) VALUES (?, ?, ?, ?, ?)`, scheduleID, v.Key, v.Value, v.VariableType, v.Raw); err != nil {
		return fmt.Errorf("store: create pipeline schedule variable: %w", err)
	}
	return nil
}

// UpdatePipelineScheduleVariable writes the value and type of a
// schedule's variable of v.Key.
func (q *Queries) UpdatePipelineScheduleVariable(ctx context.Context, scheduleID int64, v model.PipelineVariable) error {
	if _, err := q.exec(ctx, `UPDATE ci_pipeline_schedule_variables SET value = ?, variable_type = ?
		WHERE pipeline_schedule_id = ? AND key = ?`, v.Value, v.VariableType, scheduleID, v.Key); err != nil {
		return fmt.Errorf("store: update pipeline schedule variable: %w", err)
	}
	return nil
}

// DeletePipelineScheduleVariable removes a schedule's variable of key.
func (q *Queries) DeletePipelineScheduleVariable(ctx context.Context, scheduleID int64, key string) error {
	if _, err := q.exec(ctx, "DELETE FROM ci_pipeline_schedule_variables WHERE pipeline_schedule_id = ? AND key = ?",
		scheduleID, key); err != nil {
		return fmt.Errorf("store: delete pipeline schedule variable: %w", err)
	}
	return nil
}

// LastSchedulePipeline returns the newest pipeline a schedule ran.
func (q *Queries) LastSchedulePipeline(ctx context.Context, scheduleID int64) (*model.Pipeline, error) {
	return scanPipeline(q.queryRow(ctx, "SELECT "+pipelineColumns+
		" FROM ci_pipelines WHERE pipeline_schedule_id = ? ORDER BY id DESC LIMIT 1", scheduleID))
}
