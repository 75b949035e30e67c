package cicd

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// pipelineIDParam reads :pipeline_id (GitLab types it Integer).
func pipelineIDParam(r *http.Request) (int64, error) { return jobIDParam(r, "pipeline_id") }

// listPipelines is GET /projects/:id/pipelines.
func listPipelines(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	pg := v4.PageOf(c.Params())
	f := model.PipelineFilter{Limit: pg.PerPage, Offset: pg.Offset()}
	if err := pipelineFilterParams(c.Params(), &f); err != nil {
		return err
	}
	var err error
	if f.OrderBy, _, err = c.Params().OneOf("order_by", "id", "status", "ref", "updated_at", "user_id"); err != nil {
		return err
	}
	f.Ref, _ = c.Params().Str("ref")
	f.SHA, _ = c.Params().Str("sha")
	f.Source, _ = c.Params().Str("source")
	f.Name, _ = c.Params().Str("name")
	if username, ok := c.Params().Str("username"); ok {
		u, err := a.Service().UserByUsername(r.Context(), username)
		if err != nil {
			a.SetPageHeaders(w, r, pg, 0)
			return v4.WriteOK(w, []v4.PipelineBasic{})
		}
		f.UserID = &u.ID
	}
	p, list, total, err := a.Service().ListPipelines(r.Context(), c.Identity(), r.PathValue("id"), f)
	if err != nil {
		return err
	}
	return writePipelineList(a, w, r, pg, p, list, total)
}

// pipelineFilterParams reads the filters pipeline lists share: scope,
// status, sort and the updated and created bounds.
func pipelineFilterParams(p *v4.Params, f *model.PipelineFilter) error {
	var err error
	if f.Scope, _, err = p.OneOf("scope", "running", "pending", "finished", "branches", "tags"); err != nil {
		return err
	}
	if f.Status, _, err = p.OneOf("status", "created", "waiting_for_resource", "preparing", "pending", "running",
		"success", "failed", "canceling", "canceled", "skipped", "manual", "scheduled"); err != nil {
		return err
	}
	if sort, ok, err := p.OneOf("sort", "asc", "desc"); err != nil {
		return err
	} else if ok {
		f.Sort = sort
	}
	for name, dst := range map[string]**int64{"updated_after": &f.UpdatedAfter, "updated_before": &f.UpdatedBefore,
		"created_after": &f.CreatedAfter, "created_before": &f.CreatedBefore} {
		if s, ok := p.Str(name); ok {
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
func writePipelineList(a *v4.API, w http.ResponseWriter, r *http.Request, pg v4.Page, p *model.Project, list []*model.Pipeline, total int64) error {
	a.SetPageHeaders(w, r, pg, int(total))
	base := a.BaseURL(r)
	out := make([]v4.PipelineBasic, len(list))
	for i, pl := range list {
		out[i] = v4.PipelineBasicOf(base, p, pl)
	}
	return v4.WriteOK(w, out)
}

func writePipeline(a *v4.API, w http.ResponseWriter, r *http.Request, v *service.PipelineView, status int) error {
	e, err := a.PipelineEntityOf(r, v)
	if err != nil {
		return err
	}
	v4.WriteJSON(w, status, e)
	return nil
}

// getPipeline is GET /projects/:id/pipelines/:pipeline_id.
func getPipeline(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := pipelineIDParam(r)
	if err != nil {
		return err
	}
	v, err := a.Service().Pipeline(r.Context(), c.Identity(), r.PathValue("id"), id)
	if err != nil {
		return err
	}
	return writePipeline(a, w, r, v, http.StatusOK)
}

// getLatestPipeline is GET /projects/:id/pipelines/latest.
func getLatestPipeline(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	ref, _ := c.Params().Str("ref")
	v, err := a.Service().LatestPipeline(r.Context(), c.Identity(), r.PathValue("id"), ref)
	if err != nil {
		return err
	}
	return writePipeline(a, w, r, v, http.StatusOK)
}

// createPipeline is POST /projects/:id/pipeline.
func createPipeline(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	ref, err := c.Params().Required("ref", 1024)
	if err != nil {
		return err
	}
	vars, err := pipelineVariablesParam(c.Params())
	if err != nil {
		return err
	}
	v, err := a.Service().CreatePipelineFor(r.Context(), c.Identity(), r.PathValue("id"), service.PipelineInput{Ref: ref,
		Source: service.SourceAPI, Variables: vars, BaseURL: a.BaseURL(r)})
	if err != nil {
		return pipelineConfigError(err)
	}
	return writePipeline(a, w, r, v, http.StatusCreated)
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
func pipelineVariablesParam(p *v4.Params) ([]model.PipelineVariable, error) {
	raw, ok := p.Raw("variables")
	if !ok {
		keys, values, types := p.Form("variables[][key]"), p.Form("variables[][value]"), p.Form("variables[][variable_type]")
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
func retryPipeline(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := pipelineIDParam(r)
	if err != nil {
		return err
	}
	v, err := a.Service().RetryPipeline(r.Context(), c.Identity(), r.PathValue("id"), id)
	if err != nil {
		return err
	}
	return writePipeline(a, w, r, v, http.StatusCreated)
}

// cancelPipeline is POST /projects/:id/pipelines/:pipeline_id/cancel.
func cancelPipeline(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := pipelineIDParam(r)
	if err != nil {
		return err
	}
	v, err := a.Service().CancelPipeline(r.Context(), c.Identity(), r.PathValue("id"), id)
	if err != nil {
		return err
	}
	return writePipeline(a, w, r, v, http.StatusOK)
}

// deletePipeline is DELETE /projects/:id/pipelines/:pipeline_id.
func deletePipeline(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := pipelineIDParam(r)
	if err != nil {
		return err
	}
	if err := a.Service().DeletePipeline(r.Context(), c.Identity(), r.PathValue("id"), id); err != nil {
		return err
	}
	return v4.WriteNoContent(w)
}

// pipelineVariableEntity is one variable of a pipeline.
type pipelineVariableEntity struct {
	Key          string `json:"key"`
	VariableType string `json:"variable_type"`
	Value        string `json:"value"`
	Raw          bool   `json:"raw"`
}

// listPipelineVariables is GET /projects/:id/pipelines/:pipeline_id/variables.
func listPipelineVariables(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := pipelineIDParam(r)
	if err != nil {
		return err
	}
	vars, err := a.Service().PipelineVariables(r.Context(), c.Identity(), r.PathValue("id"), id)
	if err != nil {
		return err
	}
	out := make([]pipelineVariableEntity, len(vars))
	for i, v := range vars {
		out[i] = pipelineVariableEntityOf(v)
	}
	return v4.WriteOK(w, out)
}

func pipelineVariableEntityOf(v model.PipelineVariable) pipelineVariableEntity {
	return pipelineVariableEntity{Key: v.Key, VariableType: v.VariableType, Value: v.Value, Raw: v.Raw}
}
