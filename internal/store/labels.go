package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/lablet/lablet/internal/model"
)

const labelColumns = `labels.id, labels.project_id, labels.group_id, labels.title, labels.color,
	labels.description, labels.created_at, labels.updated_at`

func scanLabel(s scanner) (*model.Label, error) {
	var l model.Label
	var project, group sql.NullInt64
	var created, updated int64
	if err := s.Scan(&l.ID, &project, &group, &l.Title, &l.Color, &l.Description, &created, &updated); err != nil {
		return nil, wrapErr(err)
	}
	l.ProjectID, l.GroupID = fromNullInt(project), fromNullInt(group)
	l.CreatedAt, l.UpdatedAt = fromMS(created), fromMS(updated)
	return &l, nil
}

// LabelByID returns the label with this id.
func (q *Queries) LabelByID(ctx context.Context, id int64) (*model.Label, error) {
	return scanLabel(q.queryRow(ctx, "SELECT "+labelColumns+" FROM labels WHERE id = ?", id))
}

// LabelsByIDs returns the labels with these ids, in id order.
func (q *Queries) LabelsByIDs(ctx context.Context, ids []int64) ([]*model.Label, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	byID, err := readManyThrough(q, q.caches().labels, TopicLabels, slices.Compact(slices.Sorted(slices.Values(ids))),
		func(l *model.Label) int64 { return l.ID }, copyLabel,
		func(missing []int64) ([]*model.Label, error) {
			rows, err := q.query(ctx, "SELECT "+labelColumns+" FROM labels WHERE id IN ("+placeholders(len(missing))+")", toAny(missing)...)
			if err != nil {
				return nil, fmt.Errorf("store: labels: %w", err)
			}
			return collect(rows, scanLabel)
		})
	return sortedByID(byID, func(l *model.Label) int64 { return l.ID }), err
}

func copyLabel(l *model.Label) *model.Label { c := *l; return &c }

// AvailableLabels returns the labels a project may use — its own and
// those of its namespace and the namespace's ancestors — by title, then
// project labels before group ones. titles, when not empty, keeps those
// with exactly these titles.
func (q *Queries) AvailableLabels(ctx context.Context, projectID, namespaceID int64, titles []string) ([]*model.Label, error) {
	query := "SELECT " + labelColumns + ` FROM labels WHERE (project_id = ? OR group_id IN
		(SELECT ancestor_id FROM namespace_closure WHERE descendant_id = ?))`
	args := []any{projectID, namespaceID}
	if len(titles) > 0 {
		query += " AND title IN (" + placeholders(len(titles)) + ")"
		for _, t := range titles {
			args = append(args, t)
		}
	}
	rows, err := q.query(ctx, query+" ORDER BY title, project_id IS NULL, id", args...)
	if err != nil {
		return nil, fmt.Errorf("store: available labels: %w", err)
	}
	return collect(rows, scanLabel)
}

// InsertLabel inserts l, filling in ID and timestamps; a label with the
// same title in the same project or group is ErrConflict.
func (q *Queries) InsertLabel(ctx context.Context, l *model.Label) error {
	now := q.Now()
	l.CreatedAt, l.UpdatedAt = now, now
	id, err := q.insert(ctx, `INSERT INTO labels (project_id, group_id, title, color, description,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		nullInt(l.ProjectID), nullInt(l.GroupID), l.Title, l.Color, l.Description, ms(now), ms(now))
	if err != nil {
		return fmt.Errorf("store: create label: %w", err)
	}
	l.ID = id
	return nil
}

// InsertProjectLabelOnce inserts project label l unless its project has a
// label of that title — one a concurrent transaction committed while this
// one waited on it included, where InsertLabel would fail — and returns
// the label of that title either way (Labels::FindOrCreateService).
func (q *Queries) InsertProjectLabelOnce(ctx context.Context, l *model.Label) (*model.Label, error) {
	if l.ProjectID == nil {
		return nil, fmt.Errorf("store: create label once: not a project label")
	}
	now := ms(q.Now())
	if _, err := q.exec(ctx, `INSERT INTO labels (project_id, group_id, title, color, description,
		created_at, updated_at) VALUES (?, NULL, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		*l.ProjectID, l.Title, l.Color, l.Description, now, now); err != nil {
		return nil, fmt.Errorf("store: create label: %w", err)
	}
	got, err := scanLabel(q.queryRow(ctx, "SELECT "+labelColumns+" FROM labels WHERE project_id = ? AND title = ?",
		*l.ProjectID, l.Title))
	if err != nil {
		return nil, fmt.Errorf("store: create label: %w", err)
	}
	return got, nil
}
