package v4

import (
	"net/http"
	"strings"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// applicationEntity is GitLab's Entities::Application(WithSecret).
type applicationEntity struct {
	ID              int64  `json:"id"`
	ApplicationID   string `json:"application_id"`
	ApplicationName string `json:"application_name"`
	Secret          string `json:"secret,omitempty"`
	CallbackURL     string `json:"callback_url"`
	Confidential    bool   `json:"confidential"`
}

func newApplicationEntity(app *model.OAuthApplication, secret string) applicationEntity {
	return applicationEntity{ID: app.ID, ApplicationID: app.UID, ApplicationName: app.Name, Secret: secret,
		CallbackURL: strings.Join(app.RedirectURIs, "\n"), Confidential: app.Confidential}
}

func (a *API) listApplications(w http.ResponseWriter, r *http.Request, c *Call) error {
	apps, err := a.svc.AllApplications(r.Context(), c.id)
	if err != nil {
		return err
	}
	out := make([]applicationEntity, len(apps))
	for i, app := range apps {
		out[i] = newApplicationEntity(app, "")
	}
	return WriteOK(w, out)
}

func (a *API) createApplication(w http.ResponseWriter, r *http.Request, c *Call) error {
	p := c.params
	name, err := p.Required("name", 255)
	if err != nil {
		return err
	}
	redirect, err := p.Required("redirect_uri", 10000)
	if err != nil {
		return err
	}
	scopes, err := p.Required("scopes", 1000)
	if err != nil {
		return err
	}
	confidential, set, err := p.Bool("confidential")
	if err != nil {
		return err
	}
	if !set {
		confidential = true // GitLab's default
	}
	na, err := a.svc.CreateApplication(r.Context(), c.id, service.ApplicationInput{Name: name,
		RedirectURI: redirect, Scopes: strings.Fields(strings.ReplaceAll(scopes, ",", " ")),
		Confidential: confidential, Instance: true})
	if err != nil {
		return err
	}
	return WriteCreated(w, newApplicationEntity(na.App, na.Secret))
}

func (a *API) deleteApplication(w http.ResponseWriter, r *http.Request, c *Call) error {
	id, err := tokenPathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.svc.DeleteApplication(r.Context(), c.id, id); err != nil {
		return err
	}
	return WriteNoContent(w)
}

func (a *API) renewApplicationSecret(w http.ResponseWriter, r *http.Request, c *Call) error {
	id, err := tokenPathID(r, "id")
	if err != nil {
		return err
	}
	na, err := a.svc.RenewApplicationSecret(r.Context(), c.id, id)
	if err != nil {
		return err
	}
	return WriteCreated(w, newApplicationEntity(na.App, na.Secret))
}
