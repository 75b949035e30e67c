package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

const uploadColumns = `uploads.id, uploads.project_id, uploads.secret, uploads.filename, uploads.size,
	uploads.content_type, uploads.blob_key, uploads.uploaded_by_id, uploads.created_at`

func scanUpload(s scanner) (*model.Upload, error) {
	var u model.Upload
	var by sql.NullInt64
	var created int64
	if err := s.Scan(&u.ID, &u.ProjectID, &u.Secret, &u.Filename, &u.Size, &u.ContentType, &u.BlobKey,
		&by, &created); err != nil {
		return nil, wrapErr(err)
	}
	u.UploadedByID, u.CreatedAt = fromNullInt(by), fromMS(created)
	return &u, nil
}

// InsertUpload inserts u, filling in ID and CreatedAt (when zero); the
// same secret and filename twice in a project is ErrConflict.
func (q *Queries) InsertUpload(ctx context.Context, u *model.Upload) error {
	if u.CreatedAt.IsZero() {
		u.CreatedAt = q.Now()
	}
	id, err := q.insert(ctx, `INSERT INTO uploads (project_id, secret, filename, size, content_type, blob_key,
		uploaded_by_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ProjectID, u.Secret, u.Filename, u.Size, u.ContentType, u.BlobKey, nullInt(u.UploadedByID), ms(u.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: create upload: %w", err)
	}
	u.ID = id
	return nil
}

// UploadByID returns a project's upload by id.
func (q *Queries) UploadByID(ctx context.Context, projectID, id int64) (*model.Upload, error) {
	return scanUpload(q.queryRow(ctx, "SELECT "+uploadColumns+" FROM uploads WHERE project_id = ? AND id = ?", projectID, id))
}

// UploadBySecret returns a project's upload by secret and filename.
func (q *Queries) UploadBySecret(ctx context.Context, projectID int64, secret, filename string) (*model.Upload, error) {
	return scanUpload(q.queryRow(ctx, "SELECT "+uploadColumns+" FROM uploads WHERE project_id = ? AND secret = ? AND filename = ?",
		projectID, secret, filename))
}

// ListUploads returns a project's uploads, newest first, a page at a
// time, and how many there are.
func (q *Queries) ListUploads(ctx context.Context, projectID int64, limit, offset int) ([]*model.Upload, int, error) {
	var c conds
	c.add("project_id = ?", projectID)
	var total int
	if err := q.queryRow(ctx, "SELECT COUNT(*) FROM uploads"+c.where(), c.args...).Scan(&total); err != nil {
		return nil, 0, wrapErr(err)
	}
	args := append(c.args, limit, offset)
	rows, err := q.query(ctx, "SELECT "+uploadColumns+" FROM uploads"+c.where()+" ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?", args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: uploads: %w", err)
	}
	list, err := collect(rows, scanUpload)
	return list, total, err
}

// DeleteUpload deletes a project's upload row; ErrNotFound if there is none.
func (q *Queries) DeleteUpload(ctx context.Context, projectID, id int64) error {
	res, err := q.exec(ctx, "DELETE FROM uploads WHERE project_id = ? AND id = ?", projectID, id)
	if err != nil {
		return fmt.Errorf("store: delete upload: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
