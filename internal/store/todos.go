package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/lablet/lablet/internal/model"
)

const todoColumns = `t.id, t.user_id, t.project_id, t.group_id, t.author_id, t.target_type, t.target_id,
	t.action, t.state, t.note_id, t.body, t.created_at, t.updated_at`

func scanTodo(s scanner) (*model.Todo, error) {
	var t model.Todo
	var project, group, author, note sql.NullInt64
	var created, updated int64
	if err := s.Scan(&t.ID, &t.UserID, &project, &group, &author, &t.TargetType, &t.TargetID, &t.Action,
		&t.State, &note, &t.Body, &created, &updated); err != nil {
		return nil, wrapErr(err)
	}
	t.ProjectID, t.GroupID, t.AuthorID, t.NoteID = fromNullInt(project), fromNullInt(group), fromNullInt(author), fromNullInt(note)
	t.CreatedAt, t.UpdatedAt = fromMS(created), fromMS(updated)
	return &t, nil
}

// InsertTodo adds a pending to-do item, filling in ID and timestamps, and
// reports whether it did: an item of a comment always, another only when
// the user has no pending item of its action on its target (an index
// keeps that true for requests at once, todos_pending_once).
func (q *Queries) InsertTodo(ctx context.Context, t *model.Todo) (bool, error) {
	now := q.Now()
	t.CreatedAt, t.UpdatedAt, t.State = now, now, "pending"
	id, err := q.insert(ctx, `INSERT INTO todos (user_id, project_id, group_id, author_id, target_type,
		target_id, action, state, note_id, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`,
		t.UserID, nullInt(t.ProjectID), nullInt(t.GroupID), nullInt(t.AuthorID), t.TargetType, t.TargetID,
		t.Action, t.State, nullInt(t.NoteID), t.Body, ms(now), ms(now))
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: create todo: %w", err)
	}
	t.ID = id
	return true, nil
}

// ListTodos returns a page of a user's items, newest first, and how many
// there are.
func (q *Queries) ListTodos(ctx context.Context, f model.TodoFilter) ([]*model.Todo, int, error) {
	var w conds
	w.add("t.user_id = ?", f.UserID)
	if f.State != "" {
		w.add("t.state = ?", f.State)
	}
	if f.Action != "" {
		w.add("t.action = ?", f.Action)
	}
	if f.AuthorID != 0 {
		w.add("t.author_id = ?", f.AuthorID)
	}
	if f.ProjectID != 0 {
		w.add("t.project_id = ?", f.ProjectID)
	}
	if f.GroupID != 0 {
		w.add(`t.project_id IN (SELECT p.id FROM projects p WHERE p.namespace_id IN
			(SELECT c.descendant_id FROM namespace_closure c WHERE c.ancestor_id = ?))`, f.GroupID)
	}
	if f.TargetType != "" {
		w.add("t.target_type = ?", f.TargetType)
	}
	var total int
	if err := q.queryRow(ctx, "SELECT count(*) FROM todos t"+w.where(), w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count todos: %w", wrapErr(err))
	}
	rows, err := q.query(ctx, "SELECT "+todoColumns+" FROM todos t"+w.where()+" ORDER BY t.id DESC LIMIT "+
		strconv.Itoa(f.Limit)+" OFFSET "+strconv.Itoa(f.Offset), w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list todos: %w", err)
	}
	todos, err := collect(rows, scanTodo)
	return todos, total, err
}

// MarkTodoDone marks one of user's items done and returns it; another
// user's item is ErrNotFound.
func (q *Queries) MarkTodoDone(ctx context.Context, userID, id int64) (*model.Todo, error) {
	if _, err := q.exec(ctx, "UPDATE todos SET state = 'done', updated_at = ? WHERE id = ? AND user_id = ? AND state = 'pending'",
		ms(q.Now()), id, userID); err != nil {
		return nil, fmt.Errorf("store: mark todo done: %w", err)
	}
	return scanTodo(q.queryRow(ctx, "SELECT "+todoColumns+" FROM todos t WHERE t.id = ? AND t.user_id = ?", id, userID))
}

// MarkTodosDone marks every pending item of user done, or with a target
// only those on it.
func (q *Queries) MarkTodosDone(ctx context.Context, userID int64, targetType string, targetID int64) error {
	query, args := "UPDATE todos SET state = 'done', updated_at = ? WHERE user_id = ? AND state = 'pending'",
		[]any{ms(q.Now()), userID}
	if targetType != "" {
		query += " AND target_type = ? AND target_id = ?"
		args = append(args, targetType, targetID)
	}
	if _, err := q.exec(ctx, query, args...); err != nil {
		return fmt.Errorf("store: mark todos done: %w", err)
	}
	return nil
}
