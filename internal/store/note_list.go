package store

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

// NoteFilter selects the notes of one noteable.
type NoteFilter struct {
	NoteableType string
	NoteableID   int64
	// ProjectID and CommitID name a commit's notes (NoteableID 0): a
	// commit is a noteable per project, as GitLab's commit notes are.
	ProjectID int64
	CommitID  string
	// WithInternal keeps internal notes; callers who may not read them
	// (below Reporter) leave it false.
	WithInternal bool
	// System, when set, keeps only system notes (true) or only comments
	// (false): GitLab's activity_filter.
	System *bool
	// OrderBy is "created_at" or "updated_at"; Desc sorts newest first.
	// The note id breaks ties in the same direction.
	OrderBy string
	Desc    bool
	Limit   int
	Offset  int
}

func (f NoteFilter) conds() *conds {
	c := &conds{}
	c.add("noteable_type = ?", f.NoteableType)
	c.add("noteable_id = ?", f.NoteableID)
	if f.CommitID != "" {
		c.add("project_id = ?", f.ProjectID)
		c.add("commit_id = ?", f.CommitID)
	}
	if !f.WithInternal {
		c.add("internal = ?", false)
	}
	if f.System != nil {
		c.add("system = ?", *f.System)
	}
	return c
}

// ListNotes returns one page of a noteable's notes and how many there are
// in all: two indexed queries (notes_noteable, notes_commit).
func (q *Queries) ListNotes(ctx context.Context, f NoteFilter) ([]*model.Note, int, error) {
	c := f.conds()
	var total int
	if err := q.queryRow(ctx, "SELECT COUNT(*) FROM notes"+c.where(), c.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count notes: %w", wrapErr(err))
	}
	col := "notes.created_at"
	if f.OrderBy == "updated_at" {
		col = "notes.updated_at"
	}
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	args := append(c.args, f.Limit, f.Offset)
	rows, err := q.query(ctx, "SELECT "+noteColumns+" FROM notes"+c.where()+" ORDER BY "+col+dir+", notes.id"+dir+
		" LIMIT ? OFFSET ?", args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list notes: %w", err)
	}
	notes, err := collect(rows, scanNote)
	return notes, total, err
}

// DiscussionIDs returns one page of a noteable's discussions, oldest
// first (by their first note, as GitLab orders them), and how many there
// are in all.
func (q *Queries) DiscussionIDs(ctx context.Context, f NoteFilter) ([]string, int, error) {
	c := f.conds()
	var total int
	if err := q.queryRow(ctx, "SELECT COUNT(DISTINCT discussion_id) FROM notes"+c.where(), c.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count discussions: %w", wrapErr(err))
	}
	args := append(c.args, f.Limit, f.Offset)
	rows, err := q.query(ctx, "SELECT discussion_id FROM notes"+c.where()+
		" GROUP BY discussion_id ORDER BY MIN(created_at), MIN(id) LIMIT ? OFFSET ?", args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list discussions: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, 0, wrapErr(err)
		}
		ids = append(ids, id)
	}
	return ids, total, wrapErr(rows.Err())
}

// NotesOfDiscussions returns the notes of these discussions of a
// noteable, oldest first, in one query (f's order and page are ignored).
func (q *Queries) NotesOfDiscussions(ctx context.Context, f NoteFilter, discussionIDs []string) ([]*model.Note, error) {
	if len(discussionIDs) == 0 {
		return nil, nil
	}
	c := f.conds()
	ids := make([]any, len(discussionIDs))
	for i, d := range discussionIDs {
		ids[i] = d
	}
	c.add("discussion_id IN ("+placeholders(len(ids))+")", ids...)
	rows, err := q.query(ctx, "SELECT "+noteColumns+" FROM notes"+c.where()+" ORDER BY notes.created_at, notes.id", c.args...)
	if err != nil {
		return nil, fmt.Errorf("store: discussion notes: %w", err)
	}
	return collect(rows, scanNote)
}

// UpdateNoteBody replaces a note's text, moving updated_at.
func (q *Queries) UpdateNoteBody(ctx context.Context, n *model.Note, body string) error {
	now := q.Now()
	if _, err := q.exec(ctx, "UPDATE notes SET body = ?, updated_at = ? WHERE id = ?", body, ms(now), n.ID); err != nil {
		return fmt.Errorf("store: update note: %w", err)
	}
	n.Body, n.UpdatedAt = body, now
	return nil
}

// SetNoteType changes a note's type: an individual note becomes a
// "DiscussionNote" when someone replies to it, resolvable on a noteable
// whose discussions resolve.
func (q *Queries) SetNoteType(ctx context.Context, id int64, noteType string, resolvable bool) error {
	if _, err := q.exec(ctx, "UPDATE notes SET note_type = ?, resolvable = ? WHERE id = ?", noteType, resolvable, id); err != nil {
		return fmt.Errorf("store: set note type: %w", err)
	}
	return nil
}

// DeleteNote deletes a note and its award emoji. A user's note on an
// issue or merge request moves its user_notes_count back in the same transaction.
func (q *Queries) DeleteNote(ctx context.Context, n *model.Note) error {
	res, err := q.exec(ctx, "DELETE FROM notes WHERE id = ?", n.ID)
	if err != nil {
		return fmt.Errorf("store: delete note: %w", err)
	}
	if rows, err := res.RowsAffected(); err == nil && rows == 0 {
		return ErrNotFound
	}
	if _, err := q.exec(ctx, "DELETE FROM award_emoji WHERE awardable_type = ? AND awardable_id = ?",
		model.AwardableNote, n.ID); err != nil {
		return fmt.Errorf("store: delete note's award emoji: %w", err)
	}
	if table := counterTables[n.NoteableType]; !n.System && table != "" {
		if _, err := q.exec(ctx, "UPDATE "+table+" SET user_notes_count = user_notes_count - 1 WHERE id = ? AND user_notes_count > 0",
			n.NoteableID); err != nil {
			return fmt.Errorf("store: count note: %w", err)
		}
	}
	return nil
}

// SetNoteResolved resolves a resolvable note by userID, or unresolves it.
func (q *Queries) SetNoteResolved(ctx context.Context, n *model.Note, resolved bool, userID int64) error {
	if !resolved {
		if _, err := q.exec(ctx, "UPDATE notes SET resolved_at = NULL, resolved_by_id = NULL WHERE id = ?", n.ID); err != nil {
			return fmt.Errorf("store: unresolve note: %w", err)
		}
		n.ResolvedAt, n.ResolvedByID = nil, nil
		return nil
	}
	if n.ResolvedAt != nil {
		return nil // resolving again keeps who resolved it first
	}
	now := q.Now()
	if _, err := q.exec(ctx, "UPDATE notes SET resolved_at = ?, resolved_by_id = ? WHERE id = ?", ms(now), userID, n.ID); err != nil {
		return fmt.Errorf("store: resolve note: %w", err)
	}
	n.ResolvedAt, n.ResolvedByID = &now, &userID
	return nil
}
