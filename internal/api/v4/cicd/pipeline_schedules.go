package cicd

import (
	"net/http"
	"strconv"
	"strings"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// Pipeline schedules (GitLab's lib/api/ci/pipeline_schedules.rb); every
// route authenticates the caller.

// scheduleIDParam reads :pipeline_schedule_id (Grape types it Integer).
func scheduleIDParam(r *http.Request) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue("pipeline_schedule_id"), 10, 64)
	if err != nil {
		return 0, service.ParamError("pipeline_schedule_id is invalid")
	}
	return n, nil
}

// scheduleInputParams reads a schedule's settable fields.
func scheduleInputParams(p *v4.Params) (service.PipelineScheduleInput, error) {
	var in service.PipelineScheduleInput
	for name, dst := range map[string]**string{"description": &in.Description, "ref": &in.Ref, "cron": &in.Cron,
		"cron_timezone": &in.CronTimezone} {
		v, ok, err := p.Text(name, v4.MaxParamText)
		if err != nil {
			return in, err
		}
		if ok {
			*dst = &v
		}
	}
	if v, ok, err := p.Bool("active"); err != nil {
		return in, err
	} else if ok {
		in.Active = &v
	}
	return in, nil
}

// listPipelineSchedules is GET /projects/:id/pipeline_schedules.
func listPipelineSchedules(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	scope, _, err := c.Params().OneOf("scope", "active", "inactive")
	if err != nil {
		return err
	}
	list, err := a.Service().ListPipelineSchedules(r.Context(), c.Identity(), r.PathValue("id"), scope)
	if err != nil {
		return err
	}
	base := a.BaseURL(r)
	page := v4.PaginateSlice(a, w, r, c, list)
	out := make([]pipelineScheduleEntity, len(page))
	for i, v := range page {
		out[i] = pipelineScheduleEntityOf(a, base, v)
	}
	return v4.WriteOK(w, out)
}

// getPipelineSchedule is GET /projects/:id/pipeline_schedules/:id.
func getPipelineSchedule(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := scheduleIDParam(r)
	if err != nil {
		return err
	}
	v, err := a.Service().PipelineSchedule(r.Context(), c.Identity(), r.PathValue("id"), id)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, pipelineScheduleDetailsOf(a, a.BaseURL(r), v))
}

// listSchedulePipelines is GET /projects/:id/pipeline_schedules/:id/pipelines
// (oldest first unless sort=desc).
func listSchedulePipelines(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := scheduleIDParam(r)
	if err != nil {
		return err
	}
	pg := v4.PageOf(c.Params())
	f := model.PipelineFilter{Limit: pg.PerPage, Offset: pg.Offset(), Sort: "asc"}
	if err := pipelineFilterParams(c.Params(), &f); err != nil {
		return err
	}
	p, list, total, err := a.Service().SchedulePipelines(r.Context(), c.Identity(), r.PathValue("id"), id, f)
	if err != nil {
		return err
	}
	return writePipelineList(a, w, r, pg, p, list, total)
}

// createPipelineSchedule is POST /projects/:id/pipeline_schedules.
func createPipelineSchedule(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	for _, name := range []string{"description", "ref", "cron"} {
		if !c.Params().Has(name) {
			return service.ParamError(name + " is missing")
		}
	}
	if ref, _ := c.Params().Str("ref"); strings.TrimSpace(ref) == "" {
		return service.ParamError("ref is empty")
	}
	in, err := scheduleInputParams(c.Params())
	if err != nil {
		return err
	}
	v, err := a.Service().CreatePipelineSchedule(r.Context(), c.Identity(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return v4.WriteCreated(w, pipelineScheduleDetailsOf(a, a.BaseURL(r), v))
}

// updatePipelineSchedule is PUT /projects/:id/pipeline_schedules/:id.
func updatePipelineSchedule(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := scheduleIDParam(r)
	if err != nil {
		return err
	}
	in, err := scheduleInputParams(c.Params())
	if err != nil {
		return err
	}
	v, err := a.Service().UpdatePipelineSchedule(r.Context(), c.Identity(), r.PathValue("id"), id, in)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, pipelineScheduleDetailsOf(a, a.BaseURL(r), v))
}

// takePipelineScheduleOwnership is POST …/take_ownership: 201, or 200
// when the caller already owns the schedule.
func takePipelineScheduleOwnership(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := scheduleIDParam(r)
	if err != nil {
		return err
	}
	v, taken, err := a.Service().TakePipelineScheduleOwnership(r.Context(), c.Identity(), r.PathValue("id"), id)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if taken {
		status = http.StatusCreated
	}
	v4.WriteJSON(w, status, pipelineScheduleDetailsOf(a, a.BaseURL(r), v))
	return nil
}

// deletePipelineSchedule is DELETE /projects/:id/pipeline_schedules/:id.
func deletePipelineSchedule(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := scheduleIDParam(r)
	if err != nil {
		return err
	}
	if err := a.Service().DeletePipelineSchedule(r.Context(), c.Identity(), r.PathValue("id"), id); err != nil {
		return err
	}
	return v4.WriteNoContent(w)
}

// playPipelineSchedule is POST …/play: {"message":"201 Created"}.
func playPipelineSchedule(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := scheduleIDParam(r)
	if err != nil {
		return err
	}
	if err := a.Service().PlayPipelineSchedule(r.Context(), c.Identity(), r.PathValue("id"), id, a.BaseURL(r)); err != nil {
		return err
	}
	return v4.WriteCreated(w, map[string]string{"message": "201 Created"})
}

// scheduleVariableParams reads a schedule variable's value and type.
func scheduleVariableParams(p *v4.Params, key string) (service.ScheduleVariableInput, error) {
	in := service.ScheduleVariableInput{Key: strings.TrimSpace(key)}
	if v, ok, err := p.Text("value", 1<<20); err != nil {
		return in, err
	} else if ok {
		in.Value = &v
	}
	if t, ok, err := p.OneOf("variable_type", model.CIVariableEnvVar, model.CIVariableFile); err != nil {
		return in, err
	} else if ok {
		in.VariableType = &t
	}
	return in, nil
}

// createPipelineScheduleVariable is POST …/variables.
func createPipelineScheduleVariable(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := scheduleIDParam(r)
	if err != nil {
		return err
	}
	key, ok, err := c.Params().Text("key", v4.MaxParamText)
	if err != nil {
		return err
	}
	if !ok {
		return service.ParamError("key is missing")
	}
	if !c.Params().Has("value") {
		return service.ParamError("value is missing")
	}
	in, err := scheduleVariableParams(c.Params(), key)
	if err != nil {
		return err
	}
	v, err := a.Service().CreatePipelineScheduleVariable(r.Context(), c.Identity(), r.PathValue("id"), id, in)
	if err != nil {
		return err
	}
	return v4.WriteCreated(w, pipelineVariableEntityOf(v))
}

// updatePipelineScheduleVariable is PUT …/variables/:key.
func updatePipelineScheduleVariable(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := scheduleIDParam(r)
	if err != nil {
		return err
	}
	in, err := scheduleVariableParams(c.Params(), r.PathValue("key"))
	if err != nil {
		return err
	}
	v, err := a.Service().UpdatePipelineScheduleVariable(r.Context(), c.Identity(), r.PathValue("id"), id, in)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, pipelineVariableEntityOf(v))
}

// deletePipelineScheduleVariable is DELETE …/variables/:key: 202 with the
// variable deleted.
func deletePipelineScheduleVariable(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := scheduleIDParam(r)
	if err != nil {
		return err
	}
	v, err := a.Service().DeletePipelineScheduleVariable(r.Context(), c.Identity(), r.PathValue("id"), id, r.PathValue("key"))
	if err != nil {
		return err
	}
	v4.WriteJSON(w, http.StatusAccepted, pipelineVariableEntityOf(v))
	return nil
}
