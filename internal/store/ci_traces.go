package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lablet/lablet/internal/model"
)

// AppendTrace appends data to a running job's trace at offset: the job's
// trace_size moves from offset to offset+len(data) in the same statement
// that checks it, so a PATCH at any other offset, or for a job no longer
// running, changes nothing and reports false with the current size.
func (q *Queries) AppendTrace(ctx context.Context, jobID, offset int64, data []byte) (bool, int64, error) {
	var size int64
	err := q.returning(ctx, `UPDATE ci_builds SET trace_size = trace_size + ?, updated_at = ?
		WHERE id = ? AND trace_size = ? AND status = 'running' RETURNING trace_size`,
		[]any{int64(len(data)), ms(q.Now()), jobID, offset}, &size)
	if err == ErrNotFound {
		err = q.queryRow(ctx, "SELECT trace_size FROM ci_builds WHERE id = ?", jobID).Scan(&size)
		return false, size, wrapErr(err)
	}
	if err != nil {
		return false, 0, fmt.Errorf("store: append trace: %w", err)
	}
	if len(data) > 0 {
		if _, err := q.exec(ctx, "INSERT INTO ci_build_trace_chunks (build_id, byte_offset, data) VALUES (?, ?, ?)",
			jobID, offset, data); err != nil {
			return false, 0, fmt.Errorf("store: append trace: %w", wrapErr(err))
		}
	}
	return true, size, nil
}

// TraceChunks returns a job's live trace from offset on, joined.
func (q *Queries) TraceChunks(ctx context.Context, jobID, from int64) ([]byte, error) {
	rows, err := q.query(ctx, `SELECT byte_offset, data FROM ci_build_trace_chunks WHERE build_id = ?
		AND byte_offset + length(data) > ? ORDER BY byte_offset`, jobID, from)
	if err != nil {
		return nil, fmt.Errorf("store: trace: %w", err)
	}
	defer rows.Close()
	var out []byte
	for rows.Next() {
		var off int64
		var data []byte
		if err := rows.Scan(&off, &data); err != nil {
			return nil, fmt.Errorf("store: trace: %w", err)
		}
		if off < from {
			data = data[from-off:]
		}
		out = append(out, data...)
	}
	return out, rows.Err()
}

// DeleteTraceChunks drops a job's live trace once it is archived.
func (q *Queries) DeleteTraceChunks(ctx context.Context, jobID int64) error {
	_, err := q.exec(ctx, "DELETE FROM ci_build_trace_chunks WHERE build_id = ?", jobID)
	return wrapErr(err)
}

const artifactColumns = `id, project_id, job_id, file_type, file_format, file_name, size, file_sha256, blob_key,
	expire_at, created_at`

func scanArtifact(s scanner) (*model.JobArtifact, error) {
	var a model.JobArtifact
	var expire sql.NullInt64
	var created int64
	if err := s.Scan(&a.ID, &a.ProjectID, &a.JobID, &a.FileType, &a.FileFormat, &a.FileName, &a.Size,
		&a.FileSHA256, &a.BlobKey, &expire, &created); err != nil {
		return nil, wrapErr(err)
	}
	a.ExpireAt, a.CreatedAt = fromNullMS(expire), fromMS(created)
	return &a, nil
}

// PutArtifact stores a job's file of a type, replacing one of the same
// type; it returns the blob key of the one replaced, if any. Two uploads of
// the same file at once (a runner retrying) both succeed, the later one
// kept: on PostgreSQL the job's row is locked first, so the second waits
// and then sees the first one's file as the one it replaces (SQLite runs
// one writer at a time); the upsert covers a writer that did not lock.
func (q *Queries) PutArtifact(ctx context.Context, a *model.JobArtifact) (string, error) {
	if q.dialect == Postgres {
		var id int64
		if err := q.queryRow(ctx, "SELECT id FROM ci_builds WHERE id = ? FOR UPDATE", a.JobID).Scan(&id); err != nil {
			return "", fmt.Errorf("store: put artifact: %w", wrapErr(err))
		}
	}
	var old string
	err := q.queryRow(ctx, "SELECT blob_key FROM ci_job_artifacts WHERE job_id = ? AND file_type = ?", a.JobID, a.FileType).Scan(&old)
	if err := wrapErr(err); err != nil && err != ErrNotFound {
		return "", fmt.Errorf("store: put artifact: %w", err)
	}
	a.CreatedAt = q.Now()
	id, err := q.insert(ctx, `INSERT INTO ci_job_artifacts (project_id, job_id, file_type, file_format, file_name,
		size, file_sha256, blob_key, expire_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (job_id, file_type) DO UPDATE SET project_id = excluded.project_id,
		file_format = excluded.file_format, file_name = excluded.file_name, size = excluded.size,
		file_sha256 = excluded.file_sha256, blob_key = excluded.blob_key, expire_at = excluded.expire_at,
		created_at = excluded.created_at`,
		a.ProjectID, a.JobID, a.FileType, a.FileFormat, a.FileName, a.Size, a.FileSHA256, a.BlobKey,
		nullMS(a.ExpireAt), ms(a.CreatedAt))
	if err != nil {
		return "", fmt.Errorf("store: put artifact: %w", err)
	}
	a.ID = id
	return old, nil
}

// ArtifactsOfJobs lists the stored files of jobs.
func (q *Queries) ArtifactsOfJobs(ctx context.Context, jobIDs []int64) ([]*model.JobArtifact, error) {
	if len(jobIDs) == 0 {
		return nil, nil
	}
	args := int64Args(jobIDs)
	rows, err := q.query(ctx, "SELECT "+artifactColumns+" FROM ci_job_artifacts WHERE job_id IN ("+
		placeholders(len(jobIDs))+") ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("store: job artifacts: %w", err)
	}
	return collect(rows, scanArtifact)
}

// DeleteArtifacts removes a job's stored files of the given types (all
// when none is given) and returns their blob keys.
func (q *Queries) DeleteArtifacts(ctx context.Context, jobID int64, types ...string) ([]string, error) {
	cond, args := "job_id = ?", []any{jobID}
	if len(types) > 0 {
		cond += " AND file_type IN (" + placeholders(len(types)) + ")"
		for _, t := range types {
			args = append(args, t)
		}
	}
	rows, err := q.query(ctx, "SELECT blob_key FROM ci_job_artifacts WHERE "+cond, args...)
	if err != nil {
		return nil, fmt.Errorf("store: delete artifacts: %w", err)
	}
	keys, err := collect(rows, func(s scanner) (string, error) {
		var k string
		return k, s.Scan(&k)
	})
	if err != nil {
		return nil, err
	}
	if _, err := q.exec(ctx, "DELETE FROM ci_job_artifacts WHERE "+cond, args...); err != nil {
		return nil, fmt.Errorf("store: delete artifacts: %w", wrapErr(err))
	}
	return keys, nil
}

// ExpiredArtifacts lists up to limit stored files whose expire_at has
// passed at now, oldest first. Archived traces never expire (GitLab's
// DestroyAllExpiredService skips them too).
func (q *Queries) ExpiredArtifacts(ctx context.Context, now time.Time, limit int) ([]*model.JobArtifact, error) {
	rows, err := q.query(ctx, "SELECT "+artifactColumns+` FROM ci_job_artifacts
		WHERE expire_at IS NOT NULL AND expire_at <= ? AND file_type <> 'trace' ORDER BY expire_at, id LIMIT ?`,
		ms(now), limit)
	if err != nil {
		return nil, fmt.Errorf("store: expired artifacts: %w", err)
	}
	return collect(rows, scanArtifact)
}

// DeleteExpiredArtifact removes a stored file if it is still expired at
// now, and reports whether it did: a concurrent instance or a change of
// its expiry wins over a stale listing.
func (q *Queries) DeleteExpiredArtifact(ctx context.Context, id int64, now time.Time) (bool, error) {
	res, err := q.exec(ctx, "DELETE FROM ci_job_artifacts WHERE id = ? AND expire_at IS NOT NULL AND expire_at <= ?", id, ms(now))
	if err != nil {
		return false, fmt.Errorf("store: delete expired artifact: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: delete expired artifact: %w", err)
	}
	return n == 1, nil
}

// SetJobArtifactsExpireAt records when a job's artifacts archive expires
// (nil: never).
func (q *Queries) SetJobArtifactsExpireAt(ctx context.Context, jobID int64, at *time.Time) error {
	if _, err := q.exec(ctx, "UPDATE ci_builds SET artifacts_expire_at = ? WHERE id = ?", nullMS(at), jobID); err != nil {
		return fmt.Errorf("store: job artifacts expiry: %w", wrapErr(err))
	}
	return nil
}

// KeepArtifacts takes away the expiry of a job's stored files and of the
// job itself (GitLab's keep_artifacts!).
func (q *Queries) KeepArtifacts(ctx context.Context, jobID int64) error {
	if _, err := q.exec(ctx, "UPDATE ci_job_artifacts SET expire_at = NULL WHERE job_id = ?", jobID); err != nil {
		return fmt.Errorf("store: keep artifacts: %w", wrapErr(err))
	}
	return q.SetJobArtifactsExpireAt(ctx, jobID, nil)
}

// ExpireProjectArtifacts makes a project's erasable files (all but logs)
// expire at now, except those of the newest successful pipeline of each
// ref, which GitLab keeps locked; the expiry job then removes them. It
// returns how many it expired.
func (q *Queries) ExpireProjectArtifacts(ctx context.Context, projectID int64, now time.Time) (int64, error) {
	res, err := q.exec(ctx, `UPDATE ci_job_artifacts SET expire_at = ?
		WHERE project_id = ? AND file_type <> 'trace' AND (expire_at IS NULL OR expire_at > ?)
		AND job_id NOT IN (SELECT b.id FROM ci_builds b WHERE b.pipeline_id IN (
			SELECT MAX(p.id) FROM ci_pipelines p WHERE p.project_id = ? AND p.status = 'success' GROUP BY p.ref))`,
		ms(now), projectID, ms(now), projectID)
	if err != nil {
		return 0, fmt.Errorf("store: expire project artifacts: %w", wrapErr(err))
	}
	return res.RowsAffected()
}
