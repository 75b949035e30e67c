package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
)

// Merge requests from forks live in the target project (its iid, its
// notes, its refs/merge-requests/:iid/head) and name the fork as source.
// The target repository never borrows from the fork: the fork's head is
// copied into it (repo.FetchCommit) whenever the diff_refs are read —
// at creation, on each push to the fork's branch, on a new target
// branch — so commits, diffs and merges read the target repository only.

// errNotForkNetwork is MergeRequest#validate_fork's error (422).
var errNotForkNetwork = &Error{Kind: KindUnprocessable, List: []string{"Source project is not a fork of the target project"}}

// mergeRequestTarget is the project a new merge request from src goes
// into: src itself unless targetID names another project. That one must
// be visible (404), take merge requests from the caller (GitLab's
// create_merge_request_in: guest_access and download_code, merge requests
// enabled; 403) and share src's fork network (422).
func (s *Service) mergeRequestTarget(ctx context.Context, id *auth.Identity, src *model.Project, level access.Level, targetID *int64) (*model.Project, access.Level, error) {
	if targetID == nil || *targetID == src.ID {
		return src, level, nil
	}
	p, tlevel, err := s.VisibleProject(ctx, id, itoa(*targetID))
	if err != nil {
		return nil, 0, err
	}
	if !canCreateMergeRequestIn(id, p, tlevel) {
		return nil, 0, Forbidden("")
	}
	same, err := s.sameForkNetwork(ctx, src.ID, p.ID)
	if err != nil {
		return nil, 0, err
	}
	if !same {
		return nil, 0, errNotForkNetwork
	}
	return p, tlevel, nil
}

// canCreateMergeRequestIn is create_merge_request_in on a project the
// caller does not push to: guest_access (members, and any signed-in user
// on a public project, non-external ones on an internal one) with
// download_code, on a project whose merge requests are on and that is
// not archived.
func canCreateMergeRequestIn(id *auth.Identity, p *model.Project, level access.Level) bool {
	return p.MergeRequestsEnabled && !p.Archived && guestAccess(id, p, level) && CanReadCode(id, p, level)
}

// sameForkNetwork reports whether two projects descend from the same
// root project (GitLab's in_fork_network_of?).
func (s *Service) sameForkNetwork(ctx context.Context, a, b int64) (bool, error) {
	root := func(id int64) (int64, error) {
		up, err := s.db.Queries().ForkAncestors(ctx, id)
		if err != nil {
			return 0, fmt.Errorf("service: fork network: %w", err)
		}
		if len(up) == 0 {
			return id, nil
		}
		return up[len(up)-1], nil
	}
	ra, err := root(a)
	if err != nil {
		return false, err
	}
	rb, err := root(b)
	return err == nil && ra == rb, err
}

// mergeRequestRepos are the repositories of a merge request's source
// branch and of its target (the same one unless it comes from a fork; the
// target's when the source project is gone).
func (s *Service) mergeRequestRepos(m *model.MergeRequest) (source, target *repo.Repo) {
	target = s.repos.Open(m.TargetProjectID)
	if m.FromFork() {
		return s.repos.Open(*m.SourceProjectID), target
	}
	return target, target
}

// mergeRequestSourceHead is the head of a merge request's source branch,
// "" when the branch or its project is gone (a merge request's source
// project is unset only when a fork was deleted: its target's branch of
// the same name is another branch), present in the target repository r:
// a fork's head is copied in first.
func (s *Service) mergeRequestSourceHead(ctx context.Context, r *repo.Repo, m *model.MergeRequest) (string, error) {
	if m.SourceProjectID == nil {
		return "", nil
	}
	sr, _ := s.mergeRequestRepos(m)
	b, err := sr.Branch(m.SourceBranch)
	if err != nil {
		if errors.Is(err, repo.ErrNotFound) {
			return "", nil
		}
		return "", err
	}
	if sr.Path() != r.Path() {
		if err := r.FetchCommit(ctx, sr, b.Target); err != nil {
			return "", fmt.Errorf("service: source head: %w", err)
		}
	}
	return b.Target, nil
}
