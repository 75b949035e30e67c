package cicd

import (
	"encoding/json"
	"net/http"
	"strconv"

	v4 "github.com/lablet/lablet/internal/api/v4"
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
	Project             *v4.BasicProject `json:"project,omitempty"`
	Description         *string          `json:"description"`
	State               string           `json:"state"`
	Tier                string           `json:"tier"`
	AutoStopAt          *string          `json:"auto_stop_at"`
	AutoStopSetting     string           `json:"auto_stop_setting"`
	ClusterAgent        any              `json:"cluster_agent"`
	KubernetesNamespace *string          `json:"kubernetes_namespace"`
	FluxResourcePath    *string          `json:"flux_resource_path"`
	// LastDeployment is a *deploymentEntity, or JSON null, on the single
	// GET only.
	LastDeployment any `json:"last_deployment,omitempty"`
}

func environmentBasicOf(e *model.Environment) environmentBasic {
	return environmentBasic{ID: e.ID, Name: e.Name, Slug: e.Slug, ExternalURL: e.ExternalURL,
		CreatedAt: v4.TS(e.CreatedAt), UpdatedAt: v4.TS(e.UpdatedAt)}
}

func environmentEntityOf(a *v4.API, r *http.Request, v *service.EnvironmentView, single bool) (environmentEntity, error) {
	e := v.Environment
	out := environmentEntity{environmentBasic: environmentBasicOf(e), State: e.State, Tier: e.Tier,
		AutoStopAt: v4.TSP(e.AutoStopAt), AutoStopSetting: "always"}
	if single {
		// GitLab presents it except: [:project, {last_deployment: [:environment]}].
		if v.LastDeployment == nil {
			out.LastDeployment = json.RawMessage("null")
			return out, nil
		}
		ds, err := deploymentEntities(a, r, []*service.DeploymentView{v.LastDeployment})
		if err != nil {
			return out, err
		}
		ds[0].Environment = nil
		out.LastDeployment = &ds[0]
		return out, nil
	}
	bp := v4.BasicProjectAt(a.ProjectBase(r), v.Project)
	out.Project = &bp
	return out, nil
}

func writeEnvironment(a *v4.API, w http.ResponseWriter, r *http.Request, v *service.EnvironmentView, status int) error {
	out, err := environmentEntityOf(a, r, v, false)
	if err != nil {
		return err
	}
	v4.WriteJSON(w, status, out)
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
func listEnvironments(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	pg := v4.PageOf(c.Params())
	var f model.EnvironmentFilter
	f.Name, _ = c.Params().Str("name")
	f.Search, _ = c.Params().Str("search")
	state, _, err := c.Params().OneOf("states", model.EnvironmentAvailable, model.EnvironmentStopping,
		model.EnvironmentStopped)
	if err != nil {
		return err
	}
	f.State = state
	views, total, err := a.Service().ListEnvironments(r.Context(), c.Identity(), r.PathValue("id"), f, pg.PerPage, pg.Offset())
	if err != nil {
		return err
	}
	out := make([]environmentEntity, len(views))
	for i, v := range views {
		if out[i], err = environmentEntityOf(a, r, v, false); err != nil {
			return err
		}
	}
	a.SetPageHeaders(w, r, pg, int(total))
	return v4.WriteOK(w, out)
}

// getEnvironment is GET /projects/:id/environments/:environment_id.
func getEnvironment(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	envID, err := environmentIDParam(r)
	if err != nil {
		return err
	}
	v, err := a.Service().Environment(r.Context(), c.Identity(), r.PathValue("id"), envID)
	if err != nil {
		return err
	}
	out, err := environmentEntityOf(a, r, v, true)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, out)
}

// environmentInput reads external_url and tier; slug is refused, as
// Grape's absence validator does.
func environmentInput(p *v4.Params) (service.EnvironmentInput, error) {
	var in service.EnvironmentInput
	if p.Has("slug") {
		return in, service.ParamError("slug is automatically generated and cannot be changed")
	}
	if s, ok, err := p.Text("external_url", v4.MaxParamText); err != nil {
		return in, err
	} else if ok {
		in.ExternalURL = &s
	}
	if s, ok := p.Str("tier"); ok {
		in.Tier = &s
	}
	return in, nil
}

// createEnvironment is POST /projects/:id/environments.
func createEnvironment(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	name, err := c.Params().Required("name", v4.MaxParamText)
	if err != nil {
		return err
	}
	in, err := environmentInput(c.Params())
	if err != nil {
		return err
	}
	in.Name = name
	v, err := a.Service().CreateEnvironment(r.Context(), c.Identity(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return writeEnvironment(a, w, r, v, http.StatusCreated)
}

// updateEnvironment is PUT /projects/:id/environments/:environment_id.
func updateEnvironment(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	envID, err := environmentIDParam(r)
	if err != nil {
		return err
	}
	in, err := environmentInput(c.Params())
	if err != nil {
		return err
	}
	v, err := a.Service().UpdateEnvironment(r.Context(), c.Identity(), r.PathValue("id"), envID, in)
	if err != nil {
		return err
	}
	return writeEnvironment(a, w, r, v, http.StatusOK)
}

// deleteEnvironment is DELETE /projects/:id/environments/:environment_id.
func deleteEnvironment(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	envID, err := environmentIDParam(r)
	if err != nil {
		return err
	}
	if err := a.Service().DeleteEnvironment(r.Context(), c.Identity(), r.PathValue("id"), envID); err != nil {
		return err
	}
	return v4.WriteNoContent(w)
}

// stopEnvironment is POST /projects/:id/environments/:environment_id/stop.
func stopEnvironment(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	envID, err := environmentIDParam(r)
	if err != nil {
		return err
	}
	force, _, err := c.Params().Bool("force")
	if err != nil {
		return err
	}
	v, err := a.Service().StopEnvironment(r.Context(), c.Identity(), r.PathValue("id"), envID, force)
	if err != nil {
		return err
	}
	return writeEnvironment(a, w, r, v, http.StatusOK)
}

// stopStaleEnvironments is POST /projects/:id/environments/stop_stale.
func stopStaleEnvironments(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	if _, err := c.Params().Required("before", v4.MaxParamText); err != nil {
		return err
	}
	before, err := c.Params().TimeParam("before")
	if err != nil {
		return err
	}
	if err := a.Service().StopStaleEnvironments(r.Context(), c.Identity(), r.PathValue("id"), *before); err != nil {
		return err
	}
	return v4.WriteOK(w, map[string]string{"message": "Successfully requested stop for all stale environments"})
}
