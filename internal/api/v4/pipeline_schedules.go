package v4

import (
	"net/http"
	"strconv"
	"strings"

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
func scheduleInputParams(p *params) (service.PipelineScheduleInput, error) {
	var in service.PipelineScheduleInput
	for name, dst := range map[string]**string{"description": &in.Description, "ref": &in.Ref, "cron": &in.Cron,
		"cron_timezone": &in.CronTimezone} {
		v, ok, err := p.text(name, maxParamText)
		if err != nil {
			return in, err
		}
		if ok {
			*dst = &v
		}
	}
	if v, ok, err := p.bool("active"); err != nil {
		return in, err
	} else if ok {
		in.Active = &v
	}
	return in, nil
}

// listPipelineSchedules is GET /projects/:id/pipeline_schedules.
func (a *API) listPipelineSchedules(w http.ResponseWriter, r *http.Request, c *call) error {
	scope, _, err := c.params.oneOf("scope", "active", "inactive")
	if err != nil {
		return err
	}
	list, err := a.svc.ListPipelineSchedules(r.Context(), c.id, r.PathValue("id"), scope)
	if err != nil {
		return err
	}
	base := a.baseURL(r)
	page := paginateSlice(a, w, r, c, list)
	out := make([]pipelineScheduleEntity, len(page))
	for i, v := range page {
		out[i] = a.pipelineScheduleEntityOf(base, v)
	}
	return writeOK(w, out)
}

// getPipelineSchedule is GET /projects/:id/pipeline_schedules/:id.
func (a *API) getPipelineSchedule(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := scheduleIDParam(r)
	if err != nil {
		return err
	}
	v, err := a.svc.PipelineSchedule(r.Context(), c.id, r.PathValue("id"), id)
	if err != nil {
		return err
	}
	return writeOK(w, a.pipelineScheduleDetailsOf(a.baseURL(r), v))
}

// listSchedulePipelines is GET /projects/:id/pipeline_schedules/:id/pipelines
// (oldest first unless sort=desc).
func (a *API) listSchedulePipelines(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := scheduleIDParam(r)
	if err != nil {
		return err
	}
	pg := pageOf(c.params)
	f := model.PipelineFilter{Limit: pg.PerPage, Offset: pg.Offset(), Sort: "asc"}
	if err := pipelineFilterParams(c.params, &f); err != nil {
		return err
	}
	p, list, total, err := a.svc.SchedulePipelines(r.Context(), c.id, r.PathValue("id"), id, f)
	if err != nil {
		return err
	}
	return a.writePipelineList(w, r, pg, p, list, total)
}

// createPipelineSchedule is POST /projects/:id/pipeline_schedules.
func (a *API) createPipelineSchedule(w http.ResponseWriter, r *http.Request, c *call) error {
	for _, name := range []string{"description", "ref", "cron"} {
		if !c.params.has(name) {
			return service.ParamError(name + " is missing")
		}
	}
	if ref, _ := c.params.str("ref"); strings.TrimSpace(ref) == "" {
		return service.ParamError("ref is empty")
	}
	in, err := scheduleInputParams(c.params)
	if err != nil {
		return err
	}
	v, err := a.svc.CreatePipelineSchedule(r.Context(), c.id, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return writeCreated(w, a.pipelineScheduleDetailsOf(a.baseURL(r), v))
}

// updatePipelineSchedule is PUT /projects/:id/pipeline_schedules/:id.
func (a *API) updatePipelineSchedule(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := scheduleIDParam(r)
	if err != nil {
		return err
	}
	in, err := scheduleInputParams(c.params)
	if err != nil {
		return err
	}
	v, err := a.svc.UpdatePipelineSchedule(r.Context(), c.id, r.PathValue("id"), id, in)
	if err != nil {
		return err
	}
	return writeOK(w, a.pipelineScheduleDetailsOf(a.baseURL(r), v))
}

// takePipelineScheduleOwnership is POST …/take_ownership: 201, or 200
// when the caller already owns the schedule.
func (a *API) takePipelineScheduleOwnership(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := scheduleIDParam(r)
	if err != nil {
		return err
	}
	v, taken, err := a.svc.TakePipelineScheduleOwnership(r.Context(), c.id, r.PathValue("id"), id)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if taken {
		status = http.StatusCreated
	}
	writeJSON(w, status, a.pipelineScheduleDetailsOf(a.baseURL(r), v))
	return nil
}

// deletePipelineSchedule is DELETE /projects/:id/pipeline_schedules/:id.
func (a *API) deletePipelineSchedule(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := scheduleIDParam(r)
	if err != nil {
		return err
	}
	if err := a.svc.DeletePipelineSchedule(r.Context(), c.id, r.PathValue("id"), id); err != nil {
		return err
	}
	return writeNoContent(w)
}

// playPipelineSchedule is POST …/play: {"message":"201 Created"}.
func (a *API) playPipelineSchedule(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := scheduleIDParam(r)
	if err != nil {
		return err
	}
	if err := a.svc.PlayPipelineSchedule(r.Context(), c.id, r.PathValue("id"), id, a.baseURL(r)); err != nil {
		return err
	}
	return writeCreated(w, map[string]string{"message": "201 Created"})
}

// scheduleVariableParams reads a schedule variable's value and type.
func scheduleVariableParams(p *params, key string) (service.ScheduleVariableInput, error) {
	in := service.ScheduleVariableInput{Key: strings.TrimSpace(key)}
	if v, ok, err := p.text("value", 1<<20); err != nil {
		return in, err
	} else if ok {
		in.Value = &v
	}
	if t, ok, err := p.oneOf("variable_type", model.CIVariableEnvVar, model.CIVariableFile); err != nil {
		return in, err
	} else if ok {
		in.VariableType = &t
	}
	return in, nil
}

// createPipelineScheduleVariable is POST …/variables.
func (a *API) createPipelineScheduleVariable(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := scheduleIDParam(r)
	if err != nil {
		return err
	}
	key, ok, err := c.params.text("key", maxParamText)
	if err != nil {
		return err
	}
	if !ok {
		return service.ParamError("key is missing")
	}
	if !c.params.has("value") {
		return service.ParamError("value is missing")
	}
	in, err := scheduleVariableParams(c.params, key)
	if err != nil {
		return err
	}
	v, err := a.svc.CreatePipelineScheduleVariable(r.Context(), c.id, r.PathValue("id"), id, in)
	if err != nil {
		return err
	}
	return writeCreated(w, pipelineVariableEntityOf(v))
}

// updatePipelineScheduleVariable is PUT …/variables/:key.
func (a *API) updatePipelineScheduleVariable(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := scheduleIDParam(r)
	if err != nil {
		return err
	}
	in, err := scheduleVariableParams(c.params, r.PathValue("key"))
	if err != nil {
		return err
	}
	v, err := a.svc.UpdatePipelineScheduleVariable(r.Context(), c.id, r.PathValue("id"), id, in)
	if err != nil {
		return err
	}
	return writeOK(w, pipelineVariableEntityOf(v))
}

// deletePipelineScheduleVariable is DELETE …/variables/:key: 202 with the
// variable deleted.
func (a *API) deletePipelineScheduleVariable(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := scheduleIDParam(r)
	if err != nil {
		return err
	}
	v, err := a.svc.DeletePipelineScheduleVariable(r.Context(), c.id, r.PathValue("id"), id, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, pipelineVariableEntityOf(v))
	return nil
}
