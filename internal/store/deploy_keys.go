package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

const deployKeyProjectColumns = "id, deploy_key_id, project_id, can_push, created_at, updated_at"

func scanDeployKeyProject(s scanner) (*model.DeployKeyProject, error) {
	var d model.DeployKeyProject
	var created, updated int64
	if err := s.Scan(&d.ID, &d.DeployKeyID, &d.ProjectID, &d.CanPush, &created, &updated); err != nil {
		return nil, wrapErr(err)
	}
	d.CreatedAt, d.UpdatedAt = fromMS(created), fromMS(updated)
	return &d, nil
}

// DeployKeyProject returns the link of a deploy key to a project
// (ErrNotFound when the key is not enabled there).
func (q *Queries) DeployKeyProject(ctx context.Context, keyID, projectID int64) (*model.DeployKeyProject, error) {
	return scanDeployKeyProject(q.queryRow(ctx, "SELECT "+deployKeyProjectColumns+
		" FROM deploy_keys_projects WHERE deploy_key_id = ? AND project_id = ?", keyID, projectID))
}

// ProjectDeployKeys lists the deploy keys enabled on a project with their
// links, oldest link first, in one query.
func (q *Queries) ProjectDeployKeys(ctx context.Context, projectID int64) ([]*model.Key, []*model.DeployKeyProject, error) {
	rows, err := q.query(ctx, `SELECT k.id, k.user_id, k.deploy, k.public, k.title, k.key_text, k.fingerprint_md5,
		k.fingerprint_sha256, k.usage_type, k.expires_at, k.last_used_at, k.created_at, k.updated_at,
		d.id, d.deploy_key_id, d.project_id, d.can_push, d.created_at, d.updated_at
		FROM deploy_keys_projects d JOIN keys k ON k.id = d.deploy_key_id WHERE d.project_id = ? ORDER BY d.id`, projectID)
	if err != nil {
		return nil, nil, fmt.Errorf("store: list project deploy keys: %w", err)
	}
	defer rows.Close()
	var keys []*model.Key
	var links []*model.DeployKeyProject
	for rows.Next() {
		var k model.Key
		var d model.DeployKeyProject
		var user, expires, used sql.NullInt64
		var kc, ku, dc, du int64
		if err := rows.Scan(&k.ID, &user, &k.Deploy, &k.Public, &k.Title, &k.Text, &k.FingerprintMD5, &k.FingerprintSHA256,
			&k.UsageType, &expires, &used, &kc, &ku, &d.ID, &d.DeployKeyID, &d.ProjectID, &d.CanPush, &dc, &du); err != nil {
			return nil, nil, wrapErr(err)
		}
		k.UserID = user.Int64
		k.ExpiresAt, k.LastUsedAt = fromNullMS(expires), fromNullMS(used)
		k.CreatedAt, k.UpdatedAt, d.CreatedAt, d.UpdatedAt = fromMS(kc), fromMS(ku), fromMS(dc), fromMS(du)
		keys, links = append(keys, &k), append(links, &d)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("store: list project deploy keys: %w", err)
	}
	return keys, links, nil
}

// DeployKeyLinks lists the projects a deploy key is enabled on.
func (q *Queries) DeployKeyLinks(ctx context.Context, keyID int64) ([]*model.DeployKeyProject, error) {
	rows, err := q.query(ctx, "SELECT "+deployKeyProjectColumns+" FROM deploy_keys_projects WHERE deploy_key_id = ? ORDER BY id", keyID)
	if err != nil {
		return nil, fmt.Errorf("store: list deploy key projects: %w", err)
	}
	return collect(rows, scanDeployKeyProject)
}

// EnableDeployKey links a deploy key to a project; an existing link is
// left as it is (ErrConflict).
func (q *Queries) EnableDeployKey(ctx context.Context, d *model.DeployKeyProject) error {
	now := q.Now()
	d.CreatedAt, d.UpdatedAt = now, now
	id, err := q.insert(ctx, `INSERT INTO deploy_keys_projects (deploy_key_id, project_id, can_push, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?)`, d.DeployKeyID, d.ProjectID, d.CanPush, ms(now), ms(now))
	if err != nil {
		return fmt.Errorf("store: enable deploy key: %w", err)
	}
	d.ID = id
	return nil
}

// UpdateDeployKeyProject writes a link's can_push.
func (q *Queries) UpdateDeployKeyProject(ctx context.Context, d *model.DeployKeyProject) error {
	d.UpdatedAt = q.Now()
	if _, err := q.exec(ctx, "UPDATE deploy_keys_projects SET can_push = ?, updated_at = ? WHERE id = ?",
		d.CanPush, ms(d.UpdatedAt), d.ID); err != nil {
		return fmt.Errorf("store: update deploy key project: %w", err)
	}
	return nil
}

// DisableDeployKey removes a deploy key from a project, and the key itself
// when it was private and that project its last, as GitLab does.
func (q *Queries) DisableDeployKey(ctx context.Context, keyID, projectID int64) error {
	if _, err := q.exec(ctx, "DELETE FROM deploy_keys_projects WHERE deploy_key_id = ? AND project_id = ?", keyID, projectID); err != nil {
		return fmt.Errorf("store: disable deploy key: %w", err)
	}
	if _, err := q.exec(ctx, `DELETE FROM keys WHERE id = ? AND deploy = ? AND public = ?
		AND NOT EXISTS (SELECT 1 FROM deploy_keys_projects WHERE deploy_key_id = ?)`, keyID, true, false, keyID); err != nil {
		return fmt.Errorf("store: delete orphan deploy key: %w", err)
	}
	return nil
}

// DeployKeyLinksOf lists the project links of several deploy keys, by key
// and then link id.
func (q *Queries) DeployKeyLinksOf(ctx context.Context, keyIDs []int64) ([]*model.DeployKeyProject, error) {
	if len(keyIDs) == 0 {
		return nil, nil
	}
	rows, err := q.query(ctx, "SELECT "+deployKeyProjectColumns+" FROM deploy_keys_projects WHERE deploy_key_id IN ("+
		placeholders(len(keyIDs))+") ORDER BY deploy_key_id, id", int64Args(keyIDs)...)
	if err != nil {
		return nil, fmt.Errorf("store: list deploy keys' projects: %w", err)
	}
	return collect(rows, scanDeployKeyProject)
}
