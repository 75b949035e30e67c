package store

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// InsertResourceEvent records one entry of a noteable's label, milestone
// or state history (e.Kind "label", "milestone" or "state"), filling in ID
// and CreatedAt. Run it in the transaction of the change it records.
func (q *Queries) InsertResourceEvent(ctx context.Context, e *model.ResourceEvent) error {
	e.CreatedAt = q.Now()
	var (
		id  int64
		err error
	)
	switch e.Kind {
	case "label":
		id, err = q.insert(ctx, `INSERT INTO resource_label_events (resource_type, resource_id, label_id,
			user_id, action, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			e.ResourceType, e.ResourceID, nullInt(e.LabelID), nullInt(e.UserID), e.Action, ms(e.CreatedAt))
	case "milestone":
		id, err = q.insert(ctx, `INSERT INTO resource_milestone_events (resource_type, resource_id,
			milestone_id, user_id, action, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			e.ResourceType, e.ResourceID, nullInt(e.MilestoneID), nullInt(e.UserID), e.Action, e.State, ms(e.CreatedAt))
	case "state":
		id, err = q.insert(ctx, `INSERT INTO resource_state_events (resource_type, resource_id, user_id,
			state, created_at) VALUES (?, ?, ?, ?, ?)`,
			e.ResourceType, e.ResourceID, nullInt(e.UserID), e.State, ms(e.CreatedAt))
	default:
		return fmt.Errorf("store: resource event of kind %q", e.Kind)
	}
	if err != nil {
		return fmt.Errorf("store: record %s event: %w", e.Kind, err)
	}
	e.ID = id
	return nil
}
