package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/lablet/lablet/internal/model"
)

// LabelScope names the labels a list may hold: those of ProjectIDs and
// those of GroupIDs.
type LabelScope struct {
	ProjectIDs []int64
	GroupIDs   []int64
	// Search keeps labels whose title or description contains it,
	// case-insensitively.
	Search string
	// Title keeps the labels with exactly this title.
	Title *string
	// ID, when set, keeps the label with this id.
	ID int64
}

// ScopeLabels returns the labels of scope, in id order. A project or
// group has few labels: callers sort and page them.
func (q *Queries) ScopeLabels(ctx context.Context, s LabelScope) ([]*model.Label, error) {
	var owners []string
	var c conds
	var args []any
	if len(s.ProjectIDs) > 0 {
		owners = append(owners, "project_id IN ("+placeholders(len(s.ProjectIDs))+")")
		for _, id := range s.ProjectIDs {
			args = append(args, id)
		}
	}
	if len(s.GroupIDs) > 0 {
		owners = append(owners, "group_id IN ("+placeholders(len(s.GroupIDs))+")")
		for _, id := range s.GroupIDs {
			args = append(args, id)
		}
	}
	if len(owners) == 0 {
		return nil, nil
	}
	c.add("("+strings.Join(owners, " OR ")+")", args...)
	if s.Search != "" {
		c.search(s.Search, "labels.title", "labels.description")
	}
	if s.Title != nil {
		c.add("labels.title = ?", *s.Title)
	}
	if s.ID != 0 {
		c.add("labels.id = ?", s.ID)
	}
	rows, err := q.query(ctx, "SELECT "+labelColumns+" FROM labels"+c.where()+" ORDER BY id", c.args...)
	if err != nil {
		return nil, fmt.Errorf("store: list labels: %w", err)
	}
	return collect(rows, scanLabel)
}

// UpdateLabel writes l's title, color and description, moving UpdatedAt.
// A title taken in the same project or group is ErrConflict.
func (q *Queries) UpdateLabel(ctx context.Context, l *model.Label) error {
	l.UpdatedAt = q.Now()
	_, err := q.exec(ctx, "UPDATE labels SET title = ?, color = ?, description = ?, updated_at = ? WHERE id = ?",
		l.Title, l.Color, l.Description, ms(l.UpdatedAt), l.ID)
	if err != nil {
		return fmt.Errorf("store: update label: %w", err)
	}
	return nil
}

// DeleteLabels deletes labels with their links, priorities, subscriptions
// and board lists; their resource events keep a NULL label.
func (q *Queries) DeleteLabels(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	if err := q.dropLabelLists(ctx, ids); err != nil {
		return err
	}
	args := int64Args(ids)
	in := " IN (" + placeholders(len(ids)) + ")"
	stmts := []string{
		"DELETE FROM label_links WHERE label_id" + in,
		"DELETE FROM label_priorities WHERE label_id" + in,
		"DELETE FROM subscriptions WHERE subscribable_type = 'Label' AND subscribable_id" + in,
		"UPDATE resource_label_events SET label_id = NULL WHERE label_id" + in,
		"DELETE FROM labels WHERE id" + in,
	}
	for _, s := range stmts {
		if _, err := q.exec(ctx, s, args...); err != nil {
			return fmt.Errorf("store: delete labels: %w", err)
		}
	}
	return nil
}

// LabelIssueCount is how many open and closed issues carry a label.
type LabelIssueCount struct{ Open, Closed int64 }

// LabelIssueCountsQuery says which issues count: those of ProjectIDs,
// confidential ones only in ConfidentialProjectIDs or when UserID is their
// author or an assignee.
type LabelIssueCountsQuery struct {
	LabelIDs               []int64
	ProjectIDs             []int64
	ConfidentialProjectIDs []int64
	UserID                 int64
}

// LabelIssueCounts counts, per label, the issues carrying it, with one
// grouped query over label_links and issues.
func (q *Queries) LabelIssueCounts(ctx context.Context, in LabelIssueCountsQuery) (map[int64]LabelIssueCount, error) {
	out := map[int64]LabelIssueCount{}
	if len(in.LabelIDs) == 0 || len(in.ProjectIDs) == 0 {
		return out, nil
	}
	var c conds
	c.add("label_links.target_type = 'Issue'")
	c.in("label_links.label_id", false, in.LabelIDs)
	c.in("issues.project_id", false, in.ProjectIDs)
	visible := []string{"issues.confidential = FALSE"}
	var args []any
	if len(in.ConfidentialProjectIDs) > 0 {
		visible = append(visible, "issues.project_id IN ("+placeholders(len(in.ConfidentialProjectIDs))+")")
		args = append(args, int64Args(in.ConfidentialProjectIDs)...)
	}
	if in.UserID != 0 {
		visible = append(visible, "issues.author_id = ?",
			"EXISTS (SELECT 1 FROM issue_assignees WHERE issue_assignees.issue_id = issues.id AND issue_assignees.user_id = ?)")
		args = append(args, in.UserID, in.UserID)
	}
	c.add("("+strings.Join(visible, " OR ")+")", args...)
	rows, err := q.query(ctx, `SELECT label_links.label_id, issues.state, COUNT(*) FROM label_links
		JOIN issues ON issues.id = label_links.target_id`+c.where()+" GROUP BY label_links.label_id, issues.state", c.args...)
	if err != nil {
		return nil, fmt.Errorf("store: label counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, n int64
		var state string
		if err := rows.Scan(&id, &state, &n); err != nil {
			return nil, wrapErr(err)
		}
		cnt := out[id]
		if state == "closed" {
			cnt.Closed += n
		} else {
			cnt.Open += n
		}
		out[id] = cnt
	}
	return out, wrapErr(rows.Err())
}

// LabelPriorities returns the priorities project gives to labelIDs.
func (q *Queries) LabelPriorities(ctx context.Context, projectID int64, labelIDs []int64) (map[int64]int64, error) {
	out := map[int64]int64{}
	if len(labelIDs) == 0 {
		return out, nil
	}
	var c conds
	c.add("project_id = ?", projectID)
	c.in("label_id", false, labelIDs)
	rows, err := q.query(ctx, "SELECT label_id, priority FROM label_priorities"+c.where(), c.args...)
	if err != nil {
		return nil, fmt.Errorf("store: label priorities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, p int64
		if err := rows.Scan(&id, &p); err != nil {
			return nil, wrapErr(err)
		}
		out[id] = p
	}
	return out, wrapErr(rows.Err())
}

// SetLabelPriority sets (priority non-nil) or removes the priority project
// gives to a label.
func (q *Queries) SetLabelPriority(ctx context.Context, projectID, labelID int64, priority *int64) error {
	var err error
	if priority == nil {
		_, err = q.exec(ctx, "DELETE FROM label_priorities WHERE project_id = ? AND label_id = ?", projectID, labelID)
	} else {
		_, err = q.exec(ctx, `INSERT INTO label_priorities (project_id, label_id, priority) VALUES (?, ?, ?)
			ON CONFLICT (project_id, label_id) DO UPDATE SET priority = excluded.priority`, projectID, labelID, *priority)
	}
	if err != nil {
		return fmt.Errorf("store: label priority: %w", err)
	}
	return nil
}

// LabelSubscriptions returns which of labelIDs userID is subscribed to,
// instance-wide (project 0) or in projectID when it is not 0.
func (q *Queries) LabelSubscriptions(ctx context.Context, userID int64, labelIDs []int64, projectID int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if userID == 0 || len(labelIDs) == 0 {
		return out, nil
	}
	var c conds
	c.add("subscribable_type = 'Label' AND user_id = ? AND subscribed = TRUE", userID)
	c.in("subscribable_id", false, labelIDs)
	c.add("project_id IN (0, ?)", projectID)
	ids, err := q.int64s(ctx, "SELECT subscribable_id FROM subscriptions"+c.where(), c.args...)
	if err != nil {
		return nil, fmt.Errorf("store: label subscriptions: %w", err)
	}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// MergeLabels moves everything attached to the labels of from — links,
// resource events, priorities, subscriptions, board lists — onto label
// into, then deletes them (GitLab's Labels::PromoteService). Where into
// already holds the same link, priority, subscription or board list,
// into's stays.
func (q *Queries) MergeLabels(ctx context.Context, into int64, from []int64) error {
	if len(from) == 0 {
		return nil
	}
	in := " IN (" + placeholders(len(from)) + ")"
	args := append([]any{into}, int64Args(from)...)
	stmts := []string{
		`INSERT INTO label_links (label_id, target_type, target_id, created_at)
			SELECT CAST(? AS BIGINT), target_type, target_id, MIN(created_at) FROM label_links WHERE label_id` + in + `
			GROUP BY target_type, target_id ON CONFLICT DO NOTHING`,
		`INSERT INTO label_priorities (project_id, label_id, priority)
			SELECT project_id, CAST(? AS BIGINT), MIN(priority) FROM label_priorities WHERE label_id` + in + `
			GROUP BY project_id ON CONFLICT DO NOTHING`,
		`INSERT INTO subscriptions (user_id, subscribable_type, subscribable_id, project_id, subscribed)
			SELECT DISTINCT user_id, 'Label', CAST(? AS BIGINT), project_id, subscribed FROM subscriptions
			WHERE subscribable_type = 'Label' AND subscribable_id` + in + ` ON CONFLICT DO NOTHING`,
		"UPDATE resource_label_events SET label_id = ? WHERE label_id" + in,
	}
	for _, s := range stmts {
		if _, err := q.exec(ctx, s, args...); err != nil {
			return fmt.Errorf("store: merge labels: %w", err)
		}
	}
	if err := q.moveLabelLists(ctx, into, from); err != nil {
		return err
	}
	return q.DeleteLabels(ctx, from)
}

func int64Args(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
