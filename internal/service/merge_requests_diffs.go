package service

import (
	"context"
	"fmt"
	"slices"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/repo"
)

// maxMergeRequestCommits bounds the commits a merge request lists, as
// GitLab's merge request diffs keep at most so many.
const maxMergeRequestCommits = 1000

// MergeRequestCommits lists a merge request's commits — from the merge
// base to the source head of its diff_refs — newest first, as GitLab
// lists them. None when its branches share no history.
func (s *Service) MergeRequestCommits(ctx context.Context, id *auth.Identity, ref string, iid int64) (*MergeRequestInProject, []*repo.Commit, error) {
	mp, err := s.VisibleMergeRequest(ctx, id, ref, iid)
	if err != nil {
		return nil, nil, err
	}
	m := mp.MR
	if m.BaseSHA == nil || m.HeadSHA == nil {
		return mp, nil, nil
	}
	commits, err := commitsBetween(ctx, s.repos.Open(mp.Project.ID), *m.BaseSHA, *m.HeadSHA)
	return mp, commits, err
}

// commitsBetween lists the commits of a merge request (or of one of its
// versions) from its base to its head, newest first.
func commitsBetween(ctx context.Context, r *repo.Repo, base, head string) ([]*repo.Commit, error) {
	commits, err := r.RevList(ctx, base, head, maxMergeRequestCommits)
	if err != nil {
		return nil, fmt.Errorf("service: merge request commits: %w", err)
	}
	slices.Reverse(commits)
	return commits, nil
}

// MergeRequestDiffs are a merge request's changes: the diff from the merge
// base to the source head of its diff_refs.
func (s *Service) MergeRequestDiffs(ctx context.Context, id *auth.Identity, ref string, iid int64) (*MergeRequestInProject, []repo.FileDiff, error) {
	mp, err := s.VisibleMergeRequest(ctx, id, ref, iid)
	if err != nil {
		return nil, nil, err
	}
	m := mp.MR
	if m.BaseSHA == nil || m.HeadSHA == nil {
		return mp, nil, nil
	}
	diffs, err := s.repos.Open(mp.Project.ID).DiffTrees(ctx, *m.BaseSHA, *m.HeadSHA)
	if err != nil {
		return nil, nil, fmt.Errorf("service: merge request diffs: %w", err)
	}
	return mp, diffs, nil
}
