package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/lablet/lablet/internal/model"
)

const userColumns = `u.id, u.username, u.email, u.name, u.password_hash, u.state, u.is_admin, u.bot,
	u.external, u.can_create_group, u.projects_limit, u.private_profile, u.bio, u.location,
	u.public_email, u.website_url, u.organization, u.job_title, u.note, u.namespace_id,
	u.created_by_id, u.created_at, u.updated_at, u.confirmed_at, u.last_activity_on,
	u.current_sign_in_at, u.last_sign_in_at, u.avatar`

type scanner interface{ Scan(dest ...any) error }

func scanUser(s scanner) (*model.User, error) {
	var u model.User
	var nsID, createdBy, confirmed, curSignIn, lastSignIn sql.NullInt64
	var created, updated int64
	var lastActivity sql.NullString
	err := s.Scan(&u.ID, &u.Username, &u.Email, &u.Name, &u.PasswordHash, &u.State, &u.IsAdmin, &u.Bot,
		&u.External, &u.CanCreateGroup, &u.ProjectsLimit, &u.PrivateProfile, &u.Bio, &u.Location,
		&u.PublicEmail, &u.WebsiteURL, &u.Organization, &u.JobTitle, &u.Note, &nsID,
		&createdBy, &created, &updated, &confirmed, &lastActivity, &curSignIn, &lastSignIn, &u.Avatar)
	if err != nil {
		return nil, wrapErr(err)
	}
	u.NamespaceID = nsID.Int64
	if createdBy.Valid {
		v := createdBy.Int64
		u.CreatedByID = &v
	}
	u.CreatedAt, u.UpdatedAt = fromMS(created), fromMS(updated)
	u.ConfirmedAt = fromNullMS(confirmed)
	u.LastActivityOn = fromNullStr(lastActivity)
	u.CurrentSignInAt, u.LastSignInAt = fromNullMS(curSignIn), fromNullMS(lastSignIn)
	return &u, nil
}

// UserByID returns the user with id, or ErrNotFound.
func (q *Queries) UserByID(ctx context.Context, id int64) (*model.User, error) {
	return readThrough(q, q.caches().users, TopicAuth, id, copyUser, func() (*model.User, error) {
		return scanUser(q.queryRow(ctx, "SELECT "+userColumns+" FROM users u WHERE u.id = ?", id))
	})
}

// UserByUsername looks a user up case-insensitively.
func (q *Queries) UserByUsername(ctx context.Context, username string) (*model.User, error) {
	return scanUser(q.queryRow(ctx, "SELECT "+userColumns+" FROM users u WHERE lower(u.username) = lower(?)", username))
}

// UserByEmail looks a user up by email, case-insensitively.
func (q *Queries) UserByEmail(ctx context.Context, email string) (*model.User, error) {
	return scanUser(q.queryRow(ctx, "SELECT "+userColumns+" FROM users u WHERE lower(u.email) = lower(?)", email))
}

// UserByIDOrUsername accepts a numeric ID or a username, as sudo does.
func (q *Queries) UserByIDOrUsername(ctx context.Context, ident string) (*model.User, error) {
	if id, err := strconv.ParseInt(ident, 10, 64); err == nil {
		return q.UserByID(ctx, id)
	}
	return q.UserByUsername(ctx, ident)
}

// UsersByIDs returns the users with the given ids, keyed by id, in one query.
func (q *Queries) UsersByIDs(ctx context.Context, ids []int64) (map[int64]*model.User, error) {
	return readManyThrough(q, q.caches().users, TopicAuth, ids, func(u *model.User) int64 { return u.ID }, copyUser,
		func(missing []int64) ([]*model.User, error) {
			rows, err := q.query(ctx, "SELECT "+userColumns+" FROM users u WHERE u.id IN ("+placeholders(len(missing))+")", toAny(missing)...)
			if err != nil {
				return nil, fmt.Errorf("store: users by ids: %w", err)
			}
			return collect(rows, scanUser)
		})
}

// CreateUser inserts u and its personal namespace, filling in ID, NamespaceID
// and timestamps. Run it inside a transaction.
func (q *Queries) CreateUser(ctx context.Context, u *model.User) error {
	now := q.Now()
	u.CreatedAt, u.UpdatedAt = now, now
	if u.State == "" {
		u.State = "active"
	}
	id, err := q.insert(ctx, `INSERT INTO users (username, email, name, password_hash, state, is_admin, bot,
		external, can_create_group, projects_limit, private_profile, bio, location, public_email,
		website_url, organization, job_title, note, created_by_id, created_at, updated_at, confirmed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.Username, u.Email, u.Name, u.PasswordHash, u.State, u.IsAdmin, u.Bot,
		u.External, u.CanCreateGroup, u.ProjectsLimit, u.PrivateProfile, u.Bio, u.Location, u.PublicEmail,
		u.WebsiteURL, u.Organization, u.JobTitle, u.Note, u.CreatedByID, ms(now), ms(now), ms(now))
	if err != nil {
		return fmt.Errorf("store: create user: %w", err)
	}
	u.ID = id
	u.ConfirmedAt = &now
	ns := &model.Namespace{Kind: model.KindUser, Name: u.Name, Path: u.Username, OwnerID: &u.ID, VisibilityLevel: 20}
	if err := q.CreateNamespace(ctx, ns); err != nil {
		return err
	}
	u.NamespaceID = ns.ID
	if _, err := q.exec(ctx, "UPDATE users SET namespace_id = ? WHERE id = ?", ns.ID, u.ID); err != nil {
		return fmt.Errorf("store: create user: %w", err)
	}
	// The owner of a personal namespace is its owner member, so that the
	// same membership queries serve personal projects and group projects.
	return q.UpsertMember(ctx, &model.Member{SourceType: model.SourceNamespace, SourceID: ns.ID, UserID: u.ID, AccessLevel: 50})
}

// UpdateUser writes every mutable field of u.
func (q *Queries) UpdateUser(ctx context.Context, u *model.User) error {
	u.UpdatedAt = q.Now()
	_, err := q.exec(ctx, `UPDATE users SET username = ?, email = ?, name = ?, password_hash = ?, state = ?,
		is_admin = ?, external = ?, can_create_group = ?, projects_limit = ?, private_profile = ?, bio = ?,
		location = ?, public_email = ?, website_url = ?, organization = ?, job_title = ?, note = ?,
		updated_at = ?, last_activity_on = ?, current_sign_in_at = ?, last_sign_in_at = ? WHERE id = ?`,
		u.Username, u.Email, u.Name, u.PasswordHash, u.State, u.IsAdmin, u.External, u.CanCreateGroup,
		u.ProjectsLimit, u.PrivateProfile, u.Bio, u.Location, u.PublicEmail, u.WebsiteURL, u.Organization,
		u.JobTitle, u.Note, ms(u.UpdatedAt), nullStr(u.LastActivityOn), nullMS(u.CurrentSignInAt),
		nullMS(u.LastSignInAt), u.ID)
	if err != nil {
		return fmt.Errorf("store: update user: %w", err)
	}
	return nil
}

// userOrderColumns maps accepted order_by values to columns.
var userOrderColumns = map[string]string{"id": "u.id", "name": "u.name", "username": "u.username",
	"created_at": "u.created_at", "updated_at": "u.updated_at"}

// ListUsers returns a page of users matching f and the total count.
func (q *Queries) ListUsers(ctx context.Context, f model.UserFilter) ([]*model.User, int, error) {
	var w conds
	if f.Search != "" {
		emailCol := "u.email"
		if f.PublicSearch {
			emailCol = "u.public_email"
		}
		p := likeEscape(f.Search)
		w.add(`(lower(u.username) LIKE ? ESCAPE '\' OR lower(u.name) LIKE ? ESCAPE '\' OR (`+
			emailCol+` <> '' AND lower(`+emailCol+`) = lower(?)))`, p, p, f.Search)
	}
	if f.Username != "" {
		w.add("lower(u.username) = lower(?)", f.Username)
	}
	if f.State != "" {
		w.add("u.state = ?", f.State)
	}
	if len(f.ExcludeStates) > 0 {
		args := make([]any, len(f.ExcludeStates))
		for i, st := range f.ExcludeStates {
			args[i] = st
		}
		w.add("u.state NOT IN ("+placeholders(len(args))+")", args...)
	}
	if f.Admins != nil {
		w.add("u.is_admin = ?", *f.Admins)
	}
	if f.External != nil {
		w.add("u.external = ?", *f.External)
	}
	if f.Humans {
		w.add("u.bot = FALSE")
	}
	if f.Bots {
		w.add("u.bot = TRUE")
	}
	if f.CreatedBefore != nil {
		w.add("u.created_at < ?", ms(*f.CreatedBefore))
	}
	if f.CreatedAfter != nil {
		w.add("u.created_at > ?", ms(*f.CreatedAfter))
	}
	customAttributeConds(&w, model.AttrSourceUser, "u.id", f.CustomAttributes)
	if f.Provider != "" || f.ExternUID != "" {
		w.add("EXISTS (SELECT 1 FROM identities i WHERE i.user_id = u.id AND i.provider = ? AND lower(i.extern_uid) = lower(?))",
			f.Provider, f.ExternUID)
	}
	cond, args := w.where(), w.args
	var total int
	if err := q.queryRow(ctx, "SELECT count(*) FROM users u"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count users: %w", wrapErr(err))
	}
	col, okCol := userOrderColumns[f.OrderBy]
	if !okCol {
		col = "u.id"
	}
	dir := "DESC"
	if f.Sort == "asc" {
		dir = "ASC"
	}
	order := " ORDER BY " + col + " " + dir
	if col != "u.id" {
		order += ", u.id " + dir
	}
	rows, err := q.query(ctx, "SELECT "+userColumns+" FROM users u"+cond+order+" LIMIT ? OFFSET ?",
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list users: %w", err)
	}
	out, err := collect(rows, scanUser)
	return out, total, err
}

// DeleteUser removes a user with its tokens, memberships and personal
// namespace. Projects in that namespace must be removed first.
func (q *Queries) DeleteUser(ctx context.Context, id int64) error {
	for _, stmt := range []string{
		"DELETE FROM personal_access_tokens WHERE user_id = ?",
		"DELETE FROM members WHERE user_id = ?",
		"DELETE FROM custom_attributes WHERE source_type = 'User' AND source_id = ?",
		"UPDATE projects SET creator_id = NULL WHERE creator_id = ?",
	} {
		if _, err := q.exec(ctx, stmt, id); err != nil {
			return fmt.Errorf("store: delete user: %w", err)
		}
	}
	u, err := q.UserByID(ctx, id)
	if err != nil {
		return err
	}
	if _, err := q.exec(ctx, "UPDATE users SET namespace_id = NULL WHERE id = ?", id); err != nil {
		return fmt.Errorf("store: delete user: %w", err)
	}
	if u.NamespaceID != 0 {
		if err := q.DeleteNamespace(ctx, u.NamespaceID); err != nil {
			return err
		}
	}
	// The user's stars go with the row (cascade); their counts first.
	if _, err := q.exec(ctx, `UPDATE projects SET star_count = star_count - 1
		WHERE id IN (SELECT project_id FROM users_star_projects WHERE user_id = ?)`, id); err != nil {
		return fmt.Errorf("store: delete user: %w", err)
	}
	if _, err := q.exec(ctx, "DELETE FROM users WHERE id = ?", id); err != nil {
		return fmt.Errorf("store: delete user: %w", err)
	}
	return nil
}

// CountUsers returns how many users exist.
func (q *Queries) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := q.queryRow(ctx, "SELECT count(*) FROM users").Scan(&n)
	return n, wrapErr(err)
}

// SoleOwnedGroupIDs returns the groups where userID is the only direct
// Owner: deleting the user is refused while there are any, and a hard
// delete takes them along, as GitLab's Users::DestroyService does.
func (q *Queries) SoleOwnedGroupIDs(ctx context.Context, userID int64) ([]int64, error) {
	out, err := q.int64s(ctx, `SELECT m.source_id FROM members m JOIN namespaces n ON n.id = m.source_id
		WHERE m.source_type = 'Namespace' AND m.user_id = ? AND m.access_level = 50 AND n.kind = 'group'
		AND NOT EXISTS (SELECT 1 FROM members o WHERE o.source_type = 'Namespace' AND o.source_id = m.source_id
			AND o.access_level = 50 AND o.user_id <> m.user_id)
		ORDER BY m.source_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: sole owned groups: %w", err)
	}
	return out, nil
}

// DeleteNamespaceProjects removes every project directly in a namespace
// with its memberships, as deleting a user does for personal projects.
func (q *Queries) DeleteNamespaceProjects(ctx context.Context, namespaceID int64) error {
	// The forks among them leave their sources' counts.
	if _, err := q.exec(ctx, `UPDATE projects SET forks_count = forks_count -
		(SELECT count(*) FROM projects f WHERE f.namespace_id = ? AND f.forked_from_project_id = projects.id)
		WHERE id IN (SELECT forked_from_project_id FROM projects WHERE namespace_id = ? AND forked_from_project_id IS NOT NULL)`,
		namespaceID, namespaceID); err != nil {
		return fmt.Errorf("store: delete namespace projects: %w", err)
	}
	if err := q.deleteProjectAttachments(ctx, "IN (SELECT id FROM projects WHERE namespace_id = ?)", namespaceID); err != nil {
		return fmt.Errorf("store: delete namespace projects: %w", err)
	}
	for _, stmt := range []string{
		"DELETE FROM members WHERE source_type = 'Project' AND source_id IN (SELECT id FROM projects WHERE namespace_id = ?)",
		"DELETE FROM projects WHERE namespace_id = ?",
		"UPDATE namespace_project_counts SET projects = 0 WHERE namespace_id = ?",
	} {
		if _, err := q.exec(ctx, stmt, namespaceID); err != nil {
			return fmt.Errorf("store: delete namespace projects: %w", err)
		}
	}
	return nil
}

// DisownGroups clears the owner reference of groups a user created, so the
// user row can go.
func (q *Queries) DisownGroups(ctx context.Context, userID int64) error {
	if _, err := q.exec(ctx, "UPDATE namespaces SET owner_id = NULL WHERE owner_id = ? AND kind = 'group'", userID); err != nil {
		return fmt.Errorf("store: disown groups: %w", err)
	}
	return nil
}
