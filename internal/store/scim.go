package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// SCIM provisioning: the groups' (and the instance's) SCIM tokens and the
// identities providers provisioned. Group id 0 stands for the instance,
// stored as NULL.

func scimGroup(groupID int64) sql.NullInt64 {
	return sql.NullInt64{Int64: groupID, Valid: groupID != 0}
}

// ReplaceSCIMToken makes digest the one SCIM token of the group (0: the
// instance), dropping the one it had. One upsert, so that two resets at
// once both succeed (the later one wins) instead of one of them meeting
// the other's row in the unique index.
func (q *Queries) ReplaceSCIMToken(ctx context.Context, groupID int64, digest string) error {
	if _, err := q.exec(ctx, `INSERT INTO scim_tokens (group_id, token_digest, created_at) VALUES (?, ?, ?)
		ON CONFLICT ((COALESCE(group_id, 0))) DO UPDATE SET token_digest = excluded.token_digest,
		created_at = excluded.created_at`,
		scimGroup(groupID), digest, ms(q.Now())); err != nil {
		return fmt.Errorf("store: replace scim token: %w", err)
	}
	return nil
}

// SCIMTokenGroup is the group a SCIM token digest belongs to (0: the
// instance); ErrNotFound for no token.
func (q *Queries) SCIMTokenGroup(ctx context.Context, digest string) (int64, error) {
	var g sql.NullInt64
	if err := q.queryRow(ctx, "SELECT group_id FROM scim_tokens WHERE token_digest = ?", digest).Scan(&g); err != nil {
		return 0, wrapErr(err)
	}
	return g.Int64, nil
}

const scimColumns = "id, group_id, user_id, extern_uid, user_name, name, email, active, version, created_at, updated_at"

func scanSCIMIdentity(s scanner) (*model.SCIMIdentity, error) {
	var i model.SCIMIdentity
	var g sql.NullInt64
	var created, updated int64
	if err := s.Scan(&i.ID, &g, &i.UserID, &i.ExternUID, &i.UserName, &i.Name, &i.Email, &i.Active, &i.Version,
		&created, &updated); err != nil {
		return nil, wrapErr(err)
	}
	if g.Valid {
		v := g.Int64
		i.GroupID = &v
	}
	i.CreatedAt, i.UpdatedAt = fromMS(created), fromMS(updated)
	return &i, nil
}

func scimWhere(f model.SCIMFilter) (string, []any) {
	where, args := "COALESCE(group_id, 0) = ?", []any{f.GroupID}
	switch {
	case f.ExternUID != "":
		where += " AND lower(extern_uid) = lower(?)"
		args = append(args, f.ExternUID)
	case f.UserName != "":
		where += " AND lower(user_name) = lower(?)"
		args = append(args, f.UserName)
	}
	return where, args
}

// SCIMIdentities returns the page of identities f selects, oldest first,
// and how many it selects in all.
func (q *Queries) SCIMIdentities(ctx context.Context, f model.SCIMFilter) ([]*model.SCIMIdentity, int, error) {
	where, args := scimWhere(f)
	var total int
	if err := q.queryRow(ctx, "SELECT COUNT(*) FROM scim_identities WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count scim identities: %w", err)
	}
	if f.Limit <= 0 || total <= f.Offset {
		return nil, total, nil
	}
	rows, err := q.query(ctx, "SELECT "+scimColumns+" FROM scim_identities WHERE "+where+" ORDER BY id LIMIT ? OFFSET ?",
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: scim identities: %w", err)
	}
	defer rows.Close()
	var out []*model.SCIMIdentity
	for rows.Next() {
		i, err := scanSCIMIdentity(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("store: scim identities: %w", err)
		}
		out = append(out, i)
	}
	return out, total, rows.Err()
}

// SCIMIdentity is the identity of extern_uid (case-insensitive) in the
// group (0: the instance); ErrNotFound for none.
func (q *Queries) SCIMIdentity(ctx context.Context, groupID int64, externUID string) (*model.SCIMIdentity, error) {
	where, args := scimWhere(model.SCIMFilter{GroupID: groupID, ExternUID: externUID})
	return scanSCIMIdentity(q.queryRow(ctx, "SELECT "+scimColumns+" FROM scim_identities WHERE "+where, args...))
}

// SCIMIdentityOfUser is the user's identity in the group; ErrNotFound for
// none.
func (q *Queries) SCIMIdentityOfUser(ctx context.Context, groupID, userID int64) (*model.SCIMIdentity, error) {
	return scanSCIMIdentity(q.queryRow(ctx, "SELECT "+scimColumns+
		" FROM scim_identities WHERE COALESCE(group_id, 0) = ? AND user_id = ?", groupID, userID))
}

// SCIMUserNameOwner is the id of the identity holding user_name in the
// group (case-insensitive), 0 for none.
func (q *Queries) SCIMUserNameOwner(ctx context.Context, groupID int64, userName string) (int64, error) {
	var id int64
	err := q.queryRow(ctx, "SELECT id FROM scim_identities WHERE COALESCE(group_id, 0) = ? AND lower(user_name) = lower(?)",
		groupID, userName).Scan(&id)
	if err = wrapErr(err); errors.Is(err, ErrNotFound) {
		return 0, nil
	}
	return id, err
}

// CreateSCIMIdentity inserts i (version 1), filling in its id and times.
func (q *Queries) CreateSCIMIdentity(ctx context.Context, i *model.SCIMIdentity) error {
	now := q.Now()
	var g int64
	if i.GroupID != nil {
		g = *i.GroupID
	}
	id, err := q.insert(ctx, `INSERT INTO scim_identities (group_id, user_id, extern_uid, user_name, name, email, active,
		version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
		scimGroup(g), i.UserID, i.ExternUID, i.UserName, i.Name, i.Email, i.Active, ms(now), ms(now))
	if err != nil {
		return fmt.Errorf("store: create scim identity: %w", err)
	}
	i.ID, i.Version, i.CreatedAt, i.UpdatedAt = id, 1, now, now
	return nil
}

// UpdateSCIMIdentity writes i's mutable fields if its version is still
// i.Version, and moves the version on; ErrNotFound when another write
// came first.
func (q *Queries) UpdateSCIMIdentity(ctx context.Context, i *model.SCIMIdentity) error {
	now := q.Now()
	res, err := q.exec(ctx, `UPDATE scim_identities SET extern_uid = ?, user_name = ?, name = ?, email = ?, active = ?,
		version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		i.ExternUID, i.UserName, i.Name, i.Email, i.Active, ms(now), i.ID, i.Version)
	if err != nil {
		return fmt.Errorf("store: update scim identity: %w", wrapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	i.Version++
	i.UpdatedAt = now
	return nil
}

// DeleteSCIMIdentity removes the identity id.
func (q *Queries) DeleteSCIMIdentity(ctx context.Context, id int64) error {
	if _, err := q.exec(ctx, "DELETE FROM scim_identities WHERE id = ?", id); err != nil {
		return fmt.Errorf("store: delete scim identity: %w", err)
	}
	return nil
}
