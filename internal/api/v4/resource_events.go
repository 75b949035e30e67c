package v4

import (
	"maps"
	"net/http"
	"slices"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// resourceEventBase is what GitLab's ResourceLabelEvent,
// ResourceMilestoneEvent and ResourceStateEvent entities share.
type resourceEventBase struct {
	ID           int64      `json:"id"`
	User         *BasicUser `json:"user"`
	CreatedAt    string     `json:"created_at"`
	ResourceType string     `json:"resource_type"`
	ResourceID   int64      `json:"resource_id"`
}

type labelEventEntity struct {
	resourceEventBase
	Label  *labelBasicEntity `json:"label"` // null once the label is deleted
	Action string            `json:"action"`
}

type milestoneEventEntity struct {
	resourceEventBase
	Milestone *milestoneEntity `json:"milestone"`
	Action    string           `json:"action"`
}

type stateEventEntity struct {
	resourceEventBase
	State string `json:"state"`
}

func (a *API) resourceEventsJSON(r *http.Request, c *Call, kind string, list *service.ResourceEvents) ([]any, error) {
	var descs map[int64]string
	if kind == service.EventLabel {
		var err error
		if descs, err = a.labelDescriptions(r, c, slices.Collect(maps.Values(list.Labels))); err != nil {
			return nil, err
		}
	}
	base := a.BaseURL(r)
	today := a.svc.Today()
	out := make([]any, 0, len(list.Events))
	for _, e := range list.Events {
		b := resourceEventBase{ID: e.ID, CreatedAt: TS(e.CreatedAt), ResourceType: e.ResourceType, ResourceID: e.ResourceID}
		if e.UserID != nil && list.Users[*e.UserID] != nil {
			u := BasicUserAt(base, a.gravatar, list.Users[*e.UserID])
			b.User = &u
		}
		switch kind {
		case service.EventLabel:
			ent := labelEventEntity{resourceEventBase: b, Action: e.Action}
			if e.LabelID != nil && list.Labels[*e.LabelID] != nil {
				l := list.Labels[*e.LabelID]
				lb := labelBasicOf(l, descs)
				ent.Label = &lb
			}
			out = append(out, ent)
		case service.EventMilestone:
			ent := milestoneEventEntity{resourceEventBase: b, Action: e.Action}
			if e.MilestoneID != nil && list.Milestones[*e.MilestoneID] != nil {
				ent.Milestone = a.eventMilestone(base, today, list, list.Milestones[*e.MilestoneID])
			}
			out = append(out, ent)
		default:
			out = append(out, stateEventEntity{resourceEventBase: b, State: e.State})
		}
	}
	return out, nil
}

func (a *API) eventMilestone(base, today string, list *service.ResourceEvents, m *model.Milestone) *milestoneEntity {
	groupPath := ""
	if m.GroupID != nil {
		if g := list.Groups[*m.GroupID]; g != nil {
			groupPath = g.FullPath
		}
	}
	web := service.MilestoneWebPath(m, list.Noteable.Project.FullPath(), groupPath)
	if web != "" {
		web = base + web
	}
	e := milestoneEntityOf(m, web, service.MilestoneExpired(m, today))
	return &e
}

// listResourceEvents serves GET …/resource_<kind>_events.
func listResourceEvents(kind string) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		ref, err := noteableRef(r, "eventable_id")
		if err != nil {
			return err
		}
		pg := PageOf(c.params)
		list, err := a.svc.ListResourceEvents(r.Context(), c.id, ref, kind, pg.PerPage, pg.Offset())
		if err != nil {
			return err
		}
		a.SetPageHeaders(w, r, pg, list.Total)
		out, err := a.resourceEventsJSON(r, c, kind, list)
		if err != nil {
			return err
		}
		return WriteOK(w, out)
	}
}

// getResourceEvent serves GET …/resource_<kind>_events/:event_id.
func getResourceEvent(kind string) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		ref, err := noteableRef(r, "eventable_id")
		if err != nil {
			return err
		}
		eventID, err := PathID(r, "event_id", "event_id")
		if err != nil {
			return err
		}
		list, err := a.svc.GetResourceEvent(r.Context(), c.id, ref, kind, eventID)
		if err != nil {
			return err
		}
		out, err := a.resourceEventsJSON(r, c, kind, list)
		if err != nil {
			return err
		}
		return WriteOK(w, out[0])
	}
}
