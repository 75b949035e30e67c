package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

const noteColumns = `notes.id, notes.project_id, notes.noteable_type, notes.noteable_id, notes.commit_id,
	notes.discussion_id, notes.note_type, notes.author_id, notes.body, notes.system, notes.internal,
	notes.resolvable, notes.resolved_at, notes.resolved_by_id, notes.position, notes.created_at,
	notes.updated_at`

func scanNote(s scanner) (*model.Note, error) {
	var n model.Note
	var project, author, resolvedBy, resolvedAt sql.NullInt64
	var commit, noteType, position sql.NullString
	var created, updated int64
	if err := s.Scan(&n.ID, &project, &n.NoteableType, &n.NoteableID, &commit, &n.DiscussionID, &noteType,
		&author, &n.Body, &n.System, &n.Internal, &n.Resolvable, &resolvedAt, &resolvedBy, &position,
		&created, &updated); err != nil {
		return nil, wrapErr(err)
	}
	n.ProjectID, n.AuthorID, n.ResolvedByID = fromNullInt(project), fromNullInt(author), fromNullInt(resolvedBy)
	n.CommitID, n.NoteType, n.Position = fromNullStr(commit), fromNullStr(noteType), fromNullStr(position)
	n.ResolvedAt = fromNullMS(resolvedAt)
	n.CreatedAt, n.UpdatedAt = fromMS(created), fromMS(updated)
	return &n, nil
}

// NoteByID returns the note with this id.
func (q *Queries) NoteByID(ctx context.Context, id int64) (*model.Note, error) {
	return scanNote(q.queryRow(ctx, "SELECT "+noteColumns+" FROM notes WHERE id = ?", id))
}

// counterTables are the tables of the noteables that count their user
// notes and votes in their rows.
var counterTables = map[string]string{model.NoteableIssue: "issues", model.NoteableMergeRequest: "merge_requests"}

// InsertNote inserts n, filling in ID and the timestamps (CreatedAt when
// zero). The caller sets DiscussionID (NewDiscussionID for a new one). A
// user's note on an issue or a merge request moves its user_notes_count in the same
// transaction; system notes do not count.
func (q *Queries) InsertNote(ctx context.Context, n *model.Note) error {
	if n.CreatedAt.IsZero() {
		n.CreatedAt = q.Now()
	}
	n.UpdatedAt = n.CreatedAt
	id, err := q.insert(ctx, `INSERT INTO notes (project_id, noteable_type, noteable_id, commit_id,
		discussion_id, note_type, author_id, body, system, internal, resolvable, position, created_at,
		updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		nullInt(n.ProjectID), n.NoteableType, n.NoteableID, nullStr(n.CommitID), n.DiscussionID,
		nullStr(n.NoteType), nullInt(n.AuthorID), n.Body, n.System, n.Internal, n.Resolvable,
		nullStr(n.Position), ms(n.CreatedAt), ms(n.UpdatedAt))
	if err != nil {
		return fmt.Errorf("store: create note: %w", err)
	}
	n.ID = id
	if table := counterTables[n.NoteableType]; !n.System && table != "" {
		if _, err := q.exec(ctx, "UPDATE "+table+" SET user_notes_count = user_notes_count + 1 WHERE id = ?", n.NoteableID); err != nil {
			return fmt.Errorf("store: count note: %w", err)
		}
	}
	return nil
}

// NotesByIDs returns the notes with these ids, in id order.
func (q *Queries) NotesByIDs(ctx context.Context, ids []int64) ([]*model.Note, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var c conds
	c.in("notes.id", false, ids)
	rows, err := q.query(ctx, "SELECT "+noteColumns+" FROM notes"+c.where()+" ORDER BY notes.id", c.args...)
	if err != nil {
		return nil, fmt.Errorf("store: notes: %w", err)
	}
	return collect(rows, scanNote)
}
