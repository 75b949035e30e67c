package cicd

import (
	"net/http"
	"strconv"
	"time"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// deploymentEntity is GitLab's Entities::Deployment: its environment as
// EnvironmentBasic, its job as the job entity (null for a deployment
// made through the API).
type deploymentEntity struct {
	ID          int64             `json:"id"`
	IID         int64             `json:"iid"`
	Ref         string            `json:"ref"`
	SHA         string            `json:"sha"`
	CreatedAt   string            `json:"created_at"`
	UpdatedAt   string            `json:"updated_at"`
	User        *v4.BasicUser     `json:"user"`
	Environment *environmentBasic `json:"environment,omitempty"` // left out as an environment's last_deployment
	Deployable  *jobEntity        `json:"deployable"`
	Status      string            `json:"status"`
}

func deploymentEntities(a *v4.API, r *http.Request, views []*service.DeploymentView) ([]deploymentEntity, error) {
	base := a.BaseURL(r)
	var jobs []*service.JobView
	for _, v := range views {
		if v.Job != nil {
			jobs = append(jobs, v.Job)
		}
	}
	jobEnts, err := jobEntities(a, r.Context(), base, jobs)
	if err != nil {
		return nil, err
	}
	byJob := make(map[int64]*jobEntity, len(jobEnts))
	for i := range jobEnts {
		byJob[jobEnts[i].ID] = &jobEnts[i]
	}
	out := make([]deploymentEntity, len(views))
	for i, v := range views {
		d := v.Deployment
		e := deploymentEntity{ID: d.ID, IID: d.IID, Ref: d.Ref, SHA: d.SHA, CreatedAt: v4.TS(d.CreatedAt),
			UpdatedAt: v4.TS(d.UpdatedAt), Status: d.Status}
		if v.User != nil {
			u := v4.BasicUserAt(base, a.Gravatar(), v.User)
			e.User = &u
		}
		if v.Environment != nil {
			env := environmentBasicOf(v.Environment)
			e.Environment = &env
		}
		if v.Job != nil {
			e.Deployable = byJob[v.Job.Job.ID]
		}
		out[i] = e
	}
	return out, nil
}

func writeDeployment(a *v4.API, w http.ResponseWriter, r *http.Request, v *service.DeploymentView, status int) error {
	out, err := deploymentEntities(a, r, []*service.DeploymentView{v})
	if err != nil {
		return err
	}
	v4.WriteJSON(w, status, out[0])
	return nil
}

// deploymentIDParam reads :deployment_id (Grape types it Integer).
func deploymentIDParam(r *http.Request) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue("deployment_id"), 10, 64)
	if err != nil {
		return 0, service.ParamError("deployment_id is invalid")
	}
	return n, nil
}

// deploymentQueryOf reads GET …/deployments' parameters, each checked
// against GitLab's values.
func deploymentQueryOf(p *v4.Params) (service.DeploymentQuery, v4.Page, error) {
	pg := v4.PageOf(p)
	q := service.DeploymentQuery{DeploymentFilter: model.DeploymentFilter{Limit: pg.PerPage, Offset: pg.Offset()}}
	var err error
	if q.OrderBy, _, err = p.OneOf("order_by", "id", "iid", "created_at", "updated_at", "ref", "finished_at"); err != nil {
		return q, pg, err
	}
	sort, _, err := p.OneOf("sort", "asc", "desc")
	if err != nil {
		return q, pg, err
	}
	q.Desc = sort == "desc"
	if q.Status, _, err = p.OneOf("status", model.DeploymentStatuses...); err != nil {
		return q, pg, err
	}
	q.Environment, _ = p.Str("environment")
	for name, dst := range map[string]**time.Time{"updated_after": &q.UpdatedAfter, "updated_before": &q.UpdatedBefore,
		"finished_after": &q.FinishedAfter, "finished_before": &q.FinishedBefore} {
		if *dst, err = p.TimeParam(name); err != nil {
			return q, pg, err
		}
	}
	return q, pg, nil
}

// listDeployments is GET /projects/:id/deployments.
func listDeployments(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	q, pg, err := deploymentQueryOf(c.Params())
	if err != nil {
		return err
	}
	views, total, err := a.Service().ListDeployments(r.Context(), c.Identity(), r.PathValue("id"), q)
	if err != nil {
		return err
	}
	out, err := deploymentEntities(a, r, views)
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, int(total))
	return v4.WriteOK(w, out)
}

// getDeployment is GET /projects/:id/deployments/:deployment_id.
func getDeployment(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := deploymentIDParam(r)
	if err != nil {
		return err
	}
	v, err := a.Service().Deployment(r.Context(), c.Identity(), r.PathValue("id"), id)
	if err != nil {
		return err
	}
	return writeDeployment(a, w, r, v, http.StatusOK)
}

// createDeployment is POST /projects/:id/deployments.
func createDeployment(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	var in service.DeploymentInput
	var err error
	for name, dst := range map[string]*string{"environment": &in.Environment, "sha": &in.SHA, "ref": &in.Ref,
		"status": &in.Status} {
		if *dst, err = c.Params().Required(name, v4.MaxParamText); err != nil {
			return err
		}
	}
	tag, ok, err := c.Params().Bool("tag")
	if err != nil {
		return err
	}
	if !ok {
		return service.ParamError("tag is missing")
	}
	in.Tag = tag
	v, err := a.Service().CreateDeployment(r.Context(), c.Identity(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return writeDeployment(a, w, r, v, http.StatusCreated)
}

// updateDeployment is PUT /projects/:id/deployments/:deployment_id.
func updateDeployment(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := deploymentIDParam(r)
	if err != nil {
		return err
	}
	status, err := c.Params().Required("status", v4.MaxParamText)
	if err != nil {
		return err
	}
	v, err := a.Service().UpdateDeployment(r.Context(), c.Identity(), r.PathValue("id"), id, status)
	if err != nil {
		return err
	}
	return writeDeployment(a, w, r, v, http.StatusOK)
}

// deleteDeployment is DELETE /projects/:id/deployments/:deployment_id.
func deleteDeployment(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := deploymentIDParam(r)
	if err != nil {
		return err
	}
	if err := a.Service().DeleteDeployment(r.Context(), c.Identity(), r.PathValue("id"), id); err != nil {
		return err
	}
	return v4.WriteNoContent(w)
}
