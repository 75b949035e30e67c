package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// newVersion is the version a merge request gets with new diff_refs:
// real_size (GitLab's count of changed files, "1000+" past its limit) is
// read from git here, before the transaction that records it.
func newVersion(ctx context.Context, r *repo.Repo, base *string, head, start string) (*model.MergeRequestDiff, error) {
	d := &model.MergeRequestDiff{BaseSHA: base, HeadSHA: head, StartSHA: start}
	if base == nil {
		return d, nil
	}
	n, err := r.ChangedFiles(ctx, *base, head)
	if errors.Is(err, repo.ErrNotFound) {
		return d, nil
	}
	if err != nil {
		return nil, fmt.Errorf("service: version size: %w", err)
	}
	size := itoa(int64(n))
	if n > maxChangesCount {
		size = itoa(maxChangesCount) + "+"
	}
	d.RealSize = &size
	return d, nil
}

// recordVersion writes version d of merge request mrID in the transaction
// that gives the merge request d's diff_refs.
func recordVersion(ctx context.Context, q *store.Queries, mrID int64, d *model.MergeRequestDiff) error {
	v := *d
	v.MergeRequestID = mrID
	return q.InsertMergeRequestDiff(ctx, &v)
}

// MergeRequestVersions lists a merge request's diff versions, newest
// first, a page at a time, with their total.
func (s *Service) MergeRequestVersions(ctx context.Context, id *auth.Identity, ref string, iid int64, limit, offset int) ([]*model.MergeRequestDiff, int, error) {
	mp, err := s.VisibleMergeRequest(ctx, id, ref, iid)
	if err != nil {
		return nil, 0, err
	}
	return s.db.Queries().MergeRequestDiffs(ctx, mp.MR.ID, limit, offset)
}

// MergeRequestVersion is one version with its commits (newest first) and
// its file diffs, both read from git by the version's shas.
type MergeRequestVersion struct {
	Project *model.Project
	Diff    *model.MergeRequestDiff
	Commits []*repo.Commit
	Files   []repo.FileDiff
}

// GetMergeRequestVersion returns version versionID of a merge request:
// "404 Not found" when it has none of that id, as GitLab's find.
func (s *Service) GetMergeRequestVersion(ctx context.Context, id *auth.Identity, ref string, iid, versionID int64) (*MergeRequestVersion, error) {
	mp, err := s.VisibleMergeRequest(ctx, id, ref, iid)
	if err != nil {
		return nil, err
	}
	d, err := s.db.Queries().MergeRequestDiff(ctx, mp.MR.ID, versionID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errRecordNotFound
	}
	if err != nil {
		return nil, err
	}
	out := &MergeRequestVersion{Project: mp.Project, Diff: d, Commits: []*repo.Commit{}, Files: []repo.FileDiff{}}
	if d.BaseSHA == nil {
		return out, nil
	}
	r := s.repos.Open(mp.Project.ID)
	if out.Commits, err = commitsBetween(ctx, r, *d.BaseSHA, d.HeadSHA); err != nil {
		return nil, err
	}
	if out.Files, err = r.DiffTrees(ctx, *d.BaseSHA, d.HeadSHA); err != nil {
		return nil, fmt.Errorf("service: version diffs: %w", err)
	}
	return out, nil
}
