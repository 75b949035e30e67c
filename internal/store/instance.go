package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lablet/lablet/internal/model"
)

const broadcastColumns = `id, message, starts_at, ends_at, font, target_access_levels, target_path,
	broadcast_type, theme, dismissable, created_at, updated_at`

func scanBroadcastMessage(row interface{ Scan(...any) error }) (*model.BroadcastMessage, error) {
	var m model.BroadcastMessage
	var starts, ends, created, updated int64
	var levels string
	if err := row.Scan(&m.ID, &m.Message, &starts, &ends, &m.Font, &levels, &m.TargetPath,
		&m.BroadcastType, &m.Theme, &m.Dismissable, &created, &updated); err != nil {
		return nil, wrapErr(err)
	}
	if err := json.Unmarshal([]byte(levels), &m.TargetAccessLevels); err != nil {
		return nil, fmt.Errorf("store: broadcast message %d levels: %w", m.ID, err)
	}
	m.StartsAt, m.EndsAt, m.CreatedAt, m.UpdatedAt = fromMS(starts), fromMS(ends), fromMS(created), fromMS(updated)
	return &m, nil
}

func levelsJSON(levels []int64) string {
	if levels == nil {
		levels = []int64{}
	}
	b, _ := json.Marshal(levels) // integers always encode
	return string(b)
}

// BroadcastMessages returns a page of the broadcast messages, newest
// first (GitLab's order_id_desc), and their number.
func (q *Queries) BroadcastMessages(ctx context.Context, limit, offset int) ([]*model.BroadcastMessage, int, error) {
	var total int
	if err := q.queryRow(ctx, "SELECT COUNT(*) FROM broadcast_messages").Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count broadcast messages: %w", err)
	}
	rows, err := q.query(ctx, "SELECT "+broadcastColumns+" FROM broadcast_messages ORDER BY id DESC LIMIT ? OFFSET ?", limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("store: broadcast messages: %w", err)
	}
	defer rows.Close()
	out := []*model.BroadcastMessage{}
	for rows.Next() {
		m, err := scanBroadcastMessage(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, m)
	}
	return out, total, rows.Err()
}

// BroadcastMessage reads one broadcast message (ErrNotFound).
func (q *Queries) BroadcastMessage(ctx context.Context, id int64) (*model.BroadcastMessage, error) {
	return scanBroadcastMessage(q.queryRow(ctx, "SELECT "+broadcastColumns+" FROM broadcast_messages WHERE id = ?", id))
}

// CreateBroadcastMessage inserts m and sets its id and times.
func (q *Queries) CreateBroadcastMessage(ctx context.Context, m *model.BroadcastMessage) error {
	now := q.Now()
	id, err := q.insert(ctx, `INSERT INTO broadcast_messages (message, starts_at, ends_at, font, target_access_levels,
		target_path, broadcast_type, theme, dismissable, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.Message, ms(m.StartsAt), ms(m.EndsAt), m.Font, levelsJSON(m.TargetAccessLevels), m.TargetPath,
		m.BroadcastType, m.Theme, m.Dismissable, ms(now), ms(now))
	if err != nil {
		return fmt.Errorf("store: create broadcast message: %w", err)
	}
	m.ID, m.CreatedAt, m.UpdatedAt = id, now, now
	return nil
}

// UpdateBroadcastMessage applies change to message id in one transaction
// (ErrNotFound when it is gone); change returning an error writes nothing.
func (db *DB) UpdateBroadcastMessage(ctx context.Context, id int64, change func(*model.BroadcastMessage) error) (*model.BroadcastMessage, error) {
	var out *model.BroadcastMessage
	err := db.WithTx(ctx, func(q *Queries) error {
		lock := ""
		if q.dialect == Postgres {
			lock = " FOR UPDATE"
		}
		m, err := scanBroadcastMessage(q.queryRow(ctx, "SELECT "+broadcastColumns+" FROM broadcast_messages WHERE id = ?"+lock, id))
		if err != nil {
			return err
		}
		if err := change(m); err != nil {
			return err
		}
		m.UpdatedAt = q.Now()
		if _, err := q.exec(ctx, `UPDATE broadcast_messages SET message = ?, starts_at = ?, ends_at = ?, font = ?,
			target_access_levels = ?, target_path = ?, broadcast_type = ?, theme = ?, dismissable = ?, updated_at = ?
			WHERE id = ?`, m.Message, ms(m.StartsAt), ms(m.EndsAt), m.Font, levelsJSON(m.TargetAccessLevels), m.TargetPath,
			m.BroadcastType, m.Theme, m.Dismissable, ms(m.UpdatedAt), id); err != nil {
			return fmt.Errorf("store: update broadcast message: %w", err)
		}
		out = m
		return nil
	})
	return out, err
}

// DeleteBroadcastMessage deletes message id (ErrNotFound when none).
func (q *Queries) DeleteBroadcastMessage(ctx context.Context, id int64) error {
	res, err := q.exec(ctx, "DELETE FROM broadcast_messages WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("store: delete broadcast message: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// Features lists the feature flags set, by name.
func (q *Queries) Features(ctx context.Context) ([]model.Feature, error) {
	rows, err := q.query(ctx, "SELECT name, enabled FROM features ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("store: features: %w", err)
	}
	defer rows.Close()
	out := []model.Feature{}
	for rows.Next() {
		var f model.Feature
		if err := rows.Scan(&f.Name, &f.Enabled); err != nil {
			return nil, fmt.Errorf("store: features: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// SetFeature writes a flag's boolean gate, creating the flag.
func (q *Queries) SetFeature(ctx context.Context, name string, enabled bool) error {
	now := ms(q.Now())
	if _, err := q.exec(ctx, `INSERT INTO features (name, enabled, created_at, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at`,
		name, enabled, now, now); err != nil {
		return fmt.Errorf("store: set feature %s: %w", name, err)
	}
	return nil
}

// DeleteFeature removes a flag; removing an unknown one is no error.
func (q *Queries) DeleteFeature(ctx context.Context, name string) error {
	if _, err := q.exec(ctx, "DELETE FROM features WHERE name = ?", name); err != nil {
		return fmt.Errorf("store: delete feature %s: %w", name, err)
	}
	return nil
}

// InstanceStatistics counts the instance's records in one query. Forks
// are projects forked from another; active users are active humans.
func (q *Queries) InstanceStatistics(ctx context.Context) (*model.InstanceStatistics, error) {
	var s model.InstanceStatistics
	err := q.queryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM projects WHERE forked_from_project_id IS NOT NULL),
		(SELECT COUNT(*) FROM issues),
		(SELECT COUNT(*) FROM merge_requests),
		(SELECT COUNT(*) FROM notes),
		(SELECT COUNT(*) FROM keys WHERE NOT deploy),
		(SELECT COUNT(*) FROM milestones),
		(SELECT COUNT(*) FROM users),
		(SELECT COUNT(*) FROM namespaces WHERE kind = 'group'),
		(SELECT COUNT(*) FROM projects),
		(SELECT COUNT(*) FROM users WHERE state = 'active' AND NOT bot)`).Scan(
		&s.Forks, &s.Issues, &s.MergeRequests, &s.Notes, &s.SSHKeys, &s.Milestones,
		&s.Users, &s.Groups, &s.Projects, &s.ActiveUsers)
	if err != nil {
		return nil, fmt.Errorf("store: instance statistics: %w", err)
	}
	return &s, nil
}

// JobQueueStats counts the background queue's jobs by queue and state,
// from River's river_job table, in one query.
func (q *Queries) JobQueueStats(ctx context.Context) ([]model.JobQueueStats, error) {
	rows, err := q.query(ctx, `SELECT queue, state, COUNT(*), MIN(scheduled_at) FROM river_job GROUP BY queue, state ORDER BY queue`)
	if err != nil {
		return nil, fmt.Errorf("store: job queue stats: %w", err)
	}
	defer rows.Close()
	var out []model.JobQueueStats
	for rows.Next() {
		var queue, state string
		var n int64
		var oldest any
		if err := rows.Scan(&queue, &state, &n, &oldest); err != nil {
			return nil, fmt.Errorf("store: job queue stats: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].Queue != queue {
			out = append(out, model.JobQueueStats{Queue: queue})
		}
		st := &out[len(out)-1]
		switch state {
		case "available":
			st.Available, st.OldestAvailable = n, riverTime(oldest)
		case "running":
			st.Running = n
		case "retryable":
			st.Retryable = n
		case "scheduled", "pending":
			st.Scheduled += n
		case "completed":
			st.Completed = n
		case "discarded":
			st.Discarded = n
		case "cancelled":
			st.Cancelled = n
		}
	}
	return out, rows.Err()
}

// riverTime reads a River timestamp: a time on PostgreSQL, text on SQLite.
func riverTime(v any) time.Time {
	switch t := v.(type) {
	case time.Time:
		return t
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999", time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
			if parsed, err := time.Parse(layout, t); err == nil {
				return parsed
			}
		}
	case []byte:
		return riverTime(string(t))
	}
	return time.Time{}
}
