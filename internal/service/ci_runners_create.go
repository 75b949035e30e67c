package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// NewRunnerInput is POST /user/runners: the runner's type, its group or
// project, and its settings.
type NewRunnerInput struct {
	RunnerType string
	GroupID    int64
	ProjectID  int64
	RunnerInput
}

// CreateUserRunner creates a runner as GitLab's CreateRunnerService: an
// instance runner by an admin, a group runner by an Owner of the group, a
// project runner by a Maintainer of the project. An unknown group or
// project is "Missing/invalid scope" (400); one the caller may not add
// runners to is "Insufficient permissions" (403), as GitLab answers.
// The token is returned once; only its digest is kept.
func (s *Service) CreateUserRunner(ctx context.Context, id *auth.Identity, in NewRunnerInput) (*model.Runner, string, error) {
	if !id.Authenticated() {
		return nil, "", auth.ErrUnauthorized
	}
	uid := id.User.ID
	r := &model.Runner{RunnerType: in.RunnerType, RegistrationType: "authenticated_user", CreatorID: &uid,
		RunUntagged: true, AccessLevel: "not_protected"}
	if err := in.RunnerInput.apply(r); err != nil {
		return nil, "", err
	}
	switch in.RunnerType {
	case model.RunnerInstance:
		if !id.IsAdmin() {
			return nil, "", Forbidden("Insufficient permissions")
		}
	case model.RunnerGroup:
		g, level, err := s.VisibleGroup(ctx, id, strconv.FormatInt(in.GroupID, 10))
		if KindOf(err) == KindNotFound {
			return nil, "", s.runnerScopeMissing(ctx, model.RegistrationGroup, in.GroupID)
		}
		if err != nil {
			return nil, "", err
		}
		if level < access.Owner {
			return nil, "", Forbidden("Insufficient permissions")
		}
		r.GroupID = &g.ID
	case model.RunnerProject:
		p, level, err := s.VisibleProject(ctx, id, strconv.FormatInt(in.ProjectID, 10))
		if KindOf(err) == KindNotFound {
			return nil, "", s.runnerScopeMissing(ctx, model.RegistrationProject, in.ProjectID)
		}
		if err != nil {
			return nil, "", err
		}
		if level < access.Maintainer {
			return nil, "", Forbidden("Insufficient permissions")
		}
		r.ProjectIDs = []int64{p.ID}
	default:
		return nil, "", ParamError("runner_type does not have a valid value")
	}
	token := newRunnerToken()
	r.TokenDigest = auth.Digest(token)
	if err := s.db.WithTx(ctx, func(q *store.Queries) error { return q.InsertRunner(ctx, r) }); err != nil {
		return nil, "", err
	}
	return r, token, nil
}

// runnerScopeMissing is GitLab's answer for a runner's group or project
// the caller does not see: GitLab finds it by id whatever its visibility,
// so one that exists is "Insufficient permissions" (403) and only one that
// does not is "Missing/invalid scope" (400).
func (s *Service) runnerScopeMissing(ctx context.Context, kind string, id int64) error {
	q := s.db.Queries()
	var err error
	if kind == model.RegistrationGroup {
		var ns *model.Namespace
		if ns, err = q.NamespaceByID(ctx, id); err == nil && !ns.IsGroup() {
			err = store.ErrNotFound
		}
	} else {
		_, err = q.ProjectByID(ctx, id)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return Invalid("400 Bad request - Missing/invalid scope")
	case err != nil:
		return fmt.Errorf("service: runner scope: %w", err)
	}
	return Forbidden("Insufficient permissions")
}

// EnableProjectRunner is POST /projects/:id/runners: a Maintainer of the
// project (create_runner) assigns a project runner they may assign, as
// GitLab's authenticate_enable_runner! and AssignRunnerService.
func (s *Service) EnableProjectRunner(ctx context.Context, id *auth.Identity, ref string, runnerID int64) (*model.Runner, error) {
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if level < access.Maintainer {
		return nil, Forbidden("")
	}
	var out *model.Runner
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		r, err := s.loadRunner(ctx, q, runnerID)
		if err != nil {
			return err
		}
		if r.RunnerType == model.RunnerGroup {
			return Forbidden("Runner is a group runner")
		}
		rights, err := s.runnerRights(ctx, q, id, r)
		if err != nil {
			return err
		}
		if !id.IsAdmin() {
			if r.Locked {
				return Forbidden("Runner is locked")
			}
			if !rights.Assign {
				return errNoRunnerAccess
			}
		}
		if r.RunnerType == model.RunnerInstance {
			return Invalid("Transitioning an instance runner to a project runner is not supported")
		}
		err = q.AssignRunnerProject(ctx, r.ID, p.ID)
		if errors.Is(err, store.ErrConflict) {
			return Invalid("Assign to Validation failed: Runner has already been taken")
		}
		r.ProjectIDs = append(r.ProjectIDs, p.ID)
		out = r
		return err
	})
	return out, err
}

// DisableProjectRunner is DELETE /projects/:id/runners/:runner_id: a
// Maintainer of the project (admin_project_runners) unassigns a runner
// from it, never from its owner project (GitLab's UnassignRunnerService).
func (s *Service) DisableProjectRunner(ctx context.Context, id *auth.Identity, ref string, runnerID int64) error {
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return err
	}
	if level < access.Maintainer {
		return Forbidden("")
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		r, err := q.RunnerByID(ctx, runnerID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if r == nil || r.RunnerType != model.RunnerProject || !slices.Contains(r.ProjectIDs, p.ID) {
			return NotFound("Runner")
		}
		if r.ProjectIDs[0] == p.ID {
			return Forbidden("You cannot unassign a runner from the owner project. Delete the runner instead")
		}
		rights, err := s.runnerRights(ctx, q, id, r)
		if err != nil {
			return err
		}
		if !rights.Assign && !id.IsAdmin() {
			return Forbidden("user not allowed to assign runner")
		}
		return q.UnassignRunnerProject(ctx, r.ID, p.ID)
	})
}
