package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/lablet/lablet/internal/model"
)

const projectColumns = `p.id, p.namespace_id, p.name, p.path, p.description, p.visibility_level, p.default_branch,
	p.archived, p.empty_repo, p.initialize_with_readme, p.creator_id, p.issues_enabled,
	p.merge_requests_enabled, p.wiki_enabled, p.jobs_enabled, p.snippets_enabled, p.lfs_enabled,
	p.request_access_enabled, p.topics, p.marked_for_deletion_on, p.created_at, p.updated_at,
	p.last_activity_at, p.forked_from_project_id, p.forks_count, p.mr_default_target_self, p.import_status,
	p.auto_cancel_pending_pipelines, p.star_count, p.avatar, ` + mergeSettingsColumns

// projectFrom is the FROM clause every project query uses, so that each
// project arrives with its namespace in one round trip.
const projectFrom = " FROM projects p JOIN namespaces n ON n.id = p.namespace_id"

func scanProject(s scanner) (*model.Project, error) {
	var ns *model.Namespace
	p, err := scanProjectThen(s, func(s scanner) (err error) {
		ns, err = scanNamespace(s)
		return err
	})
	if err != nil {
		return nil, err
	}
	p.Namespace = ns
	return p, nil
}

// scanProjectThen scans projectColumns and hands the rest of the row to
// rest, which must make the one Scan call.
func scanProjectThen(s scanner, rest func(scanner) error) (*model.Project, error) {
	var p model.Project
	var defBranch, marked sql.NullString
	var creator, forkedFrom sql.NullInt64
	var topics string
	var created, updated, activity int64
	var ms mergeSettingsScan
	err := rest(prefixScanner{s, append([]any{&p.ID, &p.NamespaceID, &p.Name, &p.Path, &p.Description,
		&p.VisibilityLevel, &defBranch, &p.Archived, &p.EmptyRepo, &p.InitializeWithReadme, &creator,
		&p.IssuesEnabled, &p.MergeRequestsEnabled, &p.WikiEnabled, &p.JobsEnabled, &p.SnippetsEnabled,
		&p.LFSEnabled, &p.RequestAccessEnabled, &topics, &marked, &created, &updated, &activity,
		&forkedFrom, &p.ForksCount, &p.MRDefaultTargetSelf, &p.ImportStatus, &p.AutoCancelPendingPipelines, &p.StarCount, &p.Avatar},
		ms.dest(&p.MergeSettings)...)})
	if err != nil {
		return nil, wrapErr(err)
	}
	ms.finish(&p.MergeSettings)
	p.DefaultBranch = fromNullStr(defBranch)
	if creator.Valid {
		v := creator.Int64
		p.CreatorID = &v
	}
	if topics != "" {
		p.Topics = strings.Split(topics, ",")
	}
	p.MarkedForDeletionOn = fromNullStr(marked)
	if forkedFrom.Valid {
		v := forkedFrom.Int64
		p.ForkedFromID = &v
	}
	p.CreatedAt, p.UpdatedAt, p.LastActivityAt = fromMS(created), fromMS(updated), fromMS(activity)
	return &p, nil
}

const projectSelect = "SELECT " + projectColumns + ", " + namespaceColumns + projectFrom

// ProjectByID returns a project with its namespace.
func (q *Queries) ProjectByID(ctx context.Context, id int64) (*model.Project, error) {
	return scanProject(q.queryRow(ctx, projectSelect+" WHERE p.id = ?", id))
}

// ProjectByFullPath returns a project by "namespace/path", case-insensitively.
func (q *Queries) ProjectByFullPath(ctx context.Context, fullPath string) (*model.Project, error) {
	i := strings.LastIndexByte(fullPath, '/')
	if i <= 0 {
		return nil, ErrNotFound
	}
	return scanProject(q.queryRow(ctx, projectSelect+" WHERE lower(n.full_path) = lower(?) AND lower(p.path) = lower(?)",
		fullPath[:i], fullPath[i+1:]))
}

// queryProjects runs a full project SELECT built by the caller and scans all rows.
func (q *Queries) queryProjects(ctx context.Context, where string, args ...any) ([]*model.Project, error) {
	rows, err := q.query(ctx, projectSelect+" "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list projects: %w", err)
	}
	return collect(rows, scanProject)
}

// CreateProject inserts p, filling in ID and timestamps. p.Namespace is
// loaded afterwards.
func (q *Queries) CreateProject(ctx context.Context, p *model.Project) error {
	now := q.Now()
	p.CreatedAt, p.UpdatedAt, p.LastActivityAt = now, now, now
	id, _, err := q.insertProject(ctx, p)
	if err != nil {
		return fmt.Errorf("store: create project: %w", err)
	}
	p.ID = id
	ns, err := q.NamespaceByID(ctx, p.NamespaceID)
	if err != nil {
		return err
	}
	p.Namespace = ns
	return nil
}

// UpdateProjectRepository writes what p's repository decides: its default
// branch, whether it is empty, and the update and activity times. No list,
// access level or other project depends on these, so only p's row version
// moves (rowversions.go), not the access one.
func (q *Queries) UpdateProjectRepository(ctx context.Context, p *model.Project) error {
	p.UpdatedAt = q.Now()
	rq := *q
	rq.rowOnly = p.ID
	_, err := rq.exec(ctx, `UPDATE projects SET default_branch = ?, empty_repo = ?, updated_at = ?,
		last_activity_at = ? WHERE id = ?`,
		nullStr(p.DefaultBranch), p.EmptyRepo, ms(p.UpdatedAt), ms(p.LastActivityAt), p.ID)
	if err != nil {
		return fmt.Errorf("store: update project repository: %w", err)
	}
	return nil
}

// UpdateProject writes every mutable field of p.
func (q *Queries) UpdateProject(ctx context.Context, p *model.Project) error {
	p.UpdatedAt = q.Now()
	_, err := q.exec(ctx, `UPDATE projects SET name = ?, path = ?, description = ?, visibility_level = ?,
		default_branch = ?, archived = ?, empty_repo = ?, issues_enabled = ?, merge_requests_enabled = ?,
		wiki_enabled = ?, jobs_enabled = ?, snippets_enabled = ?, lfs_enabled = ?, request_access_enabled = ?,
		topics = ?, marked_for_deletion_on = ?, updated_at = ?, last_activity_at = ?, mr_default_target_self = ?,
		auto_cancel_pending_pipelines = ?, `+mergeSettingsSet+` WHERE id = ?`, append([]any{
		p.Name, p.Path, p.Description, p.VisibilityLevel, nullStr(p.DefaultBranch), p.Archived, p.EmptyRepo,
		p.IssuesEnabled, p.MergeRequestsEnabled, p.WikiEnabled, p.JobsEnabled, p.SnippetsEnabled,
		p.LFSEnabled, p.RequestAccessEnabled, strings.Join(p.Topics, ","), nullStr(p.MarkedForDeletionOn),
		ms(p.UpdatedAt), ms(p.LastActivityAt), p.MRDefaultTargetSelf, p.AutoCancelPendingPipelines},
		append(mergeSettingsArgs(p.MergeSettings), p.ID)...)...)
	if err != nil {
		return fmt.Errorf("store: update project: %w", err)
	}
	return nil
}

// DeleteProject removes a project and its memberships, and what attaches
// by type and id to its issues, merge requests and notes.
func (q *Queries) DeleteProject(ctx context.Context, id int64) error {
	if err := q.deleteProjectAttachments(ctx, "= ?", id); err != nil {
		return fmt.Errorf("store: delete project: %w", err)
	}
	for _, stmt := range []string{
		"DELETE FROM members WHERE source_type = 'Project' AND source_id = ?",
		"DELETE FROM notification_settings WHERE source_type = 'Project' AND source_id = ?",
		// A fork leaves its source's count; the source's forks are
		// unlinked by the foreign key.
		"UPDATE projects SET forks_count = forks_count - 1" +
			" WHERE id = (SELECT forked_from_project_id FROM projects WHERE id = ?)",
		"UPDATE namespace_project_counts SET projects = projects - 1" +
			" WHERE namespace_id = (SELECT namespace_id FROM projects WHERE id = ?)",
		"DELETE FROM projects WHERE id = ?",
	} {
		if _, err := q.exec(ctx, stmt, id); err != nil {
			return fmt.Errorf("store: delete project: %w", err)
		}
	}
	return nil
}

// projectOrderColumns maps API order_by values onto columns; every order
// is made total with p.id. created_at is ordered by id, as GitLab's API
// does (ids grow with creation time, and the primary key needs no sort).
var projectOrderColumns = map[string]string{
	"id": "p.id", "name": "p.name", "path": "p.path", "created_at": "p.id",
	"updated_at": "p.updated_at", "last_activity_at": "p.last_activity_at", "star_count": "p.star_count",
}

// projectAccessCTE computes the viewer's project levels (pm: direct, or
// through a group the project is shared with) and namespace levels (gm:
// inherited, or through a group the namespace chain is shared with), from
// the viewer's group levels (mg). All start from the viewer's own
// memberships (members_user index), so they stay small however many
// projects exist; the list query then joins them in one pass. Arguments:
// viewer, today, viewer, today.
const projectAccessCTE = `WITH mg AS (
	SELECT c.descendant_id AS namespace_id, max(m.access_level) AS lvl FROM members m
	  JOIN namespace_closure c ON c.ancestor_id = m.source_id
	 WHERE m.user_id = ? AND m.source_type = 'Namespace' AND (m.expires_at IS NULL OR m.expires_at >= ?)
	 GROUP BY c.descendant_id
), pm AS (
	SELECT project_id, max(lvl) AS lvl FROM (
	  SELECT m.source_id AS project_id, m.access_level AS lvl FROM members m
	   WHERE m.user_id = ? AND m.source_type = 'Project' AND (m.expires_at IS NULL OR m.expires_at >= ?)
	  UNION ALL
	  SELECT l.project_id, CASE WHEN mg.lvl < l.group_access THEN mg.lvl ELSE l.group_access END
	    FROM mg JOIN project_group_links l ON l.group_id = mg.namespace_id
	) pl GROUP BY project_id
), gm AS (
	SELECT namespace_id, max(lvl) AS lvl FROM (
	  SELECT namespace_id, lvl FROM mg
	  UNION ALL
	  SELECT c.descendant_id, CASE WHEN mg.lvl < g.group_access THEN mg.lvl ELSE g.group_access END
	    FROM mg JOIN group_group_links g ON g.shared_with_group_id = mg.namespace_id
	    JOIN namespace_closure c ON c.ancestor_id = g.shared_group_id
	) gl GROUP BY namespace_id
) `

// projectMineFrom replaces projectFrom when the viewer's level must reach
// some level (membership, owned, min_access_level): only projects with a pm
// or gm row can qualify, so the query starts from those — the viewer's
// direct project memberships, and the projects of the namespaces they
// inherit a level on (projects_namespace_id index) — rather than from
// every project, and joins projects by primary key.
const projectMineFrom = " FROM (SELECT pm.project_id AS id FROM pm UNION" +
	" SELECT p2.id FROM gm JOIN projects p2 ON p2.namespace_id = gm.namespace_id) mine" +
	" JOIN projects p ON p.id = mine.id JOIN namespaces n ON n.id = p.namespace_id"

const projectAccessJoin = " LEFT JOIN pm ON pm.project_id = p.id LEFT JOIN gm ON gm.namespace_id = p.namespace_id"

// projectLevelExpr is the viewer's effective level, portable (no GREATEST
// in SQLite, no two-argument max in PostgreSQL).
const projectLevelExpr = "(CASE WHEN COALESCE(pm.lvl, 0) > COALESCE(gm.lvl, 0) THEN COALESCE(pm.lvl, 0) ELSE COALESCE(gm.lvl, 0) END)"

// projectSuffixScanner scans a row whose trailing columns go to extra destinations.
type projectSuffixScanner struct {
	s      scanner
	suffix []any
}

func (p projectSuffixScanner) Scan(dest ...any) error {
	return p.s.Scan(append(dest, p.suffix...)...)
}

// ListProjects returns one page of projects visible to the filter's viewer,
// with the viewer's access on each, and the total when f.Count is set.
// Membership lists and id-ordered visibility lists without text filters are
// cut from the viewer's cached projects (project_lists.go); the rest run
// one query for the page and one for the count.
func (q *Queries) ListProjects(ctx context.Context, f model.ProjectFilter) ([]*model.Project, map[int64]model.ProjectAccess, int, error) {
	g := q.versionGuard()
	projects, levels, total, err := q.listProjects(ctx, f)
	g.stamp(projects...)
	return projects, levels, total, err
}

func (q *Queries) listProjects(ctx context.Context, f model.ProjectFilter) ([]*model.Project, map[int64]model.ProjectAccess, int, error) {
	if q.fastListable(f) {
		switch {
		case f.MinAccessLevel > 0:
			return q.listMine(ctx, f)
		case !f.Admin && !f.Count:
			projects, levels, err := q.listVisibleByID(ctx, f)
			return projects, levels, 0, err
		}
	}
	w := conds{args: []any{f.ViewerID, f.Today, f.ViewerID, f.Today}} // projectAccessCTE's
	if !f.Admin {
		w.add("(p.visibility_level >= ? OR "+projectLevelExpr+" >= 10)", f.MinVisibility)
		// Projects scheduled for deletion stay visible to their owners only.
		w.add("(p.marked_for_deletion_on IS NULL OR " + projectLevelExpr + " >= 50)")
	}
	if f.NamespaceID != 0 {
		if f.IncludeSubgroups {
			w.add("p.namespace_id IN (SELECT c.descendant_id FROM namespace_closure c WHERE c.ancestor_id = ?)", f.NamespaceID)
		} else {
			w.add("p.namespace_id = ?", f.NamespaceID)
		}
	}
	if f.Search != "" {
		columns := []string{"p.name", "p.path", "p.description"}
		if f.SearchNamespaces {
			columns = append(columns, "n.full_path", "n.full_name")
		}
		w.search(f.Search, columns...)
	}
	if f.Topic != "" {
		// Topics are stored comma-joined; commas are refused in topics.
		w.add(`(',' || lower(p.topics) || ',') LIKE ? ESCAPE '\'`, "%,"+strings.TrimSuffix(strings.TrimPrefix(likeEscape(f.Topic), "%"), "%")+",%")
	}
	if f.MinAccessLevel > 0 {
		w.add(projectLevelExpr+" >= ?", f.MinAccessLevel)
	}
	customAttributeConds(&w, model.AttrSourceProject, "p.id", f.CustomAttributes)
	if f.StarredBy != 0 {
		w.add("p.id IN (SELECT s.project_id FROM users_star_projects s WHERE s.user_id = ?)", f.StarredBy)
	}
	if f.SharedWithGroupID != 0 {
		w.add("p.id IN (SELECT l.project_id FROM project_group_links l WHERE l.group_id = ?)", f.SharedWithGroupID)
	}
	projectRowFilter(&w, f)
	cond, args := w.where(), w.args

	from := projectFrom
	if f.MinAccessLevel > 0 {
		from = projectMineFrom
	}

	total := 0
	if f.Count {
		err := q.queryRow(ctx, projectAccessCTE+"SELECT count(*)"+from+projectAccessJoin+cond, args...).Scan(&total)
		if err != nil {
			return nil, nil, 0, fmt.Errorf("store: count projects: %w", wrapErr(err))
		}
	}

	col, ok := projectOrderColumns[f.OrderBy]
	if !ok {
		col = "p.id"
	}
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	order := " ORDER BY " + col + dir
	if col != "p.id" {
		order += ", p.id" + dir
	}
	query := projectAccessCTE + "SELECT " + projectColumns + ", " + namespaceColumns +
		", COALESCE(pm.lvl, 0), COALESCE(gm.lvl, 0)" + from + projectAccessJoin + cond + order + " LIMIT ? OFFSET ?"
	args = append(args, f.Limit, f.Offset)
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("store: list projects: %w", err)
	}
	defer rows.Close()
	var out []*model.Project
	levels := map[int64]model.ProjectAccess{}
	for rows.Next() {
		var a model.ProjectAccess
		p, err := scanProject(projectSuffixScanner{rows, []any{&a.Project, &a.Group}})
		if err != nil {
			return nil, nil, 0, err
		}
		out = append(out, p)
		levels[p.ID] = a
	}
	if err := rows.Err(); err != nil {
		return nil, nil, 0, fmt.Errorf("store: list projects: %w", wrapErr(err))
	}
	return out, levels, total, nil
}

// projectRowFilter adds the filters on a project's own columns that every
// list path shares (the SQL one and the cached public ids' query).
func projectRowFilter(w *conds, f model.ProjectFilter) {
	if f.Visibility != nil {
		w.add("p.visibility_level = ?", *f.Visibility)
	}
	if f.Archived != nil {
		w.add("p.archived = ?", *f.Archived)
	}
	if f.IDAfter > 0 {
		w.add("p.id > ?", f.IDAfter)
	}
	if f.IDBefore > 0 {
		w.add("p.id < ?", f.IDBefore)
	}
	if f.ForkedFromID > 0 {
		w.add("p.forked_from_project_id = ?", f.ForkedFromID)
	}
}

// ProjectNameTaken and ProjectPathTaken report whether another project in
// namespace nsID already uses name or path (case-insensitively).
func (q *Queries) ProjectNameTaken(ctx context.Context, nsID int64, name string, exceptID int64) (bool, error) {
	return q.projectRowExists(ctx, "SELECT 1 FROM projects WHERE namespace_id = ? AND lower(name) = lower(?) AND id <> ?", nsID, name, exceptID)
}

// ProjectPathTaken reports whether another project in nsID uses path.
func (q *Queries) ProjectPathTaken(ctx context.Context, nsID int64, path string, exceptID int64) (bool, error) {
	return q.projectRowExists(ctx, "SELECT 1 FROM projects WHERE namespace_id = ? AND lower(path) = lower(?) AND id <> ?", nsID, path, exceptID)
}

func (q *Queries) projectRowExists(ctx context.Context, query string, args ...any) (bool, error) {
	var one int
	err := wrapErr(q.queryRow(ctx, query, args...).Scan(&one))
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: exists: %w", err)
	}
	return true, nil
}

// ProjectIDsMarkedForDeletion returns up to limit projects scheduled for
// deletion, oldest mark first. Ordered by the mark, the query reads the
// projects_marked_for_deletion index alone; ordered by id, SQLite walks the
// whole table for it (twice a second, from the purge loop).
func (q *Queries) ProjectIDsMarkedForDeletion(ctx context.Context, limit int) ([]int64, error) {
	out, err := q.int64s(ctx, "SELECT id FROM projects WHERE marked_for_deletion_on IS NOT NULL"+
		" ORDER BY marked_for_deletion_on, id LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("store: projects marked for deletion: %w", err)
	}
	return out, nil
}

// ProjectsByIDs returns the projects of ids by id (unknown ids are left
// out).
func (q *Queries) ProjectsByIDs(ctx context.Context, ids []int64) (map[int64]*model.Project, error) {
	out := make(map[int64]*model.Project, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.query(ctx, projectSelect+" WHERE p.id IN ("+placeholders(len(ids))+")", int64Args(ids)...)
	if err != nil {
		return nil, fmt.Errorf("store: projects by ids: %w", err)
	}
	ps, err := collect(rows, scanProject)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		out[p.ID] = p
	}
	return out, nil
}
