package store

import (
	"context"
	"fmt"
)

// Usages of internal id sequences (internal_ids.usage).
const (
	IIDIssues            = "issues"
	IIDMergeRequests     = "merge_requests"
	IIDProjectMilestones = "project_milestones"
	IIDGroupMilestones   = "group_milestones"
)

// NextIID allocates the next internal id of a sequence (usage within the
// project or group scopeID) with one upsert that returns the new value:
// concurrent callers each get their own, and a value is never handed out
// twice, even after the object it numbered is gone. Inside a transaction
// the allocation commits or rolls back with it.
func (q *Queries) NextIID(ctx context.Context, usage string, scopeID int64) (int64, error) {
	var n int64
	err := q.returning(ctx, `INSERT INTO internal_ids (usage, scope_id, last_value) VALUES (?, ?, 1)
		ON CONFLICT (usage, scope_id) DO UPDATE SET last_value = internal_ids.last_value + 1
		RETURNING last_value`, []any{usage, scopeID}, &n)
	if err != nil {
		return 0, fmt.Errorf("store: next iid: %w", err)
	}
	return n, nil
}
