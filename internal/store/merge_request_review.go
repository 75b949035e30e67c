package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

const mergeRequestDiffColumns = `id, merge_request_id, base_commit_sha, head_commit_sha, start_commit_sha, state,
	real_size, created_at`

func scanMergeRequestDiff(s scanner) (*model.MergeRequestDiff, error) {
	var d model.MergeRequestDiff
	var base, size sql.NullString
	var created int64
	if err := s.Scan(&d.ID, &d.MergeRequestID, &base, &d.HeadSHA, &d.StartSHA, &d.State, &size, &created); err != nil {
		return nil, wrapErr(err)
	}
	d.BaseSHA, d.RealSize, d.CreatedAt = fromNullStr(base), fromNullStr(size), fromMS(created)
	return &d, nil
}

// InsertMergeRequestDiff records a version of a merge request, filling in
// ID, State and CreatedAt. Run it in the transaction that sets the merge
// request's diff_refs to the same shas.
func (q *Queries) InsertMergeRequestDiff(ctx context.Context, d *model.MergeRequestDiff) error {
	d.CreatedAt, d.State = q.Now(), "collected"
	id, err := q.insert(ctx, `INSERT INTO merge_request_diffs (merge_request_id, base_commit_sha, head_commit_sha,
		start_commit_sha, state, real_size, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		d.MergeRequestID, nullStr(d.BaseSHA), d.HeadSHA, d.StartSHA, d.State, nullStr(d.RealSize), ms(d.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: create merge request diff: %w", err)
	}
	d.ID = id
	return nil
}

// MergeRequestDiffs lists a merge request's versions, newest first, and
// how many there are.
func (q *Queries) MergeRequestDiffs(ctx context.Context, mrID int64, limit, offset int) ([]*model.MergeRequestDiff, int, error) {
	total, err := scanInt64(q.queryRow(ctx, "SELECT COUNT(*) FROM merge_request_diffs WHERE merge_request_id = ?", mrID))
	if err != nil {
		return nil, 0, fmt.Errorf("store: count merge request diffs: %w", err)
	}
	rows, err := q.query(ctx, "SELECT "+mergeRequestDiffColumns+` FROM merge_request_diffs WHERE merge_request_id = ?
		ORDER BY id DESC LIMIT ? OFFSET ?`, mrID, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("store: merge request diffs: %w", err)
	}
	list, err := collect(rows, scanMergeRequestDiff)
	return list, int(total), err
}

// MergeRequestDiff returns version id of merge request mrID.
func (q *Queries) MergeRequestDiff(ctx context.Context, mrID, id int64) (*model.MergeRequestDiff, error) {
	return scanMergeRequestDiff(q.queryRow(ctx, "SELECT "+mergeRequestDiffColumns+
		" FROM merge_request_diffs WHERE merge_request_id = ? AND id = ?", mrID, id))
}

// MergeRequestDiffByHead returns the newest version of merge request
// mrID with these head and start shas (ErrNotFound when there is none).
func (q *Queries) MergeRequestDiffByHead(ctx context.Context, mrID int64, head, start string) (*model.MergeRequestDiff, error) {
	return scanMergeRequestDiff(q.queryRow(ctx, "SELECT "+mergeRequestDiffColumns+` FROM merge_request_diffs
		WHERE merge_request_id = ? AND head_commit_sha = ? AND start_commit_sha = ? ORDER BY id DESC LIMIT 1`,
		mrID, head, start))
}

// InsertApproval records userID's approval of merge request mrID;
// ErrConflict when it is already there.
func (q *Queries) InsertApproval(ctx context.Context, mrID, userID int64) error {
	now := ms(q.Now())
	if _, err := q.exec(ctx, `INSERT INTO approvals (merge_request_id, user_id, created_at, updated_at)
		VALUES (?, ?, ?, ?)`, mrID, userID, now, now); err != nil {
		return fmt.Errorf("store: approve: %w", wrapErr(err))
	}
	return nil
}

// DeleteApprovals removes the approval of userID (0: every approval) of
// merge request mrID and reports how many went.
func (q *Queries) DeleteApprovals(ctx context.Context, mrID, userID int64) (int64, error) {
	query, args := "DELETE FROM approvals WHERE merge_request_id = ?", []any{mrID}
	if userID != 0 {
		query, args = query+" AND user_id = ?", append(args, userID)
	}
	res, err := q.exec(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("store: delete approvals: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// Approvals lists the approvals of merge request mrID, oldest first.
func (q *Queries) Approvals(ctx context.Context, mrID int64) ([]*model.Approval, error) {
	rows, err := q.query(ctx, `SELECT merge_request_id, user_id, created_at FROM approvals
		WHERE merge_request_id = ? ORDER BY id`, mrID)
	if err != nil {
		return nil, fmt.Errorf("store: approvals: %w", err)
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

// ResetApprovalsOnPush reads the project setting that has a push of new
// commits remove a merge request's approvals.
func (q *Queries) ResetApprovalsOnPush(ctx context.Context, projectID int64) (bool, error) {
	var on bool
	if err := q.queryRow(ctx, "SELECT reset_approvals_on_push FROM projects WHERE id = ?", projectID).Scan(&on); err != nil {
		return false, fmt.Errorf("store: reset_approvals_on_push: %w", wrapErr(err))
	}
	return on, nil
}

// SetResetApprovalsOnPush writes the project setting ResetApprovalsOnPush
// reads.
func (q *Queries) SetResetApprovalsOnPush(ctx context.Context, projectID int64, on bool) error {
	if _, err := q.exec(ctx, "UPDATE projects SET reset_approvals_on_push = ? WHERE id = ?", on, projectID); err != nil {
		return fmt.Errorf("store: set reset_approvals_on_push: %w", err)
	}
	return nil
}

// MergeRequestReviewers lists the reviewers of merge request mrID, in the
// order they were asked.
func (q *Queries) MergeRequestReviewers(ctx context.Context, mrID int64) ([]*model.Reviewer, error) {
	rows, err := q.query(ctx, `SELECT merge_request_id, user_id, created_at FROM merge_request_reviewers
		WHERE merge_request_id = ? ORDER BY created_at, user_id`, mrID)
	if err != nil {
		return nil, fmt.Errorf("store: reviewers: %w", err)
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
