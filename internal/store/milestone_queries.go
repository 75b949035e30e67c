package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/model"
)

// MilestoneFilter selects milestones for a list: those of ProjectIDs and
// GroupIDs, newest first.
type MilestoneFilter struct {
	ProjectIDs []int64
	GroupIDs   []int64
	State      string // "active", "closed" or "" (all)
	IIDs       []int64
	Title      *string
	// Search keeps milestones whose title or description contains it.
	Search        string
	UpdatedBefore *time.Time
	UpdatedAfter  *time.Time
	Limit, Offset int
}

// ListMilestones returns one page of f's milestones and their total.
func (q *Queries) ListMilestones(ctx context.Context, f MilestoneFilter) ([]*model.Milestone, int, error) {
	var owners []string
	var args []any
	if len(f.ProjectIDs) > 0 {
		owners = append(owners, "project_id IN ("+placeholders(len(f.ProjectIDs))+")")
		args = append(args, int64Args(f.ProjectIDs)...)
	}
	if len(f.GroupIDs) > 0 {
		owners = append(owners, "group_id IN ("+placeholders(len(f.GroupIDs))+")")
		args = append(args, int64Args(f.GroupIDs)...)
	}
	if len(owners) == 0 {
		return nil, 0, nil
	}
	var c conds
	c.add("("+strings.Join(owners, " OR ")+")", args...)
	if f.State != "" {
		c.add("state = ?", f.State)
	}
	if len(f.IIDs) > 0 {
		c.in("iid", false, f.IIDs)
	}
	if f.Title != nil {
		c.add("title = ?", *f.Title)
	}
	if f.Search != "" {
		c.search(f.Search, "milestones.title", "milestones.description")
	}
	if f.UpdatedBefore != nil {
		c.add("updated_at < ?", ms(*f.UpdatedBefore))
	}
	if f.UpdatedAfter != nil {
		c.add("updated_at > ?", ms(*f.UpdatedAfter))
	}
	var total int
	if err := q.queryRow(ctx, "SELECT COUNT(*) FROM milestones"+c.where(), c.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count milestones: %w", wrapErr(err))
	}
	rows, err := q.query(ctx, "SELECT "+milestoneColumns+" FROM milestones"+c.where()+" ORDER BY id DESC LIMIT ? OFFSET ?",
		append(c.args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list milestones: %w", err)
	}
	list, err := collect(rows, scanMilestone)
	return list, total, err
}

// MilestoneTitleUsed reports whether a milestone of projectIDs or groupIDs
// other than exceptID has title.
func (q *Queries) MilestoneTitleUsed(ctx context.Context, title string, projectIDs, groupIDs []int64, exceptID int64) (bool, error) {
	list, _, err := q.ListMilestones(ctx, MilestoneFilter{ProjectIDs: projectIDs, GroupIDs: groupIDs, Title: &title, Limit: 2})
	if err != nil {
		return false, err
	}
	for _, m := range list {
		if m.ID != exceptID {
			return true, nil
		}
	}
	return false, nil
}

// UpdateMilestone writes m's editable fields, moving UpdatedAt.
func (q *Queries) UpdateMilestone(ctx context.Context, m *model.Milestone) error {
	m.UpdatedAt = q.Now()
	_, err := q.exec(ctx, `UPDATE milestones SET title = ?, description = ?, state = ?, due_date = ?, start_date = ?,
		updated_at = ? WHERE id = ?`, m.Title, m.Description, m.State, nullStr(m.DueDate), nullStr(m.StartDate),
		ms(m.UpdatedAt), m.ID)
	if err != nil {
		return fmt.Errorf("store: update milestone: %w", err)
	}
	return nil
}

// DeleteMilestones deletes milestones; their issues keep no milestone and
// their resource events a NULL one.
func (q *Queries) DeleteMilestones(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	in := " IN (" + placeholders(len(ids)) + ")"
	for _, s := range []string{
		"UPDATE issues SET milestone_id = NULL WHERE milestone_id" + in,
		"UPDATE resource_milestone_events SET milestone_id = NULL WHERE milestone_id" + in,
		"DELETE FROM milestones WHERE id" + in,
	} {
		if _, err := q.exec(ctx, s, int64Args(ids)...); err != nil {
			return fmt.Errorf("store: delete milestones: %w", err)
		}
	}
	return nil
}

// MoveMilestoneIssues sets milestone into on the issues of projectIDs that
// have one of from.
func (q *Queries) MoveMilestoneIssues(ctx context.Context, into int64, from, projectIDs []int64) error {
	if len(from) == 0 || len(projectIDs) == 0 {
		return nil
	}
	args := append([]any{into}, int64Args(from)...)
	args = append(args, int64Args(projectIDs)...)
	_, err := q.exec(ctx, "UPDATE issues SET milestone_id = ? WHERE milestone_id IN ("+placeholders(len(from))+
		") AND project_id IN ("+placeholders(len(projectIDs))+")", args...)
	if err != nil {
		return fmt.Errorf("store: move milestone issues: %w", err)
	}
	return nil
}

// ProjectFullPaths returns the full paths ("group/app") of projects ids,
// in one query.
func (q *Queries) ProjectFullPaths(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var c conds
	c.in("projects.id", false, ids)
	rows, err := q.query(ctx, `SELECT projects.id, namespaces.full_path, projects.path FROM projects
		JOIN namespaces ON namespaces.id = projects.namespace_id`+c.where(), c.args...)
	if err != nil {
		return nil, fmt.Errorf("store: project paths: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var ns, path string
		if err := rows.Scan(&id, &ns, &path); err != nil {
			return nil, wrapErr(err)
		}
		out[id] = ns + "/" + path
	}
	return out, wrapErr(rows.Err())
}
