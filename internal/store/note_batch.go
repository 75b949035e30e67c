package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/lablet/lablet/internal/model"
)

// NoteBatch selects the notes of many noteables of one type: a window of
// each one's, oldest first (GraphQL's notes of a page of issues).
type NoteBatch struct {
	NoteableType string
	NoteableIDs  []int64
	WithInternal bool
	System       *bool
	// Offset and Limit window each noteable's notes.
	Offset, Limit int
}

func (b NoteBatch) conds() *conds {
	c := &conds{}
	c.add("noteable_type = ?", b.NoteableType)
	ids := make([]any, len(b.NoteableIDs))
	for i, id := range b.NoteableIDs {
		ids[i] = id
	}
	c.add("noteable_id IN ("+placeholders(len(ids))+")", ids...)
	if !b.WithInternal {
		c.add("internal = ?", false)
	}
	if b.System != nil {
		c.add("system = ?", *b.System)
	}
	return c
}

// NotesOfNoteables returns the window of each noteable's notes and how
// many each has: two queries however many noteables.
func (q *Queries) NotesOfNoteables(ctx context.Context, b NoteBatch) (map[int64][]*model.Note, map[int64]int, error) {
	notes, totals := map[int64][]*model.Note{}, map[int64]int{}
	if len(b.NoteableIDs) == 0 {
		return notes, totals, nil
	}
	c := b.conds()
	rows, err := q.query(ctx, "SELECT noteable_id, COUNT(*) FROM notes"+c.where()+" GROUP BY noteable_id", c.args...)
	if err != nil {
		return nil, nil, fmt.Errorf("store: count notes of noteables: %w", err)
	}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return nil, nil, wrapErr(err)
		}
		totals[id] = n
	}
	if err := rows.Close(); err != nil {
		return nil, nil, wrapErr(err)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, wrapErr(err)
	}
	// Both databases number rows per noteable (window functions), so one
	// query windows every noteable's notes.
	cols := strings.ReplaceAll(noteColumns, "notes.", "n.")
	args := append(c.args, b.Offset, b.Offset+b.Limit)
	rs, err := q.query(ctx, "SELECT "+cols+" FROM (SELECT notes.*, ROW_NUMBER() OVER (PARTITION BY noteable_id"+
		" ORDER BY created_at, id) AS rn FROM notes"+c.where()+") n WHERE n.rn > ? AND n.rn <= ?"+
		" ORDER BY n.noteable_id, n.created_at, n.id", args...)
	if err != nil {
		return nil, nil, fmt.Errorf("store: notes of noteables: %w", err)
	}
	list, err := collect(rs, scanNote)
	if err != nil {
		return nil, nil, err
	}
	for _, n := range list {
		notes[n.NoteableID] = append(notes[n.NoteableID], n)
	}
	return notes, totals, nil
}

// DiscussionsOfNoteables returns a window of each noteable's discussions
// (oldest first, by their first note, as DiscussionIDs orders them), how
// many each has, and the notes of the window's discussions: three
// queries however many noteables.
func (q *Queries) DiscussionsOfNoteables(ctx context.Context, b NoteBatch) (map[int64][]string, map[int64]int, []*model.Note, error) {
	ids, totals := map[int64][]string{}, map[int64]int{}
	if len(b.NoteableIDs) == 0 {
		return ids, totals, nil, nil
	}
	c := b.conds()
	rows, err := q.query(ctx, "SELECT noteable_id, COUNT(DISTINCT discussion_id) FROM notes"+c.where()+" GROUP BY noteable_id", c.args...)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("store: count discussions of noteables: %w", err)
	}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return nil, nil, nil, wrapErr(err)
		}
		totals[id] = n
	}
	if err := rows.Close(); err != nil {
		return nil, nil, nil, wrapErr(err)
	}
	args := append(c.args, b.Offset, b.Offset+b.Limit)
	rows, err = q.query(ctx, "SELECT noteable_id, discussion_id FROM (SELECT noteable_id, discussion_id, ROW_NUMBER() OVER"+
		" (PARTITION BY noteable_id ORDER BY MIN(created_at), MIN(id)) AS rn FROM notes"+c.where()+
		" GROUP BY noteable_id, discussion_id) d WHERE d.rn > ? AND d.rn <= ? ORDER BY d.noteable_id, d.rn", args...)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("store: discussions of noteables: %w", err)
	}
	var all []any
	for rows.Next() {
		var id int64
		var d string
		if err := rows.Scan(&id, &d); err != nil {
			rows.Close()
			return nil, nil, nil, wrapErr(err)
		}
		ids[id] = append(ids[id], d)
		all = append(all, d)
	}
	if err := rows.Close(); err != nil {
		return nil, nil, nil, wrapErr(err)
	}
	if len(all) == 0 {
		return ids, totals, nil, nil
	}
	c.add("discussion_id IN ("+placeholders(len(all))+")", all...)
	rs, err := q.query(ctx, "SELECT "+noteColumns+" FROM notes"+c.where()+" ORDER BY notes.created_at, notes.id", c.args...)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("store: notes of discussions: %w", err)
	}
	notes, err := collect(rs, scanNote)
	return ids, totals, notes, err
}
