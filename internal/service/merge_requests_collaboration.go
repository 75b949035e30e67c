package service

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
)

// collaborationBranches are the branches of the fork p that id may push
// to without pushing rights on p, as GitLab's
// Project#branch_allows_collaboration? grants them: the source branch of
// an open merge request from p whose author allowed commits from members
// who can merge to the target ("allow_collaboration"), when the merge
// request's collaborative_push_possible? holds (neither project private,
// the source branch not protected in p) and id may update the target
// branch in the target project (can_be_merged_by?: push or merge rights
// there). Nil when there is none.
func (s *Service) collaborationBranches(ctx context.Context, id *auth.Identity, p *model.Project) (map[string]bool, error) {
	if !id.Authenticated() || p.ForkedFromID == nil || p.VisibilityLevel <= access.Private {
		return nil, nil
	}
	mrs, err := s.db.Queries().OpenCollaborationMergeRequests(ctx, p.ID)
	if err != nil || len(mrs) == 0 {
		return nil, err
	}
	srcRules, err := s.BranchRules(ctx, p)
	if err != nil {
		return nil, err
	}
	var out map[string]bool
	for _, m := range mrs {
		if out[m.SourceBranch] || srcRules.Protected(m.SourceBranch) {
			continue
		}
		target, level, err := s.VisibleProject(ctx, id, itoa(m.TargetProjectID))
		if KindOf(err) == KindNotFound || KindOf(err) == KindForbidden {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("service: collaboration target: %w", err)
		}
		if target.VisibilityLevel <= access.Private || target.Archived {
			continue
		}
		rules, err := s.BranchRules(ctx, target)
		if err != nil {
			return nil, err
		}
		if rules.CanPush(level, m.TargetBranch) || rules.CanMerge(level, m.TargetBranch) {
			if out == nil {
				out = map[string]bool{}
			}
			out[m.SourceBranch] = true
		}
	}
	return out, nil
}

// repoForBranchPush loads the project for a commit to branch through the
// API (authorize_push_to_branch!): Developer or more with the branch's
// push rule, or a collaborator on one of collaborationBranches; never an
// archived project.
func (s *Service) repoForBranchPush(ctx context.Context, id *auth.Identity, projectRef, branch string) (*ProjectRepo, error) {
	pr, err := s.RepoForRead(ctx, id, projectRef)
	if err != nil {
		return nil, err
	}
	if pr.Project.Archived {
		return nil, Forbidden("")
	}
	if pr.Level >= access.Developer {
		return pr, s.checkPush(ctx, pr, branch)
	}
	allowed, err := s.collaborationBranches(ctx, id, pr.Project)
	switch {
	case err != nil:
		return nil, err
	case len(allowed) == 0:
		return nil, Forbidden("")
	case !allowed[branch]:
		return nil, Forbidden("You are not allowed to push into this branch")
	}
	return pr, nil
}
