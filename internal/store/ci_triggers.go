package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

const ciTriggerColumns = `id, project_id, owner_id, description, token_digest, short_token, last_used_at, expires_at,
	created_at, updated_at`

func scanCITrigger(s scanner) (*model.CITrigger, error) {
	var t model.CITrigger
	var lastUsed, expires sql.NullInt64
	var created, updated int64
	if err := s.Scan(&t.ID, &t.ProjectID, &t.OwnerID, &t.Description, &t.TokenDigest, &t.ShortToken,
		&lastUsed, &expires, &created, &updated); err != nil {
		return nil, wrapErr(err)
	}
	t.LastUsedAt, t.ExpiresAt = fromNullMS(lastUsed), fromNullMS(expires)
	t.CreatedAt, t.UpdatedAt = fromMS(created), fromMS(updated)
	return &t, nil
}

// CITriggers lists a project's trigger tokens in creation order.
func (q *Queries) CITriggers(ctx context.Context, projectID int64) ([]*model.CITrigger, error) {
	rows, err := q.query(ctx, "SELECT "+ciTriggerColumns+" FROM ci_triggers WHERE project_id = ? ORDER BY id", projectID)
	if err != nil {
		return nil, fmt.Errorf("store: list ci triggers: %w", err)
	}
	return collect(rows, scanCITrigger)
}

// CITrigger returns a project's trigger token by id (ErrNotFound if the
// project has none of that id).
func (q *Queries) CITrigger(ctx context.Context, projectID, id int64) (*model.CITrigger, error) {
	return scanCITrigger(q.queryRow(ctx, "SELECT "+ciTriggerColumns+" FROM ci_triggers WHERE project_id = ? AND id = ?",
		projectID, id))
}

// CITriggerByDigest returns the trigger token whose digest this is.
func (q *Queries) CITriggerByDigest(ctx context.Context, digest string) (*model.CITrigger, error) {
	return scanCITrigger(q.queryRow(ctx, "SELECT "+ciTriggerColumns+" FROM ci_triggers WHERE token_digest = ?", digest))
}

// CreateCITrigger inserts t, filling in its ID and times.
func (q *Queries) CreateCITrigger(ctx context.Context, t *model.CITrigger) error {
	now := q.Now()
	t.CreatedAt, t.UpdatedAt = now, now
	id, err := q.insert(ctx, `INSERT INTO ci_triggers (project_id, owner_id, description, token_digest, short_token,
		expires_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ProjectID, t.OwnerID, t.Description, t.TokenDigest, t.ShortToken, nullMS(t.ExpiresAt), ms(now), ms(now))
	if err != nil {
		return fmt.Errorf("store: create ci trigger: %w", err)
	}
	t.ID = id
	return nil
}

// UpdateCITrigger writes t's description and owner.
func (q *Queries) UpdateCITrigger(ctx context.Context, t *model.CITrigger) error {
	t.UpdatedAt = q.Now()
	if _, err := q.exec(ctx, "UPDATE ci_triggers SET description = ?, owner_id = ?, updated_at = ? WHERE id = ?",
		t.Description, t.OwnerID, ms(t.UpdatedAt), t.ID); err != nil {
		return fmt.Errorf("store: update ci trigger: %w", err)
	}
	return nil
}

// TouchCITrigger records that a trigger token created a pipeline.
func (q *Queries) TouchCITrigger(ctx context.Context, id int64) error {
	if _, err := q.exec(ctx, "UPDATE ci_triggers SET last_used_at = ? WHERE id = ?", ms(q.Now()), id); err != nil {
		return fmt.Errorf("store: touch ci trigger: %w", err)
	}
	return nil
}

// DeleteCITrigger removes a trigger token.
func (q *Queries) DeleteCITrigger(ctx context.Context, id int64) error {
	if _, err := q.exec(ctx, "DELETE FROM ci_triggers WHERE id = ?", id); err != nil {
		return fmt.Errorf("store: delete ci trigger: %w", err)
	}
	return nil
}
