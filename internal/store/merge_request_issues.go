package store

import (
	"context"
	"fmt"
)

// MergeRequestIssue is a link of merge_request_issues: an issue a merge
// request names, and whether it closes it.
type MergeRequestIssue struct {
	IssueID int64
	Closes  bool
}

// SetMergeRequestIssues replaces the issues merge request mrID links to.
// Run it in the transaction that changes what the links derive from.
func (q *Queries) SetMergeRequestIssues(ctx context.Context, mrID int64, links []MergeRequestIssue) error {
	if _, err := q.exec(ctx, "DELETE FROM merge_request_issues WHERE merge_request_id = ?", mrID); err != nil {
		return fmt.Errorf("store: merge request issues: %w", err)
	}
	for _, l := range links {
		if _, err := q.exec(ctx, "INSERT INTO merge_request_issues (merge_request_id, issue_id, closes) VALUES (?, ?, ?)",
			mrID, l.IssueID, l.Closes); err != nil {
			return fmt.Errorf("store: merge request issues: %w", err)
		}
	}
	return nil
}

// IssueIDsByIIDs maps the iids of a project's issues to their ids; iids
// of no issue are absent.
func (q *Queries) IssueIDsByIIDs(ctx context.Context, projectID int64, iids []int64) (map[int64]int64, error) {
	out := make(map[int64]int64, len(iids))
	if len(iids) == 0 {
		return out, nil
	}
	rows, err := q.query(ctx, "SELECT iid, id FROM issues WHERE project_id = ? AND iid IN ("+placeholders(len(iids))+")",
		append([]any{projectID}, toAny(iids)...)...)
	if err != nil {
		return nil, fmt.Errorf("store: issue ids: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var iid, id int64
		if err := rows.Scan(&iid, &id); err != nil {
			return nil, wrapErr(err)
		}
		out[iid] = id
	}
	return out, wrapErr(rows.Err())
}
