package v4

import (
	"net/http"
	"strconv"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// tokenEntity is GitLab's Entities::PersonalAccessToken and its variants.
type tokenEntity struct {
	ID            int64    `json:"id"`
	Name          string   `json:"name"`
	Revoked       bool     `json:"revoked"`
	CreatedAt     string   `json:"created_at"`
	Description   string   `json:"description"`
	Scopes        []string `json:"scopes"`
	UserID        int64    `json:"user_id"`
	LastUsedAt    *string  `json:"last_used_at"`
	Active        bool     `json:"active"`
	ExpiresAt     *string  `json:"expires_at"`
	Impersonation *bool    `json:"impersonation,omitempty"`
	Token         string   `json:"token,omitempty"`
}

// tokenEntity renders t; impersonation adds GitLab's impersonation flag.
func (a *API) tokenEntity(t *model.Token, impersonation bool) tokenEntity {
	scopes := t.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	e := tokenEntity{ID: t.ID, Name: t.Name, Revoked: t.Revoked, CreatedAt: TS(t.CreatedAt),
		Description: t.Description, Scopes: scopes, UserID: t.UserID, LastUsedAt: TSP(t.LastUsedAt),
		Active: t.Active(a.svc.Now()), ExpiresAt: t.ExpiresAt}
	if impersonation {
		v := t.Impersonation
		e.Impersonation = &v
	}
	return e
}

// tokenPathID reads a token id from the path; GitLab types it Integer.
func tokenPathID(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, service.ParamError(name + " is invalid")
	}
	return n, nil
}

func (a *API) listTokens(w http.ResponseWriter, r *http.Request, c *Call) error {
	p := c.params
	var pe ParamErrors
	var in service.TokenListInput
	in.UserID = pe.OptInt(p, "user_id")
	filter, err := tokenListFilter(p)
	if err != nil {
		pe.Add(err)
	}
	in.Filter = filter
	f := &in.Filter
	if err := pe.Err(); err != nil {
		return err
	}
	pg := PageOf(p)
	f.Offset, f.Limit = pg.Offset(), pg.PerPage
	tokens, total, err := a.svc.ListTokens(r.Context(), c.id, in)
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, total)
	out := make([]tokenEntity, 0, len(tokens))
	for _, t := range tokens {
		out = append(out, a.tokenEntity(t, false))
	}
	return WriteOK(w, out)
}

func (a *API) getSelfToken(w http.ResponseWriter, r *http.Request, c *Call) error {
	t, err := a.svc.SelfToken(c.id)
	if err != nil {
		return err
	}
	return WriteOK(w, a.tokenEntity(t, false))
}

func (a *API) revokeSelfToken(w http.ResponseWriter, r *http.Request, c *Call) error {
	if err := a.svc.RevokeSelfToken(r.Context(), c.id); err != nil {
		return err
	}
	return WriteNoContent(w)
}

func (a *API) getToken(w http.ResponseWriter, r *http.Request, c *Call) error {
	id, err := tokenPathID(r, "id")
	if err != nil {
		return err
	}
	t, err := a.svc.VisibleToken(r.Context(), c.id, id)
	if err != nil {
		return err
	}
	return WriteOK(w, a.tokenEntity(t, false))
}

func (a *API) revokeToken(w http.ResponseWriter, r *http.Request, c *Call) error {
	id, err := tokenPathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.svc.RevokeTokenByID(r.Context(), c.id, id); err != nil {
		return err
	}
	return WriteNoContent(w)
}

func (a *API) rotateToken(w http.ResponseWriter, r *http.Request, c *Call) error {
	id, err := tokenPathID(r, "id")
	if err != nil {
		return err
	}
	expires, _, err := c.params.date("expires_at")
	if err != nil {
		return err
	}
	t, err := a.svc.VisibleToken(r.Context(), c.id, id)
	if err != nil {
		return err
	}
	return a.rotate(w, r, t, expires)
}

func (a *API) rotateSelfToken(w http.ResponseWriter, r *http.Request, c *Call) error {
	expires, _, err := c.params.date("expires_at")
	if err != nil {
		return err
	}
	next, text, err := a.svc.RotateSelfToken(r.Context(), c.id, expires)
	if err != nil {
		return err
	}
	e := a.tokenEntity(next, false)
	e.Token = text
	return WriteOK(w, e)
}

func (a *API) rotate(w http.ResponseWriter, r *http.Request, t *model.Token, expires *string) error {
	next, text, err := a.svc.RotateToken(r.Context(), t, expires)
	if err != nil {
		return err
	}
	e := a.tokenEntity(next, false)
	e.Token = text
	return WriteOK(w, e)
}

// tokenInput reads name, scopes, description and expires_at as GitLab
// declares them, reporting every bad parameter at once. allowed limits
// the scopes.
func tokenInput(p *Params, allowed []string) (service.NewTokenInput, error) {
	var in service.NewTokenInput
	var pe ParamErrors
	name, present, err := p.Text("name", service.MaxNameLength)
	switch {
	case err != nil:
		pe.Add(err)
	case !present:
		pe.Add(service.ParamError("name is missing"))
	case name == "":
		pe.Add(service.ParamError("name is empty"))
	}
	in.Name = name
	scopes, present, err := p.StrList("scopes")
	switch {
	case err != nil:
		pe.Add(err)
	case !present || len(scopes) == 0:
		pe.Add(service.ParamError("scopes is missing"))
	default:
		for _, s := range scopes {
			valid := false
			for _, a := range allowed {
				valid = valid || s == a
			}
			if !valid {
				pe.Add(service.ParamError("scopes does not have a valid value"))
				break
			}
		}
	}
	in.Scopes = scopes
	in.ExpiresAt, _, err = p.date("expires_at")
	if err != nil {
		pe.Add(err)
	}
	desc, _, err := p.Text("description", 255)
	if err != nil {
		pe.Add(err)
	}
	in.Description = desc
	return in, pe.Err()
}

func (a *API) createUserToken(w http.ResponseWriter, r *http.Request, c *Call) error {
	userID, found := UserPathID(r, "user_id")
	if !found {
		return RouteNotFound(w)
	}
	in, err := tokenInput(c.params, auth.PersonalScopes)
	if err != nil {
		return err
	}
	in.UserID = userID
	return a.createTokenFor(w, r, c, in, false)
}

func (a *API) createSelfToken(w http.ResponseWriter, r *http.Request, c *Call) error {
	in, err := tokenInput(c.params, service.SelfTokenScopes)
	if err != nil {
		return err
	}
	in.UserID = c.id.UserID()
	if in.ExpiresAt == nil {
		in.ExpiresAt = a.svc.DefaultTokenExpiry()
	}
	t, text, err := a.svc.CreateToken(r.Context(), in)
	if err != nil {
		return err
	}
	e := a.tokenEntity(t, false)
	e.Token = text
	return WriteCreated(w, e)
}

func (a *API) createTokenFor(w http.ResponseWriter, r *http.Request, c *Call, in service.NewTokenInput, impersonation bool) error {
	in.Impersonation = impersonation
	t, text, err := a.svc.CreateUserToken(r.Context(), c.id, in)
	if err != nil {
		return err
	}
	e := a.tokenEntity(t, impersonation)
	e.Token = text
	return WriteCreated(w, e)
}

func (a *API) listImpersonationTokens(w http.ResponseWriter, r *http.Request, c *Call) error {
	userID, found := UserPathID(r, "user_id")
	if !found {
		return RouteNotFound(w)
	}
	state, given, err := c.params.OneOf("state", "all", "active", "inactive")
	if err != nil {
		return err
	}
	if !given {
		state = "all"
	}
	pg := PageOf(c.params)
	tokens, total, err := a.svc.ListImpersonationTokens(r.Context(), c.id, userID, state, pg.Offset(), pg.PerPage)
	if err != nil {
		return err
	}
	a.SetPageHeaders(w, r, pg, total)
	out := make([]tokenEntity, 0, len(tokens))
	for _, t := range tokens {
		out = append(out, a.tokenEntity(t, true))
	}
	return WriteOK(w, out)
}

func (a *API) createImpersonationToken(w http.ResponseWriter, r *http.Request, c *Call) error {
	userID, found := UserPathID(r, "user_id")
	if !found {
		return RouteNotFound(w)
	}
	in, err := tokenInput(c.params, auth.PersonalScopes)
	if err != nil {
		return err
	}
	in.UserID = userID
	return a.createTokenFor(w, r, c, in, true)
}

// impersonationIDs reads :user_id and :token_id.
func impersonationIDs(r *http.Request) (userID, tokenID int64, found bool) {
	userID, okUser := UserPathID(r, "user_id")
	tokenID, okToken := UserPathID(r, "token_id")
	return userID, tokenID, okUser && okToken
}

func (a *API) getImpersonationToken(w http.ResponseWriter, r *http.Request, c *Call) error {
	userID, tokenID, found := impersonationIDs(r)
	if !found {
		return RouteNotFound(w)
	}
	t, err := a.svc.ImpersonationToken(r.Context(), c.id, userID, tokenID)
	if err != nil {
		return err
	}
	return WriteOK(w, a.tokenEntity(t, true))
}

func (a *API) revokeImpersonationToken(w http.ResponseWriter, r *http.Request, c *Call) error {
	userID, tokenID, found := impersonationIDs(r)
	if !found {
		return RouteNotFound(w)
	}
	if err := a.svc.RevokeImpersonationToken(r.Context(), c.id, userID, tokenID); err != nil {
		return err
	}
	return WriteNoContent(w)
}
