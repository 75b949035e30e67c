package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// EventTargetTypes maps the events API's target_type values to the
// stored target types.
var EventTargetTypes = map[string]string{
	"issue": model.NoteableIssue, "milestone": "Milestone", "merge_request": model.NoteableMergeRequest,
	"note": "Note", "project": "Project", "snippet": model.NoteableSnippet, "user": "User",
}

// EventActions are the events API's action filter values.
var EventActions = []string{model.EventCreated, model.EventUpdated, model.EventClosed, model.EventReopened,
	model.EventPushed, model.EventCommented, model.EventMerged, model.EventJoined, model.EventLeft,
	model.EventDestroyed, model.EventExpired, model.EventApproved}

// EventListOptions are the events API's filters.
type EventListOptions struct {
	Action     string  // one of EventActions, or ""
	TargetType string  // a key of EventTargetTypes, or ""
	Before     *string // YYYY-MM-DD: events created before that day
	After      *string // YYYY-MM-DD: events created after that day
	Asc        bool
	Offset     int
	Limit      int
}

// MyEvents lists the caller's own events, or with all the events of every
// project the caller is a member of (scope=all).
func (s *Service) MyEvents(ctx context.Context, id *auth.Identity, o EventListOptions, all bool) (*EventPage, error) {
	f := s.eventFilter(id, o)
	if all {
		f.MemberID = id.User.ID
	} else {
		f.AuthorID = id.User.ID
	}
	return s.listEvents(ctx, id, f)
}

// UserEvents lists a user's contributions (userRef: id or username) in
// the projects the caller sees; a private profile shows none to others.
func (s *Service) UserEvents(ctx context.Context, id *auth.Identity, userRef string, o EventListOptions) (*EventPage, error) {
	var u *model.User
	var err error
	if n, ok := parseID(userRef); ok {
		u, err = s.GetUser(ctx, id, n)
	} else {
		u, err = s.UserByUsername(ctx, userRef)
	}
	if err != nil {
		return nil, err
	}
	if !CanSeeProfile(id, u) {
		return &EventPage{}, nil
	}
	f := s.eventFilter(id, o)
	f.AuthorID = u.ID
	return s.listEvents(ctx, id, f)
}

// ProjectEvents lists the events of a project the caller sees.
func (s *Service) ProjectEvents(ctx context.Context, id *auth.Identity, projectRef string, o EventListOptions) (*EventPage, error) {
	p, _, err := s.VisibleProject(ctx, id, projectRef)
	if err != nil {
		return nil, err
	}
	f := s.eventFilter(id, o)
	f.ProjectID = p.ID
	return s.listEvents(ctx, id, f)
}

func (s *Service) eventFilter(id *auth.Identity, o EventListOptions) model.EventFilter {
	f := model.EventFilter{Action: o.Action, TargetType: EventTargetTypes[o.TargetType], Asc: o.Asc,
		Offset: o.Offset, Limit: o.Limit, Today: s.Today(), MinVisibility: access.Public}
	if id.Authenticated() {
		f.ViewerID, f.Admin = id.User.ID, id.IsAdmin()
		if !id.User.External {
			f.MinVisibility = access.Internal
		}
	}
	// before and after are days: before a day is before its start, after
	// a day is after its end, as GitLab compares dates.
	if o.Before != nil {
		if t, err := time.Parse(time.DateOnly, *o.Before); err == nil {
			f.Before = &t
		}
	}
	if o.After != nil {
		if t, err := time.Parse(time.DateOnly, *o.After); err == nil {
			t = t.Add(24*time.Hour - time.Millisecond)
			f.After = &t
		}
	}
	return f
}

// EventPage is a page of events with the comments the comment events
// are about (GitLab's Event entity shows them as note).
type EventPage struct {
	Events []*model.Event
	Total  int
	// Notes are the comments of the page's comment events, by note id,
	// each with the noteable it is on.
	Notes map[int64]*EventNote
}

// EventNote is a comment an event is about, with its noteable.
type EventNote struct {
	Note     *model.Note
	Noteable *Noteable
}

// IsNoteTarget reports whether an event's target type names a comment:
// GitLab records the comment's class (Note, DiscussionNote, DiffNote).
func IsNoteTarget(targetType string) bool {
	return targetType == model.AwardableNote || targetType == noteDiscussion || targetType == noteDiff
}

// The note types of comments in threads and on diffs.
const (
	noteDiscussion = "DiscussionNote"
	noteDiff       = "DiffNote"
)

// noteClass is a note's class name, which its comment event records as
// target type (GitLab's EventCreateService#leave_note).
func noteClass(n *model.Note) string {
	if n.NoteType != nil && *n.NoteType != "" {
		return *n.NoteType
	}
	return model.AwardableNote
}

// eventTargets are the issues and comments a page of events names.
type eventTargets struct {
	notes  map[int64]*model.Note
	issues map[int64]*model.Issue
}

// loadEventTargets reads what a page of events names in one query per
// kind: issues, and comments with the issues they are on.
func (s *Service) loadEventTargets(ctx context.Context, events []*model.Event) (*eventTargets, error) {
	q := s.db.Queries()
	var issueIDs, noteIDs []int64
	for _, e := range events {
		switch {
		case e.TargetType == nil || e.TargetID == nil:
		case *e.TargetType == model.NoteableIssue:
			issueIDs = append(issueIDs, *e.TargetID)
		case IsNoteTarget(*e.TargetType):
			noteIDs = append(noteIDs, *e.TargetID)
		}
	}
	notes, err := q.NotesByIDs(ctx, noteIDs)
	if err != nil {
		return nil, err
	}
	t := &eventTargets{notes: make(map[int64]*model.Note, len(notes))}
	for _, n := range notes {
		t.notes[n.ID] = n
		if n.NoteableType == model.NoteableIssue {
			issueIDs = append(issueIDs, n.NoteableID)
		}
	}
	issues, err := q.IssuesByIDs(ctx, issueIDs)
	if err != nil {
		return nil, err
	}
	t.issues = make(map[int64]*model.Issue, len(issues))
	for _, i := range issues {
		t.issues[i.ID] = i
	}
	return t, nil
}

// listEvents reads a page of events and leaves out those whose target the
// caller may not read (GitLab's Event#visible_to_user?): confidential
// issues and comments on them, internal comments below Reporter, and
// pushes to projects whose code the caller may not read. The store has
// left out projects the caller cannot see. The comments of the events
// left are read with them, in the same query as the check needs.
func (s *Service) listEvents(ctx context.Context, id *auth.Identity, f model.EventFilter) (*EventPage, error) {
	events, total, err := s.db.Queries().ListEvents(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("service: list events: %w", err)
	}
	t, err := s.loadEventTargets(ctx, events)
	if err != nil {
		return nil, err
	}
	if !id.IsAdmin() {
		if events, err = s.visibleEvents(ctx, id, events, t); err != nil {
			return nil, err
		}
	}
	page := &EventPage{Events: events, Total: total, Notes: map[int64]*EventNote{}}
	for _, e := range events {
		if e.TargetType == nil || e.TargetID == nil || !IsNoteTarget(*e.TargetType) {
			continue
		}
		n := t.notes[*e.TargetID]
		if n == nil {
			continue // deleted since: GitLab shows no note without its target
		}
		en := &EventNote{Note: n, Noteable: &Noteable{Type: n.NoteableType, ID: n.NoteableID}}
		if issue := t.issues[n.NoteableID]; n.NoteableType == model.NoteableIssue && issue != nil {
			// A comment's title is its noteable's (Note delegates title).
			en.Noteable.IID = issue.IID
			title := issue.Title
			e.TargetTitle = &title
		}
		page.Notes[n.ID] = en
	}
	return page, nil
}

// visibleEvents leaves out of events those the caller may not read.
func (s *Service) visibleEvents(ctx context.Context, id *auth.Identity, events []*model.Event, t *eventTargets) ([]*model.Event, error) {
	// The caller's level and the project are looked up once per project
	// of the page, and only for events that need them.
	type projectAccess struct {
		p     *model.Project
		level access.Level
	}
	projects := map[int64]*projectAccess{}
	accessTo := func(projectID int64) (*projectAccess, error) {
		if pa, ok := projects[projectID]; ok {
			return pa, nil
		}
		p, err := s.db.Queries().ProjectByID(ctx, projectID)
		if err != nil {
			return nil, err
		}
		level, err := s.ProjectLevel(ctx, id, p)
		if err != nil {
			return nil, err
		}
		projects[projectID] = &projectAccess{p, level}
		return projects[projectID], nil
	}
	out := events[:0]
	for _, e := range events {
		if e.ProjectID == nil {
			continue
		}
		target := ""
		if e.TargetType != nil {
			target = *e.TargetType
		}
		if e.Action != model.EventPushed && target != model.NoteableIssue && target != model.NoteableMergeRequest && !IsNoteTarget(target) {
			out = append(out, e)
			continue
		}
		pa, err := accessTo(*e.ProjectID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("service: list events: %w", err)
		}
		switch {
		case e.Action == model.EventPushed:
			if !CanReadCode(id, pa.p, pa.level) {
				continue
			}
		case target == model.NoteableIssue:
			issue, ok := t.issues[*e.TargetID]
			if !ok || !CanReadIssue(id, pa.level, issue) {
				continue
			}
		case target == model.NoteableMergeRequest:
			// Event#visible_to_user?: read_merge_request on the project.
			if !ProjectCan(id, pa.p, pa.level, access.ReadMergeRequest) {
				continue
			}
		default: // a comment: on an issue, merge request or commit the caller reads; internal ones to Reporters
			n, ok := t.notes[*e.TargetID]
			if !ok || n.Internal && pa.level < access.Reporter {
				continue
			}
			if n.NoteableType == model.NoteableMergeRequest && !ProjectCan(id, pa.p, pa.level, access.ReadMergeRequest) {
				continue
			}
			if n.NoteableType == model.NoteableCommit && !CanReadCode(id, pa.p, pa.level) {
				continue
			}
			if n.NoteableType == model.NoteableSnippet && pa.level < access.Guest {
				continue // snippets have their own visibility: members only
			}
			if n.NoteableType == model.NoteableIssue {
				if issue, ok := t.issues[n.NoteableID]; !ok || !CanReadIssue(id, pa.level, issue) {
					continue
				}
			}
		}
		out = append(out, e)
	}
	return out, nil
}
