package store

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

const protectedBranchColumns = `id, project_id, name, push_access_level, merge_access_level,
	unprotect_access_level, allow_force_push, code_owner_approval_required, created_at, updated_at`

func scanProtectedBranch(s scanner) (*model.ProtectedBranch, error) {
	var b model.ProtectedBranch
	var created, updated int64
	if err := s.Scan(&b.ID, &b.ProjectID, &b.Name, &b.PushAccessLevel, &b.MergeAccessLevel,
		&b.UnprotectAccessLevel, &b.AllowForcePush, &b.CodeOwnerApprovalRequired, &created, &updated); err != nil {
		return nil, wrapErr(err)
	}
	b.CreatedAt, b.UpdatedAt = fromMS(created), fromMS(updated)
	return &b, nil
}

// ProtectedBranches lists a project's rules in creation order. search, when
// not empty, keeps the rules whose name contains it (case-insensitively).
func (q *Queries) ProtectedBranches(ctx context.Context, projectID int64, search string) ([]*model.ProtectedBranch, error) {
	if search != "" {
		return q.protectedBranches(ctx, projectID, search)
	}
	return readThrough(q, q.caches().protected, TopicAccess, projectID, cloneRules, func() ([]*model.ProtectedBranch, error) {
		return q.protectedBranches(ctx, projectID, "")
	})
}

// cloneRules copies rules so that the cache never shares one with a caller.
func cloneRules(rules []*model.ProtectedBranch) []*model.ProtectedBranch {
	out := make([]*model.ProtectedBranch, len(rules))
	for i, r := range rules {
		c := *r
		out[i] = &c
	}
	return out
}

func (q *Queries) protectedBranches(ctx context.Context, projectID int64, search string) ([]*model.ProtectedBranch, error) {
	query := "SELECT " + protectedBranchColumns + " FROM protected_branches WHERE project_id = ?"
	args := []any{projectID}
	if search != "" {
		query += ` AND lower(name) LIKE ? ESCAPE '\'`
		args = append(args, likeEscape(search))
	}
	rows, err := q.query(ctx, query+" ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("store: list protected branches: %w", err)
	}
	return collect(rows, scanProtectedBranch)
}

// ProtectedBranchByName returns the rule with exactly this name.
func (q *Queries) ProtectedBranchByName(ctx context.Context, projectID int64, name string) (*model.ProtectedBranch, error) {
	return scanProtectedBranch(q.queryRow(ctx, "SELECT "+protectedBranchColumns+
		" FROM protected_branches WHERE project_id = ? AND name = ?", projectID, name))
}

// CreateProtectedBranch inserts b, filling in ID and timestamps; a rule
// with the same name is ErrConflict.
func (q *Queries) CreateProtectedBranch(ctx context.Context, b *model.ProtectedBranch) error {
	now := q.Now()
	b.CreatedAt, b.UpdatedAt = now, now
	id, err := q.insert(ctx, `INSERT INTO protected_branches (project_id, name, push_access_level,
		merge_access_level, unprotect_access_level, allow_force_push, code_owner_approval_required,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		b.ProjectID, b.Name, b.PushAccessLevel, b.MergeAccessLevel, b.UnprotectAccessLevel, b.AllowForcePush,
		b.CodeOwnerApprovalRequired, ms(now), ms(now))
	if err != nil {
		return fmt.Errorf("store: create protected branch: %w", err)
	}
	b.ID = id
	return nil
}

// UpdateProtectedBranch writes every mutable field of b.
func (q *Queries) UpdateProtectedBranch(ctx context.Context, b *model.ProtectedBranch) error {
	b.UpdatedAt = q.Now()
	_, err := q.exec(ctx, `UPDATE protected_branches SET name = ?, push_access_level = ?, merge_access_level = ?,
		unprotect_access_level = ?, allow_force_push = ?, code_owner_approval_required = ?, updated_at = ?
		WHERE id = ?`, b.Name, b.PushAccessLevel, b.MergeAccessLevel, b.UnprotectAccessLevel, b.AllowForcePush,
		b.CodeOwnerApprovalRequired, ms(b.UpdatedAt), b.ID)
	if err != nil {
		return fmt.Errorf("store: update protected branch: %w", err)
	}
	return nil
}

// DeleteProtectedBranch removes a rule.
func (q *Queries) DeleteProtectedBranch(ctx context.Context, id int64) error {
	if _, err := q.exec(ctx, "DELETE FROM protected_branches WHERE id = ?", id); err != nil {
		return fmt.Errorf("store: delete protected branch: %w", err)
	}
	return nil
}
