package keys

import (
	"net/http"
	"strconv"
	"time"

	v4 "github.com/lablet/lablet/internal/api/v4"
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
	return deployTokenEntity{ID: t.ID, Name: t.Name, Username: t.LoginName(), ExpiresAt: v4.TSP(t.ExpiresAt),
		Scopes: scopes, Revoked: t.Revoked, Expired: t.Expired(now)}
}

func writeDeployTokens(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, list []*model.DeployToken) error {
	page := v4.PaginateSlice(a, w, r, c, list)
	now := a.Service().Now()
	out := make([]deployTokenEntity, len(page))
	for i, t := range page {
		out[i] = deployTokenEntityOf(t, now)
	}
	return v4.WriteOK(w, out)
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
func listAllDeployTokens(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	active, _, err := c.Params().Bool("active")
	if err != nil {
		return err
	}
	list, err := a.Service().ListAllDeployTokens(r.Context(), c.Identity(), active)
	if err != nil {
		return err
	}
	return writeDeployTokens(a, w, r, c, list)
}

func holderOf(r *http.Request, group bool) service.DeployTokenHolder {
	return service.DeployTokenHolder{Ref: r.PathValue("id"), Group: group}
}

func listDeployTokens(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, group bool) error {
	active, _, err := c.Params().Bool("active")
	if err != nil {
		return err
	}
	list, err := a.Service().ListDeployTokens(r.Context(), c.Identity(), holderOf(r, group), active)
	if err != nil {
		return err
	}
	return writeDeployTokens(a, w, r, c, list)
}

func getDeployToken(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, group bool) error {
	id, err := tokenIDParam(r)
	if err != nil {
		return err
	}
	t, err := a.Service().DeployToken(r.Context(), c.Identity(), holderOf(r, group), id)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, deployTokenEntityOf(t, a.Service().Now()))
}

// deployTokenInput reads name, scopes, expires_at and username as
// GitLab's Grape declares them, every bad parameter in one answer.
func deployTokenInput(p *v4.Params) (service.DeployTokenInput, error) {
	var in service.DeployTokenInput
	var pe v4.ParamErrors
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
		in.ExpiresAt = pe.OptTime(p, "expires_at")
	}
	if u := pe.OptStr(p, "username"); u != nil {
		in.Username = *u
	}
	return in, pe.Err()
}

func createDeployToken(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, group bool) error {
	in, err := deployTokenInput(c.Params())
	if err != nil {
		return err
	}
	t, text, err := a.Service().CreateDeployToken(r.Context(), c.Identity(), holderOf(r, group), in)
	if err != nil {
		return err
	}
	e := deployTokenEntityOf(t, a.Service().Now())
	e.Token = text
	return v4.WriteCreated(w, e)
}

func deleteDeployToken(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, group bool) error {
	id, err := tokenIDParam(r)
	if err != nil {
		return err
	}
	if err := a.Service().DeleteDeployToken(r.Context(), c.Identity(), holderOf(r, group), id); err != nil {
		return err
	}
	return v4.WriteNoContent(w)
}

// The route table's handlers: a project's and a group's deploy tokens.

func listProjectDeployTokens(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return listDeployTokens(a, w, r, c, false)
}

func getProjectDeployToken(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return getDeployToken(a, w, r, c, false)
}

func createProjectDeployToken(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return createDeployToken(a, w, r, c, false)
}

func deleteProjectDeployToken(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return deleteDeployToken(a, w, r, c, false)
}

func listGroupDeployTokens(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return listDeployTokens(a, w, r, c, true)
}

func getGroupDeployToken(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return getDeployToken(a, w, r, c, true)
}

func createGroupDeployToken(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return createDeployToken(a, w, r, c, true)
}

func deleteGroupDeployToken(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return deleteDeployToken(a, w, r, c, true)
}
