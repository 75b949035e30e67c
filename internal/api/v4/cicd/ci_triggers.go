package cicd

import (
	"net/http"
	"strconv"
	"strings"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// ciTriggerEntity is GitLab's Entities::Trigger. The token is whole only
// in the answer that creates it (lablet keeps its digest), else its short
// form, as GitLab shows it to whoever is not its owner.
type ciTriggerEntity struct {
	ID          int64         `json:"id"`
	Token       string        `json:"token"`
	Description string        `json:"description"`
	CreatedAt   string        `json:"created_at"`
	UpdatedAt   string        `json:"updated_at"`
	LastUsed    *string       `json:"last_used"`
	ExpiresAt   *string       `json:"expires_at"`
	Owner       *v4.BasicUser `json:"owner"`
}

func ciTriggerEntityOf(a *v4.API, base string, v *service.CITriggerView) ciTriggerEntity {
	t := v.Trigger
	e := ciTriggerEntity{ID: t.ID, Token: v.ShownToken(), Description: t.Description, CreatedAt: v4.TS(t.CreatedAt),
		UpdatedAt: v4.TS(t.UpdatedAt), LastUsed: v4.TSP(t.LastUsedAt), ExpiresAt: v4.TSP(t.ExpiresAt)}
	if v.Owner != nil {
		u := v4.BasicUserAt(base, a.Gravatar(), v.Owner)
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
func listCITriggers(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	list, err := a.Service().ListCITriggers(r.Context(), c.Identity(), r.PathValue("id"))
	if err != nil {
		return err
	}
	base := a.BaseURL(r)
	page := v4.PaginateSlice(a, w, r, c, list)
	out := make([]ciTriggerEntity, len(page))
	for i, v := range page {
		out[i] = ciTriggerEntityOf(a, base, v)
	}
	return v4.WriteOK(w, out)
}

// getCITrigger is GET /projects/:id/triggers/:trigger_id.
func getCITrigger(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := triggerIDParam(r)
	if err != nil {
		return err
	}
	v, err := a.Service().CITrigger(r.Context(), c.Identity(), r.PathValue("id"), id)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, ciTriggerEntityOf(a, a.BaseURL(r), v))
}

// createCITrigger is POST /projects/:id/triggers.
func createCITrigger(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	desc, err := c.Params().Required("description", v4.MaxParamText)
	if err != nil {
		return err
	}
	v, err := a.Service().CreateCITrigger(r.Context(), c.Identity(), r.PathValue("id"), desc)
	if err != nil {
		return err
	}
	return v4.WriteCreated(w, ciTriggerEntityOf(a, a.BaseURL(r), v))
}

// updateCITrigger is PUT /projects/:id/triggers/:trigger_id.
func updateCITrigger(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := triggerIDParam(r)
	if err != nil {
		return err
	}
	var desc *string
	if d, ok, err := c.Params().Text("description", v4.MaxParamText); err != nil {
		return err
	} else if ok {
		desc = &d
	}
	v, err := a.Service().UpdateCITrigger(r.Context(), c.Identity(), r.PathValue("id"), id, desc)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, ciTriggerEntityOf(a, a.BaseURL(r), v))
}

// deleteCITrigger is DELETE /projects/:id/triggers/:trigger_id.
func deleteCITrigger(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := triggerIDParam(r)
	if err != nil {
		return err
	}
	if err := a.Service().DeleteCITrigger(r.Context(), c.Identity(), r.PathValue("id"), id); err != nil {
		return err
	}
	return v4.WriteNoContent(w)
}

// triggerToken: POST …/trigger/pipeline reads no user credential, as
// GitLab Runner's routes: the trigger's or job's token in the request
// decides who runs the pipeline.
var triggerToken = v4.RunnerToken

// errTriggerVariables is the trigger API's answer to variables that are
// not a map of strings.
var errTriggerVariables = &service.Error{Kind: service.KindInvalid,
	Message: "variables needs to be a map of key-valued strings"}

// triggerVariablesParam reads variables: a JSON object of strings, or
// variables[KEY]=value in a form or query.
func triggerVariablesParam(p *v4.Params) (map[string]string, error) {
	raw, given := p.Raw("variables")
	obj := p.Object("variables")
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
func triggerPipeline(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	// A pipeline's own webhook calling back is refused, as GitLab does.
	if r.Header.Get("X-Gitlab-Event") == "Pipeline Hook" {
		return service.Forbidden("")
	}
	ref, err := c.Params().Required("ref", 1024)
	if err != nil {
		return err
	}
	token, err := c.Params().Required("token", v4.MaxParamText)
	if err != nil {
		return err
	}
	vars, err := triggerVariablesParam(c.Params())
	if err != nil {
		return err
	}
	in := service.TriggerInput{Ref: ref, Variables: vars, BaseURL: a.BaseURL(r)}
	var v *service.PipelineView
	if strings.HasPrefix(token, service.TriggerTokenPrefix) {
		v, err = a.Service().TriggerPipeline(r.Context(), r.PathValue("id"), token, in)
	} else {
		job, jerr := a.Authenticator().JobToken(r.Context(), token)
		if jerr != nil {
			job = nil // an unknown or finished job's token: not found
		}
		v, err = a.Service().TriggerPipelineByJob(r.Context(), job, r.PathValue("id"), in)
	}
	if err != nil {
		return pipelineConfigError(err)
	}
	return writePipeline(a, w, r, v, http.StatusCreated)
}
