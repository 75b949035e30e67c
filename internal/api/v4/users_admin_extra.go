package v4

import (
	"net/http"
	"time"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// userActivityEntity is GitLab's Entities::UserActivity.
type userActivityEntity struct {
	Username       string `json:"username"`
	LastActivityOn string `json:"last_activity_on"`
	LastActivityAt string `json:"last_activity_at"`
}

// listUserActivities is GET /user/activities (administrators).
func (a *API) listUserActivities(w http.ResponseWriter, r *http.Request, c *Call) error {
	day, _, err := c.params.date("from")
	if err != nil {
		return err
	}
	var from *time.Time
	if day != nil {
		t, err := time.Parse(time.DateOnly, *day)
		if err != nil {
			return service.ParamError("from is invalid")
		}
		from = &t
	}
	pg := PageOf(c.params)
	acts, total, err := a.svc.UserActivities(r.Context(), c.id, from, pg.PerPage, pg.Offset())
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, total)
	out := make([]userActivityEntity, len(acts))
	for i, act := range acts {
		out[i] = userActivityEntity{Username: act.Username, LastActivityOn: act.LastActivityOn, LastActivityAt: act.LastActivityOn}
	}
	return WriteOK(w, out)
}

// membershipEntity is GitLab's Entities::Membership.
type membershipEntity struct {
	SourceID    int64  `json:"source_id"`
	SourceName  string `json:"source_name"`
	SourceType  string `json:"source_type"`
	AccessLevel int    `json:"access_level"`
}

// listUserMemberships is GET /users/:id/memberships (administrators).
func (a *API) listUserMemberships(w http.ResponseWriter, r *http.Request, c *Call) error {
	userID, found := UserPathID(r, "id")
	if !found {
		return RouteNotFound(w)
	}
	typ, _, err := c.params.OneOf("type", model.SourceProject, model.SourceNamespace)
	if err != nil {
		return err
	}
	pg := PageOf(c.params)
	ms, total, err := a.svc.UserMemberships(r.Context(), c.id, userID, typ, pg.PerPage, pg.Offset())
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, total)
	out := make([]membershipEntity, len(ms))
	for i, m := range ms {
		out[i] = membershipEntity{SourceID: m.SourceID, SourceName: m.SourceName, SourceType: m.SourceType, AccessLevel: m.AccessLevel}
	}
	return WriteOK(w, out)
}

// pendingApproval serves POST /users/:id/approve and /reject.
func pendingApproval(approve bool) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		userID, found := UserPathID(r, "id")
		if !found {
			return RouteNotFound(w)
		}
		return a.svc.PendingApproval(r.Context(), c.id, userID, approve)
	}
}

// customAttributeEntity is GitLab's Entities::CustomAttribute.
type customAttributeEntity struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// attrOwner reads the owner of …/custom_attributes from the path.
type attrOwner func(r *http.Request) service.CustomAttributeOwner

func userAttrs(r *http.Request) service.CustomAttributeOwner {
	return service.CustomAttributeOwner{SourceType: model.AttrSourceUser, Ref: r.PathValue("id")}
}

func groupAttrs(r *http.Request) service.CustomAttributeOwner {
	return service.CustomAttributeOwner{SourceType: model.AttrSourceNamespace, Ref: r.PathValue("id")}
}

func projectAttrs(r *http.Request) service.CustomAttributeOwner {
	return service.CustomAttributeOwner{SourceType: model.AttrSourceProject, Ref: r.PathValue("id")}
}

func listCustomAttributes(owner attrOwner) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		attrs, err := a.svc.CustomAttributes(r.Context(), c.id, owner(r))
		if err != nil {
			return err
		}
		out := make([]customAttributeEntity, len(attrs))
		for i, at := range attrs {
			out[i] = customAttributeEntity{Key: at.Key, Value: at.Value}
		}
		return WriteOK(w, out)
	}
}

func getCustomAttribute(owner attrOwner) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		at, err := a.svc.CustomAttribute(r.Context(), c.id, owner(r), r.PathValue("key"))
		if err != nil {
			return err
		}
		return WriteOK(w, customAttributeEntity{Key: at.Key, Value: at.Value})
	}
}

func setCustomAttribute(owner attrOwner) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		value, err := c.params.Required("value", 1<<12)
		if err != nil {
			return err
		}
		at, err := a.svc.SetCustomAttribute(r.Context(), c.id, owner(r), r.PathValue("key"), value)
		if err != nil {
			return err
		}
		return WriteOK(w, customAttributeEntity{Key: at.Key, Value: at.Value})
	}
}

func deleteCustomAttribute(owner attrOwner) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		if err := a.svc.DeleteCustomAttribute(r.Context(), c.id, owner(r), r.PathValue("key")); err != nil {
			return err
		}
		return WriteNoContent(w)
	}
}

// customAttributesFilter reads the custom_attributes[key]=value filter of
// GET /users (a Grape Hash); a value that is not text is invalid.
func customAttributesFilter(p *Params, pe *ParamErrors) map[string]string {
	obj := p.Object("custom_attributes")
	if len(obj) == 0 {
		return nil
	}
	out := make(map[string]string, len(obj))
	for k, v := range obj {
		s, ok := v.(string)
		if !ok {
			pe.Add(service.ParamError("custom_attributes is invalid"))
			return nil
		}
		out[k] = s
	}
	return out
}
