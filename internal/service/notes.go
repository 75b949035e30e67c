package service

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// MaxNoteLength is GitLab's limit on a note's text, in characters.
const MaxNoteLength = 1_000_000

// Notes are notes of one noteable with the users they show.
type Notes struct {
	Noteable *Noteable
	Notes    []*model.Note
	// Total counts the notes of every page.
	Total int
	Users map[int64]*model.User
	// Suggestions are the merge request diff notes' suggestions, by note.
	Suggestions map[int64][]*SuggestionResult
	// Commands is what the note's quick actions did, nil without any;
	// with no note left (a text of commands only) Notes is empty.
	Commands *QuickActionResult
}

// NoteListInput selects and orders a list of notes.
type NoteListInput struct {
	OrderBy string // "created_at" (default) or "updated_at"
	Asc     bool   // GitLab's default is desc
	// System: nil for every note (all_notes), false for comments only
	// (only_comments), true for system notes only (only_activity).
	System        *bool
	Limit, Offset int
}

// NoteInput is a new note's content.
type NoteInput struct {
	Body string
	// Internal marks the note internal; ignored for callers who may not
	// (GitLab's BuildService drops it below Reporter).
	Internal bool
	// CreatedAt backdates the note (Owners and administrators only;
	// ignored for others, as GitLab does).
	CreatedAt *time.Time
	// position is a diff note's, as checked and stored.
	position *string
}

// noteInvalid is GitLab's bad_request!("Note #{note.errors.messages}").
func noteInvalid(msg string) error {
	return noteErrors(`:note=>["` + msg + `"]`)
}

// validateNoteBody applies Note's validations to a body.
func validateNoteBody(body string) error {
	switch {
	case body == "":
		return noteInvalid("can't be blank")
	case utf8.RuneCountInString(body) > MaxNoteLength:
		return noteInvalid(fmt.Sprintf("is too long (maximum is %d characters)", MaxNoteLength))
	}
	return nil
}

// ListNotes lists a noteable's notes: internal ones only to those who may
// read them (Reporter and more).
func (s *Service) ListNotes(ctx context.Context, id *auth.Identity, ref NoteableRef, in NoteListInput) (*Notes, error) {
	n, err := s.visibleNoteable(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	f := n.noteFilter()
	f.System, f.OrderBy, f.Desc, f.Limit, f.Offset = in.System, in.OrderBy, !in.Asc, in.Limit, in.Offset
	notes, total, err := s.db.Queries().ListNotes(ctx, f)
	if err != nil {
		return nil, err
	}
	return s.withNoteUsers(ctx, &Notes{Noteable: n, Notes: notes, Total: total})
}

func (s *Service) withNoteUsers(ctx context.Context, out *Notes) (*Notes, error) {
	users, err := s.UsersByIDs(ctx, userIDsOfNotes(out.Notes))
	if err != nil {
		return nil, err
	}
	out.Users = users
	if out.Suggestions, err = s.suggestionsOfNotes(ctx, out.Noteable, out.Notes); err != nil {
		return nil, err
	}
	return out, nil
}

// noteOf loads note noteID of n: "404 Not found" when n has no such note.
func (s *Service) noteOf(ctx context.Context, q *store.Queries, n *Noteable, noteID int64) (*model.Note, error) {
	note, err := q.NoteByID(ctx, noteID)
	if errors.Is(err, store.ErrNotFound) || err == nil && !n.owns(note) {
		return nil, errRecordNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("service: load note: %w", err)
	}
	return note, nil
}

// GetNote returns one note of a noteable; a note the caller may not read
// is "404 Note Not Found".
func (s *Service) GetNote(ctx context.Context, id *auth.Identity, ref NoteableRef, noteID int64) (*Notes, error) {
	n, err := s.visibleNoteable(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	note, err := s.noteOf(ctx, s.db.Queries(), n, noteID)
	if err != nil {
		return nil, err
	}
	if !n.canReadNote(note) {
		return nil, NotFound("Note")
	}
	return s.withNoteUsers(ctx, &Notes{Noteable: n, Notes: []*model.Note{note}, Total: 1})
}

// CreateNote adds an individual note to a noteable (create_note: 403
// without it, on a locked discussion for non-members too).
//
// An issue's or merge request's note's quick actions run after it is written, as
// Notes::CreateService runs them; a body of commands only writes no note.
func (s *Service) CreateNote(ctx context.Context, id *auth.Identity, ref NoteableRef, in NoteInput) (*Notes, error) {
	n, err := s.noteableToComment(ctx, id, ref, in.Body)
	if err != nil {
		return nil, err
	}
	var cmds []QuickAction
	if n.Type == model.NoteableIssue || n.Type == model.NoteableMergeRequest {
		in.Body, cmds = splitQuickActions(in.Body, n.Type)
	}
	out := &Notes{Noteable: n}
	if in.Body != "" {
		if out, err = s.insertNote(ctx, id, n, in, nil); err != nil {
			return nil, err
		}
	}
	if len(cmds) > 0 {
		if out.Commands, err = s.runQuickActions(ctx, id, ref, cmds); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// noteableToComment loads the noteable ref names for a caller who may
// comment on it with body.
func (s *Service) noteableToComment(ctx context.Context, id *auth.Identity, ref NoteableRef, body string) (*Noteable, error) {
	n, err := s.visibleNoteable(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	if !n.canCreateNote(id) {
		return nil, Forbidden("")
	}
	if err := validateNoteBody(body); err != nil {
		return nil, err
	}
	return n, nil
}

// insertNote writes a note of n, checked by noteableToComment.
func (s *Service) insertNote(ctx context.Context, id *auth.Identity, n *Noteable, in NoteInput, noteType *string) (*Notes, error) {
	return s.insertNoteAs(ctx, n, n.newNote(id, in), noteType)
}

// insertNoteAs writes note, built by n.newNote, as a new discussion.
func (s *Service) insertNoteAs(ctx context.Context, n *Noteable, note *model.Note, noteType *string) (*Notes, error) {
	// Only discussion and diff notes resolve (GitLab's ResolvableNote).
	note.DiscussionID, note.NoteType, note.Resolvable = NewDiscussionID(), noteType, n.Resolvable && noteType != nil
	if err := s.db.WithTx(ctx, func(q *store.Queries) error {
		if err := q.InsertNote(ctx, note); err != nil {
			return err
		}
		return s.noteCreated(ctx, q, n, note)
	}); err != nil {
		return nil, fmt.Errorf("service: create note: %w", err)
	}
	return s.withNoteUsers(ctx, &Notes{Noteable: n, Notes: []*model.Note{note}, Total: 1})
}

// newNote is a note of n by the caller, not yet in a discussion.
func (n *Noteable) newNote(id *auth.Identity, in NoteInput) *model.Note {
	uid := id.User.ID
	pid := n.Project.ID
	note := &model.Note{ProjectID: &pid, NoteableType: n.Type, NoteableID: n.ID, AuthorID: &uid, Body: in.Body,
		Internal: in.Internal && n.CanReadInternalNotes(), Position: in.position}
	if n.CommitID != "" {
		c := n.CommitID
		note.CommitID = &c
	}
	if in.CreatedAt != nil && n.canSetCreatedAt() {
		note.CreatedAt = in.CreatedAt.UTC()
	}
	return note
}

// ValidNoteTime reports whether t may be a note's created_at.
func ValidNoteTime(t time.Time) bool { return t.After(earliestNoteTime) }

// UpdateNote replaces a note's text (admin_note: its author or a
// Maintainer; 403 otherwise).
func (s *Service) UpdateNote(ctx context.Context, id *auth.Identity, ref NoteableRef, noteID int64, body *string) (*Notes, error) {
	n, err := s.visibleNoteable(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	var note *model.Note
	var cmds []QuickAction
	deleted := false
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		note, err = s.noteOf(ctx, q, n, noteID)
		if err != nil {
			return err
		}
		if !n.canAdminNote(id, note) {
			return Forbidden("")
		}
		if body == nil || *body == note.Body {
			return nil // nothing to change: GitLab answers the note as it is
		}
		if err := validateNoteBody(*body); err != nil {
			return err
		}
		// Notes::UpdateService runs the new text's quick actions; a note
		// left with commands only is deleted.
		text, found := splitNoteQuickActions(n, *body)
		if cmds = found; text == "" && len(cmds) > 0 {
			deleted = true
			return q.DeleteNote(ctx, note)
		}
		if err := q.UpdateNoteBody(ctx, note, text); err != nil {
			return err
		}
		return s.writeNoteSuggestions(ctx, q, n, note)
	})
	if err != nil {
		return nil, err
	}
	if deleted {
		return nil, s.commandsOnly(ctx, id, ref, cmds, "Failed to save note ", "Commands did not apply")
	}
	if len(cmds) > 0 {
		if _, err := s.runQuickActions(ctx, id, ref, cmds); err != nil {
			return nil, err
		}
	}
	return s.withNoteUsers(ctx, &Notes{Noteable: n, Notes: []*model.Note{note}, Total: 1})
}

// DeleteNote deletes a note (admin_note), with its award emoji, in one
// transaction that also moves the noteable's count of user notes.
func (s *Service) DeleteNote(ctx context.Context, id *auth.Identity, ref NoteableRef, noteID int64) error {
	n, err := s.visibleNoteable(ctx, id, ref)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		note, err := s.noteOf(ctx, q, n, noteID)
		if err != nil {
			return err
		}
		if !n.canAdminNote(id, note) {
			return Forbidden("")
		}
		if err := q.DeleteNote(ctx, note); errors.Is(err, store.ErrNotFound) {
			return errRecordNotFound // deleted meanwhile
		} else if err != nil {
			return err
		}
		return nil
	})
}

// ResolveNote resolves or unresolves a note (resolve_note: its author,
// the noteable's author or a Developer; 403 otherwise). Notes that are
// not resolvable — every note on an issue — are "400 Note is not
// resolvable", as GitLab answers.
func (s *Service) ResolveNote(ctx context.Context, id *auth.Identity, ref NoteableRef, noteID int64, resolved bool) (*Notes, error) {
	n, err := s.visibleNoteable(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	var note *model.Note
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		note, err = s.noteOf(ctx, q, n, noteID)
		if err != nil {
			return err
		}
		if !n.canResolveNote(id, note) {
			return Forbidden("")
		}
		if !note.Resolvable {
			return Invalid("400 Bad request - Note is not resolvable")
		}
		return q.SetNoteResolved(ctx, note, resolved, id.User.ID)
	})
	if err != nil {
		return nil, err
	}
	return s.withNoteUsers(ctx, &Notes{Noteable: n, Notes: []*model.Note{note}, Total: 1})
}
