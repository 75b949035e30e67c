package service

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// discussionNote is the type of the notes of a started discussion; an
// individual note has none.
const discussionNote = "DiscussionNote"

// Discussion is a thread of notes: an individual note is one of one.
type Discussion struct {
	ID         string
	Individual bool
	Notes      []*model.Note
}

// Discussions are discussions of one noteable with the users they show.
type Discussions struct {
	Noteable    *Noteable
	Discussions []*Discussion
	Total       int
	Users       map[int64]*model.User
	// Suggestions are the merge request diff notes' suggestions, by note.
	Suggestions map[int64][]*SuggestionResult
}

// groupDiscussions groups notes (oldest first) by discussion, in the
// order of ids. A discussion is individual when its first note has no
// type, as GitLab's IndividualNoteDiscussion.
func groupDiscussions(ids []string, notes []*model.Note) []*Discussion {
	byID := make(map[string]*Discussion, len(ids))
	out := make([]*Discussion, 0, len(ids))
	for _, id := range ids {
		d := &Discussion{ID: id}
		byID[id] = d
		out = append(out, d)
	}
	for _, n := range notes {
		if d := byID[n.DiscussionID]; d != nil {
			if len(d.Notes) == 0 {
				d.Individual = n.NoteType == nil
			}
			d.Notes = append(d.Notes, n)
		}
	}
	// A discussion whose notes all vanished between the two queries.
	kept := out[:0]
	for _, d := range out {
		if len(d.Notes) > 0 {
			kept = append(kept, d)
		}
	}
	return kept
}

func (s *Service) withDiscussionUsers(ctx context.Context, out *Discussions) (*Discussions, error) {
	var notes []*model.Note
	for _, d := range out.Discussions {
		notes = append(notes, d.Notes...)
	}
	users, err := s.UsersByIDs(ctx, userIDsOfNotes(notes))
	if err != nil {
		return nil, err
	}
	out.Users = users
	if out.Suggestions, err = s.suggestionsOfNotes(ctx, out.Noteable, notes); err != nil {
		return nil, err
	}
	return out, nil
}

// ListDiscussions lists a noteable's discussions, a page of them at a
// time, each with all its notes the caller may read: two queries for the
// page and one for its notes.
func (s *Service) ListDiscussions(ctx context.Context, id *auth.Identity, ref NoteableRef, limit, offset int) (*Discussions, error) {
	n, err := s.visibleNoteable(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	q := s.db.Queries()
	f := n.noteFilter()
	f.Limit, f.Offset = limit, offset
	ids, total, err := q.DiscussionIDs(ctx, f)
	if err != nil {
		return nil, err
	}
	notes, err := q.NotesOfDiscussions(ctx, f, ids)
	if err != nil {
		return nil, err
	}
	return s.withDiscussionUsers(ctx, &Discussions{Noteable: n, Discussions: groupDiscussions(ids, notes), Total: total})
}

// readableDiscussion loads a discussion of n with the notes the caller
// may read: "404 Discussion Not Found" when there are none.
func (s *Service) readableDiscussion(ctx context.Context, q *store.Queries, n *Noteable, discussionID string) (*Discussion, error) {
	notes, err := q.NotesOfDiscussions(ctx, n.noteFilter(), []string{discussionID})
	if err != nil {
		return nil, err
	}
	ds := groupDiscussions([]string{discussionID}, notes)
	if len(ds) == 0 {
		return nil, NotFound("Discussion")
	}
	return ds[0], nil
}

// GetDiscussion returns one discussion of a noteable.
func (s *Service) GetDiscussion(ctx context.Context, id *auth.Identity, ref NoteableRef, discussionID string) (*Discussions, error) {
	n, err := s.visibleNoteable(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	d, err := s.readableDiscussion(ctx, s.db.Queries(), n, discussionID)
	if err != nil {
		return nil, err
	}
	return s.withDiscussionUsers(ctx, &Discussions{Noteable: n, Discussions: []*Discussion{d}, Total: 1})
}

// CreateDiscussion starts a discussion with one note; with a position, a
// thread on a line of a merge request's diff (a DiffNote), checked
// against the merge request's versions.
func (s *Service) CreateDiscussion(ctx context.Context, id *auth.Identity, ref NoteableRef, in NoteInput, pos *DiffPosition) (*Discussions, error) {
	n, err := s.noteableToComment(ctx, id, ref, in.Body)
	if err != nil {
		return nil, err
	}
	t := discussionNote
	if pos != nil {
		t = diffNote
		p, err := s.checkDiffPosition(ctx, n, pos)
		if err != nil {
			return nil, err
		}
		in.position = &p
	}
	var cmds []QuickAction
	in.Body, cmds = splitNoteQuickActions(n, in.Body)
	if in.Body == "" && len(cmds) > 0 {
		return nil, s.commandsOnly(ctx, id, ref, cmds, "Note ", commandsFailed)
	}
	created, err := s.insertNote(ctx, id, n, in, &t)
	if err != nil {
		return nil, err
	}
	if len(cmds) > 0 {
		if _, err := s.runQuickActions(ctx, id, ref, cmds); err != nil {
			return nil, err
		}
	}
	note := created.Notes[0]
	return &Discussions{Noteable: created.Noteable, Total: 1, Users: created.Users, Suggestions: created.Suggestions,
		Discussions: []*Discussion{{ID: note.DiscussionID, Notes: created.Notes}}}, nil
}

// ReplyToDiscussion adds a note to a discussion. Replying to an
// individual note turns it into a discussion (its note becomes a
// DiscussionNote), as GitLab does; system notes take no replies ("400
// Discussion can not be replied to."). A reply is internal when the
// discussion is.
func (s *Service) ReplyToDiscussion(ctx context.Context, id *auth.Identity, ref NoteableRef, discussionID string, in NoteInput) (*Notes, error) {
	n, err := s.visibleNoteable(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	var note *model.Note
	var cmds []QuickAction
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		d, err := s.readableDiscussion(ctx, q, n, discussionID)
		if err != nil {
			return err
		}
		first := d.Notes[0]
		if d.Individual && first.System {
			return Invalid("400 Bad request - Discussion can not be replied to.")
		}
		if !n.canCreateNote(id) {
			return Forbidden("")
		}
		if err := validateNoteBody(in.Body); err != nil {
			return err
		}
		if in.Body, cmds = splitNoteQuickActions(n, in.Body); in.Body == "" && len(cmds) > 0 {
			return nil // commands only: no reply, the commands run below
		}
		if d.Individual {
			if err := q.SetNoteType(ctx, first.ID, discussionNote, n.Resolvable); err != nil {
				return err
			}
		}
		// Replies to a diff thread are diff notes at its position.
		t := discussionNote
		if first.NoteType != nil && *first.NoteType == diffNote {
			t, in.position = diffNote, first.Position
		}
		note = n.newNote(id, in)
		note.DiscussionID, note.NoteType, note.Internal = first.DiscussionID, &t, first.Internal
		note.Resolvable = n.Resolvable
		if err := q.InsertNote(ctx, note); err != nil {
			return err
		}
		return s.noteCreated(ctx, q, n, note)
	})
	if err != nil {
		return nil, fmt.Errorf("service: reply to discussion: %w", err)
	}
	if note == nil {
		return nil, s.commandsOnly(ctx, id, ref, cmds, "Note ", commandsFailed)
	}
	if len(cmds) > 0 {
		if _, err := s.runQuickActions(ctx, id, ref, cmds); err != nil {
			return nil, err
		}
	}
	return s.withNoteUsers(ctx, &Notes{Noteable: n, Notes: []*model.Note{note}, Total: 1})
}

// splitNoteQuickActions takes the quick actions out of a note's body on
// an issue or a merge request (Notes::QuickActionsService.supported?).
func splitNoteQuickActions(n *Noteable, body string) (string, []QuickAction) {
	if n.Type != model.NoteableIssue && n.Type != model.NoteableMergeRequest {
		return body, nil
	}
	return splitQuickActions(body, n.Type)
}

// commandsOnly runs the commands of a note that held nothing else and
// answers as the discussions and notes APIs then do: the note is
// invalid with the commands' message (Notes::CreateService and
// UpdateService add commands_only; bad_request! shows the errors hash
// after prefix), or fallback when no command said anything.
func (s *Service) commandsOnly(ctx context.Context, id *auth.Identity, ref NoteableRef, cmds []QuickAction, prefix, fallback string) error {
	res, err := s.runQuickActions(ctx, id, ref, cmds)
	if err != nil {
		return err
	}
	msg := fallback
	if sum := res.Summary(); len(sum) > 0 && sum[0] != "" {
		msg = sum[0]
	}
	b, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	errs := ":commands_only=>[" + string(b) + "]"
	if msg == fallback && fallback == commandsFailed {
		errs += `, :commands=>["` + commandsFailed + `"]`
	}
	return Invalid("400 Bad request - " + prefix + "{" + errs + "}")
}

// commandsFailed is Notes::CreateService's message when no command ran.
const commandsFailed = "Failed to apply commands."

// ResolveDiscussion resolves or unresolves every resolvable note of a
// discussion (resolve_note on its first note: that note's author, the
// noteable's author or a Developer; 403 otherwise). A discussion without
// resolvable notes is "400 Discussion is not resolvable".
func (s *Service) ResolveDiscussion(ctx context.Context, id *auth.Identity, ref NoteableRef, discussionID string, resolved bool) (*Discussions, error) {
	n, err := s.visibleNoteable(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	var d *Discussion
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		if d, err = s.readableDiscussion(ctx, q, n, discussionID); err != nil {
			return err
		}
		if !n.canResolveNote(id, d.Notes[0]) {
			return Forbidden("")
		}
		found := false
		for _, note := range d.Notes {
			if !note.Resolvable {
				continue
			}
			found = true
			if err := q.SetNoteResolved(ctx, note, resolved, id.User.ID); err != nil {
				return err
			}
		}
		if !found {
			return Invalid("400 Bad request - Discussion is not resolvable")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.withDiscussionUsers(ctx, &Discussions{Noteable: n, Discussions: []*Discussion{d}, Total: 1})
}
