package service

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// The environments API (GitLab's lib/api/environments.rb and
// Environments::StopService). Protected environments are not
// implemented: every Developer deploys to and stops every environment.

// errEnvironmentNotFound is ActiveRecord's RecordNotFound through the
// API's rescue.
var errEnvironmentNotFound = NotFound("")

// EnvironmentView is an environment with its project and, on the single
// GET, its last successful deployment.
type EnvironmentView struct {
	Project        *model.Project
	Environment    *model.Environment
	LastDeployment *DeploymentView
}

// EnvironmentInput is POST and PUT /projects/:id/environments' request;
// nil fields are left as they are.
type EnvironmentInput struct {
	Name        string
	ExternalURL *string
	Tier        *string
}

// ListEnvironments is GET /projects/:id/environments (Reporter).
func (s *Service) ListEnvironments(ctx context.Context, id *auth.Identity, ref string, f model.EnvironmentFilter,
	limit, offset int) ([]*EnvironmentView, int64, error) {
	p, _, err := s.ciProject(ctx, id, ref, access.ReadEnvironment)
	if err != nil {
		return nil, 0, err
	}
	if f.Name != "" && f.Search != "" {
		return nil, 0, ParamError("name, search cannot be used together")
	}
	if f.Search != "" && utf8.RuneCountInString(f.Search) < 3 {
		return nil, 0, badRequest("Search query is less than 3 characters")
	}
	f.ProjectID = p.ID
	list, total, err := s.db.Queries().Environments(ctx, f, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	out := make([]*EnvironmentView, len(list))
	for i, e := range list {
		out[i] = &EnvironmentView{Project: p, Environment: e}
	}
	return out, total, nil
}

// environment finds a project's environment for a caller who holds ab.
func (s *Service) environment(ctx context.Context, id *auth.Identity, ref string, envID int64, ab access.Ability) (*model.Project, *model.Environment, error) {
	p, _, err := s.ciProject(ctx, id, ref, ab)
	if err != nil {
		return nil, nil, err
	}
	e, err := s.db.Queries().Environment(ctx, p.ID, envID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, errEnvironmentNotFound
	}
	return p, e, err
}

// Environment is GET /projects/:id/environments/:environment_id, with
// its last deployment.
func (s *Service) Environment(ctx context.Context, id *auth.Identity, ref string, envID int64) (*EnvironmentView, error) {
	p, e, err := s.environment(ctx, id, ref, envID, access.ReadEnvironment)
	if err != nil {
		return nil, err
	}
	return s.environmentView(ctx, p, e)
}

func (s *Service) environmentView(ctx context.Context, p *model.Project, e *model.Environment) (*EnvironmentView, error) {
	last, err := s.db.Queries().LastDeployments(ctx, []int64{e.ID})
	if err != nil {
		return nil, err
	}
	v := &EnvironmentView{Project: p, Environment: e}
	if d := last[e.ID]; d != nil {
		views, err := s.deploymentViews(ctx, p, []*model.Deployment{d})
		if err != nil {
			return nil, err
		}
		v.LastDeployment = views[0]
	}
	return v, nil
}

// validateEnvironment checks an environment as GitLab's model does.
func validateEnvironment(e *model.Environment) error {
	v := Validation{}
	if msg := environmentNameProblem(e.Name); msg != "" {
		v.Add("name", msg)
	}
	if e.ExternalURL != nil && *e.ExternalURL != "" {
		u, err := url.Parse(*e.ExternalURL)
		switch {
		case utf8.RuneCountInString(*e.ExternalURL) > 255:
			v.Add("external_url", "is too long (maximum is 255 characters)")
		case err != nil || u.Host == "" || u.Scheme != "http" && u.Scheme != "https":
			v.Add("external_url", "is blocked: Only allowed schemes are http, https")
		}
	}
	return v.Err()
}

// tierParam checks a tier against GitLab's values.
func tierParam(tier *string) error {
	if tier != nil && !slices.Contains(model.EnvironmentTiers, *tier) {
		return ParamError("tier does not have a valid value")
	}
	return nil
}

// CreateEnvironment is POST /projects/:id/environments (Developer).
func (s *Service) CreateEnvironment(ctx context.Context, id *auth.Identity, ref string, in EnvironmentInput) (*EnvironmentView, error) {
	p, _, err := s.ciProject(ctx, id, ref, access.CreateEnvironment)
	if err != nil {
		return nil, err
	}
	if err := tierParam(in.Tier); err != nil {
		return nil, err
	}
	e := &model.Environment{ProjectID: p.ID, Name: in.Name, Slug: environmentSlug(in.Name),
		State: model.EnvironmentAvailable, Tier: guessTier(in.Name)}
	if in.ExternalURL != nil && *in.ExternalURL != "" {
		e.ExternalURL = in.ExternalURL
	}
	if in.Tier != nil {
		e.Tier = *in.Tier
	}
	if err := validateEnvironment(e); err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		if _, err := q.EnvironmentByName(ctx, p.ID, e.Name); err == nil {
			return &Error{Kind: KindInvalid, Fields: Validation{"name": {"has already been taken"}}}
		}
		return q.InsertEnvironment(ctx, e)
	})
	if errors.Is(err, store.ErrConflict) {
		return nil, &Error{Kind: KindInvalid, Fields: Validation{"name": {"has already been taken"}}}
	}
	if err != nil {
		return nil, err
	}
	return &EnvironmentView{Project: p, Environment: e}, nil
}

// UpdateEnvironment is PUT /projects/:id/environments/:environment_id
// (Developer): its URL and tier.
func (s *Service) UpdateEnvironment(ctx context.Context, id *auth.Identity, ref string, envID int64, in EnvironmentInput) (*EnvironmentView, error) {
	p, e, err := s.environment(ctx, id, ref, envID, access.UpdateEnvironment)
	if err != nil {
		return nil, err
	}
	if err := tierParam(in.Tier); err != nil {
		return nil, err
	}
	if in.ExternalURL != nil {
		e.ExternalURL = in.ExternalURL
		if *in.ExternalURL == "" {
			e.ExternalURL = nil
		}
	}
	if in.Tier != nil {
		e.Tier = *in.Tier
	}
	if err := validateEnvironment(e); err != nil {
		return nil, err
	}
	if err := s.db.WithTx(ctx, func(q *store.Queries) error { return q.UpdateEnvironment(ctx, e) }); err != nil {
		return nil, err
	}
	return &EnvironmentView{Project: p, Environment: e}, nil
}

// DeleteEnvironment is DELETE /projects/:id/environments/:environment_id:
// a stopped environment only (EnvironmentPolicy prevents
// destroy_environment otherwise: 403).
func (s *Service) DeleteEnvironment(ctx context.Context, id *auth.Identity, ref string, envID int64) error {
	_, e, err := s.environment(ctx, id, ref, envID, access.ReadEnvironment)
	if err != nil {
		return err
	}
	if _, _, err := s.ciProject(ctx, id, ref, access.DestroyEnvironment); err != nil {
		return err
	}
	if e.State != model.EnvironmentStopped {
		return Forbidden("")
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error { return q.DeleteEnvironment(ctx, e.ID) })
}

// StopEnvironment is POST /projects/:id/environments/:environment_id/stop.
// As GitLab's API, it answers the environment to every reader and stops
// it only for a caller who may (stop_environment): force stops it at
// once; else an available environment whose last deployment names a
// manual on_stop job plays that job and is stopping until it ends, and
// one without is stopped.
func (s *Service) StopEnvironment(ctx context.Context, id *auth.Identity, ref string, envID int64, force bool) (*EnvironmentView, error) {
	p, e, err := s.environment(ctx, id, ref, envID, access.ReadEnvironment)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.ciProject(ctx, id, ref, access.StopEnvironment); err == nil {
		if err := s.stopEnvironment(ctx, e, userIDOf(id), force); err != nil {
			return nil, err
		}
	}
	e, err = s.db.Queries().Environment(ctx, p.ID, e.ID)
	if err != nil {
		return nil, err
	}
	return &EnvironmentView{Project: p, Environment: e}, nil
}

// stopEnvironment stops e, playing its stop job as userID, or as the
// job's own user when userID is nil.
func (s *Service) stopEnvironment(ctx context.Context, e *model.Environment, userID *int64, force bool) error {
	q := s.db.Queries()
	if force {
		_, err := q.SetEnvironmentState(ctx, e.ID, model.EnvironmentStopped, model.EnvironmentAvailable,
			model.EnvironmentStopping)
		return err
	}
	if e.State != model.EnvironmentAvailable {
		return nil
	}
	stop, err := s.stopAction(ctx, e)
	if err != nil {
		return err
	}
	if stop == nil {
		_, err := q.SetEnvironmentState(ctx, e.ID, model.EnvironmentStopped, model.EnvironmentAvailable)
		return err
	}
	ok, err := q.SetEnvironmentState(ctx, e.ID, model.EnvironmentStopping, model.EnvironmentAvailable)
	if err != nil || !ok {
		return err
	}
	if userID == nil {
		userID = stop.UserID
	}
	return s.playJob(ctx, stop, userID)
}

// stopAction is the manual on_stop job of the environment's last
// deployment (Environment#stop_actions), nil when there is none to play.
func (s *Service) stopAction(ctx context.Context, e *model.Environment) (*model.Job, error) {
	q := s.db.Queries()
	last, err := q.LastDeployments(ctx, []int64{e.ID})
	if err != nil {
		return nil, err
	}
	d := last[e.ID]
	if d == nil || d.DeployableID == nil {
		return nil, nil
	}
	deploy, err := q.JobByID(ctx, *d.DeployableID)
	if err != nil {
		return nil, err
	}
	spec, err := specOf(deploy)
	if err != nil || spec.Environment == nil || spec.Environment.OnStop == "" {
		return nil, err
	}
	jobs, err := q.JobsOfPipeline(ctx, deploy.PipelineID)
	if err != nil {
		return nil, err
	}
	for _, j := range latestJobs(jobs) {
		if j.Name == spec.Environment.OnStop && j.Status == model.CIStatusManual {
			return j, nil
		}
	}
	return nil, nil
}

// StopStaleEnvironments is POST /projects/:id/environments/stop_stale
// (Developer): stops the available environments not changed or
// deployed to since before, which must lie between ten years and one
// week ago.
func (s *Service) StopStaleEnvironments(ctx context.Context, id *auth.Identity, ref string, before time.Time) error {
	p, _, err := s.ciProject(ctx, id, ref, access.StopEnvironment)
	if err != nil {
		return err
	}
	if !staleBeforeValid(before, s.Now()) {
		return badRequest("Invalid Date")
	}
	stale, err := s.db.Queries().StaleEnvironments(ctx, p.ID, before)
	if err != nil {
		return err
	}
	for _, e := range stale {
		if err := s.stopEnvironment(ctx, e, userIDOf(id), false); err != nil {
			return err
		}
	}
	return nil
}
