package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// JobTokenInboundEnabled reports whether a project limits which other
// projects' job tokens reach it; without a row it does (new projects').
func (q *Queries) JobTokenInboundEnabled(ctx context.Context, projectID int64) (bool, error) {
	var on bool
	err := q.queryRow(ctx, "SELECT inbound_enabled FROM ci_job_token_scopes WHERE project_id = ?", projectID).Scan(&on)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: job token scope: %w", wrapErr(err))
	}
	return on, nil
}

// SetJobTokenInboundEnabled writes a project's inbound scope setting.
func (q *Queries) SetJobTokenInboundEnabled(ctx context.Context, projectID int64, on bool) error {
	if _, err := q.exec(ctx, `INSERT INTO ci_job_token_scopes (project_id, inbound_enabled) VALUES (?, ?)
		ON CONFLICT (project_id) DO UPDATE SET inbound_enabled = excluded.inbound_enabled`, projectID, on); err != nil {
		return fmt.Errorf("store: set job token scope: %w", err)
	}
	return nil
}

// JobTokenReaches reports whether a job of project from may reach project
// to with its job token by to's inbound scope: the scope is disabled, or
// to's allowlist holds from or a group from lies in (at any depth).
func (q *Queries) JobTokenReaches(ctx context.Context, from, to int64) (bool, error) {
	var ok bool
	err := q.queryRow(ctx, `SELECT
		NOT COALESCE((SELECT inbound_enabled FROM ci_job_token_scopes WHERE project_id = ?), TRUE)
		OR EXISTS (SELECT 1 FROM ci_job_token_project_links WHERE source_project_id = ? AND target_project_id = ?)
		OR EXISTS (SELECT 1 FROM ci_job_token_group_links l
			JOIN namespace_closure c ON c.ancestor_id = l.target_group_id
			JOIN projects p ON p.namespace_id = c.descendant_id
			WHERE l.source_project_id = ? AND p.id = ?)`, to, to, from, to, from).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("store: job token reach: %w", wrapErr(err))
	}
	return ok, nil
}

// JobTokenAllowlistProjects lists a project's inbound allowlist: the
// project itself first (GitLab's allowlist always holds it), then the
// projects added, in the order they were added.
func (q *Queries) JobTokenAllowlistProjects(ctx context.Context, projectID int64) ([]*model.Project, error) {
	return q.queryProjects(ctx, `LEFT JOIN ci_job_token_project_links l ON l.source_project_id = ? AND l.target_project_id = p.id
		WHERE p.id = ? OR l.target_project_id IS NOT NULL
		ORDER BY CASE WHEN p.id = ? THEN 0 ELSE 1 END, l.created_at, p.id`, projectID, projectID, projectID)
}

// JobTokenAllowlistGroups lists the groups of a project's allowlist in the
// order they were added.
func (q *Queries) JobTokenAllowlistGroups(ctx context.Context, projectID int64) ([]*model.Namespace, error) {
	rows, err := q.query(ctx, "SELECT "+namespaceColumns+` FROM ci_job_token_group_links l
		JOIN namespaces n ON n.id = l.target_group_id
		WHERE l.source_project_id = ? ORDER BY l.created_at, n.id`, projectID)
	if err != nil {
		return nil, fmt.Errorf("store: job token allowlist groups: %w", err)
	}
	return collect(rows, scanNamespace)
}

// AddJobTokenProjectLink adds target to source's allowlist unless the
// list holds limit projects already (false); ErrConflict when target is
// there already. The count and the insert are one statement.
func (q *Queries) AddJobTokenProjectLink(ctx context.Context, source, target, addedBy int64, limit int) (bool, error) {
	return q.addJobTokenLink(ctx, "ci_job_token_project_links", "target_project_id", source, target, addedBy, limit)
}

// AddJobTokenGroupLink is AddJobTokenProjectLink for a group.
func (q *Queries) AddJobTokenGroupLink(ctx context.Context, source, group, addedBy int64, limit int) (bool, error) {
	return q.addJobTokenLink(ctx, "ci_job_token_group_links", "target_group_id", source, group, addedBy, limit)
}

func (q *Queries) addJobTokenLink(ctx context.Context, table, column string, source, target, addedBy int64, limit int) (bool, error) {
	return q.jobTokenLinkExec(ctx, "INSERT INTO "+table+" (source_project_id, "+column+`, added_by_id, created_at)
		SELECT CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT)
		WHERE (SELECT COUNT(*) FROM `+table+" WHERE source_project_id = ?) < ?",
		source, target, addedBy, ms(q.Now()), source, limit)
}

// RemoveJobTokenProjectLink removes target from source's allowlist and
// reports whether it was there.
func (q *Queries) RemoveJobTokenProjectLink(ctx context.Context, source, target int64) (bool, error) {
	return q.jobTokenLinkExec(ctx, "DELETE FROM ci_job_token_project_links WHERE source_project_id = ? AND target_project_id = ?", source, target)
}

// RemoveJobTokenGroupLink removes group from source's allowlist and
// reports whether it was there.
func (q *Queries) RemoveJobTokenGroupLink(ctx context.Context, source, group int64) (bool, error) {
	return q.jobTokenLinkExec(ctx, "DELETE FROM ci_job_token_group_links WHERE source_project_id = ? AND target_group_id = ?", source, group)
}

// jobTokenLinkExec runs a write of one allowlist row and reports whether
// it changed one.
func (q *Queries) jobTokenLinkExec(ctx context.Context, stmt string, args ...any) (bool, error) {
	res, err := q.exec(ctx, stmt, args...)
	if err != nil {
		return false, fmt.Errorf("store: job token allowlist: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: job token allowlist: %w", err)
	}
	return n > 0, nil
}
