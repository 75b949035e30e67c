package v4

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/service"
)

// maxMilestoneParam bounds milestone text parameters; the title's real
// limit is the service's validation, answered in GitLab's shape.
const maxMilestoneParam = 2 << 20

// milestoneListOptions reads the list parameters (MilestoneResponses'
// list_params).
func milestoneListOptions(p *Params, group bool) (service.MilestoneListOptions, Page, error) {
	var o service.MilestoneListOptions
	pg := PageOf(p)
	o.Limit, o.Offset = pg.PerPage, pg.Offset()
	state, _, err := p.OneOf("state", "active", "closed", "all")
	if err != nil {
		return o, pg, err
	}
	o.State = state
	if v, ok := p.Raw("iids"); ok {
		var items []string
		switch t := v.(type) {
		case []any:
			for _, e := range t {
				s, _ := e.(string)
				if s == "" {
					s = strings.TrimSpace(toString(e))
				}
				items = append(items, s)
			}
		default:
			items, _, err = p.StrList("iids")
			if err != nil {
				return o, pg, service.ParamError("iids is invalid")
			}
		}
		for _, s := range items {
			n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil {
				return o, pg, service.ParamError("iids is invalid")
			}
			o.IIDs = append(o.IIDs, n)
		}
	}
	if t, ok, err := p.Text("title", maxMilestoneParam); err != nil {
		return o, pg, err
	} else if ok {
		o.Title = &t
	}
	if o.Search, _, err = p.Text("search", maxMilestoneParam); err != nil {
		return o, pg, err
	}
	flags := []struct {
		name string
		dst  *bool
	}{{"include_parent_milestones", &o.IncludeAncestors}, {"include_ancestors", &o.IncludeAncestors}}
	if group {
		flags = append(flags, struct {
			name string
			dst  *bool
		}{"include_descendants", &o.IncludeDescendants})
	}
	for _, f := range flags {
		v, ok, err := p.Bool(f.name)
		if err != nil {
			return o, pg, err
		}
		if ok && v {
			*f.dst = true
		}
	}
	for _, f := range []struct {
		name string
		dst  **time.Time
	}{{"updated_before", &o.UpdatedBefore}, {"updated_after", &o.UpdatedAfter}} {
		s, ok := p.Str(f.name)
		if !ok {
			continue
		}
		t, err := parseDateTime(s)
		if err != nil {
			return o, pg, service.ParamError(f.name + " is invalid")
		}
		*f.dst = &t
	}
	return o, pg, nil
}

func toString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case interface{ String() string }:
		return t.String()
	}
	return ""
}

// parseDateTime reads an ISO 8601 time, or a date (midnight UTC).
func parseDateTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, strconv.ErrSyntax
}

// milestoneInput reads title, description, due_date, start_date and
// (update) state_event.
func milestoneInput(p *Params, create bool) (service.MilestoneInput, error) {
	var in service.MilestoneInput
	t, ok, err := p.Text("title", maxMilestoneParam)
	if err != nil {
		return in, err
	}
	if ok {
		in.Title = &t
	} else if create {
		return in, service.ParamError("title is missing")
	}
	d, ok, err := p.Text("description", maxMilestoneParam)
	if err != nil {
		return in, err
	}
	if ok {
		in.Description = &d
	}
	if in.DueDate, in.ClearDueDate, err = p.date("due_date"); err != nil {
		return in, err
	}
	in.ClearDueDate = in.ClearDueDate && in.DueDate == nil
	if in.StartDate, in.ClearStartDate, err = p.date("start_date"); err != nil {
		return in, err
	}
	in.ClearStartDate = in.ClearStartDate && in.StartDate == nil
	if create {
		return in, nil
	}
	if in.StateEvent, _, err = p.OneOf("state_event", "close", "activate"); err != nil {
		return in, err
	}
	for _, n := range []string{"title", "description", "start_date", "due_date", "state_event"} {
		if p.Has(n) {
			return in, nil
		}
	}
	return in, service.ParamError("title, description, start_date, due_date, state_event are missing, at least one parameter must be provided")
}

// milestonePathID reads {milestone_id}: an integer, else 400 (Grape's
// type: Integer).
func milestonePathID(r *http.Request) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue("milestone_id"), 10, 64)
	if err != nil {
		return 0, service.ParamError("milestone_id is invalid")
	}
	return n, nil
}

func listMilestones(group bool) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		o, pg, err := milestoneListOptions(c.params, group)
		if err != nil {
			return err
		}
		list, total, err := a.svc.ListMilestones(r.Context(), c.id, r.PathValue("id"), group, o)
		if err != nil {
			return err
		}
		a.SetPageHeaders(w, r, pg, total)
		out := make([]milestoneEntity, len(list))
		for i, v := range list {
			out[i] = a.milestoneJSON(r, v)
		}
		return WriteOK(w, out)
	}
}

func getMilestone(group bool) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		mid, err := milestonePathID(r)
		if err != nil {
			return err
		}
		v, err := a.svc.GetMilestone(r.Context(), c.id, r.PathValue("id"), group, mid)
		if err != nil {
			return err
		}
		return WriteOK(w, a.milestoneJSON(r, v))
	}
}

func createMilestone(group bool) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		in, err := milestoneInput(c.params, true)
		if err != nil {
			return err
		}
		v, err := a.svc.CreateMilestone(r.Context(), c.id, r.PathValue("id"), group, in)
		if err != nil {
			return err
		}
		return WriteCreated(w, a.milestoneJSON(r, v))
	}
}

func updateMilestone(group bool) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		mid, err := milestonePathID(r)
		if err != nil {
			return err
		}
		in, err := milestoneInput(c.params, false)
		if err != nil {
			return err
		}
		v, err := a.svc.UpdateMilestone(r.Context(), c.id, r.PathValue("id"), group, mid, in)
		if err != nil {
			return err
		}
		return WriteOK(w, a.milestoneJSON(r, v))
	}
}

// deleteMilestone: GitLab does not declare milestone_id here, so a
// non-numeric one finds nothing (404).
func deleteMilestone(group bool) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		mid, _ := strconv.ParseInt(r.PathValue("milestone_id"), 10, 64)
		if err := a.svc.DeleteMilestone(r.Context(), c.id, r.PathValue("id"), group, mid); err != nil {
			return err
		}
		return WriteNoContent(w)
	}
}

// promoteMilestone answers 200 with the body GitLab's endpoint returns
// (the value of its status(200) call).
func (a *API) promoteMilestone(w http.ResponseWriter, r *http.Request, c *Call) error {
	mid, _ := strconv.ParseInt(r.PathValue("milestone_id"), 10, 64)
	if err := a.svc.PromoteMilestone(r.Context(), c.id, r.PathValue("id"), mid); err != nil {
		return err
	}
	return WriteOK(w, http.StatusOK)
}
