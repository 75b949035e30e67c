package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// mergeabilityColumns are the merge_requests columns of
// model.Mergeability, in the order of mergeabilityScan.dest.
const mergeabilityColumns = `merge_requests.merge_status, merge_requests.merge_status_head,
	merge_requests.merge_status_target, merge_requests.merge_ff, merge_requests.merge_error`

type mergeabilityScan struct{ head, target, mergeError sql.NullString }

func (s *mergeabilityScan) dest(m *model.Mergeability) []any {
	return []any{&m.MergeStatus, &s.head, &s.target, &m.MergeFF, &s.mergeError}
}

func (s *mergeabilityScan) finish(m *model.Mergeability) {
	m.MergeStatusHead, m.MergeStatusTarget, m.MergeError = fromNullStr(s.head), fromNullStr(s.target), fromNullStr(s.mergeError)
}

// SetMergeRequestMergeability records a mergeability check of merge
// request id. It leaves lock_version and updated_at alone: a check is not
// a change of the merge request.
func (q *Queries) SetMergeRequestMergeability(ctx context.Context, id int64, m model.Mergeability) error {
	_, err := q.exec(ctx, `UPDATE merge_requests SET merge_status = ?, merge_status_head = ?, merge_status_target = ?,
		merge_ff = ? WHERE id = ?`, m.MergeStatus, nullStr(m.MergeStatusHead), nullStr(m.MergeStatusTarget), m.MergeFF, id)
	if err != nil {
		return fmt.Errorf("store: merge request mergeability: %w", err)
	}
	return nil
}

// SetMergeRequestMergeError records why a rebase failed (nil: it did
// not).
func (q *Queries) SetMergeRequestMergeError(ctx context.Context, id int64, msg *string) error {
	if _, err := q.exec(ctx, "UPDATE merge_requests SET merge_error = ? WHERE id = ?", nullStr(msg), id); err != nil {
		return fmt.Errorf("store: merge request merge error: %w", err)
	}
	return nil
}

// UnresolvedDiscussionNotes counts the resolvable notes of a noteable
// that are not resolved: each is a discussion that blocks a merge when
// the project asks for resolved discussions.
func (q *Queries) UnresolvedDiscussionNotes(ctx context.Context, noteableType string, noteableID int64) (int64, error) {
	var n int64
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM notes WHERE noteable_type = ? AND noteable_id = ? AND resolvable
		AND resolved_at IS NULL`, noteableType, noteableID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: unresolved notes: %w", wrapErr(err))
	}
	return n, nil
}
