package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/lablet/lablet/internal/model"
)

// NotificationSetting returns a user's setting for a source; ErrNotFound
// when none was saved.
func (q *Queries) NotificationSetting(ctx context.Context, userID int64, sourceType string, sourceID int64) (*model.NotificationSetting, error) {
	n := model.NotificationSetting{UserID: userID, SourceType: sourceType, SourceID: sourceID}
	var events string
	var email sql.NullString
	err := q.queryRow(ctx, `SELECT level, events, notification_email FROM notification_settings
		WHERE user_id = ? AND source_type = ? AND source_id = ?`, userID, sourceType, sourceID).Scan(&n.Level, &events, &email)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: notification setting: %w", wrapErr(err))
	}
	if events != "" {
		n.Events = strings.Split(events, ",")
	}
	n.NotificationEmail = email.String
	return &n, nil
}

// SaveNotificationSetting writes a user's setting for a source.
func (q *Queries) SaveNotificationSetting(ctx context.Context, n *model.NotificationSetting) error {
	var email any
	if n.NotificationEmail != "" {
		email = n.NotificationEmail
	}
	_, err := q.exec(ctx, `INSERT INTO notification_settings (user_id, source_type, source_id, level, events,
		notification_email) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, source_type, source_id) DO UPDATE SET
		level = excluded.level, events = excluded.events, notification_email = excluded.notification_email`,
		n.UserID, n.SourceType, n.SourceID, n.Level, strings.Join(n.Events, ","), email)
	if err != nil {
		return fmt.Errorf("store: save notification setting: %w", err)
	}
	return nil
}

// CountPush adds a push to a repository's count since its last
// housekeeping and returns the new count, in one statement so that
// concurrent pushes get distinct numbers.
func (q *Queries) CountPush(ctx context.Context, projectID int64) (int64, error) {
	var n int64
	err := q.queryRow(ctx, `INSERT INTO repository_housekeeping (project_id, pushes_since_gc) VALUES (?, 1)
		ON CONFLICT (project_id) DO UPDATE SET pushes_since_gc = repository_housekeeping.pushes_since_gc + 1
		RETURNING pushes_since_gc`, projectID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count push: %w", wrapErr(err))
	}
	return n, nil
}

// ResetPushCount restarts a repository's count after a full housekeeping.
func (q *Queries) ResetPushCount(ctx context.Context, projectID int64) error {
	if _, err := q.exec(ctx, "UPDATE repository_housekeeping SET pushes_since_gc = 0 WHERE project_id = ?", projectID); err != nil {
		return fmt.Errorf("store: reset push count: %w", err)
	}
	return nil
}
