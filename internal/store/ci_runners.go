package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/model"
)

const runnerColumns = `r.id, r.runner_type, r.description, r.maintenance_note, r.token_digest, r.token_expires_at,
	r.token_created_at, r.registration_type, r.creator_id, r.paused, r.locked, r.run_untagged, r.tag_list,
	r.access_level, r.maximum_timeout, r.contacted_at, r.version, r.revision, r.platform, r.architecture,
	r.ip_address, r.created_at,
	(SELECT MIN(n.namespace_id) FROM ci_runner_namespaces n WHERE n.runner_id = r.id)`

func scanRunner(s scanner) (*model.Runner, error) {
	var r model.Runner
	var expires, contacted, group sql.NullInt64
	var maxTimeout sql.NullInt64
	var tags string
	var tokenCreated, created int64
	if err := s.Scan(&r.ID, &r.RunnerType, &r.Description, &r.MaintenanceNote, &r.TokenDigest, &expires,
		&tokenCreated, &r.RegistrationType, &r.CreatorID, &r.Paused, &r.Locked, &r.RunUntagged, &tags,
		&r.AccessLevel, &maxTimeout, &contacted, &r.Version, &r.Revision, &r.Platform, &r.Architecture,
		&r.IPAddress, &created, &group); err != nil {
		return nil, wrapErr(err)
	}
	r.TokenExpiresAt, r.ContactedAt = fromNullMS(expires), fromNullMS(contacted)
	r.TokenCreatedAt, r.CreatedAt = fromMS(tokenCreated), fromMS(created)
	r.Tags = SplitTags(tags)
	if maxTimeout.Valid {
		v := int(maxTimeout.Int64)
		r.MaximumTimeout = &v
	}
	if group.Valid {
		r.GroupID = &group.Int64
	}
	return &r, nil
}

// SplitTags reads a stored tag list (sorted, comma-joined).
func SplitTags(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// JoinTags is how a tag list is stored: sorted, without duplicates.
func JoinTags(tags []string) string {
	t := slices.Clone(tags)
	slices.Sort(t)
	return strings.Join(slices.Compact(t), ",")
}

// InsertRunner stores r, filling in its ID, with its group or projects.
// Run it in a transaction so that a runner is never left without them.
func (q *Queries) InsertRunner(ctx context.Context, r *model.Runner) error {
	now := q.Now()
	r.CreatedAt = now
	if r.TokenCreatedAt.IsZero() {
		r.TokenCreatedAt = now
	}
	var maxTimeout sql.NullInt64
	if r.MaximumTimeout != nil {
		maxTimeout = sql.NullInt64{Int64: int64(*r.MaximumTimeout), Valid: true}
	}
	id, err := q.insert(ctx, `INSERT INTO ci_runners (runner_type, description, maintenance_note, token_digest,
		token_expires_at, token_created_at, registration_type, creator_id, paused, locked, run_untagged, tag_list,
		access_level, maximum_timeout, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.RunnerType, r.Description, r.MaintenanceNote, r.TokenDigest, nullMS(r.TokenExpiresAt), ms(r.TokenCreatedAt),
		r.RegistrationType, r.CreatorID, r.Paused, r.Locked, r.RunUntagged, JoinTags(r.Tags), r.AccessLevel,
		maxTimeout, ms(now))
	if err != nil {
		return fmt.Errorf("store: insert runner: %w", err)
	}
	r.ID = id
	if r.GroupID != nil {
		if _, err := q.exec(ctx, "INSERT INTO ci_runner_namespaces (runner_id, namespace_id) VALUES (?, ?)",
			id, *r.GroupID); err != nil {
			return fmt.Errorf("store: insert runner group: %w", wrapErr(err))
		}
	}
	for _, p := range r.ProjectIDs {
		if _, err := q.exec(ctx, "INSERT INTO ci_runner_projects (runner_id, project_id, created_at) VALUES (?, ?, ?)",
			id, p, ms(now)); err != nil {
			return fmt.Errorf("store: insert runner project: %w", wrapErr(err))
		}
	}
	return nil
}

// RunnerByTokenDigest returns the runner whose token has this digest.
func (q *Queries) RunnerByTokenDigest(ctx context.Context, digest string) (*model.Runner, error) {
	r, err := scanRunner(q.queryRow(ctx, "SELECT "+runnerColumns+" FROM ci_runners r WHERE r.token_digest = ?", digest))
	if err != nil {
		return nil, err
	}
	return r, q.fillRunnerProjects(ctx, r)
}

// RunnerByID returns a runner with its group and projects.
func (q *Queries) RunnerByID(ctx context.Context, id int64) (*model.Runner, error) {
	r, err := scanRunner(q.queryRow(ctx, "SELECT "+runnerColumns+" FROM ci_runners r WHERE r.id = ?", id))
	if err != nil {
		return nil, err
	}
	return r, q.fillRunnerProjects(ctx, r)
}

func (q *Queries) fillRunnerProjects(ctx context.Context, r *model.Runner) error {
	if r.RunnerType != model.RunnerProject {
		return nil
	}
	rows, err := q.query(ctx, "SELECT project_id FROM ci_runner_projects WHERE runner_id = ? ORDER BY id", r.ID)
	if err != nil {
		return fmt.Errorf("store: runner projects: %w", err)
	}
	r.ProjectIDs, err = collect(rows, func(s scanner) (int64, error) {
		var id int64
		return id, s.Scan(&id)
	})
	return err
}

// TouchRunner records that runner id called at now, at most once per
// interval: idle runners poll every few seconds, and a write per poll
// would be most of the server's writes.
func (q *Queries) TouchRunner(ctx context.Context, id int64, c model.RunnerContact, now time.Time, interval time.Duration) error {
	_, err := q.exec(ctx, `UPDATE ci_runners SET contacted_at = ?, version = ?, revision = ?, platform = ?,
		architecture = ?, ip_address = ? WHERE id = ? AND (contacted_at IS NULL OR contacted_at < ?)`,
		ms(now), c.Version, c.Revision, c.Platform, c.Architecture, c.IPAddress, id, ms(now.Add(-interval)))
	if err != nil {
		return fmt.Errorf("store: touch runner: %w", wrapErr(err))
	}
	return nil
}

// RunnersByIDs returns the runners of ids by id, without their projects
// (what a job's entity shows of its runner).
func (q *Queries) RunnersByIDs(ctx context.Context, ids []int64) (map[int64]*model.Runner, error) {
	out := make(map[int64]*model.Runner, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := int64Args(ids)
	rows, err := q.query(ctx, "SELECT "+runnerColumns+" FROM ci_runners r WHERE r.id IN ("+placeholders(len(ids))+")", args...)
	if err != nil {
		return nil, fmt.Errorf("store: runners by id: %w", err)
	}
	list, err := collect(rows, scanRunner)
	for _, r := range list {
		out[r.ID] = r
	}
	return out, err
}
