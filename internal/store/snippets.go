package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/lablet/lablet/internal/model"
)

const snippetColumns = `id, project_id, author_id, title, description, visibility_level, file_paths, user_agent,
	ip_address, created_at, updated_at`

func scanSnippet(s scanner) (*model.Snippet, error) {
	var sn model.Snippet
	var project, author sql.NullInt64
	var paths string
	var created, updated int64
	if err := s.Scan(&sn.ID, &project, &author, &sn.Title, &sn.Description, &sn.VisibilityLevel, &paths,
		&sn.UserAgent, &sn.IPAddress, &created, &updated); err != nil {
		return nil, wrapErr(err)
	}
	sn.ProjectID, sn.AuthorID = fromNullInt(project), fromNullInt(author)
	if paths != "" {
		sn.FilePaths = strings.Split(paths, "\n")
	}
	sn.CreatedAt, sn.UpdatedAt = fromMS(created), fromMS(updated)
	return &sn, nil
}

// Snippet returns a snippet by id (ErrNotFound if none).
func (q *Queries) Snippet(ctx context.Context, id int64) (*model.Snippet, error) {
	return scanSnippet(q.queryRow(ctx, "SELECT "+snippetColumns+" FROM snippets WHERE id = ?", id))
}

// Snippets lists snippets newest first (GitLab's default order, id
// desc), narrowed by f, and counts every page's.
func (q *Queries) Snippets(ctx context.Context, f model.SnippetFilter) ([]*model.Snippet, int, error) {
	var where []string
	var args []any
	switch {
	case f.ProjectID != 0:
		where, args = append(where, "project_id = ?"), append(args, f.ProjectID)
	case f.Personal:
		where = append(where, "project_id IS NULL")
	}
	if f.AuthorID != 0 {
		where, args = append(where, "author_id = ?"), append(args, f.AuthorID)
	}
	if f.MinVisibility != nil {
		if f.ReadableBy != 0 {
			where, args = append(where, "(visibility_level >= ? OR author_id = ?)"), append(args, *f.MinVisibility, f.ReadableBy)
		} else {
			where, args = append(where, "visibility_level >= ?"), append(args, *f.MinVisibility)
		}
	}
	if f.Visibility != nil {
		where, args = append(where, "visibility_level = ?"), append(args, *f.Visibility)
	}
	if f.CreatedAfter != nil {
		where, args = append(where, "created_at > ?"), append(args, ms(*f.CreatedAfter))
	}
	if f.CreatedBefore != nil {
		where, args = append(where, "created_at < ?"), append(args, ms(*f.CreatedBefore))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := q.queryRow(ctx, "SELECT COUNT(*) FROM snippets"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count snippets: %w", wrapErr(err))
	}
	query := "SELECT " + snippetColumns + " FROM snippets" + cond + " ORDER BY id DESC"
	if f.Limit > 0 {
		query += " LIMIT ? OFFSET ?"
		args = append(args, f.Limit, f.Offset)
	}
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list snippets: %w", err)
	}
	list, err := collect(rows, scanSnippet)
	return list, total, err
}

// CreateSnippet inserts sn, filling in its ID and times.
func (q *Queries) CreateSnippet(ctx context.Context, sn *model.Snippet) error {
	sn.CreatedAt = q.Now()
	sn.UpdatedAt = sn.CreatedAt
	id, err := q.insert(ctx, `INSERT INTO snippets (project_id, author_id, title, description, visibility_level,
		file_paths, user_agent, ip_address, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		nullInt(sn.ProjectID), nullInt(sn.AuthorID), sn.Title, sn.Description, sn.VisibilityLevel,
		strings.Join(sn.FilePaths, "\n"), sn.UserAgent, sn.IPAddress, ms(sn.CreatedAt), ms(sn.UpdatedAt))
	if err != nil {
		return fmt.Errorf("store: create snippet: %w", err)
	}
	sn.ID = id
	return nil
}

// UpdateSnippet writes sn's title, description, visibility and files,
// and moves its updated_at.
func (q *Queries) UpdateSnippet(ctx context.Context, sn *model.Snippet) error {
	sn.UpdatedAt = q.Now()
	_, err := q.exec(ctx, `UPDATE snippets SET title = ?, description = ?, visibility_level = ?, file_paths = ?,
		updated_at = ? WHERE id = ?`, sn.Title, sn.Description, sn.VisibilityLevel, strings.Join(sn.FilePaths, "\n"),
		ms(sn.UpdatedAt), sn.ID)
	if err != nil {
		return fmt.Errorf("store: update snippet: %w", err)
	}
	return nil
}

// DeleteSnippet removes a snippet and its notes (notes name their
// noteable by type and id, without a foreign key).
func (q *Queries) DeleteSnippet(ctx context.Context, id int64) error {
	if _, err := q.exec(ctx, "DELETE FROM notes WHERE noteable_type = ? AND noteable_id = ?", model.NoteableSnippet, id); err != nil {
		return fmt.Errorf("store: delete snippet notes: %w", err)
	}
	if _, err := q.exec(ctx, "DELETE FROM snippets WHERE id = ?", id); err != nil {
		return fmt.Errorf("store: delete snippet: %w", err)
	}
	return nil
}

// DeleteProjectSnippets removes the snippets of projects about to be
// removed, with their notes (notes have no foreign key to cascade), and
// returns their ids: their repositories go once the transaction commits.
func (q *Queries) DeleteProjectSnippets(ctx context.Context, projectIDs []int64) ([]int64, error) {
	if len(projectIDs) == 0 {
		return nil, nil
	}
	rows, err := q.query(ctx, "SELECT id FROM snippets WHERE project_id IN ("+placeholders(len(projectIDs))+")",
		int64Args(projectIDs)...)
	if err != nil {
		return nil, fmt.Errorf("store: project snippets: %w", err)
	}
	ids, err := collect(rows, func(s scanner) (int64, error) {
		var id int64
		return id, s.Scan(&id)
	})
	if err != nil {
		return nil, fmt.Errorf("store: project snippets: %w", err)
	}
	for _, id := range ids {
		if err := q.DeleteSnippet(ctx, id); err != nil {
			return nil, err
		}
	}
	return ids, nil
}
