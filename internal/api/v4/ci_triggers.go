package v4

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// ciTriggerEntity is GitLab's Entities::Trigger. The token is whole only
// in the answer that creates it (lablet keeps its digest), else its short
// form, as GitLab shows it to whoever is not its owner.
type ciTriggerEntity struct {
	ID          int64      `json:"id"`
	Token       string     `json:"token"`
	Description string     `json:"description"`
	CreatedAt   string     `json:"created_at"`
	UpdatedAt   string     `json:"updated_at"`
	LastUsed    *string    `json:"last_used"`
	ExpiresAt   *string    `json:"expires_at"`
	Owner       *basicUser `json:"owner"`
}

func (a *API) ciTriggerEntityOf(base string, v *service.CITriggerView) ciTriggerEntity {
	t := v.Trigger
	e := ciTriggerEntity{ID: t.ID, Token: v.ShownToken(), Description: t.Description, CreatedAt: ts(t.CreatedAt),
		UpdatedAt: ts(t.UpdatedAt), LastUsed: tsp(t.LastUsedAt), ExpiresAt: tsp(t.ExpiresAt)}
	if v.Owner != nil {
		u := basicUserAt(base, a.gravatar, v.Owner)
		e.Owner = &u
	}
	return e
}

// triggerIDParam reads :trigger_id (Grape types it Integer).
func triggerIDParam(r *http.Request) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue("trigger_id"), 10, 64)
	if err != nil {
		return 0, service.ParamError("trigger_id is invalid")
	}
	return n, nil
}

// listCITriggers is GET /projects/:id/triggers.
func (a *API) listCITriggers(w http.ResponseWriter, r *http.Request, c *call) error {
	list, err := a.svc.ListCITriggers(r.Context(), c.id, r.PathValue("id"))
	if err != nil {
		return err
	}
	base := a.baseURL(r)
	page := paginateSlice(a, w, r, c, list)
	out := make([]ciTriggerEntity, len(page))
	for i, v := range page {
		out[i] = a.ciTriggerEntityOf(base, v)
	}
	return writeOK(w, out)
}

// getCITrigger is GET /projects/:id/triggers/:trigger_id.
func (a *API) getCITrigger(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := triggerIDParam(r)
	if err != nil {
		return err
	}
	v, err := a.svc.CITrigger(r.Context(), c.id, r.PathValue("id"), id)
	if err != nil {
		return err
	}
	return writeOK(w, a.ciTriggerEntityOf(a.baseURL(r), v))
}

// createCITrigger is POST /projects/:id/triggers.
func (a *API) createCITrigger(w http.ResponseWriter, r *http.Request, c *call) error {
	desc, err := c.params.required("description", maxParamText)
	if err != nil {
		return err
	}
	v, err := a.svc.CreateCITrigger(r.Context(), c.id, r.PathValue("id"), desc)
	if err != nil {
		return err
	}
	return writeCreated(w, a.ciTriggerEntityOf(a.baseURL(r), v))
}

// updateCITrigger is PUT /projects/:id/triggers/:trigger_id.
func (a *API) updateCITrigger(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := triggerIDParam(r)
	if err != nil {
		return err
	}
	var desc *string
	if d, ok, err := c.params.text("description", maxParamText); err != nil {
		return err
	} else if ok {
		desc = &d
	}
	v, err := a.svc.UpdateCITrigger(r.Context(), c.id, r.PathValue("id"), id, desc)
	if err != nil {
		return err
	}
	return writeOK(w, a.ciTriggerEntityOf(a.baseURL(r), v))
}

// deleteCITrigger is DELETE /projects/:id/triggers/:trigger_id.
func (a *API) deleteCITrigger(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := triggerIDParam(r)
	if err != nil {
		return err
	}
	if err := a.svc.DeleteCITrigger(r.Context(), c.id, r.PathValue("id"), id); err != nil {
		return err
	}
	return writeNoContent(w)
}

// triggerToken: POST …/trigger/pipeline reads no user credential, as
// GitLab Runner's routes: the trigger's or job's token in the request
// decides who runs the pipeline.
var triggerToken = runnerToken

// errTriggerVariables is the trigger API's answer to variables that are
// not a map of strings.
var errTriggerVariables = &service.Error{Kind: service.KindInvalid,
	Message: "variables needs to be a map of key-valued strings"}

// triggerVariablesParam reads variables: a JSON object of strings, or
// variables[KEY]=value in a form or query.
func triggerVariablesParam(p *params) (map[string]string, error) {
	raw, given := p.raw("variables")
	obj := p.object("variables")
	if obj == nil {
		if given && raw != nil {
			return nil, service.ParamError("variables is invalid")
		}
		return map[string]string{}, nil
	}
	out := make(map[string]string, len(obj))
	vars := make([]model.PipelineVariable, 0, len(obj))
	for k, v := range obj {
		s, ok := v.(string)
		if !ok {
			return nil, errTriggerVariables
		}
		out[k] = s
		vars = append(vars, model.PipelineVariable{Key: k, Value: s, VariableType: model.CIVariableEnvVar})
	}
	return out, validatePipelineVariables(vars)
}

// triggerPipeline is POST /projects/:id/trigger/pipeline: the token in
// the request, a trigger's or a running job's, says who runs it; no
// other credential is read.
func (a *API) triggerPipeline(w http.ResponseWriter, r *http.Request, c *call) error {
	// A pipeline's own webhook calling back is refused, as GitLab does.
	if r.Header.Get("X-Gitlab-Event") == "Pipeline Hook" {
		return service.Forbidden("")
	}
	ref, err := c.params.required("ref", 1024)
	if err != nil {
		return err
	}
	token, err := c.params.required("token", maxParamText)
	if err != nil {
		return err
	}
	vars, err := triggerVariablesParam(c.params)
	if err != nil {
		return err
	}
	in := service.TriggerInput{Ref: ref, Variables: vars, BaseURL: a.baseURL(r)}
	var v *service.PipelineView
	if strings.HasPrefix(token, service.TriggerTokenPrefix) {
		v, err = a.svc.TriggerPipeline(r.Context(), r.PathValue("id"), token, in)
	} else {
		job, jerr := a.auth.JobToken(r.Context(), token)
		if jerr != nil {
			job = nil // an unknown or finished job's token: not found
		}
		v, err = a.svc.TriggerPipelineByJob(r.Context(), job, r.PathValue("id"), in)
	}
	if err != nil {
		return pipelineConfigError(err)
	}
	return a.writePipeline(w, r, v, http.StatusCreated)
}
