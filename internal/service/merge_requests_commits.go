package service

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/repo"
)

// mergeRequestCommitIDs are the commits a merge request's diff holds —
// from the merge base to the source head, the newest
// maxMergeRequestCommits — as merge_request_commits keeps them. They are
// read once, when the diff_refs move (creation, a push), so that finding
// the merge requests of a commit never walks history per merge request.
func mergeRequestCommitIDs(ctx context.Context, r *repo.Repo, base *string, head string) ([]string, error) {
	exclude := ""
	if base != nil {
		exclude = *base
	}
	commits, err := r.RevList(ctx, exclude, head, maxMergeRequestCommits)
	if err != nil {
		return nil, fmt.Errorf("service: merge request commits: %w", err)
	}
	ids := make([]string, len(commits))
	for i, c := range commits {
		ids[i] = c.ID
	}
	return ids, nil
}

// ListCommitMergeRequests lists a project's merge requests that hold a
// commit (read_merge_request; an unknown commit is "404 Commit Not
// Found"): a commit of their latest diff, or their merge or squash
// commit, as GitLab's MergeRequestsFinder with commit_sha.
func (s *Service) ListCommitMergeRequests(ctx context.Context, id *auth.Identity, ref, sha string, qy MergeRequestQuery) (*MergeRequestPage, error) {
	p, level, err := s.mergeRequestsProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	c, err := s.commitByRef(ctx, &ProjectRepo{Project: p, Repo: s.repos.Open(p.ID), Level: level}, sha)
	if err != nil {
		return nil, err
	}
	return s.projectMergeRequests(ctx, id, p, level, c.ID, qy)
}
