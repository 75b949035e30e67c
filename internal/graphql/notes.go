package graphql

import (
	"context"
	"fmt"
	"strings"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// Notes: createNote on an issue or a merge request named by its global
// ID, through the service REST's note routes call (quick actions, rules
// on locked discussions and internal notes included).

// noteableRef reads a noteableId: gid://gitlab/Issue/N or
// gid://gitlab/MergeRequest/N.
func (r *Resolver) noteableRef(ctx context.Context, id string) (service.NoteableRef, error) {
	for _, typ := range []string{model.NoteableIssue, model.NoteableMergeRequest} {
		if strings.HasPrefix(id, "gid://gitlab/"+typ+"/") {
			n, err := parseGID(typ, id)
			if err != nil {
				return service.NoteableRef{}, err
			}
			return r.svc.NoteableRefByID(ctx, typ, n)
		}
	}
	return service.NoteableRef{}, fmt.Errorf("%q is not a valid Global ID of an issue or a merge request", id)
}

func (v view) note(n *model.Note, author *model.User) *Note {
	return &Note{nid: n.ID, ID: gid("Note", n.ID), Body: n.Body, Internal: ptr(n.Internal), Confidential: ptr(n.Internal), System: n.System,
		CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt, Author: v.userCore(author),
		Discussion: &Discussion{ID: discussionPrefix + n.DiscussionID, CreatedAt: n.CreatedAt, Resolvable: n.Resolvable,
			Resolved: n.Resolvable && n.ResolvedAt != nil, noteableType: n.NoteableType, noteableID: n.NoteableID}}
}

func (r *Resolver) createNote(ctx context.Context, in CreateNoteInput) (*CreateNotePayload, error) {
	notes, err := r.noteCreate(ctx, in)
	if err != nil {
		// A malformed id or an invisible noteable: a top-level error;
		// what the user can fix: the payload's.
		msgs, err := payloadErrors(err)
		if err != nil {
			return nil, err
		}
		return &CreateNotePayload{ClientMutationID: in.ClientMutationID, Errors: msgs}, nil
	}
	out := &CreateNotePayload{ClientMutationID: in.ClientMutationID, Errors: []string{}}
	if len(notes.Notes) > 0 { // none for a text of quick actions only
		n := notes.Notes[0]
		var author *model.User
		if n.AuthorID != nil {
			author = notes.Users[*n.AuthorID]
		}
		out.Note = r.at(ctx).note(n, author)
	}
	return out, nil
}

func (r *Resolver) noteCreate(ctx context.Context, in CreateNoteInput) (*service.Notes, error) {
	ref, err := r.noteableRef(ctx, in.NoteableID)
	if err != nil {
		return nil, err
	}
	return r.svc.CreateNote(ctx, callerOf(ctx), ref, service.NoteInput{Body: in.Body, Internal: in.Internal != nil && *in.Internal})
}
