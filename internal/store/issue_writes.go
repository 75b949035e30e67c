package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// UpdateIssue writes i's changeable columns and moves its lock_version,
// only if the row still has i.LockVersion (ErrConflict otherwise: a
// concurrent update won). i.LockVersion and UpdatedAt (when zero) are
// updated.
func (q *Queries) UpdateIssue(ctx context.Context, i *model.Issue) error {
	if i.UpdatedAt.IsZero() {
		i.UpdatedAt = q.Now()
	}
	var locked sql.NullBool
	if i.DiscussionLocked != nil {
		locked = sql.NullBool{Bool: *i.DiscussionLocked, Valid: true}
	}
	res, err := q.exec(ctx, `UPDATE issues SET title = ?, description = ?, state = ?, issue_type = ?,
		confidential = ?, discussion_locked = ?, milestone_id = ?, due_date = ?, time_estimate = ?,
		total_time_spent = ?, relative_position = ?, closed_at = ?, closed_by_id = ?, moved_to_id = ?,
		lock_version = lock_version + 1, updated_at = ? WHERE id = ? AND lock_version = ?`,
		i.Title, i.Description, i.State, i.IssueType, i.Confidential, locked, nullInt(i.MilestoneID),
		nullStr(i.DueDate), i.TimeEstimate, i.TotalTimeSpent, nullInt(i.RelativePosition), nullMS(i.ClosedAt),
		nullInt(i.ClosedByID), nullInt(i.MovedToID), ms(i.UpdatedAt), i.ID, i.LockVersion)
	if err != nil {
		return fmt.Errorf("store: update issue: %w", wrapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: update issue %d: %w", i.ID, ErrConflict)
	}
	i.LockVersion++
	return nil
}

// LockIssue re-reads an issue inside a transaction, locking its row on
// PostgreSQL (SQLite's transactions already serialise), so a decision
// taken on it holds until commit.
func (q *Queries) LockIssue(ctx context.Context, id int64) (*model.Issue, error) {
	query := "SELECT " + issueColumnsRelated + " FROM issues WHERE id = ?"
	if q.dialect == Postgres {
		query += " FOR UPDATE"
	}
	return scanIssueRelated(q.queryRow(ctx, query, id))
}

// DeleteIssue deletes an issue and what is attached to it by type and id
// (deleteNoteableAttachments), which no foreign key removes.
func (q *Queries) DeleteIssue(ctx context.Context, id int64) error {
	if err := q.deleteNoteableAttachments(ctx, model.NoteableIssue, id); err != nil {
		return fmt.Errorf("store: delete issue: %w", err)
	}
	if _, err := q.exec(ctx, "DELETE FROM issues WHERE id = ?", id); err != nil {
		return fmt.Errorf("store: delete issue: %w", err)
	}
	return nil
}

// polymorphicTables are the tables whose rows attach to a noteable by its
// type and id, which no foreign key removes with it.
var polymorphicTables = []struct{ table, typ, id string }{
	{"award_emoji", "awardable_type", "awardable_id"},
	{"label_links", "target_type", "target_id"},
	{"resource_label_events", "resource_type", "resource_id"},
	{"resource_milestone_events", "resource_type", "resource_id"},
	{"resource_state_events", "resource_type", "resource_id"},
	{"subscriptions", "subscribable_type", "subscribable_id"},
}

// deleteProjectAttachments deletes the rows of polymorphicTables that
// attach to the issues and merge requests of the projects whose id
// satisfies projects (a condition with one argument, arg), and the award
// emoji of their notes. Notes, time logs and to-do items go with the
// projects by their foreign keys.
func (q *Queries) deleteProjectAttachments(ctx context.Context, projects string, arg any) error {
	if _, err := q.exec(ctx, "DELETE FROM award_emoji WHERE awardable_type = 'Note' AND awardable_id IN"+
		" (SELECT id FROM notes WHERE project_id "+projects+")", arg); err != nil {
		return err
	}
	if _, err := q.exec(ctx, "DELETE FROM custom_attributes WHERE source_type = 'Project' AND source_id "+projects, arg); err != nil {
		return err
	}
	for _, owner := range []struct{ typ, ids string }{
		{model.NoteableIssue, "SELECT id FROM issues WHERE project_id " + projects},
		{model.NoteableMergeRequest, "SELECT id FROM merge_requests WHERE target_project_id " + projects},
	} {
		for _, t := range polymorphicTables {
			if _, err := q.exec(ctx, "DELETE FROM "+t.table+" WHERE "+t.typ+" = ? AND "+t.id+" IN ("+owner.ids+")",
				owner.typ, arg); err != nil {
				return err
			}
		}
	}
	return nil
}

// deleteNoteableAttachments deletes what attaches to a noteable by its
// type and id: notes (and their award emoji), award emoji, labels,
// resource events, subscriptions, time logs and to-do items.
func (q *Queries) deleteNoteableAttachments(ctx context.Context, typ string, id int64) error {
	stmts := []string{
		"DELETE FROM award_emoji WHERE awardable_type = 'Note' AND awardable_id IN (SELECT id FROM notes WHERE noteable_type = ? AND noteable_id = ?)",
		"DELETE FROM notes WHERE noteable_type = ? AND noteable_id = ?",
		"DELETE FROM timelogs WHERE resource_type = ? AND resource_id = ?",
		"DELETE FROM todos WHERE target_type = ? AND target_id = ?",
	}
	for _, t := range polymorphicTables {
		stmts = append(stmts, "DELETE FROM "+t.table+" WHERE "+t.typ+" = ? AND "+t.id+" = ?")
	}
	for _, stmt := range stmts {
		if _, err := q.exec(ctx, stmt, typ, id); err != nil {
			return err
		}
	}
	return nil
}

// NoteAuthorIDs returns the distinct authors of the user (non-system)
// notes on a noteable, in order of their first note.
func (q *Queries) NoteAuthorIDs(ctx context.Context, noteableType string, noteableID int64) ([]int64, error) {
	ids, err := q.int64s(ctx, `SELECT author_id FROM notes WHERE noteable_type = ? AND noteable_id = ?
		AND author_id IS NOT NULL AND system = ? GROUP BY author_id ORDER BY min(id)`, noteableType, noteableID, false)
	if err != nil {
		return nil, fmt.Errorf("store: note authors: %w", err)
	}
	return ids, nil
}

// InsertTimelog records time spent (seconds, may be negative) on a
// noteable and adds it to the issue's total in the same transaction.
func (q *Queries) InsertTimelog(ctx context.Context, resourceType string, resourceID, projectID, userID, seconds int64, summary string) error {
	now := ms(q.Now())
	if _, err := q.exec(ctx, `INSERT INTO timelogs (resource_type, resource_id, project_id, user_id, time_spent,
		spent_at, summary, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		resourceType, resourceID, projectID, userID, seconds, now, summary, now); err != nil {
		return fmt.Errorf("store: log time: %w", err)
	}
	return nil
}

// DeleteTimelogs removes a noteable's time logs (reset_spent_time).
func (q *Queries) DeleteTimelogs(ctx context.Context, resourceType string, resourceID int64) error {
	if _, err := q.exec(ctx, "DELETE FROM timelogs WHERE resource_type = ? AND resource_id = ?", resourceType, resourceID); err != nil {
		return fmt.Errorf("store: reset time: %w", err)
	}
	return nil
}

// AddLabelLinks links labels to a noteable; RemoveLabelLinks unlinks them.
func (q *Queries) AddLabelLinks(ctx context.Context, targetType string, targetID int64, labelIDs []int64) error {
	now := ms(q.Now())
	for _, l := range labelIDs {
		if _, err := q.exec(ctx, `INSERT INTO label_links (label_id, target_type, target_id, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (target_type, target_id, label_id) DO NOTHING`, l, targetType, targetID, now); err != nil {
			return fmt.Errorf("store: add labels: %w", err)
		}
	}
	return nil
}

// MilestoneAvailable reports whether a milestone may be set on a project's
// issues: it belongs to the project or to its namespace or an ancestor.
func (q *Queries) MilestoneAvailable(ctx context.Context, milestoneID, projectID, namespaceID int64) (bool, error) {
	var n int
	err := q.queryRow(ctx, `SELECT count(*) FROM milestones WHERE id = ? AND (project_id = ? OR group_id IN
		(SELECT ancestor_id FROM namespace_closure WHERE descendant_id = ?))`, milestoneID, projectID, namespaceID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: milestone available: %w", wrapErr(err))
	}
	return n > 0, nil
}

// IssueProjects returns the projects (with namespaces) of these ids, for
// rendering issues of several projects: one query.
func (q *Queries) IssueProjects(ctx context.Context, ids []int64) (map[int64]*model.Project, error) {
	out := make(map[int64]*model.Project, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	list, err := q.queryProjects(ctx, "WHERE p.id IN ("+placeholders(len(ids))+")", toAny(ids)...)
	if err != nil {
		return nil, err
	}
	for _, p := range list {
		out[p.ID] = p
	}
	return out, nil
}

// AvailableMilestoneByTitle returns the id of the milestone titled title
// that a project may use (its own first, then its groups'), or 0.
func (q *Queries) AvailableMilestoneByTitle(ctx context.Context, projectID, namespaceID int64, title string) (int64, error) {
	ids, err := q.int64s(ctx, `SELECT id FROM milestones WHERE title = ? AND (project_id = ? OR group_id IN
		(SELECT ancestor_id FROM namespace_closure WHERE descendant_id = ?)) ORDER BY project_id IS NULL, id LIMIT 1`,
		title, projectID, namespaceID)
	if err != nil {
		return 0, fmt.Errorf("store: milestone by title: %w", err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return ids[0], nil
}

// SpreadIssuePositions renumbers a project's issues' relative positions
// gap apart, in their current order (unpositioned ones last, by id), so
// that an issue can be placed between any two.
func (q *Queries) SpreadIssuePositions(ctx context.Context, projectID, gap int64) error {
	ids, err := q.int64s(ctx, `SELECT id FROM issues WHERE project_id = ?
		ORDER BY relative_position IS NULL, relative_position, id`, projectID)
	if err != nil {
		return fmt.Errorf("store: spread positions: %w", err)
	}
	for k, id := range ids {
		if _, err := q.exec(ctx, "UPDATE issues SET relative_position = ? WHERE id = ?", int64(k)*gap, id); err != nil {
			return fmt.Errorf("store: spread positions: %w", err)
		}
	}
	return nil
}

// IssueNotesForCopy returns every note of an issue, oldest first, for
// copying them onto the issue it is moved to.
func (q *Queries) IssueNotesForCopy(ctx context.Context, issueID int64) ([]*model.Note, error) {
	rows, err := q.query(ctx, "SELECT "+noteColumns+" FROM notes WHERE noteable_type = 'Issue' AND noteable_id = ? ORDER BY id", issueID)
	if err != nil {
		return nil, fmt.Errorf("store: issue notes: %w", err)
	}
	return collect(rows, scanNote)
}
