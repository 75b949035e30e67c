package v4

import (
	"net/http"
	"slices"
	"time"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// eventEntity is GitLab's Event entity.
type eventEntity struct {
	ID             int64         `json:"id"`
	Title          *string       `json:"title"`
	ProjectID      *int64        `json:"project_id"`
	ActionName     string        `json:"action_name"`
	TargetID       *int64        `json:"target_id"`
	TargetIID      *int64        `json:"target_iid"`
	TargetType     *string       `json:"target_type"`
	AuthorID       int64         `json:"author_id"`
	TargetTitle    *string       `json:"target_title"`
	CreatedAt      time.Time     `json:"created_at"`
	Author         *BasicUser    `json:"author"`
	AuthorUsername string        `json:"author_username"`
	Imported       bool          `json:"imported"`
	ImportedFrom   string        `json:"imported_from"`
	PushData       *pushDataJSON `json:"push_data,omitempty"`
	Note           *noteEntity   `json:"note,omitempty"`
}

// pushDataJSON is GitLab's PushEventPayload entity.
type pushDataJSON struct {
	CommitCount int64   `json:"commit_count"`
	Action      string  `json:"action"`
	RefType     string  `json:"ref_type"`
	CommitFrom  *string `json:"commit_from"`
	CommitTo    *string `json:"commit_to"`
	Ref         string  `json:"ref"`
	CommitTitle *string `json:"commit_title"`
	RefCount    *int64  `json:"ref_count"`
}

// eventActionName is GitLab's Event#action_name.
func eventActionName(e *model.Event) string {
	switch e.Action {
	case model.EventPushed:
		switch {
		case e.Push != nil && e.Push.Action == "created":
			return "pushed new"
		case e.Push != nil && e.Push.Action == "removed":
			return "deleted"
		}
		return "pushed to"
	case model.EventClosed:
		return "closed"
	case model.EventMerged:
		return "accepted"
	case model.EventJoined, model.EventLeft, model.EventDestroyed, model.EventApproved:
		return e.Action
	case model.EventExpired:
		return "removed due to membership expiration from"
	case model.EventCommented:
		return "commented on"
	case model.EventCreated:
		if e.TargetType == nil {
			return "created" // a project's creation
		}
	}
	return "opened"
}

// eventListOptions reads the events API's filters; bad values are 400.
func eventListOptions(c *Call) (service.EventListOptions, error) {
	var o service.EventListOptions
	var err error
	if o.Action, _, err = c.params.OneOf("action", service.EventActions...); err != nil {
		return o, err
	}
	targets := make([]string, 0, len(service.EventTargetTypes))
	for k := range service.EventTargetTypes {
		targets = append(targets, k)
	}
	slices.Sort(targets)
	if o.TargetType, _, err = c.params.OneOf("target_type", targets...); err != nil {
		return o, err
	}
	if o.Before, _, err = c.params.date("before"); err != nil {
		return o, err
	}
	if o.After, _, err = c.params.date("after"); err != nil {
		return o, err
	}
	sort, _, err := c.params.OneOf("sort", "asc", "desc")
	if err != nil {
		return o, err
	}
	o.Asc = sort == "asc"
	pg := PageOf(c.params)
	o.Offset, o.Limit = pg.Offset(), pg.PerPage
	return o, nil
}

// writeEvents renders a page of events, their authors and their
// comments' authors read in one batch.
func (a *API) writeEvents(w http.ResponseWriter, r *http.Request, c *Call, page *service.EventPage) error {
	ids := make([]int64, 0, len(page.Events)+2*len(page.Notes))
	for _, e := range page.Events {
		ids = append(ids, e.AuthorID)
	}
	for _, n := range page.Notes {
		for _, u := range []*int64{n.Note.AuthorID, n.Note.ResolvedByID} {
			if u != nil {
				ids = append(ids, *u)
			}
		}
	}
	users, err := a.svc.UsersByIDs(r.Context(), ids)
	if err != nil {
		return err
	}
	out := make([]eventEntity, 0, len(page.Events))
	for _, e := range page.Events {
		ev := eventEntity{ID: e.ID, ProjectID: e.ProjectID, ActionName: eventActionName(e), TargetID: e.TargetID,
			TargetIID: e.TargetIID, TargetType: e.TargetType, AuthorID: e.AuthorID, TargetTitle: e.TargetTitle,
			CreatedAt: e.CreatedAt, ImportedFrom: "none"}
		if u := users[e.AuthorID]; u != nil {
			b := a.basicUser(r, u)
			ev.Author, ev.AuthorUsername = &b, u.Username
		}
		if p := e.Push; p != nil {
			ev.PushData = &pushDataJSON{CommitCount: p.CommitCount, Action: p.Action, RefType: p.RefType,
				CommitFrom: p.CommitFrom, CommitTo: p.CommitTo, Ref: p.Ref, CommitTitle: p.CommitTitle, RefCount: p.RefCount}
		}
		if e.TargetType != nil && e.TargetID != nil && service.IsNoteTarget(*e.TargetType) {
			if n := page.Notes[*e.TargetID]; n != nil {
				ne := a.noteJSON(r, n.Noteable, n.Note, users)
				ev.Note = &ne
			}
		}
		out = append(out, ev)
	}
	a.SetPageHeaders(w, r, PageOf(c.params), page.Total)
	return WriteOK(w, out)
}

func (a *API) listMyEvents(w http.ResponseWriter, r *http.Request, c *Call) error {
	o, err := eventListOptions(c)
	if err != nil {
		return err
	}
	scope, _, err := c.params.OneOf("scope", "all")
	if err != nil {
		return err
	}
	page, err := a.svc.MyEvents(r.Context(), c.id, o, scope == "all")
	if err != nil {
		return err
	}
	return a.writeEvents(w, r, c, page)
}

func (a *API) listUserEvents(w http.ResponseWriter, r *http.Request, c *Call) error {
	o, err := eventListOptions(c)
	if err != nil {
		return err
	}
	page, err := a.svc.UserEvents(r.Context(), c.id, r.PathValue("id"), o)
	if err != nil {
		return err
	}
	return a.writeEvents(w, r, c, page)
}

func (a *API) listProjectEvents(w http.ResponseWriter, r *http.Request, c *Call) error {
	o, err := eventListOptions(c)
	if err != nil {
		return err
	}
	page, err := a.svc.ProjectEvents(r.Context(), c.id, r.PathValue("id"), o)
	if err != nil {
		return err
	}
	return a.writeEvents(w, r, c, page)
}
