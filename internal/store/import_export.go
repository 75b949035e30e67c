package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/model"
)

// Project export and import: the state rows of project_exports and
// project_imports, the reads an export makes and the writes an import
// adds to the usual inserts.

// TransferState is a project's latest export or its import, or a
// group's latest export.
type TransferState struct {
	// ProjectID is the project's id, or the group's (kind "group_export").
	ProjectID int64
	Status    string
	Error     string
	BlobKey   string
	UserID    *int64 // who asked for it
	// OverwriteID is the project an import replaces when it finishes
	// (imports only).
	OverwriteID *int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// transferTable is a state table and the column of its owner's id.
type transferTable struct{ name, key string }

// transferTables are the state tables, by kind.
var transferTables = map[string]transferTable{"export": {"project_exports", "project_id"},
	"import": {"project_imports", "project_id"}, "group_export": {"group_exports", "group_id"}}

// SetTransferState writes a project's export or import state (kind
// "export" or "import") or a group's export state ("group_export"),
// creating its row when there is none.
func (q *Queries) SetTransferState(ctx context.Context, kind string, t *TransferState) error {
	table, ok := transferTables[kind]
	if !ok {
		return fmt.Errorf("store: transfer state: kind %q", kind)
	}
	now := q.Now()
	t.UpdatedAt = now
	if t.CreatedAt.IsZero() {
		t.CreatedAt = now
	}
	cols, vals, args := "", "", []any{t.ProjectID, t.Status, t.Error, t.BlobKey, nullInt(t.UserID)}
	if kind == "import" {
		cols, vals, args = ", overwrite_id", ", ?", append(args, nullInt(t.OverwriteID))
	}
	args = append(args, ms(t.CreatedAt), ms(now))
	_, err := q.exec(ctx, `INSERT INTO `+table.name+` (`+table.key+`, status, error, blob_key, user_id`+cols+`, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?`+vals+`, ?, ?) ON CONFLICT (`+table.key+`) DO UPDATE SET status = excluded.status,
		error = excluded.error, blob_key = excluded.blob_key, updated_at = excluded.updated_at`, args...)
	if err != nil {
		return fmt.Errorf("store: set %s state: %w", kind, err)
	}
	return nil
}

// TransferStateOf returns a project's export or import state, or a
// group's export state; ErrNotFound when it has none.
func (q *Queries) TransferStateOf(ctx context.Context, kind string, projectID int64) (*TransferState, error) {
	table, ok := transferTables[kind]
	if !ok {
		return nil, fmt.Errorf("store: transfer state: kind %q", kind)
	}
	var t TransferState
	var created, updated int64
	user, over := nullInt(nil), nullInt(nil)
	cols := "NULL"
	if kind == "import" {
		cols = "overwrite_id"
	}
	err := q.queryRow(ctx, `SELECT `+table.key+`, status, error, blob_key, user_id, `+cols+`, created_at, updated_at FROM `+
		table.name+` WHERE `+table.key+` = ?`, projectID).Scan(&t.ProjectID, &t.Status, &t.Error, &t.BlobKey, &user, &over, &created, &updated)
	if err != nil {
		return nil, wrapErr(err)
	}
	t.UserID, t.OverwriteID = fromNullInt(user), fromNullInt(over)
	t.CreatedAt, t.UpdatedAt = fromMS(created), fromMS(updated)
	return &t, nil
}

// SetProjectImportStatus writes the import_status of a project's row; only
// its row version moves (no list or access level depends on it).
func (q *Queries) SetProjectImportStatus(ctx context.Context, projectID int64, status string) error {
	rq := *q
	rq.rowOnly = projectID
	if _, err := rq.exec(ctx, "UPDATE projects SET import_status = ?, updated_at = ? WHERE id = ?",
		status, ms(q.Now()), projectID); err != nil {
		return fmt.Errorf("store: set import status: %w", err)
	}
	return nil
}

// ProjectLabels returns every label of a project, by title.
func (q *Queries) ProjectLabels(ctx context.Context, projectID int64) ([]*model.Label, error) {
	rows, err := q.query(ctx, "SELECT "+labelColumns+" FROM labels WHERE project_id = ? ORDER BY title, id", projectID)
	if err != nil {
		return nil, fmt.Errorf("store: project labels: %w", err)
	}
	return collect(rows, scanLabel)
}

// ProjectMilestones returns every milestone of a project, by iid.
func (q *Queries) ProjectMilestones(ctx context.Context, projectID int64) ([]*model.Milestone, error) {
	rows, err := q.query(ctx, "SELECT "+milestoneColumns+" FROM milestones WHERE project_id = ? ORDER BY iid", projectID)
	if err != nil {
		return nil, fmt.Errorf("store: project milestones: %w", err)
	}
	return collect(rows, scanMilestone)
}

// ProjectIssues returns every issue of a project with its labels and
// assignees, by iid.
func (q *Queries) ProjectIssues(ctx context.Context, projectID int64) ([]*model.Issue, error) {
	rows, err := q.query(ctx, "SELECT "+issueColumnsRelated+" FROM issues WHERE project_id = ? ORDER BY iid", projectID)
	if err != nil {
		return nil, fmt.Errorf("store: project issues: %w", err)
	}
	return collect(rows, scanIssueRelated)
}

// ProjectNotesOf returns every note of a project on noteables of a type,
// oldest first.
func (q *Queries) ProjectNotesOf(ctx context.Context, projectID int64, noteableType string) ([]*model.Note, error) {
	rows, err := q.query(ctx, "SELECT "+noteColumns+" FROM notes WHERE project_id = ? AND noteable_type = ? ORDER BY id",
		projectID, noteableType)
	if err != nil {
		return nil, fmt.Errorf("store: project notes: %w", err)
	}
	return collect(rows, scanNote)
}

// ProjectUploads returns every upload of a project.
func (q *Queries) ProjectUploads(ctx context.Context, projectID int64) ([]*model.Upload, error) {
	rows, err := q.query(ctx, "SELECT "+uploadColumns+" FROM uploads WHERE project_id = ? ORDER BY id", projectID)
	if err != nil {
		return nil, fmt.Errorf("store: project uploads: %w", err)
	}
	return collect(rows, scanUpload)
}

// ProjectLFSObjects returns the oids and sizes of the LFS objects linked
// to a project.
func (q *Queries) ProjectLFSObjects(ctx context.Context, projectID int64) (map[string]int64, error) {
	rows, err := q.query(ctx, `SELECT o.oid, o.size FROM lfs_objects_projects l JOIN lfs_objects o ON o.oid = l.oid
		WHERE l.project_id = ?`, projectID)
	if err != nil {
		return nil, fmt.Errorf("store: project lfs objects: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var oid string
		var size int64
		if err := rows.Scan(&oid, &size); err != nil {
			return nil, wrapErr(err)
		}
		out[oid] = size
	}
	return out, wrapErr(rows.Err())
}

// SetIIDFloor makes the next internal id of a sequence iid + 1 at least:
// an import inserts its records with the iids they had by setting the
// floor to iid - 1 before each insert, in ascending order.
func (q *Queries) SetIIDFloor(ctx context.Context, usage string, scopeID, iid int64) error {
	_, err := q.exec(ctx, `INSERT INTO internal_ids (usage, scope_id, last_value) VALUES (?, ?, ?)
		ON CONFLICT (usage, scope_id) DO UPDATE SET last_value = excluded.last_value`, usage, scopeID, iid)
	if err != nil {
		return fmt.Errorf("store: set iid: %w", err)
	}
	return nil
}

// SetImportedTimes writes the creation, update and closing times of an
// imported issue or milestone (table "issues" or "milestones").
func (q *Queries) SetImportedTimes(ctx context.Context, table string, id int64, created, updated time.Time, closed *time.Time) error {
	var err error
	switch table {
	case "issues":
		_, err = q.exec(ctx, "UPDATE issues SET created_at = ?, updated_at = ?, closed_at = ? WHERE id = ?",
			ms(created), ms(updated), nullMS(closed), id)
	case "milestones":
		_, err = q.exec(ctx, "UPDATE milestones SET created_at = ?, updated_at = ? WHERE id = ?", ms(created), ms(updated), id)
	default:
		return fmt.Errorf("store: imported times: table %q", table)
	}
	if err != nil {
		return fmt.Errorf("store: imported times: %w", err)
	}
	return nil
}

// ExportedMember is a direct member of a project or group with who they
// are, for an export's project_members or members.
type ExportedMember struct {
	UserID      int64
	AccessLevel int
	Username    string
	Email       string
	Name        string
}

// MemberUsers returns the direct members of a project or a group
// (sourceType model.SourceProject or model.SourceNamespace).
func (q *Queries) MemberUsers(ctx context.Context, sourceType string, sourceID int64) ([]ExportedMember, error) {
	rows, err := q.query(ctx, `SELECT m.user_id, m.access_level, u.username, u.email, u.name FROM members m
		JOIN users u ON u.id = m.user_id WHERE m.source_type = ? AND m.source_id = ? ORDER BY m.user_id`, sourceType, sourceID)
	if err != nil {
		return nil, fmt.Errorf("store: project members: %w", err)
	}
	defer rows.Close()
	var out []ExportedMember
	for rows.Next() {
		var m ExportedMember
		if err := rows.Scan(&m.UserID, &m.AccessLevel, &m.Username, &m.Email, &m.Name); err != nil {
			return nil, wrapErr(err)
		}
		out = append(out, m)
	}
	return out, wrapErr(rows.Err())
}

// ProjectMergeRequests returns every merge request of a target project
// with its relations, by iid.
func (q *Queries) ProjectMergeRequests(ctx context.Context, projectID int64) ([]*model.MergeRequest, error) {
	rows, err := q.query(ctx, "SELECT "+mergeRequestColumns+" FROM merge_requests WHERE target_project_id = ? ORDER BY iid", projectID)
	if err != nil {
		return nil, fmt.Errorf("store: project merge requests: %w", err)
	}
	list, err := collect(rows, scanMergeRequest)
	if err != nil {
		return nil, err
	}
	return list, q.LoadMergeRequestRelations(ctx, list)
}

// SetImportedMergeRequest writes what an imported merge request's insert
// does not: its merge commit and the times it was made, merged or closed.
func (q *Queries) SetImportedMergeRequest(ctx context.Context, m *model.MergeRequest) error {
	_, err := q.exec(ctx, `UPDATE merge_requests SET merge_commit_sha = ?, merged_at = ?, closed_at = ?,
		created_at = ?, updated_at = ? WHERE id = ?`, nullStr(m.MergeCommitSHA), nullMS(m.MergedAt), nullMS(m.ClosedAt),
		ms(m.CreatedAt), ms(m.UpdatedAt), m.ID)
	if err != nil {
		return fmt.Errorf("store: imported merge request: %w", err)
	}
	return nil
}

// FailStaleTransfers marks failed, with msg, every transfer of kind still
// in one of statuses whose state last changed before before, and returns
// those it marked as they were. Each row is marked only if it has not
// moved since it was read, so a run that records its outcome meanwhile
// keeps it.
func (q *Queries) FailStaleTransfers(ctx context.Context, kind string, statuses []string, before time.Time, msg string) ([]*TransferState, error) {
	table, ok := transferTables[kind]
	if !ok {
		return nil, fmt.Errorf("store: transfer state: kind %q", kind)
	}
	if len(statuses) == 0 {
		return nil, nil
	}
	args := []any{ms(before)}
	for _, s := range statuses {
		args = append(args, s)
	}
	rows, err := q.query(ctx, `SELECT `+table.key+`, status, blob_key, updated_at FROM `+table.name+
		` WHERE updated_at < ? AND status IN (?`+strings.Repeat(", ?", len(statuses)-1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: stale %s states: %w", kind, err)
	}
	var stale []*TransferState
	for rows.Next() {
		var t TransferState
		var updated int64
		if err := rows.Scan(&t.ProjectID, &t.Status, &t.BlobKey, &updated); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: stale %s states: %w", kind, err)
		}
		t.UpdatedAt = fromMS(updated)
		stale = append(stale, &t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: stale %s states: %w", kind, err)
	}
	var failed []*TransferState
	for _, t := range stale {
		res, err := q.exec(ctx, `UPDATE `+table.name+` SET status = 'failed', error = ?, blob_key = '', updated_at = ?
			WHERE `+table.key+` = ? AND status = ? AND updated_at = ?`, msg, ms(q.Now()), t.ProjectID, t.Status, ms(t.UpdatedAt))
		if err != nil {
			return failed, fmt.Errorf("store: fail stale %s: %w", kind, err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 1 {
			failed = append(failed, t)
		}
	}
	return failed, nil
}
