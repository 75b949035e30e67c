package v4

import (
	"net/http"
	"strconv"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// eventLabelEntity is GitLab's Entities::LabelBasic as label events show it.
type eventLabelEntity struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Color       string `json:"color"`
	Description string `json:"description"`
	TextColor   string `json:"text_color"`
}

// eventMilestoneEntity is GitLab's Entities::Milestone as milestone
// events show it.
type eventMilestoneEntity struct {
	ID          int64   `json:"id"`
	IID         int64   `json:"iid"`
	ProjectID   *int64  `json:"project_id,omitempty"`
	GroupID     *int64  `json:"group_id,omitempty"`
	Title       string  `json:"title"`
	Description string  `json:"description"`
	State       string  `json:"state"`
	CreatedAt   string  `json:"created_at"`
	UpdatedAt   string  `json:"updated_at"`
	DueDate     *string `json:"due_date"`
	StartDate   *string `json:"start_date"`
	Expired     bool    `json:"expired"`
	WebURL      string  `json:"web_url"`
}

// resourceEventBase is what GitLab's ResourceLabelEvent,
// ResourceMilestoneEvent and ResourceStateEvent entities share.
type resourceEventBase struct {
	ID           int64      `json:"id"`
	User         *basicUser `json:"user"`
	CreatedAt    string     `json:"created_at"`
	ResourceType string     `json:"resource_type"`
	ResourceID   int64      `json:"resource_id"`
}

type labelEventEntity struct {
	resourceEventBase
	Label  *eventLabelEntity `json:"label"` // null once the label is deleted
	Action string            `json:"action"`
}

type milestoneEventEntity struct {
	resourceEventBase
	Milestone *eventMilestoneEntity `json:"milestone"`
	Action    string                `json:"action"`
}

type stateEventEntity struct {
	resourceEventBase
	State string `json:"state"`
}

// labelTextColor is GitLab's text_color_for_bg: dark text on light
// colors, white on dark ones.
func labelTextColor(color string) string {
	hex := func(s string) int { n, _ := strconv.ParseUint(s, 16, 8); return int(n) }
	c := color
	if len(c) == 4 { // #RGB
		c = "#" + c[1:2] + c[1:2] + c[2:3] + c[2:3] + c[3:4] + c[3:4]
	}
	if len(c) != 7 {
		return "#FFFFFF"
	}
	if hex(c[1:3])+hex(c[3:5])+hex(c[5:7]) > 500 {
		return "#1F1E24"
	}
	return "#FFFFFF"
}

func (a *API) resourceEventsJSON(r *http.Request, kind string, list *service.ResourceEvents) []any {
	base := a.baseURL(r)
	today := a.svc.Today()
	out := make([]any, 0, len(list.Events))
	for _, e := range list.Events {
		b := resourceEventBase{ID: e.ID, CreatedAt: ts(e.CreatedAt), ResourceType: e.ResourceType, ResourceID: e.ResourceID}
		if e.UserID != nil && list.Users[*e.UserID] != nil {
			u := basicUserAt(base, a.gravatar, list.Users[*e.UserID])
			b.User = &u
		}
		switch kind {
		case service.EventLabel:
			ent := labelEventEntity{resourceEventBase: b, Action: e.Action}
			if e.LabelID != nil && list.Labels[*e.LabelID] != nil {
				l := list.Labels[*e.LabelID]
				ent.Label = &eventLabelEntity{ID: l.ID, Name: l.Title, Color: l.Color, Description: l.Description,
					TextColor: labelTextColor(l.Color)}
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
	return out
}

func (a *API) eventMilestone(base, today string, list *service.ResourceEvents, m *model.Milestone) *eventMilestoneEntity {
	web := base + "/" + list.Noteable.Project.FullPath() + "/-/milestones/" + strconv.FormatInt(m.IID, 10)
	if m.GroupID != nil {
		if g := list.Groups[*m.GroupID]; g != nil {
			web = base + "/groups/" + g.FullPath + "/-/milestones/" + strconv.FormatInt(m.IID, 10)
		}
	}
	return &eventMilestoneEntity{ID: m.ID, IID: m.IID, ProjectID: m.ProjectID, GroupID: m.GroupID, Title: m.Title,
		Description: m.Description, State: m.State, CreatedAt: ts(m.CreatedAt), UpdatedAt: ts(m.UpdatedAt),
		DueDate: m.DueDate, StartDate: m.StartDate, Expired: m.DueDate != nil && *m.DueDate < today, WebURL: web}
}

// listResourceEvents serves GET …/resource_<kind>_events.
func listResourceEvents(kind string) handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *call) error {
		ref, err := issueRef(r, "eventable_id")
		if err != nil {
			return err
		}
		pg := pageOf(c.params)
		list, err := a.svc.ListResourceEvents(r.Context(), c.id, ref, kind, pg.PerPage, pg.Offset())
		if err != nil {
			return err
		}
		a.setPageHeaders(w, r, pg, list.Total)
		return writeOK(w, a.resourceEventsJSON(r, kind, list))
	}
}

// getResourceEvent serves GET …/resource_<kind>_events/:event_id.
func getResourceEvent(kind string) handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *call) error {
		ref, err := issueRef(r, "eventable_id")
		if err != nil {
			return err
		}
		eventID, err := pathID(r, "event_id", "event_id")
		if err != nil {
			return err
		}
		list, err := a.svc.GetResourceEvent(r.Context(), c.id, ref, kind, eventID)
		if err != nil {
			return err
		}
		return writeOK(w, a.resourceEventsJSON(r, kind, list)[0])
	}
}
