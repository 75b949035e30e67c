package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/model"
)

// An issue read from the store comes with its assignee and label ids.
// A single row brings them in its own statement (issueColumnsRelated: one
// correlated aggregate each), and so does a page of a list, whose inner
// select picks the page first (pageWithRelations): a list that sorts would
// otherwise have the database compute the aggregates for every row it
// considers, not only for those on the page. Other sets of issues get
// them with one more statement for all of them (loadIssueRelations).
const issueColumns = `issues.id, issues.project_id, issues.iid, issues.author_id, issues.title,
	issues.description, issues.state, issues.issue_type, issues.confidential, issues.discussion_locked,
	issues.milestone_id, issues.due_date, issues.time_estimate, issues.total_time_spent,
	issues.relative_position, issues.upvotes, issues.downvotes, issues.user_notes_count,
	issues.closed_at, issues.closed_by_id, issues.moved_to_id, issues.lock_version,
	issues.created_at, issues.updated_at`

// issueColumnsRelated adds the assignee and label ids, comma-separated
// (string_agg: SQLite 3.44+ and PostgreSQL).
const issueColumnsRelated = issueColumns + `,
	(SELECT string_agg(CAST(rel_a.user_id AS TEXT), ',') FROM issue_assignees rel_a
		WHERE rel_a.issue_id = issues.id),
	(SELECT string_agg(CAST(rel_l.label_id AS TEXT), ',') FROM label_links rel_l
		WHERE rel_l.target_type = 'Issue' AND rel_l.target_id = issues.id),
	(SELECT count(*) FROM merge_request_issues rel_m JOIN merge_requests rel_mr ON rel_mr.id = rel_m.merge_request_id
		WHERE rel_m.issue_id = issues.id AND rel_m.closes = TRUE AND rel_mr.target_project_id = issues.project_id)`

func scanIssue(s scanner) (*model.Issue, error) { return scanIssueRow(s, false) }

// scanIssueRelated scans a row of issueColumnsRelated.
func scanIssueRelated(s scanner) (*model.Issue, error) { return scanIssueRow(s, true) }

func scanIssueRow(s scanner, related bool) (*model.Issue, error) {
	var i model.Issue
	var author, milestone, position, closedBy, movedTo sql.NullInt64
	var locked sql.NullBool
	var due sql.NullString
	var closedAt sql.NullInt64
	var created, updated int64
	var assignees, labels sql.NullString
	dest := []any{&i.ID, &i.ProjectID, &i.IID, &author, &i.Title, &i.Description, &i.State,
		&i.IssueType, &i.Confidential, &locked, &milestone, &due, &i.TimeEstimate, &i.TotalTimeSpent,
		&position, &i.Upvotes, &i.Downvotes, &i.UserNotesCount, &closedAt, &closedBy, &movedTo,
		&i.LockVersion, &created, &updated}
	if related {
		dest = append(dest, &assignees, &labels, &i.MergeRequestsCount)
	}
	if err := s.Scan(dest...); err != nil {
		return nil, wrapErr(err)
	}
	if related {
		var err error
		if i.AssigneeIDs, err = idList(assignees.String); err != nil {
			return nil, fmt.Errorf("store: issue %d assignees: %w", i.ID, err)
		}
		if i.LabelIDs, err = idList(labels.String); err != nil {
			return nil, fmt.Errorf("store: issue %d labels: %w", i.ID, err)
		}
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

// collectIssues scans rows of issueColumns and loads the issues'
// relations.
func (q *Queries) collectIssues(ctx context.Context, rows *sql.Rows) ([]*model.Issue, error) {
	list, err := collect(rows, scanIssue)
	if err != nil {
		return nil, err
	}
	if err := q.loadIssueRelations(ctx, list); err != nil {
		return nil, err
	}
	return list, nil
}

// loadIssueRelations fills in the assignee and label ids of issues with
// one statement, however many issues there are.
func (q *Queries) loadIssueRelations(ctx context.Context, issues []*model.Issue) error {
	if len(issues) == 0 {
		return nil
	}
	byID := make(map[int64]*model.Issue, len(issues))
	ids := make([]any, 0, 3*len(issues))
	for _, i := range issues {
		i.AssigneeIDs, i.LabelIDs, i.MergeRequestsCount = nil, nil, 0
		byID[i.ID] = i
		ids = append(ids, i.ID)
	}
	in := placeholders(len(issues))
	rows, err := q.query(ctx, "SELECT 0, issue_id, user_id FROM issue_assignees WHERE issue_id IN ("+in+
		") UNION ALL SELECT 1, target_id, label_id FROM label_links WHERE target_type = 'Issue' AND target_id IN ("+in+
		") UNION ALL SELECT 2, mri.issue_id, count(*) FROM merge_request_issues mri"+
		" JOIN merge_requests m ON m.id = mri.merge_request_id JOIN issues i ON i.id = mri.issue_id"+
		" WHERE mri.closes = TRUE AND m.target_project_id = i.project_id AND mri.issue_id IN ("+in+") GROUP BY mri.issue_id",
		append(append(ids, ids...), ids...)...)
	if err != nil {
		return fmt.Errorf("store: issue relations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind int
		var issueID, v int64
		if err := rows.Scan(&kind, &issueID, &v); err != nil {
			return wrapErr(err)
		}
		switch i := byID[issueID]; {
		case i == nil:
		case kind == 0:
			i.AssigneeIDs = append(i.AssigneeIDs, v)
		case kind == 1:
			i.LabelIDs = append(i.LabelIDs, v)
		default:
			i.MergeRequestsCount = v
		}
	}
	if err := rows.Err(); err != nil {
		return wrapErr(err)
	}
	for _, i := range issues {
		slices.Sort(i.AssigneeIDs)
		slices.Sort(i.LabelIDs)
	}
	return nil
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

// IssueByIID returns the issue of a project with this iid.
func (q *Queries) IssueByIID(ctx context.Context, projectID, iid int64) (*model.Issue, error) {
	return scanIssueRelated(q.queryRow(ctx, "SELECT "+issueColumnsRelated+" FROM issues WHERE project_id = ? AND iid = ?", projectID, iid))
}

// IssueByID returns the issue with this global id.
func (q *Queries) IssueByID(ctx context.Context, id int64) (*model.Issue, error) {
	return scanIssueRelated(q.queryRow(ctx, "SELECT "+issueColumnsRelated+" FROM issues WHERE id = ?", id))
}

// idList parses the comma-separated ids an aggregate of
// issueColumnsRelated gives (empty: none), in ascending order: sorting
// them here spares the database a sorter per row.
func idList(s string) ([]int64, error) {
	if s == "" {
		return nil, nil
	}
	out := make([]int64, 0, strings.Count(s, ",")+1)
	for f := range strings.SplitSeq(s, ",") {
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	slices.Sort(out)
	return out, nil
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
