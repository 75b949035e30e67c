package store

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// ReviewersOfMany lists the reviewers of several merge requests in one
// statement, each merge request's in the order they were asked (as
// MergeRequestReviewers).
func (q *Queries) ReviewersOfMany(ctx context.Context, mrIDs []int64) ([]*model.Reviewer, error) {
	if len(mrIDs) == 0 {
		return nil, nil
	}
	var c conds
	c.in("merge_request_id", false, mrIDs)
	rows, err := q.query(ctx, `SELECT merge_request_id, user_id, created_at FROM merge_request_reviewers`+
		c.where()+" ORDER BY merge_request_id, created_at, user_id", c.args...)
	if err != nil {
		return nil, fmt.Errorf("store: reviewers of %d merge requests: %w", len(mrIDs), err)
	}
	return collect(rows, func(s scanner) (*model.Reviewer, error) {
		var v model.Reviewer
		var created int64
		if err := s.Scan(&v.MergeRequestID, &v.UserID, &created); err != nil {
			return nil, wrapErr(err)
		}
		v.CreatedAt = fromMS(created)
		return &v, nil
	})
}

// ApprovalsOfMany lists the approvals of several merge requests in one
// statement, oldest first (as Approvals).
func (q *Queries) ApprovalsOfMany(ctx context.Context, mrIDs []int64) ([]*model.Approval, error) {
	if len(mrIDs) == 0 {
		return nil, nil
	}
	var c conds
	c.in("merge_request_id", false, mrIDs)
	rows, err := q.query(ctx, "SELECT merge_request_id, user_id, created_at FROM approvals"+c.where()+" ORDER BY id",
		c.args...)
	if err != nil {
		return nil, fmt.Errorf("store: approvals of %d merge requests: %w", len(mrIDs), err)
	}
	return collect(rows, func(s scanner) (*model.Approval, error) {
		var a model.Approval
		var created int64
		if err := s.Scan(&a.MergeRequestID, &a.UserID, &created); err != nil {
			return nil, wrapErr(err)
		}
		a.CreatedAt = fromMS(created)
		return &a, nil
	})
}
