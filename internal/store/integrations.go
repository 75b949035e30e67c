package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

const integrationColumns = `id, project_id, slug, active, push_events, tag_push_events, pipeline_events,
	properties, created_at, updated_at`

func scanIntegration(s scanner) (*model.Integration, error) {
	var i model.Integration
	var props string
	var created, updated int64
	if err := s.Scan(&i.ID, &i.ProjectID, &i.Slug, &i.Active, &i.PushEvents, &i.TagPushEvents, &i.PipelineEvents, &props,
		&created, &updated); err != nil {
		return nil, wrapErr(err)
	}
	if err := json.Unmarshal([]byte(props), &i.Properties); err != nil {
		return nil, fmt.Errorf("store: integration %d properties: %w", i.ID, err)
	}
	if i.Properties == nil {
		i.Properties = map[string]any{}
	}
	i.CreatedAt, i.UpdatedAt = fromMS(created), fromMS(updated)
	return &i, nil
}

// Integrations lists a project's integrations (activeOnly: the active
// ones), by slug.
func (q *Queries) Integrations(ctx context.Context, projectID int64, activeOnly bool) ([]*model.Integration, error) {
	query := "SELECT " + integrationColumns + " FROM integrations WHERE project_id = ?"
	if activeOnly {
		query += " AND active = TRUE"
	}
	rows, err := q.query(ctx, query+" ORDER BY slug", projectID)
	if err != nil {
		return nil, fmt.Errorf("store: list integrations: %w", err)
	}
	return collect(rows, scanIntegration)
}

// Integration returns a project's integration by slug (ErrNotFound when
// it was never set up).
func (q *Queries) Integration(ctx context.Context, projectID int64, slug string) (*model.Integration, error) {
	return scanIntegration(q.queryRow(ctx, "SELECT "+integrationColumns+
		" FROM integrations WHERE project_id = ? AND slug = ?", projectID, slug))
}

// SaveIntegration inserts i or, when the project has one of its slug
// already, overwrites it, in one statement (two concurrent first saves
// cannot both insert); i's id and times are filled in.
func (q *Queries) SaveIntegration(ctx context.Context, i *model.Integration) error {
	props, err := json.Marshal(i.Properties)
	if err != nil {
		return fmt.Errorf("store: save integration: %w", err)
	}
	now := q.Now()
	var created int64
	err = q.returning(ctx, `INSERT INTO integrations (project_id, slug, active, push_events, tag_push_events,
		pipeline_events, properties, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (project_id, slug) DO UPDATE SET active = excluded.active,
		push_events = excluded.push_events, tag_push_events = excluded.tag_push_events,
		pipeline_events = excluded.pipeline_events, properties = excluded.properties, updated_at = excluded.updated_at
		RETURNING id, created_at`,
		[]any{i.ProjectID, i.Slug, i.Active, i.PushEvents, i.TagPushEvents, i.PipelineEvents, string(props), ms(now), ms(now)},
		&i.ID, &created)
	if err != nil {
		return fmt.Errorf("store: save integration: %w", err)
	}
	i.CreatedAt, i.UpdatedAt = fromMS(created), fromMS(ms(now))
	return nil
}
