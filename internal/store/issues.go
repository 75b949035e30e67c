package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

const issueColumns = `issues.id, issues.project_id, issues.iid, issues.author_id, issues.title,
	issues.description, issues.state, issues.issue_type, issues.confidential, issues.discussion_locked,
	issues.milestone_id, issues.due_date, issues.time_estimate, issues.total_time_spent,
	issues.relative_position, issues.upvotes, issues.downvotes, issues.user_notes_count,
	issues.closed_at, issues.closed_by_id, issues.moved_to_id, issues.lock_version,
	issues.created_at, issues.updated_at`

func scanIssue(s scanner) (*model.Issue, error) {
	var i model.Issue
	var author, milestone, position, closedBy, movedTo sql.NullInt64
	var locked sql.NullBool
	var due sql.NullString
	var closedAt sql.NullInt64
	var created, updated int64
	if err := s.Scan(&i.ID, &i.ProjectID, &i.IID, &author, &i.Title, &i.Description, &i.State,
		&i.IssueType, &i.Confidential, &locked, &milestone, &due, &i.TimeEstimate, &i.TotalTimeSpent,
		&position, &i.Upvotes, &i.Downvotes, &i.UserNotesCount, &closedAt, &closedBy, &movedTo,
		&i.LockVersion, &created, &updated); err != nil {
		return nil, wrapErr(err)
	}
	i.AuthorID, i.MilestoneID, i.RelativePosition = fromNullInt(author), fromNullInt(milestone), fromNullInt(position)
	i.ClosedByID, i.MovedToID = fromNullInt(closedBy), fromNullInt(movedTo)
	if locked.Valid {
		i.DiscussionLocked = &locked.Bool
	}
	i.DueDate, i.ClosedAt = fromNullStr(due), fromNullMS(closedAt)
	i.CreatedAt, i.UpdatedAt = fromMS(created), fromMS(updated)
	return &i, nil
}

func fromNullInt(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	n := v.Int64
	return &n
}

func nullInt(v *int64) sql.NullInt64 {
	if v == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: *v, Valid: true}
}

// InsertIssue inserts i with the next iid of its project, filling in ID,
// IID and the timestamps (CreatedAt when zero). Run it in a transaction
// together with the issue's assignees and labels.
func (q *Queries) InsertIssue(ctx context.Context, i *model.Issue) error {
	iid, err := q.NextIID(ctx, IIDIssues, i.ProjectID)
	if err != nil {
		return err
	}
	now := q.Now()
	if i.CreatedAt.IsZero() {
		i.CreatedAt = now
	}
	i.UpdatedAt = i.CreatedAt
	if i.State == "" {
		i.State = "opened"
	}
	if i.IssueType == "" {
		i.IssueType = "issue"
	}
	var locked sql.NullBool
	if i.DiscussionLocked != nil {
		locked = sql.NullBool{Bool: *i.DiscussionLocked, Valid: true}
	}
	id, err := q.insert(ctx, `INSERT INTO issues (project_id, iid, author_id, title, description, state,
		issue_type, confidential, discussion_locked, milestone_id, due_date, time_estimate,
		relative_position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		i.ProjectID, iid, nullInt(i.AuthorID), i.Title, i.Description, i.State, i.IssueType, i.Confidential,
		locked, nullInt(i.MilestoneID), nullStr(i.DueDate), i.TimeEstimate, nullInt(i.RelativePosition),
		ms(i.CreatedAt), ms(i.UpdatedAt))
	if err != nil {
		return fmt.Errorf("store: create issue: %w", err)
	}
	i.ID, i.IID = id, iid
	return nil
}

// IssueByIID returns the issue of a project with this iid, without its
// assignees and labels (LoadIssueRelations).
func (q *Queries) IssueByIID(ctx context.Context, projectID, iid int64) (*model.Issue, error) {
	return scanIssue(q.queryRow(ctx, "SELECT "+issueColumns+" FROM issues WHERE project_id = ? AND iid = ?", projectID, iid))
}

// IssueByID returns the issue with this global id.
func (q *Queries) IssueByID(ctx context.Context, id int64) (*model.Issue, error) {
	return scanIssue(q.queryRow(ctx, "SELECT "+issueColumns+" FROM issues WHERE id = ?", id))
}

// LoadIssueRelations fills in the assignee and label ids of issues with two
// queries, however many issues there are.
func (q *Queries) LoadIssueRelations(ctx context.Context, issues []*model.Issue) error {
	if len(issues) == 0 {
		return nil
	}
	byID := make(map[int64]*model.Issue, len(issues))
	ids := make([]any, 0, len(issues))
	for _, i := range issues {
		i.AssigneeIDs, i.LabelIDs = nil, nil
		byID[i.ID] = i
		ids = append(ids, i.ID)
	}
	in := placeholders(len(ids))
	pairs := func(query string, add func(i *model.Issue, v int64)) error {
		rows, err := q.query(ctx, query, ids...)
		if err != nil {
			return fmt.Errorf("store: issue relations: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var issueID, v int64
			if err := rows.Scan(&issueID, &v); err != nil {
				return wrapErr(err)
			}
			add(byID[issueID], v)
		}
		return wrapErr(rows.Err())
	}
	if err := pairs("SELECT issue_id, user_id FROM issue_assignees WHERE issue_id IN ("+in+") ORDER BY issue_id, user_id",
		func(i *model.Issue, v int64) { i.AssigneeIDs = append(i.AssigneeIDs, v) }); err != nil {
		return err
	}
	return pairs("SELECT target_id, label_id FROM label_links WHERE target_type = 'Issue' AND target_id IN ("+in+") ORDER BY target_id, label_id",
		func(i *model.Issue, v int64) { i.LabelIDs = append(i.LabelIDs, v) })
}

// SetIssueAssignees replaces an issue's assignees.
func (q *Queries) SetIssueAssignees(ctx context.Context, issueID int64, userIDs []int64) error {
	if _, err := q.exec(ctx, "DELETE FROM issue_assignees WHERE issue_id = ?", issueID); err != nil {
		return fmt.Errorf("store: set assignees: %w", err)
	}
	for _, u := range userIDs {
		if _, err := q.exec(ctx, "INSERT INTO issue_assignees (issue_id, user_id) VALUES (?, ?)", issueID, u); err != nil {
			return fmt.Errorf("store: set assignees: %w", err)
		}
	}
	return nil
}

// SetLabelLinks replaces the labels of a noteable (target_type 'Issue' …).
func (q *Queries) SetLabelLinks(ctx context.Context, targetType string, targetID int64, labelIDs []int64) error {
	if _, err := q.exec(ctx, "DELETE FROM label_links WHERE target_type = ? AND target_id = ?", targetType, targetID); err != nil {
		return fmt.Errorf("store: set labels: %w", err)
	}
	now := ms(q.Now())
	for _, l := range labelIDs {
		if _, err := q.exec(ctx, "INSERT INTO label_links (label_id, target_type, target_id, created_at) VALUES (?, ?, ?, ?)",
			l, targetType, targetID, now); err != nil {
			return fmt.Errorf("store: set labels: %w", err)
		}
	}
	return nil
}
