package store

import (
	"context"
	"fmt"
)

// Subscriptions are explicit: a row with subscribed FALSE records an
// unsubscription that overrides participation (issues); labels are
// subscribed per project (project_id 0: the label's own).

// Subscription returns a user's explicit subscription to a subscribable
// (nil when there is none).
func (q *Queries) Subscription(ctx context.Context, userID int64, typ string, id, projectID int64) (*bool, error) {
	var v bool
	err := q.queryRow(ctx, `SELECT subscribed FROM subscriptions WHERE subscribable_type = ? AND subscribable_id = ?
		AND user_id = ? AND project_id = ?`, typ, id, userID, projectID).Scan(&v)
	if err = wrapErr(err); err == ErrNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: subscription: %w", err)
	}
	return &v, nil
}

// SetSubscription records a user's explicit subscription or
// unsubscription.
func (q *Queries) SetSubscription(ctx context.Context, userID int64, typ string, id, projectID int64, subscribed bool) error {
	_, err := q.exec(ctx, `INSERT INTO subscriptions (user_id, subscribable_type, subscribable_id, project_id, subscribed)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (subscribable_type, subscribable_id, user_id, project_id)
		DO UPDATE SET subscribed = excluded.subscribed`, userID, typ, id, projectID, subscribed)
	if err != nil {
		return fmt.Errorf("store: subscribe: %w", wrapErr(err))
	}
	return nil
}

// Subscribed reports whether userID holds a subscription to the object in
// projectID (0: none) — that row only.
func (q *Queries) Subscribed(ctx context.Context, userID int64, typ string, id, projectID int64) (bool, error) {
	var n int64
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM subscriptions WHERE subscribable_type = ? AND subscribable_id = ?
		AND user_id = ? AND project_id = ? AND subscribed = TRUE`, typ, id, userID, projectID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: subscription: %w", wrapErr(err))
	}
	return n > 0, nil
}
