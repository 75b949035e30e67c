package service

import (
	"context"
	"errors"
	"strconv"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Running pipeline schedules: when due (RunDuePipelineSchedules, from the
// CI housekeeping) as the owner, or now (play) as the caller. Either way
// the pipeline's source is "schedule" and the schedule's variables are its
// variables; a pipeline that can't be created (no permission, a broken
// configuration) is logged, as GitLab's RunPipelineScheduleWorker does,
// and no error of the request that asked.

// PlayPipelineSchedule is POST …/play: the schedule's pipeline now, run
// as the caller; the schedule's next run stays as it is.
func (s *Service) PlayPipelineSchedule(ctx context.Context, id *auth.Identity, ref string, scheduleID int64, baseURL string) error {
	c, ps, err := s.scheduleFor(ctx, id, ref, scheduleID, access.PlayPipelineSchedule)
	if err != nil {
		return err
	}
	closed, err := s.refClosed(ctx, c, ps.Ref)
	if err != nil {
		return err
	}
	if closed {
		return Forbidden("")
	}
	s.runSchedule(ctx, id, c.project, c.level, ps, baseURL)
	return nil
}

// RunDuePipelineSchedules runs the active schedules whose time has come.
// Each run is claimed by moving next_run_at with a conditional UPDATE, so
// of several instances looking at once exactly one runs it; the next run
// is computed before the pipeline, so a slow pipeline never runs twice.
func (s *Service) RunDuePipelineSchedules(ctx context.Context) error {
	q := s.db.Queries()
	now := s.Now()
	due, err := q.DuePipelineSchedules(ctx, now, ciBatch)
	if err != nil {
		return err
	}
	for _, ps := range due {
		ok, err := q.ClaimPipelineScheduleRun(ctx, ps.ID, *ps.NextRunAt, nextCronRun(ps.Cron, ps.CronTimezone, now))
		if err != nil {
			return err
		}
		if ok {
			s.runDueSchedule(ctx, ps)
		}
	}
	return nil
}

// runDueSchedule runs a claimed schedule as its owner. A blocked owner's
// schedule is turned off (GitLab turns them off on blocking); one whose
// owner is gone, not active or may no longer run pipelines there runs
// nothing.
func (s *Service) runDueSchedule(ctx context.Context, ps *model.PipelineSchedule) {
	log := s.log.With("pipeline_schedule_id", ps.ID, "project_id", ps.ProjectID)
	if ps.OwnerID == nil {
		log.InfoContext(ctx, "pipeline schedule without owner not run")
		return
	}
	q := s.db.Queries()
	owner, err := q.UserByID(ctx, *ps.OwnerID)
	if err != nil {
		log.ErrorContext(ctx, "pipeline schedule owner", "err", err)
		return
	}
	switch {
	case owner.State == "blocked":
		// Blocking turns the owner's schedules off; one that raced the
		// block is turned off here.
		if err := q.DeactivatePipelineSchedule(ctx, ps.ID); err != nil {
			log.ErrorContext(ctx, "deactivate pipeline schedule", "err", err)
		}
		return
	case !owner.Active():
		log.InfoContext(ctx, "pipeline schedule not run: its owner is "+owner.State)
		return
	}
	id := &auth.Identity{User: owner, Owner: owner}
	p, level, err := s.VisibleProject(ctx, id, strconv.FormatInt(ps.ProjectID, 10))
	if err != nil || !ProjectCan(id, p, level, access.CreatePipeline) {
		log.InfoContext(ctx, "pipeline schedule not run: Insufficient permissions to create a new pipeline")
		return
	}
	s.runSchedule(ctx, id, p, level, ps, "")
}

// runSchedule creates the schedule's pipeline as id, logging why when it
// can't.
func (s *Service) runSchedule(ctx context.Context, id *auth.Identity, p *model.Project, level access.Level, ps *model.PipelineSchedule, baseURL string) {
	vars, err := s.db.Queries().PipelineScheduleVariables(ctx, []int64{ps.ID})
	if err == nil {
		name, tag := s.scheduleRef(p, ps.Ref)
		_, err = s.createPipelineAs(ctx, id, p, level, PipelineInput{Ref: name, Tag: tag, Source: SourceSchedule,
			Variables: vars[ps.ID], BaseURL: baseURL, ScheduleID: &ps.ID, ScheduleDescription: &ps.Description})
	}
	if err != nil {
		var cfgErr *PipelineConfigError
		level := s.log.ErrorContext
		if errors.As(err, &cfgErr) {
			level = s.log.InfoContext // the project's configuration, not lablet's fault
		}
		level(ctx, "pipeline schedule created no pipeline", "pipeline_schedule_id", ps.ID, "project_id", p.ID,
			"err", err)
	}
}

// scheduleVariable finds a schedule's variable of key.
func scheduleVariable(vars []model.PipelineVariable, key string) (model.PipelineVariable, bool) {
	for _, v := range vars {
		if v.Key == key {
			return v, true
		}
	}
	return model.PipelineVariable{}, false
}

// errScheduleVariableNotFound is not_found!('Pipeline Schedule Variable').
var errScheduleVariableNotFound = NotFound("Pipeline Schedule Variable")

// ScheduleVariableInput is a schedule variable's request; nil: not given.
type ScheduleVariableInput struct {
	Key          string
	Value        *string
	VariableType *string
}

// scheduleVariables loads a schedule the caller holds ab on, and its
// variables.
func (s *Service) scheduleVariables(ctx context.Context, id *auth.Identity, ref string, scheduleID int64, ab access.Ability) (*model.PipelineSchedule, []model.PipelineVariable, error) {
	_, ps, err := s.scheduleFor(ctx, id, ref, scheduleID, ab)
	if err != nil {
		return nil, nil, err
	}
	vars, err := s.db.Queries().PipelineScheduleVariables(ctx, []int64{ps.ID})
	return ps, vars[ps.ID], err
}

// CreatePipelineScheduleVariable is POST …/variables (the owner, as for
// update, and set_pipeline_variables: Developer).
func (s *Service) CreatePipelineScheduleVariable(ctx context.Context, id *auth.Identity, ref string, scheduleID int64, in ScheduleVariableInput) (model.PipelineVariable, error) {
	ps, vars, err := s.scheduleVariables(ctx, id, ref, scheduleID, access.UpdatePipelineSchedule)
	if err != nil {
		return model.PipelineVariable{}, err
	}
	v := model.PipelineVariable{Key: in.Key, VariableType: model.CIVariableEnvVar}
	if in.Value != nil {
		v.Value = *in.Value
	}
	if in.VariableType != nil {
		v.VariableType = *in.VariableType
	}
	fields := Validation{}
	if msgs := validateCIVariableKey(v.Key); msgs != nil {
		fields["key"] = msgs
	} else if _, taken := scheduleVariable(vars, v.Key); taken {
		fields.Add("key", "has already been taken")
	}
	if err := fields.Err(); err != nil {
		return v, err
	}
	err = s.db.WithTx(ctx, func(q *store.Queries) error { return q.CreatePipelineScheduleVariable(ctx, ps.ID, v) })
	if errors.Is(err, store.ErrConflict) {
		return v, Validation{"key": {"has already been taken"}}.Err()
	}
	return v, err
}

// UpdatePipelineScheduleVariable is PUT …/variables/:key.
func (s *Service) UpdatePipelineScheduleVariable(ctx context.Context, id *auth.Identity, ref string, scheduleID int64, in ScheduleVariableInput) (model.PipelineVariable, error) {
	ps, vars, err := s.scheduleVariables(ctx, id, ref, scheduleID, access.UpdatePipelineSchedule)
	if err != nil {
		return model.PipelineVariable{}, err
	}
	v, ok := scheduleVariable(vars, in.Key)
	if !ok {
		return v, errScheduleVariableNotFound
	}
	if in.Value != nil {
		v.Value = *in.Value
	}
	if in.VariableType != nil {
		v.VariableType = *in.VariableType
	}
	err = s.db.WithTx(ctx, func(q *store.Queries) error { return q.UpdatePipelineScheduleVariable(ctx, ps.ID, v) })
	return v, err
}

// DeletePipelineScheduleVariable is DELETE …/variables/:key
// (admin_pipeline_schedule); it returns the variable deleted.
func (s *Service) DeletePipelineScheduleVariable(ctx context.Context, id *auth.Identity, ref string, scheduleID int64, key string) (model.PipelineVariable, error) {
	ps, vars, err := s.scheduleVariables(ctx, id, ref, scheduleID, access.AdminPipelineSchedule)
	if err != nil {
		return model.PipelineVariable{}, err
	}
	v, ok := scheduleVariable(vars, key)
	if !ok {
		return v, errScheduleVariableNotFound
	}
	err = s.db.WithTx(ctx, func(q *store.Queries) error { return q.DeletePipelineScheduleVariable(ctx, ps.ID, key) })
	return v, err
}
