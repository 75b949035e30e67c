package store

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// StarProject records userID's star on projectID; false when it was
// starred already. The count moves in the same transaction as the row,
// by one statement each, so concurrent stars never lose a count; only
// the project's row version moves (its entity shows the count, no list
// or access decision depends on it).
func (q *Queries) StarProject(ctx context.Context, userID, projectID int64) (bool, error) {
	res, err := q.exec(ctx, `INSERT INTO users_star_projects (user_id, project_id, created_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, userID, projectID, ms(q.Now()))
	if err != nil {
		return false, fmt.Errorf("store: star project: %w", err)
	}
	return q.moveStarCount(ctx, res, projectID, "+ 1")
}

// UnstarProject removes userID's star on projectID; false when there was none.
func (q *Queries) UnstarProject(ctx context.Context, userID, projectID int64) (bool, error) {
	res, err := q.exec(ctx, "DELETE FROM users_star_projects WHERE user_id = ? AND project_id = ?", userID, projectID)
	if err != nil {
		return false, fmt.Errorf("store: unstar project: %w", err)
	}
	return q.moveStarCount(ctx, res, projectID, "- 1")
}

func (q *Queries) moveStarCount(ctx context.Context, res interface{ RowsAffected() (int64, error) }, projectID int64, delta string) (bool, error) {
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: star count: %w", err)
	}
	if n == 0 {
		return false, nil
	}
	rq := *q
	rq.rowOnly = projectID
	if _, err := rq.exec(ctx, "UPDATE projects SET star_count = star_count "+delta+" WHERE id = ?", projectID); err != nil {
		return false, fmt.Errorf("store: star count: %w", err)
	}
	return true, nil
}

// ProjectStarrers lists one page of a project's starrers, newest star
// first, matching search on username or name, and their total.
// Private profiles show only to viewerID and administrators.
func (q *Queries) ProjectStarrers(ctx context.Context, projectID int64, search string, viewerID int64, admin bool,
	limit, offset int) ([]model.Starrer, int, error) {
	w := conds{}
	w.add("s.project_id = ?", projectID)
	if !admin {
		w.add("(u.private_profile = ? OR u.id = ?)", false, viewerID)
	}
	if search != "" {
		w.search(search, "u.username", "u.name")
	}
	from := " FROM users_star_projects s JOIN users u ON u.id = s.user_id" + w.where()
	var total int
	if err := q.queryRow(ctx, "SELECT count(*)"+from, w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count starrers: %w", wrapErr(err))
	}
	rows, err := q.query(ctx, "SELECT "+userColumns+", s.created_at"+from+" ORDER BY s.created_at DESC, s.user_id DESC LIMIT ? OFFSET ?",
		append(w.args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list starrers: %w", err)
	}
	out, err := collect(rows, func(s scanner) (model.Starrer, error) {
		var at int64
		u, err := scanUser(projectSuffixScanner{s, []any{&at}})
		return model.Starrer{User: u, StarredAt: fromMS(at)}, err
	})
	return out, total, err
}
