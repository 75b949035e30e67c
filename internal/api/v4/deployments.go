package v4

import (
	"net/http"
	"strconv"
	"time"

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
	User        *basicUser        `json:"user"`
	Environment *environmentBasic `json:"environment,omitempty"` // left out as an environment's last_deployment
	Deployable  *jobEntity        `json:"deployable"`
	Status      string            `json:"status"`
}

func (a *API) deploymentEntities(r *http.Request, views []*service.DeploymentView) ([]deploymentEntity, error) {
	base := a.baseURL(r)
	var jobs []*service.JobView
	for _, v := range views {
		if v.Job != nil {
			jobs = append(jobs, v.Job)
		}
	}
	jobEnts, err := a.jobEntities(r.Context(), base, jobs)
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
		e := deploymentEntity{ID: d.ID, IID: d.IID, Ref: d.Ref, SHA: d.SHA, CreatedAt: ts(d.CreatedAt),
			UpdatedAt: ts(d.UpdatedAt), Status: d.Status}
		if v.User != nil {
			u := basicUserAt(base, a.gravatar, v.User)
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

func (a *API) writeDeployment(w http.ResponseWriter, r *http.Request, v *service.DeploymentView, status int) error {
	out, err := a.deploymentEntities(r, []*service.DeploymentView{v})
	if err != nil {
		return err
	}
	writeJSON(w, status, out[0])
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
func deploymentQueryOf(p *params) (service.DeploymentQuery, page, error) {
	pg := pageOf(p)
	q := service.DeploymentQuery{DeploymentFilter: model.DeploymentFilter{Limit: pg.PerPage, Offset: pg.Offset()}}
	var err error
	if q.OrderBy, _, err = p.oneOf("order_by", "id", "iid", "created_at", "updated_at", "ref", "finished_at"); err != nil {
		return q, pg, err
	}
	sort, _, err := p.oneOf("sort", "asc", "desc")
	if err != nil {
		return q, pg, err
	}
	q.Desc = sort == "desc"
	if q.Status, _, err = p.oneOf("status", model.DeploymentStatuses...); err != nil {
		return q, pg, err
	}
	q.Environment, _ = p.str("environment")
	for name, dst := range map[string]**time.Time{"updated_after": &q.UpdatedAfter, "updated_before": &q.UpdatedBefore,
		"finished_after": &q.FinishedAfter, "finished_before": &q.FinishedBefore} {
		if *dst, err = p.timeParam(name); err != nil {
			return q, pg, err
		}
	}
	return q, pg, nil
}

// listDeployments is GET /projects/:id/deployments.
func (a *API) listDeployments(w http.ResponseWriter, r *http.Request, c *call) error {
	q, pg, err := deploymentQueryOf(c.params)
	if err != nil {
		return err
	}
	views, total, err := a.svc.ListDeployments(r.Context(), c.id, r.PathValue("id"), q)
	if err != nil {
		return err
	}
	out, err := a.deploymentEntities(r, views)
	if err != nil {
		return err
	}
	a.setPageHeaders(w, r, pg, int(total))
	return writeOK(w, out)
}

// getDeployment is GET /projects/:id/deployments/:deployment_id.
func (a *API) getDeployment(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := deploymentIDParam(r)
	if err != nil {
		return err
	}
	v, err := a.svc.Deployment(r.Context(), c.id, r.PathValue("id"), id)
	if err != nil {
		return err
	}
	return a.writeDeployment(w, r, v, http.StatusOK)
}

// createDeployment is POST /projects/:id/deployments.
func (a *API) createDeployment(w http.ResponseWriter, r *http.Request, c *call) error {
	var in service.DeploymentInput
	var err error
	for name, dst := range map[string]*string{"environment": &in.Environment, "sha": &in.SHA, "ref": &in.Ref,
		"status": &in.Status} {
		if *dst, err = c.params.required(name, maxParamText); err != nil {
			return err
		}
	}
	tag, ok, err := c.params.bool("tag")
	if err != nil {
		return err
	}
	if !ok {
		return service.ParamError("tag is missing")
	}
	in.Tag = tag
	v, err := a.svc.CreateDeployment(r.Context(), c.id, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return a.writeDeployment(w, r, v, http.StatusCreated)
}

// updateDeployment is PUT /projects/:id/deployments/:deployment_id.
func (a *API) updateDeployment(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := deploymentIDParam(r)
	if err != nil {
		return err
	}
	status, err := c.params.required("status", maxParamText)
	if err != nil {
		return err
	}
	v, err := a.svc.UpdateDeployment(r.Context(), c.id, r.PathValue("id"), id, status)
	if err != nil {
		return err
	}
	return a.writeDeployment(w, r, v, http.StatusOK)
}

// deleteDeployment is DELETE /projects/:id/deployments/:deployment_id.
func (a *API) deleteDeployment(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := deploymentIDParam(r)
	if err != nil {
		return err
	}
	if err := a.svc.DeleteDeployment(r.Context(), c.id, r.PathValue("id"), id); err != nil {
		return err
	}
	return writeNoContent(w)
}
