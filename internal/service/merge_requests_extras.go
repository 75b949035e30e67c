package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
)

// MergeRequestReviewer is GitLab's MergeRequestReviewer: a reviewer, their
// review state and when they were asked.
type MergeRequestReviewer struct {
	User *model.User
	// State: "approved" when they approve the merge request, else
	// "unreviewed" (lablet keeps no other review states).
	State string
	model.Reviewer
}

// MergeRequestReviewers lists a merge request's reviewers (GET
// …/merge_requests/:iid/reviewers), in the order they were asked.
func (s *Service) MergeRequestReviewers(ctx context.Context, id *auth.Identity, ref string, iid int64) ([]MergeRequestReviewer, error) {
	mp, err := s.VisibleMergeRequest(ctx, id, ref, iid)
	if err != nil {
		return nil, err
	}
	q := s.db.Queries()
	rows, err := q.MergeRequestReviewers(ctx, mp.MR.ID)
	if err != nil {
		return nil, err
	}
	approvals, err := q.Approvals(ctx, mp.MR.ID)
	if err != nil {
		return nil, err
	}
	approved := map[int64]bool{}
	for _, a := range approvals {
		approved[a.UserID] = true
	}
	ids := make([]int64, 0, len(rows))
	for _, v := range rows {
		ids = append(ids, v.UserID)
	}
	users, err := q.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("service: reviewers: %w", err)
	}
	out := []MergeRequestReviewer{}
	for _, v := range rows {
		u := users[v.UserID]
		if u == nil {
			continue
		}
		state := "unreviewed"
		if approved[v.UserID] {
			state = "approved"
		}
		out = append(out, MergeRequestReviewer{User: u, State: state, Reviewer: *v})
	}
	return out, nil
}

// MergeRequestRawDiff is a merge request's changes as one plain-text patch
// (GET …/merge_requests/:iid/raw_diffs): from the merge base to the source
// head of its diff_refs; empty when its branches share no history.
func (s *Service) MergeRequestRawDiff(ctx context.Context, id *auth.Identity, ref string, iid int64) ([]byte, error) {
	mp, err := s.VisibleMergeRequest(ctx, id, ref, iid)
	if err != nil {
		return nil, err
	}
	m := mp.MR
	if m.BaseSHA == nil || m.HeadSHA == nil {
		return nil, nil
	}
	out, err := s.repos.Open(mp.Project.ID).RawDiff(ctx, *m.BaseSHA, *m.HeadSHA)
	if errors.Is(err, repo.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("service: merge request raw diff: %w", err)
	}
	return out, nil
}
