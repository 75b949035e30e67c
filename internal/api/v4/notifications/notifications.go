// Package notifications is the notification settings part of GitLab's
// REST API v4: a user's global level and address, and their level for a
// group or a project. Its handlers are functions of the core package's
// Handler type; Routes is its route table, which internal/server hands
// to v4.New.
package notifications

import (
	"net/http"

	"github.com/lablet/lablet/internal/access"
	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// Routes are the caller's notification settings.
func Routes() []v4.Endpoint {
	return []v4.Endpoint{
		v4.Row("GET /notification_settings", getGlobal, v4.SignedIn, access.ReadCurrentUser),
		v4.Row("PUT /notification_settings", updateGlobal, v4.SignedIn, access.ReadCurrentUser),
		v4.Row("GET /groups/{id}/notification_settings", getGroup, v4.SignedIn, access.ReadGroup),
		v4.Row("PUT /groups/{id}/notification_settings", updateGroup, v4.SignedIn, access.ReadGroup),
		v4.Row("GET /projects/{id}/notification_settings", getProject, v4.SignedIn, access.ReadProject),
		v4.Row("PUT /projects/{id}/notification_settings", updateProject, v4.SignedIn, access.ReadProject),
	}
}

// settingEntity is GitLab's Entities::NotificationSetting (events only at
// the custom level); the global one adds notification_email
// (Entities::GlobalNotificationSetting).
type settingEntity struct {
	Level             string          `json:"level"`
	Events            map[string]bool `json:"events,omitempty"`
	NotificationEmail *string         `json:"notification_email,omitempty"`
}

func entityOf(n *model.NotificationSetting) settingEntity {
	e := settingEntity{Level: n.Level}
	if n.Level == "custom" {
		e.Events = make(map[string]bool, len(service.NotificationEvents))
		for _, ev := range service.NotificationEvents {
			e.Events[ev] = false
		}
		for _, ev := range n.Events {
			e.Events[ev] = true
		}
	}
	if n.SourceType == model.NotificationGlobal {
		e.NotificationEmail = &n.NotificationEmail
	}
	return e
}

func get(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, kind string) error {
	n, err := a.Service().NotificationSetting(r.Context(), c.Identity(), service.NotificationSource{Kind: kind, Ref: r.PathValue("id")})
	if err != nil {
		return err
	}
	return v4.WriteOK(w, entityOf(n))
}

func update(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, kind string) error {
	p := c.Params()
	var in service.NotificationSettingInput
	if v, ok, err := p.Text("level", 255); err != nil {
		return err
	} else if ok {
		in.Level = &v
	}
	if kind == model.NotificationGlobal {
		if v, ok, err := p.Text("notification_email", 255); err != nil {
			return err
		} else if ok {
			in.NotificationEmail = &v
		}
	}
	in.Events = map[string]bool{}
	for _, ev := range service.NotificationEvents {
		v, ok, err := p.Bool(ev)
		if err != nil {
			return err
		}
		if ok {
			in.Events[ev] = v
		}
	}
	n, err := a.Service().UpdateNotificationSetting(r.Context(), c.Identity(),
		service.NotificationSource{Kind: kind, Ref: r.PathValue("id")}, in)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, entityOf(n))
}

func getGlobal(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return get(a, w, r, c, model.NotificationGlobal)
}

func updateGlobal(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return update(a, w, r, c, model.NotificationGlobal)
}

func getGroup(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return get(a, w, r, c, model.NotificationGroup)
}

func updateGroup(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return update(a, w, r, c, model.NotificationGroup)
}

func getProject(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return get(a, w, r, c, model.NotificationProject)
}

func updateProject(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return update(a, w, r, c, model.NotificationProject)
}
