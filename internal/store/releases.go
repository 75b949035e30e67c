package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

const releaseColumns = `id, project_id, tag, name, description, author_id, sha, released_at, created_at, updated_at`

func scanRelease(s scanner) (*model.Release, error) {
	var r model.Release
	var author sql.NullInt64
	var released, created, updated int64
	if err := s.Scan(&r.ID, &r.ProjectID, &r.Tag, &r.Name, &r.Description, &author, &r.SHA, &released,
		&created, &updated); err != nil {
		return nil, wrapErr(err)
	}
	r.AuthorID = fromNullInt(author)
	r.ReleasedAt, r.CreatedAt, r.UpdatedAt = fromMS(released), fromMS(created), fromMS(updated)
	return &r, nil
}

// Releases lists the releases of f's projects in f's order (ties by id in
// the same direction) and counts them all.
func (q *Queries) Releases(ctx context.Context, f model.ReleaseFilter) ([]*model.Release, int, error) {
	if len(f.ProjectIDs) == 0 {
		return nil, 0, nil
	}
	where := " WHERE project_id IN (" + placeholders(len(f.ProjectIDs)) + ")"
	args := toAny(f.ProjectIDs)
	var total int
	if err := q.queryRow(ctx, "SELECT count(*) FROM releases"+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count releases: %w", wrapErr(err))
	}
	col := "released_at"
	if f.OrderBy == "created_at" {
		col = "created_at"
	}
	dir := " DESC"
	if f.Asc {
		dir = " ASC"
	}
	query := "SELECT " + releaseColumns + " FROM releases" + where + " ORDER BY " + col + dir + ", id" + dir
	if f.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d OFFSET %d", f.Limit, f.Offset)
	}
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list releases: %w", err)
	}
	list, err := collect(rows, scanRelease)
	return list, total, err
}

// ReleaseByTag returns a project's release of tag (ErrNotFound if none).
func (q *Queries) ReleaseByTag(ctx context.Context, projectID int64, tag string) (*model.Release, error) {
	return scanRelease(q.queryRow(ctx, "SELECT "+releaseColumns+" FROM releases WHERE project_id = ? AND tag = ?",
		projectID, tag))
}

// CreateRelease inserts r, filling in its ID and timestamps; a release of
// the same tag is ErrConflict.
func (q *Queries) CreateRelease(ctx context.Context, r *model.Release) error {
	now := q.Now()
	r.CreatedAt, r.UpdatedAt = now, now
	id, err := q.insert(ctx, `INSERT INTO releases (project_id, tag, name, description, author_id, sha, released_at,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ProjectID, r.Tag, r.Name, r.Description, nullInt(r.AuthorID), r.SHA, ms(r.ReleasedAt), ms(now), ms(now))
	if err != nil {
		return fmt.Errorf("store: create release: %w", err)
	}
	r.ID = id
	return nil
}

// UpdateRelease writes r's name, description and released_at.
func (q *Queries) UpdateRelease(ctx context.Context, r *model.Release) error {
	r.UpdatedAt = q.Now()
	if _, err := q.exec(ctx, `UPDATE releases SET name = ?, description = ?, released_at = ?, updated_at = ? WHERE id = ?`,
		r.Name, r.Description, ms(r.ReleasedAt), ms(r.UpdatedAt), r.ID); err != nil {
		return fmt.Errorf("store: update release: %w", err)
	}
	return nil
}

// DeleteRelease deletes a release with its links and milestone links.
func (q *Queries) DeleteRelease(ctx context.Context, id int64) error {
	for _, stmt := range []string{"DELETE FROM release_links WHERE release_id = ?",
		"DELETE FROM milestone_releases WHERE release_id = ?", "DELETE FROM releases WHERE id = ?"} {
		if _, err := q.exec(ctx, stmt, id); err != nil {
			return fmt.Errorf("store: delete release: %w", err)
		}
	}
	return nil
}

// ProjectMilestonesByTitle returns a project's own milestones with these
// titles.
func (q *Queries) ProjectMilestonesByTitle(ctx context.Context, projectID int64, titles []string) ([]*model.Milestone, error) {
	if len(titles) == 0 {
		return nil, nil
	}
	rows, err := q.query(ctx, "SELECT "+milestoneColumns+" FROM milestones WHERE project_id = ? AND title IN ("+
		placeholders(len(titles))+") ORDER BY id", append([]any{projectID}, toAny(titles)...)...)
	if err != nil {
		return nil, fmt.Errorf("store: milestones by title: %w", err)
	}
	return collect(rows, scanMilestone)
}

// SetReleaseMilestones replaces a release's milestones.
func (q *Queries) SetReleaseMilestones(ctx context.Context, releaseID int64, milestoneIDs []int64) error {
	if _, err := q.exec(ctx, "DELETE FROM milestone_releases WHERE release_id = ?", releaseID); err != nil {
		return fmt.Errorf("store: release milestones: %w", err)
	}
	for _, m := range milestoneIDs {
		if _, err := q.exec(ctx, "INSERT INTO milestone_releases (milestone_id, release_id) VALUES (?, ?)", m, releaseID); err != nil {
			return fmt.Errorf("store: release milestones: %w", err)
		}
	}
	return nil
}

// ReleaseMilestones returns the milestones of these releases by release
// id, each list in id order.
func (q *Queries) ReleaseMilestones(ctx context.Context, releaseIDs []int64) (map[int64][]*model.Milestone, error) {
	out := map[int64][]*model.Milestone{}
	if len(releaseIDs) == 0 {
		return out, nil
	}
	rows, err := q.query(ctx, "SELECT mr.release_id, "+milestoneColumns+` FROM milestone_releases mr
		JOIN milestones ON milestones.id = mr.milestone_id WHERE mr.release_id IN (`+placeholders(len(releaseIDs))+
		") ORDER BY milestones.id", toAny(releaseIDs)...)
	if err != nil {
		return nil, fmt.Errorf("store: release milestones: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var rid int64
		m, err := scanMilestone(prefixScanner{rows, []any{&rid}})
		if err != nil {
			return nil, err
		}
		out[rid] = append(out[rid], m)
	}
	return out, wrapErr(rows.Err())
}

const releaseLinkColumns = `id, release_id, name, url, filepath, link_type, created_at, updated_at`

func scanReleaseLink(s scanner) (*model.ReleaseLink, error) {
	var l model.ReleaseLink
	var fp sql.NullString
	var created, updated int64
	if err := s.Scan(&l.ID, &l.ReleaseID, &l.Name, &l.URL, &fp, &l.LinkType, &created, &updated); err != nil {
		return nil, wrapErr(err)
	}
	l.Filepath = fromNullStr(fp)
	l.CreatedAt, l.UpdatedAt = fromMS(created), fromMS(updated)
	return &l, nil
}

// ReleaseLinks returns the links of these releases by release id, each
// list in GitLab's sorted_links order (newest first).
func (q *Queries) ReleaseLinks(ctx context.Context, releaseIDs []int64) (map[int64][]*model.ReleaseLink, error) {
	out := map[int64][]*model.ReleaseLink{}
	if len(releaseIDs) == 0 {
		return out, nil
	}
	rows, err := q.query(ctx, "SELECT "+releaseLinkColumns+" FROM release_links WHERE release_id IN ("+
		placeholders(len(releaseIDs))+") ORDER BY id DESC", toAny(releaseIDs)...)
	if err != nil {
		return nil, fmt.Errorf("store: release links: %w", err)
	}
	list, err := collect(rows, scanReleaseLink)
	if err != nil {
		return nil, err
	}
	for _, l := range list {
		out[l.ReleaseID] = append(out[l.ReleaseID], l)
	}
	return out, nil
}

// ReleaseLink returns one link of a release (ErrNotFound if none).
func (q *Queries) ReleaseLink(ctx context.Context, releaseID, id int64) (*model.ReleaseLink, error) {
	return scanReleaseLink(q.queryRow(ctx, "SELECT "+releaseLinkColumns+" FROM release_links WHERE release_id = ? AND id = ?",
		releaseID, id))
}

// CreateReleaseLink inserts l, filling in its ID and timestamps; a name,
// url or filepath taken in the release is ErrConflict.
func (q *Queries) CreateReleaseLink(ctx context.Context, l *model.ReleaseLink) error {
	now := q.Now()
	l.CreatedAt, l.UpdatedAt = now, now
	id, err := q.insert(ctx, `INSERT INTO release_links (release_id, name, url, filepath, link_type, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, l.ReleaseID, l.Name, l.URL, nullStr(l.Filepath), l.LinkType, ms(now), ms(now))
	if err != nil {
		return fmt.Errorf("store: create release link: %w", err)
	}
	l.ID = id
	return nil
}

// UpdateReleaseLink writes l's fields.
func (q *Queries) UpdateReleaseLink(ctx context.Context, l *model.ReleaseLink) error {
	l.UpdatedAt = q.Now()
	if _, err := q.exec(ctx, `UPDATE release_links SET name = ?, url = ?, filepath = ?, link_type = ?, updated_at = ?
		WHERE id = ?`, l.Name, l.URL, nullStr(l.Filepath), l.LinkType, ms(l.UpdatedAt), l.ID); err != nil {
		return fmt.Errorf("store: update release link: %w", err)
	}
	return nil
}

// DeleteReleaseLink deletes one link.
func (q *Queries) DeleteReleaseLink(ctx context.Context, id int64) error {
	if _, err := q.exec(ctx, "DELETE FROM release_links WHERE id = ?", id); err != nil {
		return fmt.Errorf("store: delete release link: %w", err)
	}
	return nil
}

// ReleaseLinkTaken names the fields of l another link of its release
// already holds ("Name", "Url", "Filepath").
func (q *Queries) ReleaseLinkTaken(ctx context.Context, l *model.ReleaseLink) ([]string, error) {
	var taken []string
	checks := []struct {
		field, col string
		v          any
	}{{"Name", "name", l.Name}, {"Url", "url", l.URL}}
	if l.Filepath != nil {
		checks = append(checks, struct {
			field, col string
			v          any
		}{"Filepath", "filepath", *l.Filepath})
	}
	for _, c := range checks {
		var n int
		if err := q.queryRow(ctx, "SELECT count(*) FROM release_links WHERE release_id = ? AND "+c.col+" = ? AND id <> ?",
			l.ReleaseID, c.v, l.ID).Scan(&n); err != nil {
			return nil, fmt.Errorf("store: release link taken: %w", wrapErr(err))
		}
		if n > 0 {
			taken = append(taken, c.field)
		}
	}
	return taken, nil
}
