package store

import (
	"context"
	"fmt"
	"strings"
)

// SetMergeRequestCommits replaces the commit ids a merge request's latest
// diff holds (merge_request_commits), in the transaction that moves its
// diff_refs.
func (q *Queries) SetMergeRequestCommits(ctx context.Context, mrID int64, shas []string) error {
	if _, err := q.exec(ctx, "DELETE FROM merge_request_commits WHERE merge_request_id = ?", mrID); err != nil {
		return fmt.Errorf("store: clear merge request commits: %w", err)
	}
	const batch = 500
	for len(shas) > 0 {
		n := min(len(shas), batch)
		args := make([]any, 0, 2*n)
		for _, s := range shas[:n] {
			args = append(args, mrID, s)
		}
		values := strings.Repeat("(?, ?), ", n)
		if _, err := q.exec(ctx, "INSERT INTO merge_request_commits (merge_request_id, sha) VALUES "+values[:len(values)-2]+
			" ON CONFLICT DO NOTHING", args...); err != nil {
			return fmt.Errorf("store: merge request commits: %w", err)
		}
		shas = shas[n:]
	}
	return nil
}
