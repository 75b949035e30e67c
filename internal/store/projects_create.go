package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/lablet/lablet/internal/model"
)

// NewProjectCheck says why a project cannot be created in a namespace.
type NewProjectCheck struct {
	NameTaken     bool // by a project of the namespace
	PathTaken     bool // by a project of the namespace, or a subgroup owns the URL
	NamespaceGone bool // deleted, or marked for deletion unless allowed
}

// OK reports that nothing stands in the way.
func (c NewProjectCheck) OK() bool { return !c.NameTaken && !c.PathTaken && !c.NamespaceGone }

// CheckNewProject answers, in one statement, whether name and path are
// free in namespace nsID (case-insensitively, as the unique indexes
// compare) and whether the namespace still exists; a namespace marked for
// deletion counts as gone unless allowMarked. Run inside the creating
// transaction, it re-checks what the caller read before it.
func (q *Queries) CheckNewProject(ctx context.Context, nsID int64, name, path string, allowMarked bool) (NewProjectCheck, error) {
	var c NewProjectCheck
	var nsOK bool
	err := q.queryRow(ctx, `SELECT
		EXISTS (SELECT 1 FROM projects WHERE namespace_id = ? AND lower(name) = lower(?)),
		EXISTS (SELECT 1 FROM projects WHERE namespace_id = ? AND lower(path) = lower(?))
			OR EXISTS (SELECT 1 FROM namespaces n, namespaces s
				WHERE n.id = ? AND lower(s.full_path) = lower(n.full_path || '/' || ?)),
		EXISTS (SELECT 1 FROM namespaces WHERE id = ? AND (marked_for_deletion_on IS NULL OR ?))`,
		nsID, name, nsID, path, nsID, path, nsID, allowMarked).Scan(&c.NameTaken, &c.PathTaken, &nsOK)
	if err != nil {
		return c, fmt.Errorf("store: check new project: %w", wrapErr(err))
	}
	c.NamespaceGone = !nsOK
	return c, nil
}

// insertProject inserts p's row with the timestamps already set on it, and
// counts it in its namespace's project count (run it in a transaction, as
// every creation does, so the two stay one).
// It returns the project's id and the namespace's project count with it.
func (q *Queries) insertProject(ctx context.Context, p *model.Project) (id, count int64, err error) {
	id, err = q.insertProjectRow(ctx, p)
	if err != nil {
		return 0, 0, err
	}
	// The new project takes its path over from a moved one.
	var nsPath string
	if err := q.queryRow(ctx, "SELECT full_path FROM namespaces WHERE id = ?", p.NamespaceID).Scan(&nsPath); err != nil {
		return 0, 0, fmt.Errorf("store: project namespace: %w", wrapErr(err))
	}
	if err := q.takeOverRedirects(ctx, nsPath+"/"+p.Path); err != nil {
		return 0, 0, err
	}
	if err := q.returning(ctx, `INSERT INTO namespace_project_counts (namespace_id, projects) VALUES (?, 1)
		ON CONFLICT (namespace_id) DO UPDATE SET projects = namespace_project_counts.projects + 1
		RETURNING projects`, []any{p.NamespaceID}, &count); err != nil {
		return 0, 0, fmt.Errorf("store: count project: %w", err)
	}
	return id, count, nil
}

func (q *Queries) insertProjectRow(ctx context.Context, p *model.Project) (int64, error) {
	return q.insert(ctx, `INSERT INTO projects (namespace_id, name, path, description, visibility_level,
		default_branch, archived, empty_repo, initialize_with_readme, creator_id, issues_enabled,
		merge_requests_enabled, wiki_enabled, jobs_enabled, snippets_enabled, lfs_enabled,
		request_access_enabled, topics, created_at, updated_at, last_activity_at, forked_from_project_id,
		mr_default_target_self, import_status, auto_cancel_pending_pipelines, `+mergeSettingsInsert+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, `+mergeSettingsValues+`)`,
		append([]any{p.NamespaceID, p.Name, p.Path, p.Description, p.VisibilityLevel, nullStr(p.DefaultBranch), p.Archived,
			p.EmptyRepo, p.InitializeWithReadme, p.CreatorID, p.IssuesEnabled, p.MergeRequestsEnabled,
			p.WikiEnabled, p.JobsEnabled, p.SnippetsEnabled, p.LFSEnabled, p.RequestAccessEnabled,
			strings.Join(p.Topics, ","), ms(p.CreatedAt), ms(p.UpdatedAt), ms(p.LastActivityAt), p.ForkedFromID,
			p.MRDefaultTargetSelf, cmp.Or(p.ImportStatus, "none"), p.AutoCancelPendingPipelines},
			mergeSettingsArgs(p.MergeSettings)...)...)
}

// NewProject is a project to insert with the rows it starts with.
type NewProject struct {
	Project   *model.Project
	Namespace *model.Namespace // the project's, loaded by the caller: not read again
	// Owner, if set, becomes a direct member of the project (SourceID is
	// filled in); an existing membership of the user is updated.
	Owner *model.Member
	// Rule, if set, protects a branch of the project (ProjectID is filled
	// in); an existing rule with the same name is kept.
	Rule *model.ProtectedBranch
	// NamespaceProjects, if set, receives the namespace's project count
	// with the new project, read by the statement that counts it (under
	// its row lock on PostgreSQL): what a projects_limit is checked
	// against, with no further query.
	NamespaceProjects *int64
}

// CreateNewProject inserts n.Project (filling in its ID, timestamps and
// Namespace), then n.Owner and n.Rule: one statement each and no reads,
// so that SQLite's write lock is held briefly. A name or path taken
// concurrently is ErrConflict.
func (q *Queries) CreateNewProject(ctx context.Context, n NewProject) error {
	nq := *q // every row below belongs to the new project
	nq.newRows = true
	q = &nq
	p := n.Project
	now := q.Now()
	p.CreatedAt, p.UpdatedAt, p.LastActivityAt = now, now, now
	id, count, err := q.insertProject(ctx, p)
	if err != nil {
		return fmt.Errorf("store: create project: %w", err)
	}
	p.ID = id
	p.Namespace = n.Namespace
	if n.NamespaceProjects != nil {
		*n.NamespaceProjects = count
	}
	if q.pending != nil {
		q.pending.created = append(q.pending.created, id)
	}
	if m := n.Owner; m != nil {
		m.SourceType, m.SourceID = model.SourceProject, p.ID
		if err := q.UpsertMember(ctx, m); err != nil {
			return err
		}
	}
	if b := n.Rule; b != nil {
		b.ProjectID = p.ID
		b.CreatedAt, b.UpdatedAt = now, now
		// No RETURNING: with DO NOTHING a kept rule would return no row.
		if _, err := q.exec(ctx, `INSERT INTO protected_branches (project_id, name, push_access_level,
			merge_access_level, unprotect_access_level, allow_force_push, code_owner_approval_required,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (project_id, name) DO NOTHING`,
			b.ProjectID, b.Name, b.PushAccessLevel, b.MergeAccessLevel, b.UnprotectAccessLevel, b.AllowForcePush,
			b.CodeOwnerApprovalRequired, ms(now), ms(now)); err != nil {
			return fmt.Errorf("store: protect default branch: %w", wrapErr(err))
		}
	}
	return nil
}

// CountNamespaceProjects counts the projects of namespace nsID, those
// scheduled for deletion included: a personal namespace's count is what
// its owner's projects_limit bounds. It reads the count the project
// inserts and deletes keep (one row, whatever the number of projects);
// inside a transaction that has just inserted a project there, it counts
// that project, and on PostgreSQL holds the row's lock until the
// transaction ends, so concurrent creations are counted one after another.
func (q *Queries) CountNamespaceProjects(ctx context.Context, nsID int64) (int, error) {
	var n int
	err := q.queryRow(ctx, "SELECT projects FROM namespace_project_counts WHERE namespace_id = ?", nsID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: count namespace projects: %w", wrapErr(err))
	}
	return n, nil
}
