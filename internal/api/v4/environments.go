package v4

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// environmentBasic is GitLab's Entities::EnvironmentBasic.
type environmentBasic struct {
	ID          int64   `json:"id"`
	Name        string  `json:"name"`
	Slug        string  `json:"slug"`
	ExternalURL *string `json:"external_url"`
	CreatedAt   string  `json:"created_at"`
	UpdatedAt   string  `json:"updated_at"`
}

// environmentEntity is GitLab's Entities::Environment: on the single GET
// last_deployment instead of project. Kubernetes settings are not kept:
// null.
type environmentEntity struct {
	environmentBasic
	Project             *basicProject `json:"project,omitempty"`
	Description         *string       `json:"description"`
	State               string        `json:"state"`
	Tier                string        `json:"tier"`
	AutoStopAt          *string       `json:"auto_stop_at"`
	AutoStopSetting     string        `json:"auto_stop_setting"`
	ClusterAgent        any           `json:"cluster_agent"`
	KubernetesNamespace *string       `json:"kubernetes_namespace"`
	FluxResourcePath    *string       `json:"flux_resource_path"`
	// LastDeployment is a *deploymentEntity, or JSON null, on the single
	// GET only.
	LastDeployment any `json:"last_deployment,omitempty"`
}

func environmentBasicOf(e *model.Environment) environmentBasic {
	return environmentBasic{ID: e.ID, Name: e.Name, Slug: e.Slug, ExternalURL: e.ExternalURL,
		CreatedAt: ts(e.CreatedAt), UpdatedAt: ts(e.UpdatedAt)}
}

func (a *API) environmentEntityOf(r *http.Request, v *service.EnvironmentView, single bool) (environmentEntity, error) {
	e := v.Environment
	out := environmentEntity{environmentBasic: environmentBasicOf(e), State: e.State, Tier: e.Tier,
		AutoStopAt: tsp(e.AutoStopAt), AutoStopSetting: "always"}
	if single {
		// GitLab presents it except: [:project, {last_deployment: [:environment]}].
		if v.LastDeployment == nil {
			out.LastDeployment = json.RawMessage("null")
			return out, nil
		}
		ds, err := a.deploymentEntities(r, []*service.DeploymentView{v.LastDeployment})
		if err != nil {
			return out, err
		}
		ds[0].Environment = nil
		out.LastDeployment = &ds[0]
		return out, nil
	}
	bp := basicProjectAt(a.projectBase(r), v.Project)
	out.Project = &bp
	return out, nil
}

func (a *API) writeEnvironment(w http.ResponseWriter, r *http.Request, v *service.EnvironmentView, status int) error {
	out, err := a.environmentEntityOf(r, v, false)
	if err != nil {
		return err
	}
	writeJSON(w, status, out)
	return nil
}

// environmentIDParam reads :environment_id (Grape types it Integer).
func environmentIDParam(r *http.Request) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue("environment_id"), 10, 64)
	if err != nil {
		return 0, service.ParamError("environment_id is invalid")
	}
	return n, nil
}

// listEnvironments is GET /projects/:id/environments.
func (a *API) listEnvironments(w http.ResponseWriter, r *http.Request, c *call) error {
	pg := pageOf(c.params)
	var f model.EnvironmentFilter
	f.Name, _ = c.params.str("name")
	f.Search, _ = c.params.str("search")
	state, _, err := c.params.oneOf("states", model.EnvironmentAvailable, model.EnvironmentStopping,
		model.EnvironmentStopped)
	if err != nil {
		return err
	}
	f.State = state
	views, total, err := a.svc.ListEnvironments(r.Context(), c.id, r.PathValue("id"), f, pg.PerPage, pg.Offset())
	if err != nil {
		return err
	}
	out := make([]environmentEntity, len(views))
	for i, v := range views {
		if out[i], err = a.environmentEntityOf(r, v, false); err != nil {
			return err
		}
	}
	a.setPageHeaders(w, r, pg, int(total))
	return writeOK(w, out)
}

// getEnvironment is GET /projects/:id/environments/:environment_id.
func (a *API) getEnvironment(w http.ResponseWriter, r *http.Request, c *call) error {
	envID, err := environmentIDParam(r)
	if err != nil {
		return err
	}
	v, err := a.svc.Environment(r.Context(), c.id, r.PathValue("id"), envID)
	if err != nil {
		return err
	}
	out, err := a.environmentEntityOf(r, v, true)
	if err != nil {
		return err
	}
	return writeOK(w, out)
}

// environmentInput reads external_url and tier; slug is refused, as
// Grape's absence validator does.
func environmentInput(p *params) (service.EnvironmentInput, error) {
	var in service.EnvironmentInput
	if p.has("slug") {
		return in, service.ParamError("slug is automatically generated and cannot be changed")
	}
	if s, ok, err := p.text("external_url", maxParamText); err != nil {
		return in, err
	} else if ok {
		in.ExternalURL = &s
	}
	if s, ok := p.str("tier"); ok {
		in.Tier = &s
	}
	return in, nil
}

// createEnvironment is POST /projects/:id/environments.
func (a *API) createEnvironment(w http.ResponseWriter, r *http.Request, c *call) error {
	name, err := c.params.required("name", maxParamText)
	if err != nil {
		return err
	}
	in, err := environmentInput(c.params)
	if err != nil {
		return err
	}
	in.Name = name
	v, err := a.svc.CreateEnvironment(r.Context(), c.id, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return a.writeEnvironment(w, r, v, http.StatusCreated)
}

// updateEnvironment is PUT /projects/:id/environments/:environment_id.
func (a *API) updateEnvironment(w http.ResponseWriter, r *http.Request, c *call) error {
	envID, err := environmentIDParam(r)
	if err != nil {
		return err
	}
	in, err := environmentInput(c.params)
	if err != nil {
		return err
	}
	v, err := a.svc.UpdateEnvironment(r.Context(), c.id, r.PathValue("id"), envID, in)
	if err != nil {
		return err
	}
	return a.writeEnvironment(w, r, v, http.StatusOK)
}

// deleteEnvironment is DELETE /projects/:id/environments/:environment_id.
func (a *API) deleteEnvironment(w http.ResponseWriter, r *http.Request, c *call) error {
	envID, err := environmentIDParam(r)
	if err != nil {
		return err
	}
	if err := a.svc.DeleteEnvironment(r.Context(), c.id, r.PathValue("id"), envID); err != nil {
		return err
	}
	return writeNoContent(w)
}

// stopEnvironment is POST /projects/:id/environments/:environment_id/stop.
func (a *API) stopEnvironment(w http.ResponseWriter, r *http.Request, c *call) error {
	envID, err := environmentIDParam(r)
	if err != nil {
		return err
	}
	force, _, err := c.params.bool("force")
	if err != nil {
		return err
	}
	v, err := a.svc.StopEnvironment(r.Context(), c.id, r.PathValue("id"), envID, force)
	if err != nil {
		return err
	}
	return a.writeEnvironment(w, r, v, http.StatusOK)
}

// stopStaleEnvironments is POST /projects/:id/environments/stop_stale.
func (a *API) stopStaleEnvironments(w http.ResponseWriter, r *http.Request, c *call) error {
	if _, err := c.params.required("before", maxParamText); err != nil {
		return err
	}
	before, err := c.params.timeParam("before")
	if err != nil {
		return err
	}
	if err := a.svc.StopStaleEnvironments(r.Context(), c.id, r.PathValue("id"), *before); err != nil {
		return err
	}
	return writeOK(w, map[string]string{"message": "Successfully requested stop for all stale environments"})
}
