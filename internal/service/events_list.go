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
func (s *Service) MyEvents(ctx context.Context, id *auth.Identity, o EventListOptions, all bool) ([]*model.Event, int, error) {
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
func (s *Service) UserEvents(ctx context.Context, id *auth.Identity, userRef string, o EventListOptions) ([]*model.Event, int, error) {
	var u *model.User
	var err error
	if n, ok := parseID(userRef); ok {
		u, err = s.GetUser(ctx, id, n)
	} else {
		u, err = s.UserByUsername(ctx, userRef)
	}
	if err != nil {
		return nil, 0, err
	}
	if !CanSeeProfile(id, u) {
		return nil, 0, nil
	}
	f := s.eventFilter(id, o)
	f.AuthorID = u.ID
	return s.listEvents(ctx, id, f)
}

// ProjectEvents lists the events of a project the caller sees.
func (s *Service) ProjectEvents(ctx context.Context, id *auth.Identity, projectRef string, o EventListOptions) ([]*model.Event, int, error) {
	p, _, err := s.VisibleProject(ctx, id, projectRef)
	if err != nil {
		return nil, 0, err
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

// listEvents reads a page of events and leaves out those whose target the
// caller may not read (GitLab's Event#visible_to_user?): confidential
// issues and comments on them, internal comments below Reporter, and
// pushes to projects whose code the caller may not read. The store has
// left out projects the caller cannot see.
func (s *Service) listEvents(ctx context.Context, id *auth.Identity, f model.EventFilter) ([]*model.Event, int, error) {
	events, total, err := s.db.Queries().ListEvents(ctx, f)
	if err != nil {
		return nil, 0, fmt.Errorf("service: list events: %w", err)
	}
	if id.IsAdmin() {
		return events, total, nil
	}
	// The targets the caller's reading depends on, in one query per kind:
	// issues, and comments with the issues they are on.
	var issueIDs, noteIDs []int64
	for _, e := range events {
		switch {
		case e.TargetType == nil || e.TargetID == nil:
		case *e.TargetType == model.NoteableIssue:
			issueIDs = append(issueIDs, *e.TargetID)
		case *e.TargetType == "Note":
			noteIDs = append(noteIDs, *e.TargetID)
		}
	}
	notes, err := s.db.Queries().NotesByIDs(ctx, noteIDs)
	if err != nil {
		return nil, 0, err
	}
	noteByID := make(map[int64]*model.Note, len(notes))
	for _, n := range notes {
		noteByID[n.ID] = n
		if n.NoteableType == model.NoteableIssue {
			issueIDs = append(issueIDs, n.NoteableID)
		}
	}
	issues, err := s.db.Queries().IssuesByIDs(ctx, issueIDs)
	if err != nil {
		return nil, 0, err
	}
	issueByID := make(map[int64]*model.Issue, len(issues))
	for _, i := range issues {
		issueByID[i.ID] = i
	}
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
		if e.Action != model.EventPushed && target != model.NoteableIssue && target != "Note" {
			out = append(out, e)
			continue
		}
		pa, err := accessTo(*e.ProjectID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, 0, fmt.Errorf("service: list events: %w", err)
		}
		switch {
		case e.Action == model.EventPushed:
			if !CanReadCode(id, pa.p, pa.level) {
				continue
			}
		case target == model.NoteableIssue:
			issue, ok := issueByID[*e.TargetID]
			if !ok || !CanReadIssue(id, pa.level, issue) {
				continue
			}
		default: // a comment: on an issue the caller reads; internal ones to Reporters
			n, ok := noteByID[*e.TargetID]
			if !ok || n.Internal && pa.level < access.Reporter {
				continue
			}
			if n.NoteableType == model.NoteableIssue {
				if issue, ok := issueByID[n.NoteableID]; !ok || !CanReadIssue(id, pa.level, issue) {
					continue
				}
			}
		}
		out = append(out, e)
	}
	return out, total, nil
}
