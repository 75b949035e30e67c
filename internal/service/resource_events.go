package service

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Resource event kinds: a noteable's label, milestone and state history.
const (
	EventLabel     = "label"
	EventMilestone = "milestone"
	EventState     = "state"
)

// ResourceEvents are events of one kind with what they show: the users,
// labels and milestones they name, each loaded in one batch.
type ResourceEvents struct {
	Noteable   *Noteable
	Events     []*model.ResourceEvent
	Total      int
	Users      map[int64]*model.User
	Labels     map[int64]*model.Label
	Milestones map[int64]*model.Milestone
	// Groups are the groups of the group milestones (their web_url).
	Groups map[int64]*model.Namespace
}

// ListResourceEvents lists a page of a noteable's events of one kind.
// Label events of labels the caller can't read (a group label of a group
// they can't see) are left out of the page, as GitLab's
// ResourceLabelEvent.visible_to_user? does after paginating.
func (s *Service) ListResourceEvents(ctx context.Context, id *auth.Identity, ref NoteableRef, kind string, limit, offset int) (*ResourceEvents, error) {
	n, err := s.visibleNoteable(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	events, total, err := s.db.Queries().ListResourceEvents(ctx, kind, n.Type, n.ID, limit, offset)
	if err != nil {
		return nil, err
	}
	return s.withEventRelations(ctx, id, &ResourceEvents{Noteable: n, Events: events, Total: total})
}

// GetResourceEvent returns one event of a noteable: "404 Not found" when
// it has none with this id, "404 ResourceLabelEvent Not Found" for a
// label the caller can't read.
func (s *Service) GetResourceEvent(ctx context.Context, id *auth.Identity, ref NoteableRef, kind string, eventID int64) (*ResourceEvents, error) {
	n, err := s.visibleNoteable(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	e, err := s.db.Queries().ResourceEventOf(ctx, kind, n.Type, n.ID, eventID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errRecordNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("service: load %s event: %w", kind, err)
	}
	out, err := s.withEventRelations(ctx, id, &ResourceEvents{Noteable: n, Events: []*model.ResourceEvent{e}, Total: 1})
	if err != nil {
		return nil, err
	}
	if len(out.Events) == 0 {
		return nil, NotFound("ResourceLabelEvent")
	}
	return out, nil
}

// withEventRelations loads the users, labels and milestones of out's
// events in one query each and drops the label events the caller may not
// read.
func (s *Service) withEventRelations(ctx context.Context, id *auth.Identity, out *ResourceEvents) (*ResourceEvents, error) {
	q := s.db.Queries()
	var userIDs, labelIDs, milestoneIDs []int64
	for _, e := range out.Events {
		if e.UserID != nil {
			userIDs = append(userIDs, *e.UserID)
		}
		if e.LabelID != nil {
			labelIDs = append(labelIDs, *e.LabelID)
		}
		if e.MilestoneID != nil {
			milestoneIDs = append(milestoneIDs, *e.MilestoneID)
		}
	}
	users, err := s.UsersByIDs(ctx, userIDs)
	if err != nil {
		return nil, err
	}
	out.Users = users
	labels, err := q.LabelsByIDs(ctx, labelIDs)
	if err != nil {
		return nil, err
	}
	out.Labels = make(map[int64]*model.Label, len(labels))
	for _, l := range labels {
		out.Labels[l.ID] = l
	}
	milestones, err := q.MilestonesByIDs(ctx, milestoneIDs)
	if err != nil {
		return nil, err
	}
	out.Milestones = make(map[int64]*model.Milestone, len(milestones))
	var groupIDs []int64
	for _, m := range milestones {
		out.Milestones[m.ID] = m
		if m.GroupID != nil {
			groupIDs = append(groupIDs, *m.GroupID)
		}
	}
	if out.Groups, err = q.NamespacesByIDs(ctx, groupIDs); err != nil {
		return nil, err
	}
	readable, err := s.readableLabelGroups(ctx, id, labels)
	if err != nil {
		return nil, err
	}
	kept := out.Events[:0]
	for _, e := range out.Events {
		if l := out.Labels[derefID(e.LabelID)]; l != nil && l.GroupID != nil && !readable[*l.GroupID] {
			continue
		}
		kept = append(kept, e)
	}
	out.Events = kept
	return out, nil
}

// readableLabelGroups says which groups of labels' group labels the
// caller sees (read_label on a group label): a lookup per distinct group,
// of which an issue's labels name few (its project's ancestors).
func (s *Service) readableLabelGroups(ctx context.Context, id *auth.Identity, labels []*model.Label) (map[int64]bool, error) {
	readable := map[int64]bool{}
	for _, l := range labels {
		if l.GroupID == nil {
			continue
		}
		g := *l.GroupID
		if _, done := readable[g]; done {
			continue
		}
		_, _, err := s.VisibleGroup(ctx, id, strconv.FormatInt(g, 10))
		switch {
		case err == nil:
			readable[g] = true
		case KindOf(err) == KindNotFound:
			readable[g] = false
		default:
			return nil, err
		}
	}
	return readable, nil
}

func derefID(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
