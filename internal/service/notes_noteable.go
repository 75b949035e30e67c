package service

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// NoteableRef names what notes, discussions, award emoji and resource
// events attach to, as a route addresses it: a project (id or full path),
// the noteable's type (model.NoteableIssue …) and its iid.
type NoteableRef struct {
	Project string
	Type    string
	IID     int64
	// Commit is the commit id, branch or tag a commit's notes name
	// (Type model.NoteableCommit, no IID).
	Commit string
}

// Noteable is a noteable the caller may read, with what the rules on its
// notes need: the project, the caller's level there, whether its
// discussion is locked and whether its discussions can be resolved.
// Issues (IssueNoteable) and merge requests (MergeRequestNoteable)
// provide one; commits and snippets will, and every operation on notes
// serves them all.
type Noteable struct {
	Type     string
	ID       int64
	IID      int64
	AuthorID *int64
	Project  *model.Project
	Level    access.Level
	// Locked: GitLab's discussion_locked; only project members comment.
	Locked bool
	// Resolvable: its discussions are resolved (merge requests, not issues).
	Resolvable bool
	// CommitID is a commit's full id (Type model.NoteableCommit, ID 0):
	// its notes carry it and the project instead of a noteable id.
	CommitID string
}

// noteFilter selects n's notes the caller may read.
func (n *Noteable) noteFilter() store.NoteFilter {
	return store.NoteFilter{NoteableType: n.Type, NoteableID: n.ID, ProjectID: n.Project.ID, CommitID: n.CommitID,
		WithInternal: n.CanReadInternalNotes()}
}

// owns reports whether note is one of n's.
func (n *Noteable) owns(note *model.Note) bool {
	if note.NoteableType != n.Type || note.NoteableID != n.ID {
		return false
	}
	return n.CommitID == "" || note.CommitID != nil && *note.CommitID == n.CommitID &&
		note.ProjectID != nil && *note.ProjectID == n.Project.ID
}

// IssueNoteable is the noteable an issue the caller sees provides.
func IssueNoteable(ii *IssueInProject) *Noteable {
	i := ii.Issue
	return &Noteable{Type: model.NoteableIssue, ID: i.ID, IID: i.IID, AuthorID: i.AuthorID, Project: ii.Project,
		Level: ii.Level, Locked: i.DiscussionLocked != nil && *i.DiscussionLocked}
}

// errRecordNotFound is GitLab's answer for a record looked up by id that
// is not there (an unrescued RecordNotFound): "404 Not found".
var errRecordNotFound = &Error{Kind: KindNotFound, Message: "Not found"}

// visibleNoteable loads the noteable ref names for a caller who may read
// it. A missing or hidden issue is "404 Not found", as GitLab's
// NotesFinder (find_by! on the issues the caller sees) answers it.
func (s *Service) visibleNoteable(ctx context.Context, id *auth.Identity, ref NoteableRef) (*Noteable, error) {
	switch ref.Type {
	case model.NoteableIssue:
		ii, err := s.VisibleIssue(ctx, id, ref.Project, ref.IID)
		var se *Error
		if errors.As(err, &se) && se.Kind == KindNotFound && se.Message == "Issue Not Found" {
			return nil, errRecordNotFound
		}
		if err != nil {
			return nil, err
		}
		return IssueNoteable(ii), nil
	case model.NoteableMergeRequest:
		// GitLab's NotesFinder finds the merge request among those the
		// caller reads: a missing one, or one they may not read, is not found.
		mp, err := s.VisibleMergeRequest(ctx, id, ref.Project, ref.IID)
		switch KindOf(err) {
		case KindNotFound:
			var se *Error
			if errors.As(err, &se) && se.Message == "Merge Request Not Found" {
				return nil, errRecordNotFound
			}
			return nil, err
		case KindForbidden:
			return nil, errRecordNotFound
		}
		if err != nil {
			return nil, err
		}
		return MergeRequestNoteable(mp), nil
	case model.NoteableCommit:
		return s.commitNoteable(ctx, id, ref)
	case model.NoteableSnippet:
		return s.snippetNoteable(ctx, id, ref)
	}
	return nil, errRecordNotFound
}

// member reports whether the caller is a member of the noteable's project
// (administrators count): who may still comment on a locked discussion.
func (n *Noteable) member() bool { return n.Level >= access.Guest }

// CanReadInternalNotes is GitLab's read_internal_note: Reporter or more
// (administrators included).
func (n *Noteable) CanReadInternalNotes() bool { return n.Level >= access.Reporter }

// canCreateNote is create_note on the noteable: guest_access, and on a
// locked discussion project membership (IssuablePolicy: locked &
// ~is_project_member prevents create_note, admin_note, award_emoji).
func (n *Noteable) canCreateNote(id *auth.Identity) bool {
	return ProjectCan(id, n.Project, n.Level, access.CreateNote) && (!n.Locked || n.member())
}

// canAward is award_emoji on the noteable (or one of its notes).
func (n *Noteable) canAward(id *auth.Identity) bool {
	return ProjectCan(id, n.Project, n.Level, access.AwardEmoji) && (!n.Locked || n.member())
}

// canReadNote is NotePolicy's read_note for a note of n.
func (n *Noteable) canReadNote(note *model.Note) bool {
	return !note.Internal || n.CanReadInternalNotes()
}

// canAdminNote is NotePolicy's admin_note (edit and delete): the note's
// author, or a Maintainer (the project's admin_note); never on system
// notes (not editable), on notes the caller can't read, on a locked
// discussion by a non-member, or on an archived project.
func (n *Noteable) canAdminNote(id *auth.Identity, note *model.Note) bool {
	if note.System || !n.canReadNote(note) || n.Locked && !n.member() || n.Project.Archived {
		return false
	}
	return isAuthor(id, note.AuthorID) || ProjectCan(id, n.Project, n.Level, access.AdminNote)
}

// canResolveNote is resolve_note: the note's author, the noteable's
// author, or a Developer.
func (n *Noteable) canResolveNote(id *auth.Identity, note *model.Note) bool {
	if !n.canReadNote(note) || n.Locked && !n.member() || n.Project.Archived {
		return false
	}
	return isAuthor(id, note.AuthorID) || isAuthor(id, n.AuthorID) || n.Level >= access.Developer
}

// canSetCreatedAt is set_note_created_at: Owners and administrators.
func (n *Noteable) canSetCreatedAt() bool { return n.Level >= access.Owner }

func isAuthor(id *auth.Identity, author *int64) bool {
	return id.Authenticated() && author != nil && *author == id.User.ID
}

// userIDsOfNotes are the users notes show: authors and resolvers.
func userIDsOfNotes(notes []*model.Note) []int64 {
	var ids []int64
	for _, n := range notes {
		if n.AuthorID != nil {
			ids = append(ids, *n.AuthorID)
		}
		if n.ResolvedByID != nil {
			ids = append(ids, *n.ResolvedByID)
		}
	}
	return ids
}

// earliestNoteTime is the earliest created_at a caller may give a note:
// GitLab takes only dates after 1970-01-01.
var earliestNoteTime = time.Unix(0, 0).UTC()

// NoteableRefByID names the issue or merge request with global id gid
// (GraphQL's noteableId) by its project and iid; whether the caller may
// see it is the note operation's question, answered as for any other
// reference. An unknown id is "404 Noteable Not Found".
func (s *Service) NoteableRefByID(ctx context.Context, typ string, gid int64) (NoteableRef, error) {
	q := s.db.Queries()
	var projectID, iid int64
	switch typ {
	case model.NoteableIssue:
		i, err := q.IssueByID(ctx, gid)
		if err != nil {
			return NoteableRef{}, noteableLookupError(err)
		}
		projectID, iid = i.ProjectID, i.IID
	case model.NoteableMergeRequest:
		m, err := q.MergeRequestByID(ctx, gid)
		if err != nil {
			return NoteableRef{}, noteableLookupError(err)
		}
		projectID, iid = m.TargetProjectID, m.IID
	default:
		return NoteableRef{}, NotFound("Noteable")
	}
	return NoteableRef{Project: strconv.FormatInt(projectID, 10), Type: typ, IID: iid}, nil
}

func noteableLookupError(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return NotFound("Noteable")
	}
	return fmt.Errorf("service: noteable: %w", err)
}
