package v4

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// pipelineIDParam reads :pipeline_id (GitLab types it Integer).
func pipelineIDParam(r *http.Request) (int64, error) { return jobIDParam(r, "pipeline_id") }

// listPipelines is GET /projects/:id/pipelines.
func (a *API) listPipelines(w http.ResponseWriter, r *http.Request, c *call) error {
	pg := pageOf(c.params)
	f := model.PipelineFilter{Limit: pg.PerPage, Offset: pg.Offset()}
	if err := pipelineFilterParams(c.params, &f); err != nil {
		return err
	}
	var err error
	if f.OrderBy, _, err = c.params.oneOf("order_by", "id", "status", "ref", "updated_at", "user_id"); err != nil {
		return err
	}
	f.Ref, _ = c.params.str("ref")
	f.SHA, _ = c.params.str("sha")
	f.Source, _ = c.params.str("source")
	f.Name, _ = c.params.str("name")
	if username, ok := c.params.str("username"); ok {
		u, err := a.svc.UserByUsername(r.Context(), username)
		if err != nil {
			a.setPageHeaders(w, r, pg, 0)
			return writeOK(w, []pipelineBasic{})
		}
		f.UserID = &u.ID
	}
	p, list, total, err := a.svc.ListPipelines(r.Context(), c.id, r.PathValue("id"), f)
	if err != nil {
		return err
	}
	return a.writePipelineList(w, r, pg, p, list, total)
}

// pipelineFilterParams reads the filters pipeline lists share: scope,
// status, sort and the updated and created bounds.
func pipelineFilterParams(p *params, f *model.PipelineFilter) error {
	var err error
	if f.Scope, _, err = p.oneOf("scope", "running", "pending", "finished", "branches", "tags"); err != nil {
		return err
	}
	if f.Status, _, err = p.oneOf("status", "created", "waiting_for_resource", "preparing", "pending", "running",
		"success", "failed", "canceling", "canceled", "skipped", "manual", "scheduled"); err != nil {
		return err
	}
	if sort, ok, err := p.oneOf("sort", "asc", "desc"); err != nil {
		return err
	} else if ok {
		f.Sort = sort
	}
	for name, dst := range map[string]**int64{"updated_after": &f.UpdatedAfter, "updated_before": &f.UpdatedBefore,
		"created_after": &f.CreatedAfter, "created_before": &f.CreatedBefore} {
		if s, ok := p.str(name); ok {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return service.ParamError(name + " is invalid")
			}
			ms := t.UnixMilli()
			*dst = &ms
		}
	}
	return nil
}

// writePipelineList writes a page of pipelines as PipelineBasic.
func (a *API) writePipelineList(w http.ResponseWriter, r *http.Request, pg page, p *model.Project, list []*model.Pipeline, total int64) error {
	a.setPageHeaders(w, r, pg, int(total))
	base := a.baseURL(r)
	out := make([]pipelineBasic, len(list))
	for i, pl := range list {
		out[i] = pipelineBasicOf(base, p, pl)
	}
	return writeOK(w, out)
}

func (a *API) writePipeline(w http.ResponseWriter, r *http.Request, v *service.PipelineView, status int) error {
	e, err := a.pipelineEntityOf(r, v)
	if err != nil {
		return err
	}
	writeJSON(w, status, e)
	return nil
}

// getPipeline is GET /projects/:id/pipelines/:pipeline_id.
func (a *API) getPipeline(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pipelineIDParam(r)
	if err != nil {
		return err
	}
	v, err := a.svc.Pipeline(r.Context(), c.id, r.PathValue("id"), id)
	if err != nil {
		return err
	}
	return a.writePipeline(w, r, v, http.StatusOK)
}

// getLatestPipeline is GET /projects/:id/pipelines/latest.
func (a *API) getLatestPipeline(w http.ResponseWriter, r *http.Request, c *call) error {
	ref, _ := c.params.str("ref")
	v, err := a.svc.LatestPipeline(r.Context(), c.id, r.PathValue("id"), ref)
	if err != nil {
		return err
	}
	return a.writePipeline(w, r, v, http.StatusOK)
}

// createPipeline is POST /projects/:id/pipeline.
func (a *API) createPipeline(w http.ResponseWriter, r *http.Request, c *call) error {
	ref, err := c.params.required("ref", 1024)
	if err != nil {
		return err
	}
	vars, err := pipelineVariablesParam(c.params)
	if err != nil {
		return err
	}
	v, err := a.svc.CreatePipelineFor(r.Context(), c.id, r.PathValue("id"), service.PipelineInput{Ref: ref,
		Source: service.SourceAPI, Variables: vars, BaseURL: a.baseURL(r)})
	if err != nil {
		return pipelineConfigError(err)
	}
	return a.writePipeline(w, r, v, http.StatusCreated)
}

// pipelineConfigError renders a configuration that gave no pipeline as
// GitLab does: 400 {"message":{"base":[…]}}.
func pipelineConfigError(err error) error {
	var ce *service.PipelineConfigError
	if errors.As(err, &ce) {
		return &service.Error{Kind: service.KindInvalid, Fields: map[string][]string{"base": ce.Messages}}
	}
	return err
}

// pipelineVariablesParam reads variables: [{key, value, variable_type}]
// (JSON, or variables[][key]=… in a form).
func pipelineVariablesParam(p *params) ([]model.PipelineVariable, error) {
	raw, ok := p.raw("variables")
	if !ok {
		keys, values, types := p.form["variables[][key]"], p.form["variables[][value]"], p.form["variables[][variable_type]"]
		var out []model.PipelineVariable
		for i, k := range keys {
			v := model.PipelineVariable{Key: k, VariableType: "env_var"}
			if i < len(values) {
				v.Value = values[i]
			}
			if i < len(types) {
				v.VariableType = types[i]
			}
			out = append(out, v)
		}
		return out, validatePipelineVariables(out)
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, service.ParamError("variables is invalid")
	}
	out := make([]model.PipelineVariable, 0, len(list))
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, service.ParamError("variables is invalid")
		}
		v := model.PipelineVariable{VariableType: "env_var"}
		v.Key, _ = m["key"].(string)
		switch val := m["value"].(type) {
		case string:
			v.Value = val
		case float64:
			v.Value = strconv.FormatFloat(val, 'f', -1, 64)
		case bool:
			v.Value = strconv.FormatBool(val)
		}
		if t, ok := m["variable_type"].(string); ok {
			v.VariableType = t
		}
		out = append(out, v)
	}
	return out, validatePipelineVariables(out)
}

func validatePipelineVariables(vars []model.PipelineVariable) error {
	for _, v := range vars {
		if v.Key == "" || len(v.Key) > 255 || !validVariableKey(v.Key) {
			return service.ParamError("variables[key] is invalid")
		}
		if v.VariableType != "env_var" && v.VariableType != "file" {
			return service.ParamError("variables[variable_type] does not have a valid value")
		}
	}
	return nil
}

func validVariableKey(k string) bool {
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// retryPipeline is POST /projects/:id/pipelines/:pipeline_id/retry.
func (a *API) retryPipeline(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pipelineIDParam(r)
	if err != nil {
		return err
	}
	v, err := a.svc.RetryPipeline(r.Context(), c.id, r.PathValue("id"), id)
	if err != nil {
		return err
	}
	return a.writePipeline(w, r, v, http.StatusCreated)
}

// cancelPipeline is POST /projects/:id/pipelines/:pipeline_id/cancel.
func (a *API) cancelPipeline(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pipelineIDParam(r)
	if err != nil {
		return err
	}
	v, err := a.svc.CancelPipeline(r.Context(), c.id, r.PathValue("id"), id)
	if err != nil {
		return err
	}
	return a.writePipeline(w, r, v, http.StatusOK)
}

// deletePipeline is DELETE /projects/:id/pipelines/:pipeline_id.
func (a *API) deletePipeline(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pipelineIDParam(r)
	if err != nil {
		return err
	}
	if err := a.svc.DeletePipeline(r.Context(), c.id, r.PathValue("id"), id); err != nil {
		return err
	}
	return writeNoContent(w)
}

// pipelineVariableEntity is one variable of a pipeline.
type pipelineVariableEntity struct {
	Key          string `json:"key"`
	VariableType string `json:"variable_type"`
	Value        string `json:"value"`
	Raw          bool   `json:"raw"`
}

// listPipelineVariables is GET /projects/:id/pipelines/:pipeline_id/variables.
func (a *API) listPipelineVariables(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pipelineIDParam(r)
	if err != nil {
		return err
	}
	vars, err := a.svc.PipelineVariables(r.Context(), c.id, r.PathValue("id"), id)
	if err != nil {
		return err
	}
	out := make([]pipelineVariableEntity, len(vars))
	for i, v := range vars {
		out[i] = pipelineVariableEntityOf(v)
	}
	return writeOK(w, out)
}

func pipelineVariableEntityOf(v model.PipelineVariable) pipelineVariableEntity {
	return pipelineVariableEntity{Key: v.Key, VariableType: v.VariableType, Value: v.Value, Raw: v.Raw}
}
