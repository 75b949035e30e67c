package service

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// RunnerRights is what a caller may do with one runner: GitLab's
// Ci::RunnerPolicy, without the Premium rules.
type RunnerRights struct {
	Read, Update, Delete, Assign bool
}

// RunnerView is a runner with the projects and group the caller may see
// of it (all of them for administrators, as GitLab's RunnerDetails).
type RunnerView struct {
	*model.Runner
	Projects []*model.Project
	Groups   []*model.Namespace
}

// errNoRunnerAccess is GitLab's forbidden!("No access granted").
var errNoRunnerAccess = Forbidden("No access granted")

// loadRunner finds a runner by id (404 "Runner Not Found").
func (s *Service) loadRunner(ctx context.Context, q *store.Queries, runnerID int64) (*model.Runner, error) {
	r, err := q.RunnerByID(ctx, runnerID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("Runner")
	}
	if err != nil {
		return nil, fmt.Errorf("service: load runner: %w", err)
	}
	return r, nil
}

// usableRunner loads a runner and checks that the caller has the right
// allowed picks (403 "No access granted" otherwise).
func (s *Service) usableRunner(ctx context.Context, q *store.Queries, id *auth.Identity, runnerID int64,
	allowed func(RunnerRights) bool) (*model.Runner, error) {
	r, err := s.loadRunner(ctx, q, runnerID)
	if err != nil {
		return nil, err
	}
	rights, err := s.runnerRights(ctx, q, id, r)
	if err != nil {
		return nil, err
	}
	if !allowed(rights) {
		return nil, errNoRunnerAccess
	}
	return r, nil
}

// runnerRights applies GitLab's runner policy. Admins may do everything;
// instance runners are read by every signed-in user and managed by
// admins; a group runner is read by the group's Maintainers and managed
// by its Owners; a project runner is read by Maintainers of any of its
// projects and managed by those of its owner project (the first), and
// when it serves several projects their Maintainers may update and
// assign it too. Deleting a runner of several projects and assigning a
// locked one are refused to all but admins.
func (s *Service) runnerRights(ctx context.Context, q *store.Queries, id *auth.Identity, r *model.Runner) (RunnerRights, error) {
	switch {
	case !id.Authenticated():
		return RunnerRights{}, nil
	case id.IsAdmin():
		return RunnerRights{Read: true, Update: true, Delete: true, Assign: true}, nil
	}
	var rights RunnerRights
	switch r.RunnerType {
	case model.RunnerInstance:
		rights.Read = true
	case model.RunnerGroup:
		if r.GroupID == nil {
			break
		}
		level, err := q.NamespaceAccessLevel(ctx, id.User.ID, *r.GroupID, s.Today())
		if err != nil {
			return rights, fmt.Errorf("service: runner group level: %w", err)
		}
		owner := access.Level(level) >= access.Owner
		rights = RunnerRights{Read: access.Level(level) >= access.Maintainer, Update: owner, Delete: owner,
			Assign: owner}
	case model.RunnerProject:
		for i, pid := range r.ProjectIDs {
			level, err := s.projectLevelByID(ctx, q, id, pid)
			if err != nil {
				return rights, err
			}
			if level < access.Maintainer {
				continue
			}
			rights.Read = true
			if i == 0 || len(r.ProjectIDs) > 1 {
				rights.Update, rights.Assign = true, true
			}
			if i == 0 {
				rights.Delete = true
			}
		}
		if len(r.ProjectIDs) > 1 {
			rights.Delete = false
		}
	}
	if r.Locked {
		rights.Assign = false
	}
	return rights, nil
}

// projectLevelByID is the caller's level on a project by id, NoAccess
// when the project is gone.
func (s *Service) projectLevelByID(ctx context.Context, q *store.Queries, id *auth.Identity, projectID int64) (access.Level, error) {
	p, parts, err := q.ProjectWithAccessByID(ctx, projectID, id.User.ID, s.Today())
	if errors.Is(err, store.ErrNotFound) || err == nil && p.MarkedForDeletionOn != nil {
		return access.NoAccess, nil
	}
	if err != nil {
		return access.NoAccess, fmt.Errorf("service: runner project level: %w", err)
	}
	return access.Level(parts.Level()), nil
}

// runnerView attaches the projects and group of r the caller is a member
// of (administrators: all).
func (s *Service) runnerView(ctx context.Context, id *auth.Identity, r *model.Runner) (*RunnerView, error) {
	v := &RunnerView{Runner: r, Projects: []*model.Project{}, Groups: []*model.Namespace{}}
	q := s.db.Queries()
	for _, pid := range r.ProjectIDs {
		p, level, err := s.VisibleProject(ctx, id, strconv.FormatInt(pid, 10))
		if KindOf(err) == KindNotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		if level >= access.Guest {
			v.Projects = append(v.Projects, p)
		}
	}
	if r.GroupID != nil {
		ns, err := q.NamespaceByID(ctx, *r.GroupID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("service: runner group: %w", err)
		}
		if err == nil {
			level, err := s.NamespaceLevel(ctx, id, ns)
			if err != nil {
				return nil, err
			}
			if level >= access.Guest {
				v.Groups = append(v.Groups, ns)
			}
		}
	}
	return v, nil
}

// GetRunner is GET /runners/:id: instance runners to every signed-in
// user, others to those who may read them (403 "No access granted").
func (s *Service) GetRunner(ctx context.Context, id *auth.Identity, runnerID int64) (*RunnerView, error) {
	r, err := s.usableRunner(ctx, s.db.Queries(), id, runnerID, func(r RunnerRights) bool { return r.Read })
	if err != nil {
		return nil, err
	}
	return s.runnerView(ctx, id, r)
}

// RunnerInput is a runner's settings as given; nil fields are left as
// they are.
type RunnerInput struct {
	Description     *string
	MaintenanceNote *string
	Paused          *bool
	Locked          *bool
	RunUntagged     *bool
	Tags            *[]string
	AccessLevel     *string
	MaximumTimeout  *int
}

// apply validates in and writes it into r, as Ci::Runner's validations.
func (in RunnerInput) apply(r *model.Runner) error {
	v := Validation{}
	set := func(dst *string, src *string, field string, limit int) {
		if src == nil {
			return
		}
		if len([]rune(*src)) > limit {
			v.Add(field, fmt.Sprintf("is too long (maximum is %d characters)", limit))
		}
		*dst = *src
	}
	set(&r.Description, in.Description, "description", 1024)
	set(&r.MaintenanceNote, in.MaintenanceNote, "maintenance_note", 1024)
	if in.Paused != nil {
		r.Paused = *in.Paused
	}
	if in.Locked != nil {
		r.Locked = *in.Locked
	}
	if in.RunUntagged != nil {
		r.RunUntagged = *in.RunUntagged
	}
	if in.Tags != nil {
		r.Tags = store.SplitTags(store.JoinTags(*in.Tags))
		for _, t := range r.Tags {
			if len(t) > 255 {
				v.Add("tags_list", "is too long (maximum is 255 characters)")
			}
		}
	}
	if in.AccessLevel != nil {
		r.AccessLevel = *in.AccessLevel
	}
	if in.MaximumTimeout != nil {
		if *in.MaximumTimeout < 600 {
			v.Add("maximum_timeout", "needs to be at least 10 minutes")
		}
		r.MaximumTimeout = in.MaximumTimeout
	}
	if !r.RunUntagged && len(r.Tags) == 0 {
		v.Add("tags_list", "can not be empty when runner is not allowed to pick untagged jobs")
	}
	return v.Err()
}

// UpdateRunner is PUT /runners/:id.
func (s *Service) UpdateRunner(ctx context.Context, id *auth.Identity, runnerID int64, in RunnerInput) (*RunnerView, error) {
	var out *model.Runner
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		r, err := s.usableRunner(ctx, q, id, runnerID, func(r RunnerRights) bool { return r.Update })
		if err != nil {
			return err
		}
		if err := in.apply(r); err != nil {
			return err
		}
		out = r
		return q.UpdateRunner(ctx, r)
	})
	if err != nil {
		return nil, err
	}
	return s.runnerView(ctx, id, out)
}

// DeleteRunner is DELETE /runners/:id.
func (s *Service) DeleteRunner(ctx context.Context, id *auth.Identity, runnerID int64) error {
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		r, err := s.loadRunner(ctx, q, runnerID)
		if err != nil {
			return err
		}
		if !id.IsAdmin() && len(r.ProjectIDs) > 1 {
			return Forbidden("Runner associated with more than one project")
		}
		rights, err := s.runnerRights(ctx, q, id, r)
		if err != nil {
			return err
		}
		if !rights.Delete {
			return errNoRunnerAccess
		}
		return q.DeleteRunner(ctx, r.ID)
	})
}

// ResetRunnerToken is POST /runners/:id/reset_authentication_token: a
// new token, returned once; the old one stops working at once.
func (s *Service) ResetRunnerToken(ctx context.Context, id *auth.Identity, runnerID int64) (*model.Runner, string, error) {
	var out *model.Runner
	var token string
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		r, err := s.usableRunner(ctx, q, id, runnerID, func(r RunnerRights) bool { return r.Update })
		if err != nil {
			return err
		}
		out, token, err = s.resetToken(ctx, q, r)
		return err
	})
	return out, token, err
}

// resetToken gives r a new token.
func (s *Service) resetToken(ctx context.Context, q *store.Queries, r *model.Runner) (*model.Runner, string, error) {
	token := newRunnerToken()
	if err := q.SetRunnerToken(ctx, r.ID, auth.Digest(token), nil); err != nil {
		return nil, "", err
	}
	r.TokenExpiresAt = nil
	return r, token, nil
}

// RunnerTokenPrefix starts every runner authentication token (GitLab's
// CREATED_RUNNER_TOKEN_PREFIX).
const RunnerTokenPrefix = "glrt-"

func newRunnerToken() string { return auth.NewSecret(RunnerTokenPrefix, 20) }
