package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

const badgeColumns = `b.id, b.project_id, b.group_id, b.name, b.link_url, b.image_url, b.created_at, b.updated_at`

func scanBadge(s scanner) (*model.Badge, error) {
	var b model.Badge
	var project, group sql.NullInt64
	var name sql.NullString
	var created, updated int64
	if err := s.Scan(&b.ID, &project, &group, &name, &b.LinkURL, &b.ImageURL, &created, &updated); err != nil {
		return nil, wrapErr(err)
	}
	b.ProjectID, b.GroupID, b.Name = project.Int64, group.Int64, fromNullStr(name)
	b.CreatedAt, b.UpdatedAt = fromMS(created), fromMS(updated)
	return &b, nil
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// CreateBadge inserts b, filling in its ID and times.
func (q *Queries) CreateBadge(ctx context.Context, b *model.Badge) error {
	now := q.Now()
	b.CreatedAt, b.UpdatedAt = now, now
	id, err := q.insert(ctx, `INSERT INTO badges (project_id, group_id, name, link_url, image_url, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, nullID(b.ProjectID), nullID(b.GroupID), nullStr(b.Name), b.LinkURL, b.ImageURL, ms(now), ms(now))
	if err != nil {
		return fmt.Errorf("store: create badge: %w", err)
	}
	b.ID = id
	return nil
}

// UpdateBadge writes b's name and URLs.
func (q *Queries) UpdateBadge(ctx context.Context, b *model.Badge) error {
	b.UpdatedAt = q.Now()
	_, err := q.exec(ctx, "UPDATE badges SET name = ?, link_url = ?, image_url = ?, updated_at = ? WHERE id = ?",
		nullStr(b.Name), b.LinkURL, b.ImageURL, ms(b.UpdatedAt), b.ID)
	if err != nil {
		return fmt.Errorf("store: update badge: %w", err)
	}
	return nil
}

// DeleteBadge removes a badge.
func (q *Queries) DeleteBadge(ctx context.Context, id int64) error {
	if _, err := q.exec(ctx, "DELETE FROM badges WHERE id = ?", id); err != nil {
		return fmt.Errorf("store: delete badge: %w", err)
	}
	return nil
}

// badgesWhere selects a project's own badges and those of its group and
// the group's ancestors (projectID set), or a group's own (groupID).
func badgesWhere(projectID, namespaceID, groupID int64) conds {
	var w conds
	if projectID != 0 {
		w.add(`(b.project_id = ? OR b.group_id IN (SELECT c.ancestor_id FROM namespace_closure c WHERE c.descendant_id = ?))`,
			projectID, namespaceID)
	} else {
		w.add("b.group_id = ?", groupID)
	}
	return w
}

// Badges lists one page of badges (see badgesWhere) in creation order,
// those named name only when name is not nil, and their total.
func (q *Queries) Badges(ctx context.Context, projectID, namespaceID, groupID int64, name *string, limit, offset int) ([]*model.Badge, int, error) {
	w := badgesWhere(projectID, namespaceID, groupID)
	if name != nil {
		w.add("b.name = ?", *name)
	}
	var total int
	if err := q.queryRow(ctx, "SELECT count(*) FROM badges b"+w.where(), w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count badges: %w", wrapErr(err))
	}
	rows, err := q.query(ctx, "SELECT "+badgeColumns+" FROM badges b"+w.where()+" ORDER BY b.created_at, b.id LIMIT ? OFFSET ?",
		append(w.args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list badges: %w", err)
	}
	out, err := collect(rows, scanBadge)
	return out, total, err
}

// Badge finds badge id among those badgesWhere selects.
func (q *Queries) Badge(ctx context.Context, projectID, namespaceID, groupID, id int64) (*model.Badge, error) {
	w := badgesWhere(projectID, namespaceID, groupID)
	w.add("b.id = ?", id)
	return scanBadge(q.queryRow(ctx, "SELECT "+badgeColumns+" FROM badges b"+w.where(), w.args...))
}
