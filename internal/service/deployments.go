package service

import (
	"context"
	"errors"
	"slices"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// The deployments API (GitLab's lib/api/deployments.rb,
// DeploymentsFinder, Deployments::CreateService and UpdateService,
// Ci::Deployments::DestroyService).

// DeploymentView is a deployment with what its entity shows.
type DeploymentView struct {
	Deployment  *model.Deployment
	Environment *model.Environment
	User        *model.User
	Job         *JobView // nil for a deployment made through the API
}

// DeploymentQuery is GET /projects/:id/deployments' filter: the
// environment by name.
type DeploymentQuery struct {
	model.DeploymentFilter
	Environment string
}

// apiDeploymentStatuses are the statuses the API sets.
var apiDeploymentStatuses = []string{model.DeploymentRunning, model.DeploymentSuccess, model.DeploymentFailed,
	model.DeploymentCanceled}

// validateDeploymentQuery is DeploymentsFinder#validate! as production
// GitLab runs it: an updated_at filter without its sorting is only
// reported in development, and sorts by updated_at (see
// optimize_sort_params!).
func validateDeploymentQuery(f *model.DeploymentFilter) error {
	updated := f.UpdatedAfter != nil || f.UpdatedBefore != nil
	finished := f.FinishedAfter != nil || f.FinishedBefore != nil
	if updated {
		f.OrderBy = "updated_at"
	}
	switch {
	case updated && finished:
		return badRequest("Both `updated_at` filter and `finished_at` filter can not be specified")
	case finished != (f.OrderBy == "finished_at"):
		return badRequest("`finished_at` filter and `finished_at` sorting must be paired")
	case finished && f.Status != model.DeploymentSuccess:
		return badRequest("`finished_at` filter must be combined with `success` status filter.")
	}
	return nil
}

// ListDeployments is GET /projects/:id/deployments (Reporter).
func (s *Service) ListDeployments(ctx context.Context, id *auth.Identity, ref string, in DeploymentQuery) ([]*DeploymentView, int64, error) {
	p, _, err := s.ciProject(ctx, id, ref, access.ReadDeployment)
	if err != nil {
		return nil, 0, err
	}
	f := in.DeploymentFilter
	if err := validateDeploymentQuery(&f); err != nil {
		return nil, 0, err
	}
	q := s.db.Queries()
	f.ProjectID = p.ID
	if in.Environment != "" {
		e, err := q.EnvironmentByName(ctx, p.ID, in.Environment)
		if errors.Is(err, store.ErrNotFound) {
			return []*DeploymentView{}, 0, nil
		}
		if err != nil {
			return nil, 0, err
		}
		f.EnvironmentID = e.ID
	}
	list, total, err := q.Deployments(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	views, err := s.deploymentViews(ctx, p, list)
	return views, total, err
}

// deploymentViews loads the environments, users and jobs of deployments,
// a query each.
func (s *Service) deploymentViews(ctx context.Context, p *model.Project, list []*model.Deployment) ([]*DeploymentView, error) {
	q := s.db.Queries()
	var envIDs, userIDs, jobIDs []int64
	for _, d := range list {
		envIDs = append(envIDs, d.EnvironmentID)
		if d.UserID != nil {
			userIDs = append(userIDs, *d.UserID)
		}
		if d.DeployableID != nil {
			jobIDs = append(jobIDs, *d.DeployableID)
		}
	}
	envs, err := q.EnvironmentsByIDs(ctx, slices.Compact(slices.Sorted(slices.Values(envIDs))))
	if err != nil {
		return nil, err
	}
	users, err := s.UsersByIDs(ctx, userIDs)
	if err != nil {
		return nil, err
	}
	jobs, err := q.JobsByIDs(ctx, jobIDs)
	if err != nil {
		return nil, err
	}
	jobViews, err := s.jobViews(ctx, p, jobs)
	if err != nil {
		return nil, err
	}
	byJob := make(map[int64]*JobView, len(jobViews))
	for _, v := range jobViews {
		byJob[v.Job.ID] = v
	}
	out := make([]*DeploymentView, len(list))
	for i, d := range list {
		v := &DeploymentView{Deployment: d, Environment: envs[d.EnvironmentID]}
		if d.UserID != nil {
			v.User = users[*d.UserID]
		}
		if d.DeployableID != nil {
			v.Job = byJob[*d.DeployableID]
		}
		out[i] = v
	}
	return out, nil
}

// deployment finds a project's deployment for a caller who holds ab.
func (s *Service) deployment(ctx context.Context, id *auth.Identity, ref string, depID int64, ab access.Ability) (*model.Project, *model.Deployment, error) {
	p, _, err := s.ciProject(ctx, id, ref, access.ReadDeployment)
	if err != nil {
		return nil, nil, err
	}
	d, err := s.db.Queries().Deployment(ctx, p.ID, depID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, NotFound("")
	}
	if err != nil {
		return nil, nil, err
	}
	if _, _, err := s.ciProject(ctx, id, ref, ab); err != nil {
		return nil, nil, err
	}
	return p, d, nil
}

func (s *Service) deploymentView(ctx context.Context, p *model.Project, d *model.Deployment) (*DeploymentView, error) {
	views, err := s.deploymentViews(ctx, p, []*model.Deployment{d})
	if err != nil {
		return nil, err
	}
	return views[0], nil
}

// Deployment is GET /projects/:id/deployments/:deployment_id.
func (s *Service) Deployment(ctx context.Context, id *auth.Identity, ref string, depID int64) (*DeploymentView, error) {
	p, d, err := s.deployment(ctx, id, ref, depID, access.ReadDeployment)
	if err != nil {
		return nil, err
	}
	return s.deploymentView(ctx, p, d)
}

// DeploymentInput is POST /projects/:id/deployments' request.
type DeploymentInput struct {
	Environment, SHA, Ref, Status string
	Tag                           bool
}

// deploymentStatusParam checks a status the API sets.
func deploymentStatusParam(status string) error {
	if !slices.Contains(apiDeploymentStatuses, status) {
		return ParamError("status does not have a valid value")
	}
	return nil
}

// finishedAt is when a deployment of status finished, nil while it has
// not.
func (s *Service) finishedAt(status string) *model.Deployment {
	d := &model.Deployment{Status: status}
	if ciCompleted(status) {
		now := s.Now()
		d.FinishedAt = &now
	}
	return d
}

// CreateDeployment is POST /projects/:id/deployments (Developer): a
// deployment of sha to the environment of that name, created when
// missing.
func (s *Service) CreateDeployment(ctx context.Context, id *auth.Identity, ref string, in DeploymentInput) (*DeploymentView, error) {
	p, _, err := s.ciProject(ctx, id, ref, access.CreateDeployment)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.ciProject(ctx, id, ref, access.CreateEnvironment); err != nil {
		return nil, err
	}
	if err := deploymentStatusParam(in.Status); err != nil {
		return nil, err
	}
	if msg := environmentNameProblem(in.Environment); msg != "" {
		return nil, &Error{Kind: KindInvalid, Fields: Validation{"environment": {msg}}}
	}
	d := s.finishedAt(in.Status)
	d.ProjectID, d.Ref, d.Tag, d.SHA, d.UserID = p.ID, in.Ref, in.Tag, in.SHA, userIDOf(id)
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		e, err := q.EnsureEnvironment(ctx, &model.Environment{ProjectID: p.ID, Name: in.Environment,
			Slug: environmentSlug(in.Environment), State: model.EnvironmentAvailable, Tier: guessTier(in.Environment)})
		if err != nil {
			return err
		}
		d.EnvironmentID = e.ID
		if err := q.InsertDeployment(ctx, d); err != nil {
			return err
		}
		if d.Status == model.DeploymentSuccess {
			_, err = q.SetEnvironmentState(ctx, e.ID, model.EnvironmentAvailable, model.EnvironmentStopped,
				model.EnvironmentStopping)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.deploymentView(ctx, p, d)
}

// UpdateDeployment is PUT /projects/:id/deployments/:deployment_id
// (Developer): the status of a deployment made through the API.
func (s *Service) UpdateDeployment(ctx context.Context, id *auth.Identity, ref string, depID int64, status string) (*DeploymentView, error) {
	p, d, err := s.deployment(ctx, id, ref, depID, access.UpdateDeployment)
	if err != nil {
		return nil, err
	}
	if err := deploymentStatusParam(status); err != nil {
		return nil, err
	}
	if d.DeployableID != nil {
		return nil, Forbidden("Deployments created using GitLab CI can not be updated using the API")
	}
	next := s.finishedAt(status)
	d.Status, d.FinishedAt = next.Status, next.FinishedAt
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		changed, err := q.SetDeploymentStatus(ctx, d)
		if err == nil && changed && d.Status == model.DeploymentSuccess {
			_, err = q.SetEnvironmentState(ctx, d.EnvironmentID, model.EnvironmentAvailable,
				model.EnvironmentStopped, model.EnvironmentStopping)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.deploymentView(ctx, p, d)
}

// DeleteDeployment is DELETE /projects/:id/deployments/:deployment_id
// (Maintainer): not a running one, nor its environment's last.
func (s *Service) DeleteDeployment(ctx context.Context, id *auth.Identity, ref string, depID int64) error {
	_, d, err := s.deployment(ctx, id, ref, depID, access.DestroyDeployment)
	if err != nil {
		return err
	}
	if d.Status == model.DeploymentRunning {
		return Invalid("Cannot destroy running deployment")
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		last, err := q.LastDeployments(ctx, []int64{d.EnvironmentID})
		if err != nil {
			return err
		}
		if l := last[d.EnvironmentID]; l != nil && l.ID == d.ID {
			return Invalid("Deployment currently deployed to environment")
		}
		return q.DeleteDeployment(ctx, d.ID)
	})
}
