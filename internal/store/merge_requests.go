package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/lablet/lablet/internal/model"
)

const mergeRequestColumns = `merge_requests.id, merge_requests.target_project_id, merge_requests.source_project_id,
	merge_requests.iid, merge_requests.author_id, merge_requests.title, merge_requests.description,
	merge_requests.state, merge_requests.source_branch, merge_requests.target_branch, merge_requests.draft,
	merge_requests.discussion_locked, merge_requests.milestone_id, merge_requests.squash,
	merge_requests.force_remove_source_branch, merge_requests.allow_collaboration, merge_requests.base_sha,
	merge_requests.head_sha, merge_requests.start_sha, merge_requests.merge_commit_sha,
	merge_requests.squash_commit_sha, merge_requests.upvotes, merge_requests.downvotes,
	merge_requests.user_notes_count, merge_requests.time_estimate, merge_requests.total_time_spent,
	merge_requests.merged_at, merge_requests.merged_by_id, merge_requests.closed_at, merge_requests.closed_by_id,
	merge_requests.lock_version, merge_requests.created_at, merge_requests.updated_at, ` + mergeabilityColumns

// mergeRequestColumnsRelated adds the assignee, reviewer and label ids,
// comma-separated, as issueColumnsRelated.
const mergeRequestColumnsRelated = mergeRequestColumns + `,
	(SELECT string_agg(CAST(rel_a.user_id AS TEXT), ',') FROM merge_request_assignees rel_a
		WHERE rel_a.merge_request_id = merge_requests.id),
	(SELECT string_agg(CAST(rel_r.user_id AS TEXT), ',') FROM merge_request_reviewers rel_r
		WHERE rel_r.merge_request_id = merge_requests.id),
	(SELECT string_agg(CAST(rel_l.label_id AS TEXT), ',') FROM label_links rel_l
		WHERE rel_l.target_type = 'MergeRequest' AND rel_l.target_id = merge_requests.id)`

func scanMergeRequest(s scanner) (*model.MergeRequest, error) { return scanMergeRequestRow(s, false) }

// scanMergeRequestRelated scans a row of mergeRequestColumnsRelated.
func scanMergeRequestRelated(s scanner) (*model.MergeRequest, error) {
	return scanMergeRequestRow(s, true)
}

func scanMergeRequestRow(s scanner, related bool) (*model.MergeRequest, error) {
	var m model.MergeRequest
	var source, author, milestone, mergedAt, mergedBy, closedAt, closedBy sql.NullInt64
	var locked, forceRemove sql.NullBool
	var base, head, start, mergeSHA, squashSHA sql.NullString
	var created, updated int64
	var mb mergeabilityScan
	var assignees, reviewers, labels sql.NullString
	dest := append([]any{&m.ID, &m.TargetProjectID, &source, &m.IID, &author, &m.Title, &m.Description, &m.State,
		&m.SourceBranch, &m.TargetBranch, &m.Draft, &locked, &milestone, &m.Squash, &forceRemove,
		&m.AllowCollaboration, &base, &head, &start, &mergeSHA, &squashSHA, &m.Upvotes, &m.Downvotes,
		&m.UserNotesCount, &m.TimeEstimate, &m.TotalTimeSpent, &mergedAt, &mergedBy, &closedAt, &closedBy,
		&m.LockVersion, &created, &updated}, mb.dest(&m.Mergeability)...)
	if related {
		dest = append(dest, &assignees, &reviewers, &labels)
	}
	if err := s.Scan(dest...); err != nil {
		return nil, wrapErr(err)
	}
	if related {
		var err error
		for _, l := range []struct {
			text string
			to   *[]int64
		}{{assignees.String, &m.AssigneeIDs}, {reviewers.String, &m.ReviewerIDs}, {labels.String, &m.LabelIDs}} {
			if *l.to, err = idList(l.text); err != nil {
				return nil, fmt.Errorf("store: merge request %d relations: %w", m.ID, err)
			}
		}
	}
	mb.finish(&m.Mergeability)
	m.SourceProjectID, m.AuthorID, m.MilestoneID = fromNullInt(source), fromNullInt(author), fromNullInt(milestone)
	m.MergedByID, m.ClosedByID = fromNullInt(mergedBy), fromNullInt(closedBy)
	m.DiscussionLocked, m.ForceRemoveSourceBranch = fromNullBool(locked), fromNullBool(forceRemove)
	m.BaseSHA, m.HeadSHA, m.StartSHA = fromNullStr(base), fromNullStr(head), fromNullStr(start)
	m.MergeCommitSHA, m.SquashCommitSHA = fromNullStr(mergeSHA), fromNullStr(squashSHA)
	m.MergedAt, m.ClosedAt = fromNullMS(mergedAt), fromNullMS(closedAt)
	m.CreatedAt, m.UpdatedAt = fromMS(created), fromMS(updated)
	return &m, nil
}

func fromNullBool(v sql.NullBool) *bool {
	if !v.Valid {
		return nil
	}
	b := v.Bool
	return &b
}

func nullBool(v *bool) sql.NullBool {
	if v == nil {
		return sql.NullBool{}
	}
	return sql.NullBool{Bool: *v, Valid: true}
}

// InsertMergeRequest inserts m with the next merge request iid of its
// target project, filling in ID, IID and the timestamps. Run it in a
// transaction with the merge request's assignees, reviewers and labels.
func (q *Queries) InsertMergeRequest(ctx context.Context, m *model.MergeRequest) error {
	iid, err := q.NextIID(ctx, IIDMergeRequests, m.TargetProjectID)
	if err != nil {
		return err
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = q.Now()
	}
	m.UpdatedAt = m.CreatedAt
	if m.State == "" {
		m.State = "opened"
	}
	id, err := q.insert(ctx, `INSERT INTO merge_requests (target_project_id, source_project_id, iid, author_id,
		title, description, state, source_branch, target_branch, draft, discussion_locked, milestone_id, squash,
		force_remove_source_branch, allow_collaboration, base_sha, head_sha, start_sha, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.TargetProjectID, nullInt(m.SourceProjectID), iid, nullInt(m.AuthorID), m.Title, m.Description, m.State,
		m.SourceBranch, m.TargetBranch, m.Draft, nullBool(m.DiscussionLocked), nullInt(m.MilestoneID), m.Squash,
		nullBool(m.ForceRemoveSourceBranch), m.AllowCollaboration, nullStr(m.BaseSHA), nullStr(m.HeadSHA),
		nullStr(m.StartSHA), ms(m.CreatedAt), ms(m.UpdatedAt))
	if err != nil {
		return fmt.Errorf("store: create merge request: %w", err)
	}
	m.ID, m.IID = id, iid
	return nil
}

// MergeRequestByIID returns the merge request of a target project with
// this iid, without its relations (LoadMergeRequestRelations).
func (q *Queries) MergeRequestByIID(ctx context.Context, projectID, iid int64) (*model.MergeRequest, error) {
	return scanMergeRequest(q.queryRow(ctx, "SELECT "+mergeRequestColumns+
		" FROM merge_requests WHERE target_project_id = ? AND iid = ?", projectID, iid))
}

// LockMergeRequest re-reads a merge request inside a transaction, locking
// its row on PostgreSQL, so a decision taken on it holds until commit.
func (q *Queries) LockMergeRequest(ctx context.Context, id int64) (*model.MergeRequest, error) {
	query := "SELECT " + mergeRequestColumns + " FROM merge_requests WHERE id = ?"
	if q.dialect == Postgres {
		query += " FOR UPDATE"
	}
	return scanMergeRequest(q.queryRow(ctx, query, id))
}

// OpenMergeRequestIID returns the iid of an open merge request from
// sourceBranch of the source project into targetBranch of the target
// project, or 0 when there is none.
func (q *Queries) OpenMergeRequestIID(ctx context.Context, targetProjectID, sourceProjectID int64, sourceBranch, targetBranch string) (int64, error) {
	ids, err := q.int64s(ctx, `SELECT iid FROM merge_requests WHERE source_project_id = ? AND source_branch = ?
		AND target_project_id = ? AND target_branch = ? AND state = 'opened' LIMIT 1`,
		sourceProjectID, sourceBranch, targetProjectID, targetBranch)
	if err != nil {
		return 0, fmt.Errorf("store: open merge request: %w", err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return ids[0], nil
}

// LoadMergeRequestRelations fills in the assignee, reviewer and label ids
// of merge requests with one statement, however many there are.
func (q *Queries) LoadMergeRequestRelations(ctx context.Context, list []*model.MergeRequest) error {
	if len(list) == 0 {
		return nil
	}
	byID := make(map[int64]*model.MergeRequest, len(list))
	ids := make([]any, 0, 3*len(list))
	for _, m := range list {
		m.AssigneeIDs, m.ReviewerIDs, m.LabelIDs = nil, nil, nil
		byID[m.ID] = m
		ids = append(ids, m.ID)
	}
	in := placeholders(len(list))
	rows, err := q.query(ctx, "SELECT 0, merge_request_id, user_id FROM merge_request_assignees WHERE merge_request_id IN ("+in+
		") UNION ALL SELECT 1, merge_request_id, user_id FROM merge_request_reviewers WHERE merge_request_id IN ("+in+
		") UNION ALL SELECT 2, target_id, label_id FROM label_links WHERE target_type = 'MergeRequest' AND target_id IN ("+in+")",
		append(append(ids, ids...), ids...)...)
	if err != nil {
		return fmt.Errorf("store: merge request relations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind int
		var id, v int64
		if err := rows.Scan(&kind, &id, &v); err != nil {
			return wrapErr(err)
		}
		switch m := byID[id]; {
		case m == nil:
		case kind == 0:
			m.AssigneeIDs = append(m.AssigneeIDs, v)
		case kind == 1:
			m.ReviewerIDs = append(m.ReviewerIDs, v)
		default:
			m.LabelIDs = append(m.LabelIDs, v)
		}
	}
	if err := rows.Err(); err != nil {
		return wrapErr(err)
	}
	for _, m := range list {
		slices.Sort(m.AssigneeIDs)
		slices.Sort(m.ReviewerIDs)
		slices.Sort(m.LabelIDs)
	}
	return nil
}

// SetMergeRequestUsers replaces a merge request's assignees (reviewers
// false) or reviewers.
func (q *Queries) SetMergeRequestUsers(ctx context.Context, mrID int64, reviewers bool, userIDs []int64) error {
	table, extra, values := "merge_request_assignees", "", "?, ?"
	if reviewers {
		table, extra, values = "merge_request_reviewers", ", created_at", "?, ?, ?"
	}
	if _, err := q.exec(ctx, "DELETE FROM "+table+" WHERE merge_request_id = ?", mrID); err != nil {
		return fmt.Errorf("store: set %s: %w", table, err)
	}
	now := ms(q.Now())
	for _, u := range userIDs {
		args := []any{mrID, u}
		if reviewers {
			args = append(args, now)
		}
		if _, err := q.exec(ctx, "INSERT INTO "+table+" (merge_request_id, user_id"+extra+") VALUES ("+values+")", args...); err != nil {
			return fmt.Errorf("store: set %s: %w", table, err)
		}
	}
	return nil
}

// UpdateMergeRequest writes m's changeable columns and moves its
// lock_version, only if the row still has m.LockVersion (ErrConflict
// otherwise). m.LockVersion and UpdatedAt (when zero) are updated.
func (q *Queries) UpdateMergeRequest(ctx context.Context, m *model.MergeRequest) error {
	if m.UpdatedAt.IsZero() {
		m.UpdatedAt = q.Now()
	}
	res, err := q.exec(ctx, `UPDATE merge_requests SET title = ?, description = ?, state = ?, target_branch = ?,
		draft = ?, discussion_locked = ?, milestone_id = ?, squash = ?, force_remove_source_branch = ?,
		allow_collaboration = ?, base_sha = ?, head_sha = ?, start_sha = ?, closed_at = ?, closed_by_id = ?,
		merged_at = ?, merged_by_id = ?, merge_commit_sha = ?, squash_commit_sha = ?,
		lock_version = lock_version + 1, updated_at = ? WHERE id = ? AND lock_version = ?`,
		m.Title, m.Description, m.State, m.TargetBranch, m.Draft, nullBool(m.DiscussionLocked), nullInt(m.MilestoneID),
		m.Squash, nullBool(m.ForceRemoveSourceBranch), m.AllowCollaboration, nullStr(m.BaseSHA), nullStr(m.HeadSHA),
		nullStr(m.StartSHA), nullMS(m.ClosedAt), nullInt(m.ClosedByID), nullMS(m.MergedAt), nullInt(m.MergedByID),
		nullStr(m.MergeCommitSHA), nullStr(m.SquashCommitSHA), ms(m.UpdatedAt), m.ID, m.LockVersion)
	if err != nil {
		return fmt.Errorf("store: update merge request: %w", wrapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: update merge request %d: %w", m.ID, ErrConflict)
	}
	m.LockVersion++
	return nil
}

// DeleteMergeRequest deletes a merge request and what is attached to it by
// type and id (notes, award emoji, labels, events, subscriptions, time
// logs, to-do items), which no foreign key removes.
func (q *Queries) DeleteMergeRequest(ctx context.Context, id int64) error {
	if err := q.deleteNoteableAttachments(ctx, model.NoteableMergeRequest, id); err != nil {
		return fmt.Errorf("store: delete merge request: %w", err)
	}
	if _, err := q.exec(ctx, "DELETE FROM merge_requests WHERE id = ?", id); err != nil {
		return fmt.Errorf("store: delete merge request: %w", err)
	}
	return nil
}

// MergeRequestsByIDs returns the merge requests with these ids, with
// their relations, in id order.
func (q *Queries) MergeRequestsByIDs(ctx context.Context, ids []int64) ([]*model.MergeRequest, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var c conds
	c.in("merge_requests.id", false, ids)
	rows, err := q.query(ctx, "SELECT "+mergeRequestColumns+" FROM merge_requests"+c.where()+" ORDER BY merge_requests.id", c.args...)
	if err != nil {
		return nil, fmt.Errorf("store: merge requests: %w", err)
	}
	list, err := collect(rows, scanMergeRequest)
	if err != nil {
		return nil, err
	}
	return list, q.LoadMergeRequestRelations(ctx, list)
}

// OpenCollaborationMergeRequests lists the open merge requests from
// the fork sourceProjectID into another project whose author allowed
// commits from members who can merge to the target.
func (q *Queries) OpenCollaborationMergeRequests(ctx context.Context, sourceProjectID int64) ([]*model.MergeRequest, error) {
	rows, err := q.query(ctx, "SELECT "+mergeRequestColumns+` FROM merge_requests WHERE merge_requests.source_project_id = ?
		AND merge_requests.state = 'opened' AND merge_requests.allow_collaboration
		AND merge_requests.target_project_id <> merge_requests.source_project_id ORDER BY merge_requests.id`, sourceProjectID)
	if err != nil {
		return nil, fmt.Errorf("store: collaboration merge requests: %w", err)
	}
	return collect(rows, scanMergeRequest)
}

// OpenMergeRequestFromBranches maps each of these branches of project
// projectID that an open merge request comes from to the oldest such
// request's target project and iid: one query for a whole push.
func (q *Queries) OpenMergeRequestFromBranches(ctx context.Context, projectID int64, branches []string) (map[string][2]int64, error) {
	out := map[string][2]int64{}
	if len(branches) == 0 {
		return out, nil
	}
	args := []any{projectID}
	for _, b := range branches {
		args = append(args, b)
	}
	rows, err := q.query(ctx, `SELECT source_branch, target_project_id, iid FROM merge_requests
		WHERE source_project_id = ? AND state = 'opened' AND source_branch IN (`+placeholders(len(branches))+`)
		ORDER BY id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: open merge requests from branches: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var branch string
		var target, iid int64
		if err := rows.Scan(&branch, &target, &iid); err != nil {
			return nil, fmt.Errorf("store: open merge requests from branches: %w", err)
		}
		out[branch] = [2]int64{target, iid} // descending: the oldest is written last
	}
	return out, rows.Err()
}

// OpenMergeRequestsOnBranch returns the open merge requests of project
// projectID from branch (source true: from that project's branch) or into
// it (source false), with their relations.
func (q *Queries) OpenMergeRequestsOnBranch(ctx context.Context, projectID int64, branch string, source bool) ([]*model.MergeRequest, error) {
	where := " WHERE merge_requests.target_project_id = ? AND merge_requests.state = 'opened' AND merge_requests.target_branch = ?"
	if source {
		where = " WHERE merge_requests.source_project_id = ? AND merge_requests.source_branch = ? AND merge_requests.state = 'opened'"
	}
	rows, err := q.query(ctx, "SELECT "+mergeRequestColumns+" FROM merge_requests"+where+" ORDER BY merge_requests.id", projectID, branch)
	if err != nil {
		return nil, fmt.Errorf("store: open merge requests of a branch: %w", err)
	}
	list, err := collect(rows, scanMergeRequest)
	if err != nil {
		return nil, err
	}
	return list, q.LoadMergeRequestRelations(ctx, list)
}
