package v4

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// noteEntity is GitLab's Entities::Note. resolved, resolved_by and
// resolved_at are shown only for resolvable notes, as GitLab's entity
// does.
type noteEntity struct {
	ID           int64      `json:"id"`
	Type         *string    `json:"type"`
	Body         string     `json:"body"`
	Attachment   *string    `json:"attachment"`
	Author       *BasicUser `json:"author"`
	CreatedAt    string     `json:"created_at"`
	UpdatedAt    string     `json:"updated_at"`
	System       bool       `json:"system"`
	NoteableID   int64      `json:"noteable_id"`
	NoteableType string     `json:"noteable_type"`
	ProjectID    *int64     `json:"project_id"`
	// CommitID and Position are a diff note's only (null or absent
	// otherwise, as GitLab's exposures are conditional).
	CommitID        json.RawMessage `json:"commit_id,omitempty"`
	Position        json.RawMessage `json:"position,omitempty"`
	Resolvable      bool            `json:"resolvable"`
	Resolved        *bool           `json:"resolved,omitempty"`
	ResolvedBy      *BasicUser      `json:"resolved_by,omitempty"`
	ResolvedAt      *string         `json:"resolved_at,omitempty"`
	Confidential    bool            `json:"confidential"`
	Internal        bool            `json:"internal"`
	Imported        bool            `json:"imported"`
	ImportedFrom    string          `json:"imported_from"`
	NoteableIID     *int64          `json:"noteable_iid"`
	CommandsChanges map[string]any  `json:"commands_changes"`
	// Suggestions are a merge request diff note's only.
	Suggestions *[]suggestionEntity `json:"suggestions,omitempty"`
}

// withSuggestions adds a merge request diff note's suggestions (GitLab
// exposes them, possibly none, on every such note).
func (e noteEntity) withSuggestions(note *model.Note, gs map[int64][]*service.SuggestionResult) noteEntity {
	if note.NoteableType != model.NoteableMergeRequest || note.NoteType == nil || *note.NoteType != "DiffNote" {
		return e
	}
	list := make([]suggestionEntity, 0, len(gs[note.ID]))
	for _, g := range gs[note.ID] {
		list = append(list, newSuggestionEntity(g))
	}
	e.Suggestions = &list
	return e
}

// noteJSON renders a note of n; users holds its author and resolver.
func (a *API) noteJSON(r *http.Request, n *service.Noteable, note *model.Note, users map[int64]*model.User) noteEntity {
	base := a.BaseURL(r)
	user := func(id *int64) *BasicUser {
		if id == nil || users[*id] == nil {
			return nil
		}
		u := BasicUserAt(base, a.gravatar, users[*id])
		return &u
	}
	e := noteEntity{ID: note.ID, Type: note.NoteType, Body: note.Body, Author: user(note.AuthorID),
		CreatedAt: TS(note.CreatedAt), UpdatedAt: TS(note.UpdatedAt), System: note.System, NoteableID: note.NoteableID,
		NoteableType: note.NoteableType, ProjectID: note.ProjectID, Resolvable: note.Resolvable,
		Confidential: note.Internal, Internal: note.Internal, ImportedFrom: "none", CommandsChanges: map[string]any{}}
	if note.NoteType != nil && *note.NoteType == "DiffNote" && note.Position != nil {
		e.CommitID, e.Position = diffNoteCommit(note), json.RawMessage(*note.Position)
	}
	if note.Resolvable {
		resolved := note.ResolvedAt != nil
		e.Resolved, e.ResolvedBy, e.ResolvedAt = &resolved, user(note.ResolvedByID), TSP(note.ResolvedAt)
	}
	// Only issues and merge requests have iids.
	if n.Type == model.NoteableIssue || n.Type == model.NoteableMergeRequest {
		iid := n.IID
		e.NoteableIID = &iid
	}
	return e
}

// diffNoteCommit is a diff note's commit_id: null unless it is on one
// commit of the merge request.
func diffNoteCommit(note *model.Note) json.RawMessage {
	if note.NoteableType != model.NoteableMergeRequest {
		return nil
	}
	if note.CommitID == nil {
		return json.RawMessage("null")
	}
	b, _ := json.Marshal(*note.CommitID)
	return b
}

func (a *API) notesJSON(r *http.Request, list *service.Notes) []noteEntity {
	out := make([]noteEntity, 0, len(list.Notes))
	for _, n := range list.Notes {
		out = append(out, a.noteJSON(r, list.Noteable, n, list.Users).withSuggestions(n, list.Suggestions))
	}
	return out
}

// discussionEntity is GitLab's Entities::Discussion.
type discussionEntity struct {
	ID             string       `json:"id"`
	IndividualNote bool         `json:"individual_note"`
	Notes          []noteEntity `json:"notes"`
}

func (a *API) discussionJSON(r *http.Request, list *service.Discussions, d *service.Discussion) discussionEntity {
	notes := make([]noteEntity, 0, len(d.Notes))
	for _, n := range d.Notes {
		notes = append(notes, a.noteJSON(r, list.Noteable, n, list.Users).withSuggestions(n, list.Suggestions))
	}
	return discussionEntity{ID: d.ID, IndividualNote: d.Individual, Notes: notes}
}

// awardEmojiEntity is GitLab's Entities::AwardEmoji; url is a custom
// emoji's, which lablet has none of.
type awardEmojiEntity struct {
	ID            int64      `json:"id"`
	Name          string     `json:"name"`
	User          *BasicUser `json:"user"`
	CreatedAt     string     `json:"created_at"`
	UpdatedAt     string     `json:"updated_at"`
	AwardableID   int64      `json:"awardable_id"`
	AwardableType string     `json:"awardable_type"`
	URL           *string    `json:"url"`
}

func (a *API) awardsJSON(r *http.Request, list *service.Awards) []awardEmojiEntity {
	base := a.BaseURL(r)
	out := make([]awardEmojiEntity, 0, len(list.Awards))
	for _, aw := range list.Awards {
		e := awardEmojiEntity{ID: aw.ID, Name: aw.Name, CreatedAt: TS(aw.CreatedAt), UpdatedAt: TS(aw.UpdatedAt),
			AwardableID: aw.AwardableID, AwardableType: aw.AwardableType}
		if u := list.Users[aw.UserID]; u != nil {
			bu := BasicUserAt(base, a.gravatar, u)
			e.User = &bu
		}
		out = append(out, e)
	}
	return out
}

// PathID reads an integer path segment; GitLab's Grape declares these
// Integer, so anything else is "<param> is invalid" (400).
func PathID(r *http.Request, segment, param string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(segment), 10, 64)
	if err != nil {
		return 0, service.ParamError(param + " is invalid")
	}
	return n, nil
}

// noteableRef reads the issue or merge request a notes, discussions or
// award emoji route addresses ({issue_iid}, {merge_request_iid} or a
// commit's {sha}); param
// is how GitLab's route names the iid in its errors.
func noteableRef(r *http.Request, param string) (service.NoteableRef, error) {
	if sha := r.PathValue("sha"); sha != "" {
		return service.NoteableRef{Project: r.PathValue("id"), Type: model.NoteableCommit, Commit: sha}, nil
	}
	if r.PathValue("snippet_id") != "" {
		// A snippet's iid is its id.
		id, err := PathID(r, "snippet_id", "snippet_id")
		return service.NoteableRef{Project: r.PathValue("id"), Type: model.NoteableSnippet, IID: id}, err
	}
	segment, typ := "issue_iid", model.NoteableIssue
	if r.PathValue("merge_request_iid") != "" {
		segment, typ = "merge_request_iid", model.NoteableMergeRequest
		if param == "issue_iid" {
			param = segment
		}
	}
	iid, err := PathID(r, segment, param)
	if err != nil {
		return service.NoteableRef{}, err
	}
	return service.NoteableRef{Project: r.PathValue("id"), Type: typ, IID: iid}, nil
}
