package service

import (
	"context"
	"errors"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Pipeline schedules (GitLab's Ci::PipelineSchedule, its policy and
// Ci::PipelineSchedules::*Service): a cron line runs a pipeline of a ref
// as the schedule's owner. Reading them is who reads pipelines; creating
// takes Developer on a ref the caller may update; only the owner, still a
// Developer, changes one (a Maintainer takes it over first); Maintainers
// and the owner delete it.

// errScheduleNotFound is the API's not_found!('Pipeline Schedule').
var errScheduleNotFound = NotFound("Pipeline Schedule")

const (
	msgScheduleCreateForbidden = "The current user is not authorized to create the pipeline schedule"
	msgScheduleUpdateForbidden = "The current user is not authorized to update the pipeline schedule"
	// msgRefAmbiguous is the model's error when a short ref names both a
	// branch and a tag, or neither.
	msgRefAmbiguous = "is ambiguous"
)

// PipelineScheduleView is a schedule with what its entities show.
type PipelineScheduleView struct {
	Project  *model.Project
	Schedule *model.PipelineSchedule
	Owner    *model.User
	// LastPipeline and Variables are the details of one schedule;
	// Variables only for who may read them (ShowVariables).
	LastPipeline  *model.Pipeline
	Variables     []model.PipelineVariable
	ShowVariables bool
}

// PipelineScheduleInput are a schedule's settable fields; nil: not given.
type PipelineScheduleInput struct {
	Description  *string
	Ref          *string
	Cron         *string
	CronTimezone *string
	Active       *bool
}

// scheduleCaller is who acts on a schedule: the project, their level and
// whether they own the schedule.
type scheduleCaller struct {
	id      *auth.Identity
	project *model.Project
	level   access.Level
}

func (c scheduleCaller) owns(ps *model.PipelineSchedule) bool {
	return c.id.Authenticated() && ps.OwnerID != nil && *ps.OwnerID == c.id.User.ID
}

// can is PipelineSchedulePolicy on one schedule (the protected ref rule
// aside, which needs the repository: refClosed).
func (c scheduleCaller) can(ps *model.PipelineSchedule, a access.Ability) bool {
	// update_build: Developer, on a project that is not archived.
	dev := ProjectCan(c.id, c.project, c.level, access.UpdatePipelineSchedule)
	switch a {
	case access.UpdatePipelineSchedule:
		return dev && c.owns(ps) || c.id.IsAdmin() && !c.project.Archived
	case access.AdminPipelineSchedule:
		return ProjectCan(c.id, c.project, c.level, access.AdminPipelineSchedule) || dev && c.owns(ps)
	}
	return ProjectCan(c.id, c.project, c.level, a)
}

// scheduleProject finds the project ref names for a caller who holds ab
// there.
func (s *Service) scheduleProject(ctx context.Context, id *auth.Identity, ref string, ab access.Ability) (scheduleCaller, error) {
	p, level, err := s.ciProject(ctx, id, ref, ab)
	return scheduleCaller{id: id, project: p, level: level}, err
}

// findSchedule is the API's pipeline_schedule helper: the project's
// schedule of that id, which the caller must be able to read.
func (s *Service) findSchedule(ctx context.Context, id *auth.Identity, ref string, scheduleID int64) (scheduleCaller, *model.PipelineSchedule, error) {
	c, err := s.scheduleProject(ctx, id, ref, access.ReadPipelineSchedule)
	if err != nil {
		return c, nil, err
	}
	ps, err := s.db.Queries().PipelineSchedule(ctx, c.project.ID, scheduleID)
	if errors.Is(err, store.ErrNotFound) {
		return c, nil, errScheduleNotFound
	}
	return c, ps, err
}

// scheduleFor is findSchedule for a caller who must hold ab on it.
func (s *Service) scheduleFor(ctx context.Context, id *auth.Identity, ref string, scheduleID int64, ab access.Ability) (scheduleCaller, *model.PipelineSchedule, error) {
	c, ps, err := s.findSchedule(ctx, id, ref, scheduleID)
	if err != nil {
		return c, nil, err
	}
	if !c.can(ps, ab) {
		return c, nil, Forbidden("")
	}
	return c, ps, nil
}

func (s *Service) scheduleViews(ctx context.Context, p *model.Project, list []*model.PipelineSchedule) ([]*PipelineScheduleView, error) {
	ids := make([]int64, 0, len(list))
	for _, ps := range list {
		if ps.OwnerID != nil {
			ids = append(ids, *ps.OwnerID)
		}
	}
	users, err := s.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*PipelineScheduleView, len(list))
	for i, ps := range list {
		out[i] = &PipelineScheduleView{Project: p, Schedule: ps}
		if ps.OwnerID != nil {
			out[i].Owner = users[*ps.OwnerID]
		}
	}
	return out, nil
}

// scheduleDetails is the view of one schedule: its owner, last pipeline
// and, when withVariables and for who may read them, its variables. GitLab
// shows them only in GET: the answers of writes present the entity
// without the user its condition asks about.
func (s *Service) scheduleDetails(ctx context.Context, c scheduleCaller, ps *model.PipelineSchedule, withVariables bool) (*PipelineScheduleView, error) {
	views, err := s.scheduleViews(ctx, c.project, []*model.PipelineSchedule{ps})
	if err != nil {
		return nil, err
	}
	v := views[0]
	q := s.db.Queries()
	if v.LastPipeline, err = q.LastSchedulePipeline(ctx, ps.ID); errors.Is(err, store.ErrNotFound) {
		v.LastPipeline, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	if v.ShowVariables = withVariables && c.can(ps, access.AdminPipelineSchedule); v.ShowVariables {
		vars, err := q.PipelineScheduleVariables(ctx, []int64{ps.ID})
		if err != nil {
			return nil, err
		}
		v.Variables = vars[ps.ID]
	}
	return v, nil
}

// ListPipelineSchedules is GET /projects/:id/pipeline_schedules; scope is
// "active", "inactive" or empty.
func (s *Service) ListPipelineSchedules(ctx context.Context, id *auth.Identity, ref, scope string) ([]*PipelineScheduleView, error) {
	c, err := s.scheduleProject(ctx, id, ref, access.ReadPipelineSchedule)
	if err != nil {
		return nil, err
	}
	var active *bool
	if scope != "" {
		a := scope == "active"
		active = &a
	}
	list, err := s.db.Queries().PipelineSchedules(ctx, c.project.ID, active)
	if err != nil {
		return nil, err
	}
	return s.scheduleViews(ctx, c.project, list)
}

// PipelineSchedule is GET /projects/:id/pipeline_schedules/:id.
func (s *Service) PipelineSchedule(ctx context.Context, id *auth.Identity, ref string, scheduleID int64) (*PipelineScheduleView, error) {
	c, ps, err := s.findSchedule(ctx, id, ref, scheduleID)
	if err != nil {
		return nil, err
	}
	return s.scheduleDetails(ctx, c, ps, true)
}

// SchedulePipelines is GET /projects/:id/pipeline_schedules/:id/pipelines.
func (s *Service) SchedulePipelines(ctx context.Context, id *auth.Identity, ref string, scheduleID int64, f model.PipelineFilter) (*model.Project, []*model.Pipeline, int64, error) {
	c, ps, err := s.findSchedule(ctx, id, ref, scheduleID)
	if err != nil {
		return nil, nil, 0, err
	}
	f.ProjectID, f.ScheduleID = c.project.ID, ps.ID
	list, total, err := s.db.Queries().Pipelines(ctx, f)
	return c.project, list, total, err
}

// scheduleRef is a schedule's ref split: the branch or tag name, and
// whether it is a tag. A short ref is a tag when only a tag has its name.
func (s *Service) scheduleRef(p *model.Project, ref string) (name string, tag bool) {
	if n, ok := strings.CutPrefix(ref, gitBranchPrefix); ok {
		return n, false
	}
	if n, ok := strings.CutPrefix(ref, gitTagPrefix); ok {
		return n, true
	}
	r := s.repos.Open(p.ID)
	if sha, _ := r.RefValue(gitBranchPrefix + ref); sha != "" {
		return ref, false
	}
	sha, _ := r.RefValue(gitTagPrefix + ref)
	return ref, sha != ""
}

// refClosed is the policy's protected_ref: the caller may not update the
// schedule's branch. lablet protects no tags.
func (s *Service) refClosed(ctx context.Context, c scheduleCaller, ref string) (bool, error) {
	name, tag := s.scheduleRef(c.project, ref)
	if tag {
		return false, nil
	}
	rules, err := s.BranchRules(ctx, c.project)
	if err != nil {
		return false, err
	}
	return rules.Closed(c.level, name), nil
}

// expandScheduleRef is Ci::PipelineSchedule#expand_short_ref: a short ref
// becomes refs/heads/… or refs/tags/… when exactly one of them exists.
func (s *Service) expandScheduleRef(p *model.Project, ref string) (string, bool) {
	if fullScheduleRef(ref) {
		return ref, true
	}
	r := s.repos.Open(p.ID)
	branch, _ := r.RefValue(gitBranchPrefix + ref)
	tag, _ := r.RefValue(gitTagPrefix + ref)
	switch {
	case branch != "" && tag == "":
		return gitBranchPrefix + ref, true
	case tag != "" && branch == "":
		return gitTagPrefix + ref, true
	}
	return ref, false
}

// fullScheduleRef is VALID_REF_FORMAT_REGEX: refs/heads/ or refs/tags/
// and a name without white space.
func fullScheduleRef(ref string) bool {
	for _, prefix := range []string{gitBranchPrefix, gitTagPrefix} {
		if n, ok := strings.CutPrefix(ref, prefix); ok && n != "" && !strings.ContainsAny(n[:1], " \t\r\n\f\v") {
			return true
		}
	}
	return false
}

// saveSchedule applies in to ps and writes it (create when ps.ID is 0):
// the caller's right to the (new) ref first, then the ref's expansion,
// then the model's validations, as BaseSaveService orders them. Every save
// computes the next run again (before_save :set_next_run_at). An update
// works on the row as locked in its transaction, checking the caller's
// right to it again, so concurrent changes never undo each other.
func (s *Service) saveSchedule(ctx context.Context, c scheduleCaller, ps *model.PipelineSchedule, in PipelineScheduleInput, forbidden string) error {
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		if ps.ID != 0 {
			fresh, err := q.LockPipelineSchedule(ctx, ps.ProjectID, ps.ID)
			if errors.Is(err, store.ErrNotFound) {
				return errScheduleNotFound
			}
			if err != nil {
				return err
			}
			if !c.can(fresh, access.UpdatePipelineSchedule) {
				return Forbidden("")
			}
			*ps = *fresh
		}
		if err := s.applySchedule(ctx, c, ps, in, forbidden); err != nil {
			return err
		}
		if ps.ID == 0 {
			return q.CreatePipelineSchedule(ctx, ps)
		}
		return q.UpdatePipelineSchedule(ctx, ps)
	})
}

// applySchedule sets in's fields on ps and validates the result.
func (s *Service) applySchedule(ctx context.Context, c scheduleCaller, ps *model.PipelineSchedule, in PipelineScheduleInput, forbidden string) error {
	if in.Description != nil {
		ps.Description = *in.Description
	}
	if in.Ref != nil {
		ps.Ref = *in.Ref
	}
	if in.Cron != nil {
		ps.Cron = strings.TrimSpace(*in.Cron)
	}
	if in.CronTimezone != nil {
		ps.CronTimezone = *in.CronTimezone
	}
	if in.Active != nil {
		ps.Active = *in.Active
	}
	closed, err := s.refClosed(ctx, c, ps.Ref)
	if err != nil {
		return err
	}
	if closed {
		return Validation{"base": {forbidden}}.Err()
	}
	if ps.Ref != "" {
		ref, ok := s.expandScheduleRef(c.project, ps.Ref)
		if !ok {
			return Validation{"ref": {msgRefAmbiguous}}.Err()
		}
		ps.Ref = ref
	}
	fields := Validation{}
	if _, ok := parseCron(ps.Cron); !ok {
		fields.Add("cron", errCronSyntax)
	}
	if ps.Cron == "" {
		fields.Add("cron", "can't be blank")
	}
	if _, ok := cronLocation(ps.CronTimezone); !ok {
		fields.Add("cron_timezone", errCronSyntax)
	}
	if ps.CronTimezone == "" {
		fields.Add("cron_timezone", "can't be blank")
	}
	if ps.Ref == "" {
		fields.Add("ref", "can't be blank")
	}
	if strings.TrimSpace(ps.Description) == "" {
		fields.Add("description", "can't be blank")
	}
	if err := fields.Err(); err != nil {
		return err
	}
	ps.NextRunAt = nextCronRun(ps.Cron, ps.CronTimezone, s.Now())
	return nil
}

// CreatePipelineSchedule is POST /projects/:id/pipeline_schedules: a
// schedule owned by the caller (cron_timezone UTC and active unless
// given).
func (s *Service) CreatePipelineSchedule(ctx context.Context, id *auth.Identity, ref string, in PipelineScheduleInput) (*PipelineScheduleView, error) {
	c, err := s.scheduleProject(ctx, id, ref, access.CreatePipelineSchedule)
	if err != nil {
		return nil, err
	}
	uid := id.User.ID
	ps := &model.PipelineSchedule{ProjectID: c.project.ID, OwnerID: &uid, CronTimezone: "UTC", Active: true}
	if err := s.saveSchedule(ctx, c, ps, in, msgScheduleCreateForbidden); err != nil {
		return nil, err
	}
	return s.scheduleDetails(ctx, c, ps, false)
}

// UpdatePipelineSchedule is PUT /projects/:id/pipeline_schedules/:id.
func (s *Service) UpdatePipelineSchedule(ctx context.Context, id *auth.Identity, ref string, scheduleID int64, in PipelineScheduleInput) (*PipelineScheduleView, error) {
	c, ps, err := s.scheduleFor(ctx, id, ref, scheduleID, access.UpdatePipelineSchedule)
	if err != nil {
		return nil, err
	}
	if err := s.saveSchedule(ctx, c, ps, in, msgScheduleUpdateForbidden); err != nil {
		return nil, err
	}
	return s.scheduleDetails(ctx, c, ps, false)
}

// TakePipelineScheduleOwnership is POST …/take_ownership: the caller
// becomes the owner. taken is false when they already were (200, not
// 201).
func (s *Service) TakePipelineScheduleOwnership(ctx context.Context, id *auth.Identity, ref string, scheduleID int64) (v *PipelineScheduleView, taken bool, err error) {
	c, ps, err := s.scheduleFor(ctx, id, ref, scheduleID, access.AdminPipelineSchedule)
	if err != nil {
		return nil, false, err
	}
	if !c.owns(ps) {
		uid := id.User.ID
		ps.OwnerID, taken = &uid, true
		if err := s.db.WithTx(ctx, func(q *store.Queries) error { return q.SetPipelineScheduleOwner(ctx, ps.ID, uid) }); err != nil {
			return nil, false, err
		}
		if ps, err = s.db.Queries().PipelineSchedule(ctx, c.project.ID, ps.ID); err != nil {
			return nil, false, err
		}
	}
	v, err = s.scheduleDetails(ctx, c, ps, false)
	return v, taken, err
}

// DeletePipelineSchedule is DELETE /projects/:id/pipeline_schedules/:id;
// its pipelines stay.
func (s *Service) DeletePipelineSchedule(ctx context.Context, id *auth.Identity, ref string, scheduleID int64) error {
	_, ps, err := s.scheduleFor(ctx, id, ref, scheduleID, access.AdminPipelineSchedule)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error { return q.DeletePipelineSchedule(ctx, ps.ID) })
}
