package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// resourceEventTables are the tables of the kinds of resource events and
// the columns each reads into a model.ResourceEvent.
var resourceEventTables = map[string]struct{ table, columns string }{
	"label":     {"resource_label_events", "id, resource_type, resource_id, user_id, action, label_id, NULL, '', created_at"},
	"milestone": {"resource_milestone_events", "id, resource_type, resource_id, user_id, action, NULL, milestone_id, state, created_at"},
	"state":     {"resource_state_events", "id, resource_type, resource_id, user_id, '', NULL, NULL, state, created_at"},
}

func scanResourceEvent(kind string) func(s scanner) (*model.ResourceEvent, error) {
	return func(s scanner) (*model.ResourceEvent, error) {
		e := model.ResourceEvent{Kind: kind}
		var user, label, milestone sql.NullInt64
		var created int64
		if err := s.Scan(&e.ID, &e.ResourceType, &e.ResourceID, &user, &e.Action, &label, &milestone, &e.State,
			&created); err != nil {
			return nil, wrapErr(err)
		}
		e.UserID, e.LabelID, e.MilestoneID = fromNullInt(user), fromNullInt(label), fromNullInt(milestone)
		e.CreatedAt = fromMS(created)
		return &e, nil
	}
}

// ListResourceEvents returns one page of a resource's events of one kind
// ("label", "milestone", "state"), oldest first, and how many there are.
func (q *Queries) ListResourceEvents(ctx context.Context, kind, resourceType string, resourceID int64, limit, offset int) ([]*model.ResourceEvent, int, error) {
	t, ok := resourceEventTables[kind]
	if !ok {
		return nil, 0, fmt.Errorf("store: resource events of kind %q", kind)
	}
	var c conds
	c.add("resource_type = ?", resourceType)
	c.add("resource_id = ?", resourceID)
	var total int
	if err := q.queryRow(ctx, "SELECT COUNT(*) FROM "+t.table+c.where(), c.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count %s events: %w", kind, wrapErr(err))
	}
	rows, err := q.query(ctx, "SELECT "+t.columns+" FROM "+t.table+c.where()+" ORDER BY id LIMIT ? OFFSET ?",
		append(c.args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list %s events: %w", kind, err)
	}
	events, err := collect(rows, scanResourceEvent(kind))
	return events, total, err
}

// ResourceEventOf returns event id of one kind if it belongs to this
// resource.
func (q *Queries) ResourceEventOf(ctx context.Context, kind, resourceType string, resourceID, id int64) (*model.ResourceEvent, error) {
	t, ok := resourceEventTables[kind]
	if !ok {
		return nil, fmt.Errorf("store: resource events of kind %q", kind)
	}
	return scanResourceEvent(kind)(q.queryRow(ctx, "SELECT "+t.columns+" FROM "+t.table+
		" WHERE id = ? AND resource_type = ? AND resource_id = ?", id, resourceType, resourceID))
}
