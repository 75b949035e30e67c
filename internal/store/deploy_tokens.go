package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/lablet/lablet/internal/model"
)

const deployTokenColumns = `id, project_id, group_id, creator_id, name, username, token_digest, scopes, revoked,
	expires_at, created_at`

func scanDeployToken(s scanner) (*model.DeployToken, error) {
	var t model.DeployToken
	var project, group, creator, expires sql.NullInt64
	var username sql.NullString
	var scopes string
	var created int64
	if err := s.Scan(&t.ID, &project, &group, &creator, &t.Name, &username, &t.Digest, &scopes, &t.Revoked,
		&expires, &created); err != nil {
		return nil, wrapErr(err)
	}
	t.ProjectID, t.GroupID, t.CreatorID = fromNullInt(project), fromNullInt(group), fromNullInt(creator)
	if username.Valid {
		t.Username = &username.String
	}
	if scopes != "" {
		t.Scopes = strings.Split(scopes, ",")
	}
	t.ExpiresAt, t.CreatedAt = fromNullMS(expires), fromMS(created)
	return &t, nil
}

// DeployTokens lists deploy tokens in id order, narrowed by f.
func (q *Queries) DeployTokens(ctx context.Context, f model.DeployTokenFilter) ([]*model.DeployToken, error) {
	var where []string
	var args []any
	if f.ProjectID != 0 {
		where, args = append(where, "project_id = ?"), append(args, f.ProjectID)
	}
	if f.GroupID != 0 {
		where, args = append(where, "group_id = ?"), append(args, f.GroupID)
	}
	if f.ActiveAt != nil {
		where = append(where, "revoked = ? AND (expires_at IS NULL OR expires_at > ?)")
		args = append(args, false, ms(*f.ActiveAt))
	}
	query := "SELECT " + deployTokenColumns + " FROM deploy_tokens"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := q.query(ctx, query+" ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("store: list deploy tokens: %w", err)
	}
	return collect(rows, scanDeployToken)
}

// DeployToken returns a deploy token by id (ErrNotFound if none).
func (q *Queries) DeployToken(ctx context.Context, id int64) (*model.DeployToken, error) {
	return scanDeployToken(q.queryRow(ctx, "SELECT "+deployTokenColumns+" FROM deploy_tokens WHERE id = ?", id))
}

// DeployTokenByDigest returns the deploy token whose digest this is.
func (q *Queries) DeployTokenByDigest(ctx context.Context, digest string) (*model.DeployToken, error) {
	return scanDeployToken(q.queryRow(ctx, "SELECT "+deployTokenColumns+" FROM deploy_tokens WHERE token_digest = ?", digest))
}

// CreateDeployToken inserts t, filling in its ID and creation time.
func (q *Queries) CreateDeployToken(ctx context.Context, t *model.DeployToken) error {
	t.CreatedAt = q.Now()
	id, err := q.insert(ctx, `INSERT INTO deploy_tokens (project_id, group_id, creator_id, name, username, token_digest,
		scopes, revoked, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		nullInt(t.ProjectID), nullInt(t.GroupID), nullInt(t.CreatorID), t.Name, nullStr(t.Username), t.Digest,
		strings.Join(t.Scopes, ","), t.Revoked, nullMS(t.ExpiresAt), ms(t.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: create deploy token: %w", err)
	}
	t.ID = id
	return nil
}

// RevokeDeployToken marks a deploy token revoked.
func (q *Queries) RevokeDeployToken(ctx context.Context, id int64) error {
	if _, err := q.exec(ctx, "UPDATE deploy_tokens SET revoked = ? WHERE id = ?", true, id); err != nil {
		return fmt.Errorf("store: revoke deploy token: %w", err)
	}
	return nil
}

// DeleteDeployToken removes a deploy token.
func (q *Queries) DeleteDeployToken(ctx context.Context, id int64) error {
	if _, err := q.exec(ctx, "DELETE FROM deploy_tokens WHERE id = ?", id); err != nil {
		return fmt.Errorf("store: delete deploy token: %w", err)
	}
	return nil
}
