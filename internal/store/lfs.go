package store

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// LFSObjectSize returns the size of the stored LFS object oid;
// ErrNotFound if there is none.
func (q *Queries) LFSObjectSize(ctx context.Context, oid string) (int64, error) {
	var size int64
	if err := q.queryRow(ctx, "SELECT size FROM lfs_objects WHERE oid = ?", oid).Scan(&size); err != nil {
		return 0, wrapErr(err)
	}
	return size, nil
}

// LinkLFSObject records the object oid (once per oid) and links it to the
// project (once per project).
func (q *Queries) LinkLFSObject(ctx context.Context, projectID int64, oid string, size int64) error {
	now := ms(q.Now())
	if _, err := q.exec(ctx, `INSERT INTO lfs_objects (oid, size, created_at) VALUES (?, ?, ?)
		ON CONFLICT (oid) DO NOTHING`, oid, size, now); err != nil {
		return fmt.Errorf("store: record lfs object: %w", err)
	}
	if _, err := q.exec(ctx, `INSERT INTO lfs_objects_projects (oid, project_id, created_at) VALUES (?, ?, ?)
		ON CONFLICT (project_id, oid) DO NOTHING`, oid, projectID, now); err != nil {
		return fmt.Errorf("store: link lfs object: %w", err)
	}
	return nil
}

// LinkedLFSObjects returns, of oids, those linked to the project, with
// their sizes.
func (q *Queries) LinkedLFSObjects(ctx context.Context, projectID int64, oids []string) (map[string]int64, error) {
	out := make(map[string]int64, len(oids))
	if len(oids) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(oids)+1)
	args = append(args, projectID)
	for _, o := range oids {
		args = append(args, o)
	}
	rows, err := q.query(ctx, `SELECT o.oid, o.size FROM lfs_objects_projects l JOIN lfs_objects o ON o.oid = l.oid
		WHERE l.project_id = ? AND l.oid IN (`+placeholders(len(oids))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: linked lfs objects: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var oid string
		var size int64
		if err := rows.Scan(&oid, &size); err != nil {
			return nil, wrapErr(err)
		}
		out[oid] = size
	}
	return out, wrapErr(rows.Err())
}

// CopyLFSLinks links to project to every object linked to from (a fork
// shares its source's objects, as GitLab's fork service links them).
func (q *Queries) CopyLFSLinks(ctx context.Context, from, to int64) error {
	if _, err := q.exec(ctx, `INSERT INTO lfs_objects_projects (oid, project_id, created_at)
		SELECT oid, ?, ? FROM lfs_objects_projects WHERE project_id = ? ON CONFLICT (project_id, oid) DO NOTHING`,
		to, ms(q.Now()), from); err != nil {
		return fmt.Errorf("store: copy lfs links: %w", err)
	}
	return nil
}

const lfsLockColumns = `k.id, k.project_id, k.user_id, k.path, k.created_at, u.name`

func scanLFSLock(s scanner) (*model.LFSLock, error) {
	var l model.LFSLock
	var created int64
	if err := s.Scan(&l.ID, &l.ProjectID, &l.UserID, &l.Path, &created, &l.OwnerName); err != nil {
		return nil, wrapErr(err)
	}
	l.CreatedAt = fromMS(created)
	return &l, nil
}

// InsertLFSLock takes a lock on l.Path for l.UserID, filling in ID and
// CreatedAt; a path already locked in the project is ErrConflict.
func (q *Queries) InsertLFSLock(ctx context.Context, l *model.LFSLock) error {
	l.CreatedAt = q.Now()
	id, err := q.insert(ctx, `INSERT INTO lfs_file_locks (project_id, user_id, path, created_at) VALUES (?, ?, ?, ?)`,
		l.ProjectID, l.UserID, l.Path, ms(l.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: create lfs lock: %w", err)
	}
	l.ID = id
	return nil
}

// LFSLockByID returns a project's lock by id.
func (q *Queries) LFSLockByID(ctx context.Context, projectID, id int64) (*model.LFSLock, error) {
	return scanLFSLock(q.queryRow(ctx, "SELECT "+lfsLockColumns+` FROM lfs_file_locks k JOIN users u ON u.id = k.user_id
		WHERE k.project_id = ? AND k.id = ?`, projectID, id))
}

// LFSLockByPath returns a project's lock on path.
func (q *Queries) LFSLockByPath(ctx context.Context, projectID int64, path string) (*model.LFSLock, error) {
	return scanLFSLock(q.queryRow(ctx, "SELECT "+lfsLockColumns+` FROM lfs_file_locks k JOIN users u ON u.id = k.user_id
		WHERE k.project_id = ? AND k.path = ?`, projectID, path))
}

// ListLFSLocks returns a project's locks by id, at most limit of them
// with ids above after.
func (q *Queries) ListLFSLocks(ctx context.Context, projectID, after int64, limit int) ([]*model.LFSLock, error) {
	rows, err := q.query(ctx, "SELECT "+lfsLockColumns+` FROM lfs_file_locks k JOIN users u ON u.id = k.user_id
		WHERE k.project_id = ? AND k.id > ? ORDER BY k.id LIMIT ?`, projectID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list lfs locks: %w", err)
	}
	defer rows.Close()
	var out []*model.LFSLock
	for rows.Next() {
		l, err := scanLFSLock(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, wrapErr(rows.Err())
}

// DeleteLFSLock removes a lock; false if it was already gone.
func (q *Queries) DeleteLFSLock(ctx context.Context, projectID, id int64) (bool, error) {
	res, err := q.exec(ctx, "DELETE FROM lfs_file_locks WHERE project_id = ? AND id = ?", projectID, id)
	if err != nil {
		return false, fmt.Errorf("store: delete lfs lock: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, wrapErr(err)
}
