package v4

import (
	"net/http"
	"strconv"
	"time"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// deployTokenEntity is GitLab's Entities::DeployToken; Token is set only
// in the answer that creates it (Entities::DeployTokenWithToken).
type deployTokenEntity struct {
	ID        int64    `json:"id"`
	Name      string   `json:"name"`
	Username  string   `json:"username"`
	ExpiresAt *string  `json:"expires_at"`
	Scopes    []string `json:"scopes"`
	Revoked   bool     `json:"revoked"`
	Expired   bool     `json:"expired"`
	Token     string   `json:"token,omitempty"`
}

func deployTokenEntityOf(t *model.DeployToken, now time.Time) deployTokenEntity {
	scopes := t.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	return deployTokenEntity{ID: t.ID, Name: t.Name, Username: t.LoginName(), ExpiresAt: TSP(t.ExpiresAt),
		Scopes: scopes, Revoked: t.Revoked, Expired: t.Expired(now)}
}

func (a *API) writeDeployTokens(w http.ResponseWriter, r *http.Request, c *Call, list []*model.DeployToken) error {
	page := PaginateSlice(a, w, r, c, list)
	now := a.svc.Now()
	out := make([]deployTokenEntity, len(page))
	for i, t := range page {
		out[i] = deployTokenEntityOf(t, now)
	}
	return WriteOK(w, out)
}

// tokenIDParam reads :token_id (Grape types it Integer).
func tokenIDParam(r *http.Request) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue("token_id"), 10, 64)
	if err != nil {
		return 0, service.ParamError("token_id is invalid")
	}
	return n, nil
}

// listAllDeployTokens is GET /deploy_tokens (administrators).
func (a *API) listAllDeployTokens(w http.ResponseWriter, r *http.Request, c *Call) error {
	active, _, err := c.params.Bool("active")
	if err != nil {
		return err
	}
	list, err := a.svc.ListAllDeployTokens(r.Context(), c.id, active)
	if err != nil {
		return err
	}
	return a.writeDeployTokens(w, r, c, list)
}

func holderOf(r *http.Request, group bool) service.DeployTokenHolder {
	return service.DeployTokenHolder{Ref: r.PathValue("id"), Group: group}
}

func (a *API) listDeployTokens(w http.ResponseWriter, r *http.Request, c *Call, group bool) error {
	active, _, err := c.params.Bool("active")
	if err != nil {
		return err
	}
	list, err := a.svc.ListDeployTokens(r.Context(), c.id, holderOf(r, group), active)
	if err != nil {
		return err
	}
	return a.writeDeployTokens(w, r, c, list)
}

func (a *API) getDeployToken(w http.ResponseWriter, r *http.Request, c *Call, group bool) error {
	id, err := tokenIDParam(r)
	if err != nil {
		return err
	}
	t, err := a.svc.DeployToken(r.Context(), c.id, holderOf(r, group), id)
	if err != nil {
		return err
	}
	return WriteOK(w, deployTokenEntityOf(t, a.svc.Now()))
}

// deployTokenInput reads name, scopes, expires_at and username as
// GitLab's Grape declares them, every bad parameter in one answer.
func deployTokenInput(p *Params) (service.DeployTokenInput, error) {
	var in service.DeployTokenInput
	var pe ParamErrors
	name, ok, err := p.Text("name", 1<<16)
	switch {
	case err != nil:
		pe.Add(err)
	case !ok:
		pe.Add(service.ParamError("name is missing"))
	}
	in.Name = name
	scopes, ok, err := p.StrList("scopes")
	switch {
	case err != nil:
		pe.Add(err)
	case !ok:
		pe.Add(service.ParamError("scopes is missing"))
	default:
		for _, s := range scopes {
			if !service.ValidDeployTokenScope(s) {
				pe.Add(service.ParamError("scopes does not have a valid value"))
				break
			}
		}
	}
	in.Scopes = scopes
	// null or "" is no expiry, as Grape leaves an optional DateTime nil.
	if v, ok := p.Raw("expires_at"); ok && v != nil && v != "" {
		in.ExpiresAt = pe.optTime(p, "expires_at")
	}
	if u := pe.OptStr(p, "username"); u != nil {
		in.Username = *u
	}
	return in, pe.Err()
}

func (a *API) createDeployToken(w http.ResponseWriter, r *http.Request, c *Call, group bool) error {
	in, err := deployTokenInput(c.params)
	if err != nil {
		return err
	}
	t, text, err := a.svc.CreateDeployToken(r.Context(), c.id, holderOf(r, group), in)
	if err != nil {
		return err
	}
	e := deployTokenEntityOf(t, a.svc.Now())
	e.Token = text
	return WriteCreated(w, e)
}

func (a *API) deleteDeployToken(w http.ResponseWriter, r *http.Request, c *Call, group bool) error {
	id, err := tokenIDParam(r)
	if err != nil {
		return err
	}
	if err := a.svc.DeleteDeployToken(r.Context(), c.id, holderOf(r, group), id); err != nil {
		return err
	}
	return WriteNoContent(w)
}

// The route table's handlers: a project's and a group's deploy tokens.

func (a *API) listProjectDeployTokens(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.listDeployTokens(w, r, c, false)
}

func (a *API) getProjectDeployToken(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.getDeployToken(w, r, c, false)
}

func (a *API) createProjectDeployToken(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.createDeployToken(w, r, c, false)
}

func (a *API) deleteProjectDeployToken(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.deleteDeployToken(w, r, c, false)
}

func (a *API) listGroupDeployTokens(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.listDeployTokens(w, r, c, true)
}

func (a *API) getGroupDeployToken(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.getDeployToken(w, r, c, true)
}

func (a *API) createGroupDeployToken(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.createDeployToken(w, r, c, true)
}

func (a *API) deleteGroupDeployToken(w http.ResponseWriter, r *http.Request, c *Call) error {
	return a.deleteDeployToken(w, r, c, true)
}
