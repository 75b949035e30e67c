package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lablet/lablet/internal/model"
)

const suggestionColumns = `id, note_id, relative_order, from_content, to_content, lines_above, lines_below,
	outdated, applied, commit_id, applied_by_id, applied_at`

func scanSuggestion(s scanner) (*model.Suggestion, error) {
	var g model.Suggestion
	var commit sql.NullString
	var by, at sql.NullInt64
	if err := s.Scan(&g.ID, &g.NoteID, &g.RelativeOrder, &g.FromContent, &g.ToContent, &g.LinesAbove,
		&g.LinesBelow, &g.Outdated, &g.Applied, &commit, &by, &at); err != nil {
		return nil, wrapErr(err)
	}
	g.CommitID, g.AppliedByID, g.AppliedAt = fromNullStr(commit), fromNullInt(by), fromNullMS(at)
	return &g, nil
}

// SuggestionsByIDs returns the suggestions with these ids, in id order.
func (q *Queries) SuggestionsByIDs(ctx context.Context, ids []int64) ([]*model.Suggestion, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var c conds
	c.in("id", false, ids)
	rows, err := q.query(ctx, "SELECT "+suggestionColumns+" FROM suggestions"+c.where()+" ORDER BY id", c.args...)
	if err != nil {
		return nil, fmt.Errorf("store: suggestions: %w", err)
	}
	return collect(rows, scanSuggestion)
}

// SuggestionsOfNote returns a note's suggestions in their order in it.
func (q *Queries) SuggestionsOfNote(ctx context.Context, noteID int64) ([]*model.Suggestion, error) {
	rows, err := q.query(ctx, "SELECT "+suggestionColumns+" FROM suggestions WHERE note_id = ? ORDER BY relative_order", noteID)
	if err != nil {
		return nil, fmt.Errorf("store: suggestions of note: %w", err)
	}
	return collect(rows, scanSuggestion)
}

// ReplaceNoteSuggestions replaces a note's suggestions by gs (their
// NoteID and RelativeOrder are set here), filling in their ids.
func (q *Queries) ReplaceNoteSuggestions(ctx context.Context, noteID int64, gs []*model.Suggestion) error {
	if _, err := q.exec(ctx, "DELETE FROM suggestions WHERE note_id = ?", noteID); err != nil {
		return fmt.Errorf("store: delete suggestions: %w", err)
	}
	for i, g := range gs {
		g.NoteID, g.RelativeOrder = noteID, i
		id, err := q.insert(ctx, `INSERT INTO suggestions (note_id, relative_order, from_content, to_content,
			lines_above, lines_below) VALUES (?, ?, ?, ?, ?, ?)`,
			noteID, i, g.FromContent, g.ToContent, g.LinesAbove, g.LinesBelow)
		if err != nil {
			return fmt.Errorf("store: create suggestion: %w", err)
		}
		g.ID = id
	}
	return nil
}

// updateSuggestions runs "UPDATE suggestions SET set" with setArgs on
// the suggestions of ids that also meet where (if given) and returns how
// many changed.
func (q *Queries) updateSuggestions(ctx context.Context, set string, setArgs []any, ids []int64, where ...string) (int64, error) {
	var c conds
	c.in("id", false, ids)
	for _, w := range where {
		c.add(w)
	}
	res, err := q.exec(ctx, "UPDATE suggestions SET "+set+c.where(), append(setArgs, c.args...)...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// ClaimSuggestions marks the suggestions with these ids applied by
// userID, before their commit exists: it reports false, changing nothing
// when run in a transaction, unless every one of them was still
// unapplied — of two concurrent applies exactly one claims them.
func (q *Queries) ClaimSuggestions(ctx context.Context, ids []int64, userID int64) (bool, error) {
	n, err := q.updateSuggestions(ctx, "applied = ?, applied_by_id = ?, applied_at = ?", []any{true, userID, ms(q.Now())},
		ids, "applied = FALSE")
	if err != nil {
		return false, fmt.Errorf("store: claim suggestions: %w", err)
	}
	return n == int64(len(ids)), nil
}

// ReleaseSuggestions undoes ClaimSuggestions when the commit failed.
func (q *Queries) ReleaseSuggestions(ctx context.Context, ids []int64) error {
	if _, err := q.updateSuggestions(ctx, "applied = ?, applied_by_id = NULL, applied_at = NULL", []any{false}, ids,
		"commit_id IS NULL"); err != nil {
		return fmt.Errorf("store: release suggestions: %w", err)
	}
	return nil
}

// SetSuggestionsCommit records the commit that applied the suggestions.
func (q *Queries) SetSuggestionsCommit(ctx context.Context, ids []int64, commitID string) error {
	if _, err := q.updateSuggestions(ctx, "commit_id = ?", []any{commitID}, ids); err != nil {
		return fmt.Errorf("store: suggestions' commit: %w", err)
	}
	return nil
}

// SetSuggestionsOutdated marks suggestions whose lines changed.
func (q *Queries) SetSuggestionsOutdated(ctx context.Context, ids []int64) error {
	if _, err := q.updateSuggestions(ctx, "outdated = ?", []any{true}, ids); err != nil {
		return fmt.Errorf("store: outdate suggestions: %w", err)
	}
	return nil
}

// SuggestionsOfNotes returns the suggestions of these notes, by note, in
// their order in it.
func (q *Queries) SuggestionsOfNotes(ctx context.Context, noteIDs []int64) (map[int64][]*model.Suggestion, error) {
	if len(noteIDs) == 0 {
		return nil, nil
	}
	var c conds
	c.in("note_id", false, noteIDs)
	rows, err := q.query(ctx, "SELECT "+suggestionColumns+" FROM suggestions"+c.where()+" ORDER BY note_id, relative_order", c.args...)
	if err != nil {
		return nil, fmt.Errorf("store: suggestions of notes: %w", err)
	}
	gs, err := collect(rows, scanSuggestion)
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]*model.Suggestion)
	for _, g := range gs {
		out[g.NoteID] = append(out[g.NoteID], g)
	}
	return out, nil
}
