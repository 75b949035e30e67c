package store

import (
	"context"
	"fmt"
)

// CopyIssueData copies onto issue to what GitLab's move copies besides
// the issue's fields and notes: its award emoji, label, milestone and
// state events, time logs (project: toProject), explicit subscriptions
// and links to other issues, each row as it is (its author and time);
// the copy's votes and time spent follow. Run it in the move's
// transaction.
func (q *Queries) CopyIssueData(ctx context.Context, fromID, toID, toProject int64) error {
	for _, c := range []struct {
		what, sql string
		args      []any
	}{
		{"award emoji", `INSERT INTO award_emoji (name, user_id, awardable_type, awardable_id, created_at, updated_at)
			SELECT name, user_id, awardable_type, ?, created_at, updated_at FROM award_emoji
			WHERE awardable_type = 'Issue' AND awardable_id = ? ORDER BY id`, []any{toID, fromID}},
		{"label events", `INSERT INTO resource_label_events (resource_type, resource_id, label_id, user_id, action, created_at)
			SELECT resource_type, ?, label_id, user_id, action, created_at FROM resource_label_events
			WHERE resource_type = 'Issue' AND resource_id = ? ORDER BY id`, []any{toID, fromID}},
		{"milestone events", `INSERT INTO resource_milestone_events (resource_type, resource_id, milestone_id, user_id, action,
			state, created_at) SELECT resource_type, ?, milestone_id, user_id, action, state, created_at
			FROM resource_milestone_events WHERE resource_type = 'Issue' AND resource_id = ? ORDER BY id`, []any{toID, fromID}},
		{"state events", `INSERT INTO resource_state_events (resource_type, resource_id, user_id, state, created_at)
			SELECT resource_type, ?, user_id, state, created_at FROM resource_state_events
			WHERE resource_type = 'Issue' AND resource_id = ? ORDER BY id`, []any{toID, fromID}},
		{"time logs", `INSERT INTO timelogs (resource_type, resource_id, project_id, user_id, time_spent, spent_at, summary,
			created_at) SELECT resource_type, ?, ?, user_id, time_spent, spent_at, summary, created_at FROM timelogs
			WHERE resource_type = 'Issue' AND resource_id = ? ORDER BY id`, []any{toID, toProject, fromID}},
		{"subscriptions", `INSERT INTO subscriptions (user_id, subscribable_type, subscribable_id, project_id, subscribed)
			SELECT user_id, subscribable_type, ?, project_id, subscribed FROM subscriptions
			WHERE subscribable_type = 'Issue' AND subscribable_id = ?`, []any{toID, fromID}},
		{"links", `INSERT INTO issue_links (source_id, target_id, link_type, created_at, updated_at)
			SELECT ?, target_id, link_type, created_at, updated_at FROM issue_links WHERE source_id = ? ORDER BY id`,
			[]any{toID, fromID}},
		{"links", `INSERT INTO issue_links (source_id, target_id, link_type, created_at, updated_at)
			SELECT source_id, ?, link_type, created_at, updated_at FROM issue_links WHERE target_id = ? ORDER BY id`,
			[]any{toID, fromID}},
		{"totals", `UPDATE issues SET
			upvotes = (SELECT count(*) FROM award_emoji WHERE awardable_type = 'Issue' AND awardable_id = ? AND name = ?),
			downvotes = (SELECT count(*) FROM award_emoji WHERE awardable_type = 'Issue' AND awardable_id = ? AND name = ?),
			total_time_spent = (SELECT COALESCE(SUM(time_spent), 0) FROM timelogs WHERE resource_type = 'Issue' AND resource_id = ?)
			WHERE id = ?`, []any{toID, UpvoteEmoji, toID, DownvoteEmoji, toID, toID}},
	} {
		if _, err := q.exec(ctx, c.sql, c.args...); err != nil {
			return fmt.Errorf("store: copy issue %s: %w", c.what, err)
		}
	}
	return nil
}

// CopyNoteAwardEmoji copies the award emoji of an issue's notes onto
// their copies (copies: a note's id to its copy's), as they are.
func (q *Queries) CopyNoteAwardEmoji(ctx context.Context, issueID int64, copies map[int64]int64) error {
	rows, err := q.query(ctx, "SELECT "+awardColumns+` FROM award_emoji WHERE awardable_type = 'Note' AND awardable_id IN
		(SELECT id FROM notes WHERE noteable_type = 'Issue' AND noteable_id = ?) ORDER BY id`, issueID)
	if err != nil {
		return fmt.Errorf("store: note award emoji: %w", err)
	}
	awards, err := collect(rows, scanAward)
	if err != nil {
		return err
	}
	for _, a := range awards {
		to, ok := copies[a.AwardableID]
		if !ok {
			continue
		}
		if _, err := q.exec(ctx, `INSERT INTO award_emoji (name, user_id, awardable_type, awardable_id, created_at,
			updated_at) VALUES (?, ?, ?, ?, ?, ?)`, a.Name, a.UserID, a.AwardableType, to,
			ms(a.CreatedAt), ms(a.UpdatedAt)); err != nil {
			return fmt.Errorf("store: copy note award emoji: %w", err)
		}
	}
	return nil
}
