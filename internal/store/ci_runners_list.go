package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/model"
)

// ownedRunnersSQL is GitLab's User#ci_owned_runners for user ?: project
// runners of projects the user maintains, group runners of groups (and
// their subgroups) the user owns. Arguments: projectMemberArgs, user, today.
const ownedRunnersSQL = `(r.id IN (SELECT rp.runner_id FROM ci_runner_projects rp JOIN projects p ON p.id = rp.project_id
	WHERE ` + projectMemberSQL + `)
	OR r.id IN (SELECT rn.runner_id FROM ci_runner_namespaces rn
	JOIN namespace_closure c ON c.descendant_id = rn.namespace_id
	JOIN members m ON m.source_type = 'Namespace' AND m.source_id = c.ancestor_id
	WHERE m.user_id = ? AND m.access_level >= 50 AND (m.expires_at IS NULL OR m.expires_at >= ?)))`

// likeEscaper escapes LIKE wildcards; queries use ESCAPE '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// ListRunners returns a page of runners matching f in id order (GitLab's
// offset pagination orders an unordered relation by id) and the total.
func (q *Queries) ListRunners(ctx context.Context, f model.RunnerFilter) ([]*model.Runner, int, error) {
	var w conds
	switch {
	case f.OwnedBy != nil:
		u := *f.OwnedBy
		w.add(ownedRunnersSQL, append(projectMemberArgs(u, 40, f.Today), u, f.Today)...)
	case f.ProjectID != nil:
		w.add(`(r.runner_type = 'instance_type'
			OR r.id IN (SELECT runner_id FROM ci_runner_projects WHERE project_id = ?)
			OR r.id IN (SELECT rn.runner_id FROM ci_runner_namespaces rn JOIN namespace_closure c ON c.ancestor_id = rn.namespace_id
				JOIN projects p ON p.namespace_id = c.descendant_id WHERE p.id = ?))`, *f.ProjectID, *f.ProjectID)
	case f.GroupID != nil:
		w.add(`(r.runner_type = 'instance_type'
			OR r.id IN (SELECT rn.runner_id FROM ci_runner_namespaces rn JOIN namespace_closure c ON c.ancestor_id = rn.namespace_id
				WHERE c.descendant_id = ?))`, *f.GroupID)
	}
	if f.Type != "" {
		w.add("r.runner_type = ?", f.Type)
	}
	if f.Paused != nil {
		w.add("r.paused = ?", *f.Paused)
	}
	online, stale := ms(f.Now.Add(-model.RunnerOnlineTimeout)), ms(f.Now.Add(-model.RunnerStaleTimeout))
	switch f.Status {
	case model.RunnerOnline:
		w.add("r.contacted_at > ?", online)
	case model.RunnerOffline:
		w.add("r.contacted_at <= ?", online)
	case model.RunnerNeverContacted:
		w.add("r.contacted_at IS NULL")
	case model.RunnerStale:
		w.add("r.created_at <= ? AND (r.contacted_at IS NULL OR r.contacted_at <= ?)", stale, stale)
	}
	for _, t := range f.Tags {
		// Tags are stored sorted and comma-joined: match a whole item.
		w.add(`(',' || r.tag_list || ',') LIKE ? ESCAPE '\'`, "%,"+likeEscaper.Replace(t)+",%")
	}
	cond, args := w.where(), w.args
	var total int
	if err := q.queryRow(ctx, "SELECT count(*) FROM ci_runners r"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count runners: %w", wrapErr(err))
	}
	rows, err := q.query(ctx, "SELECT "+runnerColumns+" FROM ci_runners r"+cond+" ORDER BY r.id LIMIT ? OFFSET ?",
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list runners: %w", err)
	}
	out, err := collect(rows, scanRunner)
	if err != nil {
		return nil, 0, err
	}
	return out, total, q.fillRunnersProjects(ctx, out)
}

// fillRunnersProjects loads the projects of a page's project runners in
// one query.
func (q *Queries) fillRunnersProjects(ctx context.Context, runners []*model.Runner) error {
	byID := make(map[int64]*model.Runner)
	var ids []int64
	for _, r := range runners {
		if r.RunnerType == model.RunnerProject {
			byID[r.ID] = r
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var w conds
	w.in("runner_id", false, ids)
	rows, err := q.query(ctx, "SELECT runner_id, project_id FROM ci_runner_projects"+w.where()+" ORDER BY id", w.args...)
	if err != nil {
		return fmt.Errorf("store: runners' projects: %w", err)
	}
	pairs, err := collect(rows, func(s scanner) ([2]int64, error) {
		var p [2]int64
		return p, wrapErr(s.Scan(&p[0], &p[1]))
	})
	for _, p := range pairs {
		r := byID[p[0]]
		r.ProjectIDs = append(r.ProjectIDs, p[1])
	}
	return err
}

// UpdateRunner writes the settings of r a user may change.
func (q *Queries) UpdateRunner(ctx context.Context, r *model.Runner) error {
	var maxTimeout any
	if r.MaximumTimeout != nil {
		maxTimeout = int64(*r.MaximumTimeout)
	}
	res, err := q.exec(ctx, `UPDATE ci_runners SET description = ?, maintenance_note = ?, paused = ?, locked = ?,
		run_untagged = ?, tag_list = ?, access_level = ?, maximum_timeout = ? WHERE id = ?`,
		r.Description, r.MaintenanceNote, r.Paused, r.Locked, r.RunUntagged, JoinTags(r.Tags), r.AccessLevel,
		maxTimeout, r.ID)
	if err != nil {
		return fmt.Errorf("store: update runner: %w", wrapErr(err))
	}
	return affectedOne(res)
}

// SetRunnerToken replaces a runner's token digest.
func (q *Queries) SetRunnerToken(ctx context.Context, id int64, digest string, expires *time.Time) error {
	res, err := q.exec(ctx, "UPDATE ci_runners SET token_digest = ?, token_expires_at = ?, token_created_at = ? WHERE id = ?",
		digest, nullMS(expires), ms(q.Now()), id)
	if err != nil {
		return fmt.Errorf("store: set runner token: %w", wrapErr(err))
	}
	return affectedOne(res)
}

// DeleteRunner deletes a runner; its project and group links go with it,
// and its jobs keep their record without it (ON DELETE SET NULL).
func (q *Queries) DeleteRunner(ctx context.Context, id int64) error {
	res, err := q.exec(ctx, "DELETE FROM ci_runners WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("store: delete runner: %w", wrapErr(err))
	}
	return affectedOne(res)
}

// AssignRunnerProject adds a project to a project runner (ErrConflict if
// it is there already).
func (q *Queries) AssignRunnerProject(ctx context.Context, runnerID, projectID int64) error {
	if _, err := q.exec(ctx, "INSERT INTO ci_runner_projects (runner_id, project_id, created_at) VALUES (?, ?, ?)",
		runnerID, projectID, ms(q.Now())); err != nil {
		return fmt.Errorf("store: assign runner: %w", wrapErr(err))
	}
	return nil
}

// UnassignRunnerProject removes a project from a runner (ErrNotFound if it
// is not one of its projects).
func (q *Queries) UnassignRunnerProject(ctx context.Context, runnerID, projectID int64) error {
	res, err := q.exec(ctx, "DELETE FROM ci_runner_projects WHERE runner_id = ? AND project_id = ?", runnerID, projectID)
	if err != nil {
		return fmt.Errorf("store: unassign runner: %w", wrapErr(err))
	}
	return affectedOne(res)
}

// affectedOne is ErrNotFound when a write touched no row.
func affectedOne(res interface{ RowsAffected() (int64, error) }) error {
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
