package service

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
)

// DiffStat is one file's line counts in a merge request's changes
// (GitLab's DiffStats).
type DiffStat struct {
	Path                 string
	Additions, Deletions int
}

// ShownMergeRequestCommits lists the commits of merge request m of
// project p as MergeRequestCommits does, newest first. It checks nothing
// and reads no table: callers pass only a merge request the caller was
// just shown through VisibleMergeRequest or the merge request lists.
func (s *Service) ShownMergeRequestCommits(ctx context.Context, p *model.Project, m *model.MergeRequest) ([]*repo.Commit, error) {
	if m.BaseSHA == nil || m.HeadSHA == nil {
		return nil, nil
	}
	return commitsBetween(ctx, s.repos.Open(p.ID), *m.BaseSHA, *m.HeadSHA)
}

// ShownMergeRequestDiffStats counts the lines each file of merge request
// m's changes (MergeRequestDiffs) adds and deletes; binary files count
// none. Like ShownMergeRequestCommits it checks nothing.
func (s *Service) ShownMergeRequestDiffStats(ctx context.Context, p *model.Project, m *model.MergeRequest) ([]DiffStat, error) {
	if m.BaseSHA == nil || m.HeadSHA == nil {
		return nil, nil
	}
	diffs, err := s.repos.Open(p.ID).DiffTrees(ctx, *m.BaseSHA, *m.HeadSHA)
	if errors.Is(err, repo.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("service: merge request diff stats: %w", err)
	}
	out := make([]DiffStat, 0, len(diffs))
	for _, d := range diffs {
		st := DiffStat{Path: d.NewPath}
		if d.DeletedFile {
			st.Path = d.OldPath
		}
		// The body starts at the first hunk: every +/- line is a change.
		for _, line := range strings.Split(d.Diff, "\n") {
			switch {
			case strings.HasPrefix(line, "+"):
				st.Additions++
			case strings.HasPrefix(line, "-"):
				st.Deletions++
			}
		}
		out = append(out, st)
	}
	return out, nil
}
