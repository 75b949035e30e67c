package service

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// ReviewsBatch is the reviewers and approvers of several merge requests,
// by merge request id, with the users they name.
type ReviewsBatch struct {
	Reviewers map[int64][]MergeRequestReviewer
	// ApprovedBy lists each merge request's approvers, oldest approval first.
	ApprovedBy map[int64][]*model.User
}

// MergeRequestReviewsOfShown loads the reviewers and approvals of merge
// requests in three statements (fewer when users are cached). It checks
// nothing: callers pass only merge requests the caller was just shown
// through VisibleMergeRequest or the merge request lists, as REST's
// reviewers and approvals show everything of a merge request its reader
// may see.
func (s *Service) MergeRequestReviewsOfShown(ctx context.Context, mrIDs []int64) (*ReviewsBatch, error) {
	q := s.db.Queries()
	reviewers, err := q.ReviewersOfMany(ctx, mrIDs)
	if err != nil {
		return nil, fmt.Errorf("service: reviews: %w", err)
	}
	approvals, err := q.ApprovalsOfMany(ctx, mrIDs)
	if err != nil {
		return nil, fmt.Errorf("service: reviews: %w", err)
	}
	type key struct{ mr, user int64 }
	approved := map[key]bool{}
	ids := make([]int64, 0, len(reviewers)+len(approvals))
	for _, a := range approvals {
		approved[key{a.MergeRequestID, a.UserID}] = true
		ids = append(ids, a.UserID)
	}
	for _, v := range reviewers {
		ids = append(ids, v.UserID)
	}
	users, err := s.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := &ReviewsBatch{Reviewers: map[int64][]MergeRequestReviewer{}, ApprovedBy: map[int64][]*model.User{}}
	for _, v := range reviewers {
		u := users[v.UserID]
		if u == nil {
			continue
		}
		state := "unreviewed"
		if approved[key{v.MergeRequestID, v.UserID}] {
			state = "approved"
		}
		out.Reviewers[v.MergeRequestID] = append(out.Reviewers[v.MergeRequestID],
			MergeRequestReviewer{User: u, State: state, Reviewer: *v})
	}
	for _, a := range approvals {
		if u := users[a.UserID]; u != nil {
			out.ApprovedBy[a.MergeRequestID] = append(out.ApprovedBy[a.MergeRequestID], u)
		}
	}
	return out, nil
}
