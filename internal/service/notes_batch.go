package service

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// NotesBatch is a window of the notes of each of many noteables, with
// how many each has and the users they show.
type NotesBatch struct {
	Notes  map[int64][]*model.Note
	Totals map[int64]int
	Users  map[int64]*model.User
}

// IssuesNotes loads a window of the notes of each issue of a page the
// caller read from project ref (GraphQL's notes of a page of issues), in
// a fixed number of queries however many issues. Issues the caller may
// not read get none; internal notes only for Reporter and more, as
// ListNotes answers them one issue at a time.
func (s *Service) IssuesNotes(ctx context.Context, id *auth.Identity, ref string, issues []*model.Issue, in NoteListInput) (*NotesBatch, error) {
	ids, level, err := s.readableIssueIDs(ctx, id, ref, issues)
	if err != nil {
		return nil, err
	}
	return s.notesBatch(ctx, model.NoteableIssue, ids, level, in)
}

// MergeRequestsNotes is IssuesNotes for a page of merge requests.
func (s *Service) MergeRequestsNotes(ctx context.Context, id *auth.Identity, ref string, list []*model.MergeRequest, in NoteListInput) (*NotesBatch, error) {
	ids, level, err := s.readableMergeRequestIDs(ctx, id, ref, list)
	if err != nil {
		return nil, err
	}
	return s.notesBatch(ctx, model.NoteableMergeRequest, ids, level, in)
}

// readableIssueIDs are the ids of the issues of project ref the caller
// may read, and the caller's level there.
func (s *Service) readableIssueIDs(ctx context.Context, id *auth.Identity, ref string, issues []*model.Issue) ([]int64, access.Level, error) {
	p, level, err := s.issuesProject(ctx, id, ref)
	if err != nil {
		return nil, 0, err
	}
	var ids []int64
	for _, i := range issues {
		if i.ProjectID == p.ID && CanReadIssue(id, level, i) {
			ids = append(ids, i.ID)
		}
	}
	return ids, level, nil
}

// readableMergeRequestIDs is readableIssueIDs for merge requests.
func (s *Service) readableMergeRequestIDs(ctx context.Context, id *auth.Identity, ref string, list []*model.MergeRequest) ([]int64, access.Level, error) {
	p, level, err := s.mergeRequestsProject(ctx, id, ref)
	if err != nil {
		return nil, 0, err
	}
	var ids []int64
	for _, m := range list {
		if m.TargetProjectID == p.ID {
			ids = append(ids, m.ID)
		}
	}
	return ids, level, nil
}

func (s *Service) notesBatch(ctx context.Context, typ string, ids []int64, level access.Level, in NoteListInput) (*NotesBatch, error) {
	notes, totals, err := s.db.Queries().NotesOfNoteables(ctx, store.NoteBatch{NoteableType: typ, NoteableIDs: ids,
		WithInternal: level >= access.Reporter, System: in.System, Offset: in.Offset, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	var all []*model.Note
	for _, list := range notes {
		all = append(all, list...)
	}
	users, err := s.UsersByIDs(ctx, userIDsOfNotes(all))
	if err != nil {
		return nil, err
	}
	return &NotesBatch{Notes: notes, Totals: totals, Users: users}, nil
}

// ProjectRef is the ref service calls take for project p.
func ProjectRef(p *model.Project) string { return strconv.FormatInt(p.ID, 10) }

// NoteRefByID names the noteable of note noteID (GraphQL's note global
// ids) for the note operations, which answer whether the caller may see
// it. An unknown note, or one on a noteable GraphQL does not address, is
// "404 Note Not Found".
func (s *Service) NoteRefByID(ctx context.Context, noteID int64) (NoteableRef, error) {
	n, err := s.db.Queries().NoteByID(ctx, noteID)
	if errors.Is(err, store.ErrNotFound) {
		return NoteableRef{}, NotFound("Note")
	}
	if err != nil {
		return NoteableRef{}, fmt.Errorf("service: load note: %w", err)
	}
	if n.NoteableType != model.NoteableIssue && n.NoteableType != model.NoteableMergeRequest {
		return NoteableRef{}, NotFound("Note")
	}
	return s.NoteableRefByID(ctx, n.NoteableType, n.NoteableID)
}

// DiscussionsBatch is a window of the discussions of each of many
// noteables, with how many each has and the users their notes show.
type DiscussionsBatch struct {
	Discussions map[int64][]*Discussion
	Totals      map[int64]int
	Users       map[int64]*model.User
}

// IssuesDiscussions is IssuesNotes for discussions: a window of each
// readable issue's discussions, internal notes only for Reporter and more.
func (s *Service) IssuesDiscussions(ctx context.Context, id *auth.Identity, ref string, issues []*model.Issue, limit, offset int) (*DiscussionsBatch, error) {
	ids, level, err := s.readableIssueIDs(ctx, id, ref, issues)
	if err != nil {
		return nil, err
	}
	return s.discussionsBatch(ctx, model.NoteableIssue, ids, level, limit, offset)
}

// MergeRequestsDiscussions is IssuesDiscussions for merge requests.
func (s *Service) MergeRequestsDiscussions(ctx context.Context, id *auth.Identity, ref string, list []*model.MergeRequest, limit, offset int) (*DiscussionsBatch, error) {
	ids, level, err := s.readableMergeRequestIDs(ctx, id, ref, list)
	if err != nil {
		return nil, err
	}
	return s.discussionsBatch(ctx, model.NoteableMergeRequest, ids, level, limit, offset)
}

func (s *Service) discussionsBatch(ctx context.Context, typ string, ids []int64, level access.Level, limit, offset int) (*DiscussionsBatch, error) {
	dids, totals, notes, err := s.db.Queries().DiscussionsOfNoteables(ctx, store.NoteBatch{NoteableType: typ, NoteableIDs: ids,
		WithInternal: level >= access.Reporter, Offset: offset, Limit: limit})
	if err != nil {
		return nil, err
	}
	byNoteable := map[int64][]*model.Note{}
	for _, n := range notes {
		byNoteable[n.NoteableID] = append(byNoteable[n.NoteableID], n)
	}
	out := &DiscussionsBatch{Discussions: map[int64][]*Discussion{}, Totals: totals}
	for nid, list := range dids {
		out.Discussions[nid] = groupDiscussions(list, byNoteable[nid])
	}
	if out.Users, err = s.UsersByIDs(ctx, userIDsOfNotes(notes)); err != nil {
		return nil, err
	}
	return out, nil
}
