package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/model"
)

const environmentColumns = `id, project_id, name, slug, external_url, state, tier, auto_stop_at, created_at, updated_at`

func scanEnvironment(s scanner) (*model.Environment, error) {
	var e model.Environment
	var url sql.NullString
	var stopAt sql.NullInt64
	var created, updated int64
	if err := s.Scan(&e.ID, &e.ProjectID, &e.Name, &e.Slug, &url, &e.State, &e.Tier, &stopAt, &created,
		&updated); err != nil {
		return nil, wrapErr(err)
	}
	e.ExternalURL, e.AutoStopAt = fromNullStr(url), fromNullMS(stopAt)
	e.CreatedAt, e.UpdatedAt = fromMS(created), fromMS(updated)
	return &e, nil
}

// environmentType is an environment's folder: its name up to the first
// slash, NULL without one.
func environmentType(name string) sql.NullString {
	folder, _, ok := strings.Cut(name, "/")
	return sql.NullString{String: folder, Valid: ok}
}

// InsertEnvironment stores e, filling in its ID and timestamps;
// ErrConflict when its project has one of that name or slug.
func (q *Queries) InsertEnvironment(ctx context.Context, e *model.Environment) error {
	now := q.Now()
	e.CreatedAt, e.UpdatedAt = now, now
	id, err := q.insert(ctx, `INSERT INTO environments (project_id, name, environment_type, slug, external_url,
		state, tier, auto_stop_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ProjectID, e.Name, environmentType(e.Name), e.Slug, nullStr(e.ExternalURL), e.State, e.Tier,
		nullMS(e.AutoStopAt), ms(now), ms(now))
	if err != nil {
		return fmt.Errorf("store: insert environment: %w", err)
	}
	e.ID = id
	return nil
}

// EnsureEnvironment returns the project's environment named e.Name,
// storing e first when there is none: concurrent pipelines deploying to
// a new environment share the one row.
func (q *Queries) EnsureEnvironment(ctx context.Context, e *model.Environment) (*model.Environment, error) {
	now := ms(q.Now())
	if _, err := q.exec(ctx, `INSERT INTO environments (project_id, name, environment_type, slug, external_url,
		state, tier, auto_stop_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		e.ProjectID, e.Name, environmentType(e.Name), e.Slug, nullStr(e.ExternalURL), e.State, e.Tier,
		nullMS(e.AutoStopAt), now, now); err != nil {
		return nil, fmt.Errorf("store: ensure environment: %w", err)
	}
	return q.EnvironmentByName(ctx, e.ProjectID, e.Name)
}

// Environment returns a project's environment by id.
func (q *Queries) Environment(ctx context.Context, projectID, id int64) (*model.Environment, error) {
	return scanEnvironment(q.queryRow(ctx, "SELECT "+environmentColumns+
		" FROM environments WHERE project_id = ? AND id = ?", projectID, id))
}

// EnvironmentByName returns a project's environment by name.
func (q *Queries) EnvironmentByName(ctx context.Context, projectID int64, name string) (*model.Environment, error) {
	return scanEnvironment(q.queryRow(ctx, "SELECT "+environmentColumns+
		" FROM environments WHERE project_id = ? AND name = ?", projectID, name))
}

// EnvironmentsByIDs returns environments by id.
func (q *Queries) EnvironmentsByIDs(ctx context.Context, ids []int64) (map[int64]*model.Environment, error) {
	out := map[int64]*model.Environment{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.query(ctx, "SELECT "+environmentColumns+" FROM environments WHERE id IN ("+
		placeholders(len(ids))+")", int64Args(ids)...)
	if err != nil {
		return nil, fmt.Errorf("store: environments by id: %w", err)
	}
	list, err := collect(rows, scanEnvironment)
	for _, e := range list {
		out[e.ID] = e
	}
	return out, err
}

// Environments lists a project's environments, oldest first, with their
// total count.
func (q *Queries) Environments(ctx context.Context, f model.EnvironmentFilter, limit, offset int) ([]*model.Environment, int64, error) {
	w := " WHERE project_id = ?"
	args := []any{f.ProjectID}
	if f.Name != "" {
		w, args = w+" AND name = ?", append(args, f.Name)
	}
	if f.Search != "" {
		// A prefix of the name, or of the name within its folder.
		prefix := strings.TrimPrefix(likeEscape(f.Search), "%")
		w += ` AND (lower(name) LIKE ? ESCAPE '\' OR environment_type IS NOT NULL
			AND lower(substr(name, length(environment_type) + 2)) LIKE ? ESCAPE '\')`
		args = append(args, prefix, prefix)
	}
	if f.State != "" {
		w, args = w+" AND state = ?", append(args, f.State)
	}
	var total int64
	if err := q.queryRow(ctx, "SELECT COUNT(*) FROM environments"+w, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count environments: %w", err)
	}
	rows, err := q.query(ctx, "SELECT "+environmentColumns+" FROM environments"+w+
		" ORDER BY id LIMIT ? OFFSET ?", append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list environments: %w", err)
	}
	list, err := collect(rows, scanEnvironment)
	return list, total, err
}

// UpdateEnvironment writes e's URL, tier and auto-stop time.
func (q *Queries) UpdateEnvironment(ctx context.Context, e *model.Environment) error {
	e.UpdatedAt = q.Now()
	_, err := q.exec(ctx, `UPDATE environments SET external_url = ?, tier = ?, auto_stop_at = ?, updated_at = ?
		WHERE id = ?`, nullStr(e.ExternalURL), e.Tier, nullMS(e.AutoStopAt), ms(e.UpdatedAt), e.ID)
	if err != nil {
		return fmt.Errorf("store: update environment: %w", err)
	}
	return nil
}

// SetEnvironmentState moves environment id to state from one of the
// states in from; false when it was in none of them. A stopped
// environment forgets its auto-stop time.
func (q *Queries) SetEnvironmentState(ctx context.Context, id int64, state string, from ...string) (bool, error) {
	args := []any{state, state, ms(q.Now()), id}
	for _, s := range from {
		args = append(args, s)
	}
	res, err := q.exec(ctx, `UPDATE environments SET state = ?,
		auto_stop_at = CASE WHEN ? = 'stopped' THEN NULL ELSE auto_stop_at END, updated_at = ?
		WHERE id = ? AND state IN (`+placeholders(len(from))+")", args...)
	if err != nil {
		return false, fmt.Errorf("store: set environment state: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// DeleteEnvironment removes an environment and its deployments.
func (q *Queries) DeleteEnvironment(ctx context.Context, id int64) error {
	if _, err := q.exec(ctx, "DELETE FROM deployments WHERE environment_id = ?", id); err != nil {
		return fmt.Errorf("store: delete environment's deployments: %w", err)
	}
	_, err := q.exec(ctx, "DELETE FROM environments WHERE id = ?", id)
	return wrapErr(err)
}

// StaleEnvironments lists a project's available environments whose last
// change, or last deployment, came before before.
func (q *Queries) StaleEnvironments(ctx context.Context, projectID int64, before time.Time) ([]*model.Environment, error) {
	rows, err := q.query(ctx, "SELECT "+environmentColumns+` FROM environments e WHERE project_id = ?
		AND state = 'available' AND updated_at < ? AND NOT EXISTS (SELECT 1 FROM deployments d
		WHERE d.environment_id = e.id AND d.updated_at >= ?) ORDER BY id`, projectID, ms(before), ms(before))
	if err != nil {
		return nil, fmt.Errorf("store: stale environments: %w", err)
	}
	return collect(rows, scanEnvironment)
}

// DueAutoStopEnvironments lists available environments whose
// auto_stop_at has come, across projects.
func (q *Queries) DueAutoStopEnvironments(ctx context.Context, now time.Time, limit int) ([]*model.Environment, error) {
	rows, err := q.query(ctx, "SELECT "+environmentColumns+` FROM environments WHERE state = 'available'
		AND auto_stop_at <= ? ORDER BY auto_stop_at LIMIT ?`, ms(now), limit)
	if err != nil {
		return nil, fmt.Errorf("store: environments to auto-stop: %w", err)
	}
	return collect(rows, scanEnvironment)
}

const deploymentColumns = `id, project_id, iid, environment_id, ref, tag, sha, user_id, deployable_id, status,
	created_at, updated_at, finished_at`

func scanDeployment(s scanner) (*model.Deployment, error) {
	var d model.Deployment
	var created, updated int64
	var finished sql.NullInt64
	if err := s.Scan(&d.ID, &d.ProjectID, &d.IID, &d.EnvironmentID, &d.Ref, &d.Tag, &d.SHA, &d.UserID,
		&d.DeployableID, &d.Status, &created, &updated, &finished); err != nil {
		return nil, wrapErr(err)
	}
	d.CreatedAt, d.UpdatedAt, d.FinishedAt = fromMS(created), fromMS(updated), fromNullMS(finished)
	return &d, nil
}

// IIDDeployments numbers a project's deployments.
const IIDDeployments = "deployments"

// InsertDeployment stores d with the next iid of its project.
func (q *Queries) InsertDeployment(ctx context.Context, d *model.Deployment) error {
	iid, err := q.NextIID(ctx, IIDDeployments, d.ProjectID)
	if err != nil {
		return err
	}
	now := q.Now()
	d.IID, d.CreatedAt, d.UpdatedAt = iid, now, now
	id, err := q.insert(ctx, `INSERT INTO deployments (project_id, iid, environment_id, ref, tag, sha, user_id,
		deployable_id, status, created_at, updated_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ProjectID, d.IID, d.EnvironmentID, d.Ref, d.Tag, d.SHA, d.UserID, d.DeployableID, d.Status, ms(now),
		ms(now), nullMS(d.FinishedAt))
	if err != nil {
		return fmt.Errorf("store: insert deployment: %w", err)
	}
	d.ID = id
	return nil
}

// Deployment returns a project's deployment by id.
func (q *Queries) Deployment(ctx context.Context, projectID, id int64) (*model.Deployment, error) {
	return scanDeployment(q.queryRow(ctx, "SELECT "+deploymentColumns+
		" FROM deployments WHERE project_id = ? AND id = ?", projectID, id))
}

// DeploymentsOfJobs lists the deployments of jobs.
func (q *Queries) DeploymentsOfJobs(ctx context.Context, jobIDs []int64) ([]*model.Deployment, error) {
	if len(jobIDs) == 0 {
		return nil, nil
	}
	rows, err := q.query(ctx, "SELECT "+deploymentColumns+" FROM deployments WHERE deployable_id IN ("+
		placeholders(len(jobIDs))+")", int64Args(jobIDs)...)
	if err != nil {
		return nil, fmt.Errorf("store: jobs' deployments: %w", err)
	}
	return collect(rows, scanDeployment)
}

// LastDeployments returns the newest successful deployment of each of
// the environments (GitLab's Environment#last_deployment).
func (q *Queries) LastDeployments(ctx context.Context, envIDs []int64) (map[int64]*model.Deployment, error) {
	return q.LastDeploymentsIn(ctx, envIDs, model.DeploymentSuccess)
}

// LastDeploymentsIn is LastDeployments for deployments in status.
func (q *Queries) LastDeploymentsIn(ctx context.Context, envIDs []int64, status string) (map[int64]*model.Deployment, error) {
	out := map[int64]*model.Deployment{}
	if len(envIDs) == 0 {
		return out, nil
	}
	rows, err := q.query(ctx, "SELECT "+deploymentColumns+` FROM deployments WHERE id IN (SELECT MAX(id)
		FROM deployments WHERE status = ? AND environment_id IN (`+placeholders(len(envIDs))+
		") GROUP BY environment_id)", append([]any{status}, int64Args(envIDs)...)...)
	if err != nil {
		return nil, fmt.Errorf("store: last deployments: %w", err)
	}
	list, err := collect(rows, scanDeployment)
	for _, d := range list {
		out[d.EnvironmentID] = d
	}
	return out, err
}

// deploymentOrder maps GitLab's order_by to columns: created_at and iid
// sort as id does; updated_at breaks ties by id, newest first.
var deploymentOrder = map[string]string{"id": "id", "iid": "id", "created_at": "id", "updated_at": "updated_at",
	"ref": "ref", "finished_at": "finished_at"}

// Deployments lists a project's deployments with their total count.
func (q *Queries) Deployments(ctx context.Context, f model.DeploymentFilter) ([]*model.Deployment, int64, error) {
	conds, args := []string{"project_id = ?"}, []any{f.ProjectID}
	if f.EnvironmentID != 0 {
		conds, args = append(conds, "environment_id = ?"), append(args, f.EnvironmentID)
	}
	if f.Status != "" {
		conds, args = append(conds, "status = ?"), append(args, f.Status)
	}
	for _, c := range []struct {
		cond string
		at   *time.Time
	}{{"updated_at > ?", f.UpdatedAfter}, {"updated_at < ?", f.UpdatedBefore},
		{"finished_at >= ?", f.FinishedAfter}, {"finished_at < ?", f.FinishedBefore}} {
		if c.at != nil {
			conds, args = append(conds, c.cond), append(args, ms(*c.at))
		}
	}
	w := " WHERE " + strings.Join(conds, " AND ")
	var total int64
	if err := q.queryRow(ctx, "SELECT COUNT(*) FROM deployments"+w, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count deployments: %w", err)
	}
	col := deploymentOrder[f.OrderBy]
	if col == "" {
		col = "id"
	}
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	order := col + dir
	switch col {
	case "updated_at":
		order += ", id DESC"
	case "id":
	default:
		order += ", id" + dir
	}
	rows, err := q.query(ctx, "SELECT "+deploymentColumns+" FROM deployments"+w+" ORDER BY "+order+
		" LIMIT ? OFFSET ?", append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list deployments: %w", err)
	}
	list, err := collect(rows, scanDeployment)
	return list, total, err
}

// SetDeploymentStatus writes d's status and finish time; false when it
// already had that status.
func (q *Queries) SetDeploymentStatus(ctx context.Context, d *model.Deployment) (bool, error) {
	d.UpdatedAt = q.Now()
	res, err := q.exec(ctx, `UPDATE deployments SET status = ?, finished_at = ?, updated_at = ?
		WHERE id = ? AND status <> ?`, d.Status, nullMS(d.FinishedAt), ms(d.UpdatedAt), d.ID, d.Status)
	if err != nil {
		return false, fmt.Errorf("store: set deployment status: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// DeleteDeployment removes a deployment.
func (q *Queries) DeleteDeployment(ctx context.Context, id int64) error {
	_, err := q.exec(ctx, "DELETE FROM deployments WHERE id = ?", id)
	return wrapErr(err)
}
