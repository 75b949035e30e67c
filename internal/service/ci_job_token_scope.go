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

// The CI/CD job token's inbound scope (GitLab's Ci::JobToken::Scope and
// Ci::JobTokenScope::*Service): which other projects' jobs reach a
// project with their job token. VisibleProjectAccess enforces it.

// jobTokenLinkLimit is how many projects, and how many groups, one
// allowlist holds (ProjectScopeLink's and GroupScopeLink's limits).
const jobTokenLinkLimit = 200

const (
	msgJobTokenNoPermission  = "Insufficient permissions to modify the job token scope"
	msgJobTokenTargetProject = "The target_project that you are attempting to access does " +
		"not exist or you don't have permission to perform this action"
	msgJobTokenTargetGroup = "The target_group that you are attempting to access does " +
		"not exist or you don't have permission to perform this action"
)

// jobTokenBadRequest is the scope API's bad_request!(message).
func jobTokenBadRequest(msg string) error { return Invalid("400 Bad request - " + msg) }

// JobTokenScopeLink is the answer to adding a project or a group to an
// allowlist: the project whose list it is and what was added.
type JobTokenScopeLink struct {
	SourceProjectID int64
	TargetID        int64
}

// jobTokenScopeProject loads the project ref names for a caller who may
// administer it (authorize_admin_project: 404 unseen, else 403).
func (s *Service) jobTokenScopeProject(ctx context.Context, id *auth.Identity, ref string) (*model.Project, error) {
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if level < access.Maintainer {
		return nil, Forbidden("")
	}
	return p, nil
}

// JobTokenInboundEnabled is GET /projects/:id/job_token_scope.
func (s *Service) JobTokenInboundEnabled(ctx context.Context, id *auth.Identity, ref string) (bool, error) {
	p, err := s.jobTokenScopeProject(ctx, id, ref)
	if err != nil {
		return false, err
	}
	return s.db.Queries().JobTokenInboundEnabled(ctx, p.ID)
}

// SetJobTokenInboundEnabled is PATCH /projects/:id/job_token_scope.
func (s *Service) SetJobTokenInboundEnabled(ctx context.Context, id *auth.Identity, ref string, on bool) error {
	p, err := s.jobTokenScopeProject(ctx, id, ref)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error { return q.SetJobTokenInboundEnabled(ctx, p.ID, on) })
}

// JobTokenAllowlist is GET /projects/:id/job_token_scope/allowlist: the
// project itself first, then the projects added.
func (s *Service) JobTokenAllowlist(ctx context.Context, id *auth.Identity, ref string) ([]*model.Project, error) {
	p, err := s.jobTokenScopeProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	return s.db.Queries().JobTokenAllowlistProjects(ctx, p.ID)
}

// JobTokenGroupsAllowlist is GET /projects/:id/job_token_scope/groups_allowlist.
func (s *Service) JobTokenGroupsAllowlist(ctx context.Context, id *auth.Identity, ref string) ([]*model.Namespace, error) {
	p, err := s.jobTokenScopeProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	return s.db.Queries().JobTokenAllowlistGroups(ctx, p.ID)
}

// AddJobTokenAllowlistProject is POST /projects/:id/job_token_scope/allowlist.
func (s *Service) AddJobTokenAllowlistProject(ctx context.Context, id *auth.Identity, ref string, target int64) (*JobTokenScopeLink, error) {
	p, err := s.jobTokenScopeProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if _, err := s.db.Queries().ProjectByID(ctx, target); errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("target_project_id not found")
	} else if err != nil {
		return nil, fmt.Errorf("service: job token target: %w", err)
	}
	if _, _, err := s.VisibleProject(ctx, id, strconv.FormatInt(target, 10)); err != nil {
		if KindOf(err) == KindNotFound {
			return nil, jobTokenBadRequest(msgJobTokenTargetProject)
		}
		return nil, err
	}
	if target == p.ID {
		return nil, jobTokenBadRequest("Validation failed: Target project can't be the same as the source project")
	}
	return s.addJobTokenLink(ctx, id, p, target, (*store.Queries).AddJobTokenProjectLink,
		"Target project is already in the job token scope", "project")
}

// AddJobTokenAllowlistGroup is POST /projects/:id/job_token_scope/groups_allowlist.
func (s *Service) AddJobTokenAllowlistGroup(ctx context.Context, id *auth.Identity, ref string, target int64) (*JobTokenScopeLink, error) {
	p, err := s.jobTokenScopeProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if err := s.jobTokenTargetGroup(ctx, target); err != nil {
		return nil, err
	}
	if _, _, err := s.VisibleGroup(ctx, id, strconv.FormatInt(target, 10)); err != nil {
		if KindOf(err) == KindNotFound {
			return nil, jobTokenBadRequest(msgJobTokenTargetGroup)
		}
		return nil, err
	}
	return s.addJobTokenLink(ctx, id, p, target, (*store.Queries).AddJobTokenGroupLink,
		"Target group is already in the job token scope", "group")
}

type addLinkFunc func(q *store.Queries, ctx context.Context, source, target, addedBy int64, limit int) (bool, error)

func (s *Service) addJobTokenLink(ctx context.Context, id *auth.Identity, p *model.Project, target int64, add addLinkFunc, dup, kind string) (*JobTokenScopeLink, error) {
	var added bool
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		var err error
		added, err = add(q, ctx, p.ID, target, id.UserID(), jobTokenLinkLimit)
		return err
	})
	switch {
	case errors.Is(err, store.ErrConflict):
		return nil, jobTokenBadRequest(dup)
	case err != nil:
		return nil, err
	case !added:
		return nil, jobTokenBadRequest("Validation failed: Source project exceeds the allowable number of " + kind + " links")
	}
	return &JobTokenScopeLink{SourceProjectID: p.ID, TargetID: target}, nil
}

// RemoveJobTokenAllowlistProject is DELETE
// /projects/:id/job_token_scope/allowlist/:target_project_id.
func (s *Service) RemoveJobTokenAllowlistProject(ctx context.Context, id *auth.Identity, ref string, target int64) error {
	p, err := s.jobTokenRemoveTarget(ctx, id, ref, func() error {
		// find_project!: a project the caller sees.
		_, _, err := s.VisibleProject(ctx, id, strconv.FormatInt(target, 10))
		return err
	})
	if err != nil {
		return err
	}
	if target == p.ID {
		return jobTokenBadRequest("Source project cannot be removed from the job token scope")
	}
	return s.removeJobTokenLink(ctx, p.ID, target, (*store.Queries).RemoveJobTokenProjectLink,
		"Target project is not in the job token scope")
}

// RemoveJobTokenAllowlistGroup is DELETE
// /projects/:id/job_token_scope/groups_allowlist/:target_group_id.
func (s *Service) RemoveJobTokenAllowlistGroup(ctx context.Context, id *auth.Identity, ref string, target int64) error {
	p, err := s.jobTokenRemoveTarget(ctx, id, ref, func() error { return s.jobTokenTargetGroup(ctx, target) })
	if err != nil {
		return err
	}
	return s.removeJobTokenLink(ctx, p.ID, target, (*store.Queries).RemoveJobTokenGroupLink,
		"Target group is not in the job token scope")
}

// jobTokenTargetGroup is Group.find_by_id: "target_group_id not found".
func (s *Service) jobTokenTargetGroup(ctx context.Context, target int64) error {
	ns, err := s.db.Queries().NamespaceByID(ctx, target)
	if errors.Is(err, store.ErrNotFound) || err == nil && !ns.IsGroup() {
		return NotFound("target_group_id not found")
	}
	if err != nil {
		return fmt.Errorf("service: job token target: %w", err)
	}
	return nil
}

// jobTokenRemoveTarget is the DELETE routes' order: user_project (404),
// the target found, then the caller's rights checked by the service
// (EditScopeValidations: 403 with its message).
func (s *Service) jobTokenRemoveTarget(ctx context.Context, id *auth.Identity, ref string, find func() error) (*model.Project, error) {
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if err := find(); err != nil {
		return nil, err
	}
	if level < access.Maintainer {
		return nil, Forbidden(msgJobTokenNoPermission)
	}
	return p, nil
}

func (s *Service) removeJobTokenLink(ctx context.Context, source, target int64,
	remove func(*store.Queries, context.Context, int64, int64) (bool, error), missing string) error {
	var removed bool
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		var err error
		removed, err = remove(q, ctx, source, target)
		return err
	})
	if err != nil {
		return err
	}
	if !removed {
		return jobTokenBadRequest(missing)
	}
	return nil
}
