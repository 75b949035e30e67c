package graphql

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// A project's CI/CD variables and pipeline schedules, through the service
// calls REST's variables and pipeline_schedules routes make: who may not
// read them (GitLab's admin_cicd_variables, read_pipeline_schedule) gets
// null, as GitLab's authorized fields answer.

func (r *Resolver) projectCIVariables(ctx context.Context, obj *Project, after, before *string, first, last *int) (*CiProjectVariableConnection, error) {
	vars, err := r.svc.ListCIVariables(ctx, callerOf(ctx), model.CIVariableOfProject, strconv.FormatInt(obj.p.ID, 10))
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	list, pg, err := inMemory(vars, after, before, first, last)
	if err != nil {
		return nil, err
	}
	c := &CiProjectVariableConnection{Count: len(vars), PageInfo: pageInfo(pg, len(list), pg.offset+len(list) < len(vars))}
	for i, v := range list {
		node := &CiProjectVariable{ID: gid("Ci::Variable", v.ID), Key: ptr(v.Key),
			VariableType: ptr(CiVariableType(strings.ToUpper(v.VariableType))), Protected: ptr(v.Protected),
			Masked: ptr(v.Masked), Raw: ptr(v.Raw), Hidden: ptr(v.Hidden), EnvironmentScope: ptr(v.EnvironmentScope),
			Description: v.Description}
		if !v.Hidden {
			node.Value = ptr(v.Value) // GitLab never shows a hidden variable's value
		}
		c.Nodes = append(c.Nodes, node)
		c.Edges = append(c.Edges, &CiProjectVariableEdge{Cursor: cursor(pg.offset + i), Node: node})
	}
	return c, nil
}

func (r *Resolver) projectPipelineSchedules(ctx context.Context, obj *Project, status *PipelineScheduleStatus, ids []string,
	after, before *string, first, last *int) (*PipelineScheduleConnection, error) {
	scope := ""
	if status != nil {
		scope = strings.ToLower(string(*status))
	}
	views, err := r.svc.ListPipelineSchedules(ctx, callerOf(ctx), strconv.FormatInt(obj.p.ID, 10), scope)
	if hidden(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if ids != nil {
		var want []int64
		for _, s := range ids {
			n, err := parseGID("Ci::PipelineSchedule", s)
			if err != nil {
				return nil, err
			}
			want = append(want, n)
		}
		views = slices.DeleteFunc(views, func(v *service.PipelineScheduleView) bool { return !slices.Contains(want, v.Schedule.ID) })
	}
	list, pg, err := inMemory(views, after, before, first, last)
	if err != nil {
		return nil, err
	}
	v := r.at(ctx)
	c := &PipelineScheduleConnection{Count: len(views), PageInfo: pageInfo(pg, len(list), pg.offset+len(list) < len(views))}
	for i, sv := range list {
		s := sv.Schedule
		node := &PipelineSchedule{ID: gid("Ci::PipelineSchedule", s.ID), Description: ptr(s.Description), Active: s.Active,
			Cron: s.Cron, CronTimezone: s.CronTimezone, Ref: ptr(s.Ref), NextRunAt: s.NextRunAt, CreatedAt: s.CreatedAt,
			UpdatedAt: s.UpdatedAt}
		if sv.Owner != nil {
			node.Owner = v.userCore(sv.Owner)
		}
		c.Nodes = append(c.Nodes, node)
		c.Edges = append(c.Edges, &PipelineScheduleEdge{Cursor: cursor(pg.offset + i), Node: node})
	}
	return c, nil
}
