package v4

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// tokenResource loads a project or group for its access tokens:
// (*service.Service).ProjectTokenResource or GroupTokenResource.
type tokenResource func(*service.Service, context.Context, *auth.Identity, string) (*service.TokenResource, error)

var (
	projectTokens tokenResource = (*service.Service).ProjectTokenResource
	groupTokens   tokenResource = (*service.Service).GroupTokenResource
)

// resourceTokenEntity is GitLab's Entities::ResourceAccessToken(WithToken).
type resourceTokenEntity struct {
	tokenEntity
	AccessLevel int `json:"access_level"`
}

func (a *API) resourceTokenEntity(t *service.ResourceToken) resourceTokenEntity {
	return resourceTokenEntity{tokenEntity: a.tokenEntity(t.Token, false), AccessLevel: t.AccessLevel}
}

// resourceTokenID reads :token_id. GitLab types it String and finds no
// token for anything but an id, so a bad one is simply not found.
func resourceTokenID(r *http.Request, res *service.TokenResource) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue("token_id"), 10, 64)
	if err != nil || n <= 0 {
		return 0, service.NotFound(res.Kind + " Access Token")
	}
	return n, nil
}

// tokenListFilter reads the filters GitLab's token lists share.
func tokenListFilter(p *Params) (model.TokenFilter, error) {
	var pe ParamErrors
	var f model.TokenFilter
	f.Revoked = pe.OptBool(p, "revoked")
	f.State = pe.OneOf(p, "state", "active", "inactive")
	f.CreatedBefore = pe.OptTime(p, "created_before")
	f.CreatedAfter = pe.OptTime(p, "created_after")
	f.LastUsedBefore = pe.OptTime(p, "last_used_before")
	f.LastUsedAfter = pe.OptTime(p, "last_used_after")
	for _, d := range []struct {
		name string
		dst  **string
	}{{"expires_before", &f.ExpiresBefore}, {"expires_after", &f.ExpiresAfter}} {
		v, _, err := p.date(d.name)
		if err != nil {
			pe.Add(err)
		}
		*d.dst = v
	}
	if s := pe.OptStr(p, "search"); s != nil {
		f.Search = *s
	}
	f.Sort = pe.OneOf(p, "sort", "created_asc", "created_desc", "expires_asc", "expires_desc",
		"last_used_asc", "last_used_desc", "name_asc", "name_desc")
	return f, pe.Err()
}

func listResourceTokens(load tokenResource) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		res, err := load(a.svc, r.Context(), c.id, r.PathValue("id"))
		if err != nil {
			return err
		}
		f, err := tokenListFilter(c.params)
		if err != nil {
			return err
		}
		pg := PageOf(c.params)
		f.Offset, f.Limit = pg.Offset(), pg.PerPage
		tokens, total, err := a.svc.ListResourceTokens(r.Context(), c.id, res, f)
		if err != nil {
			return err
		}
		a.SetPageHeaders(w, r, pg, total)
		out := make([]resourceTokenEntity, 0, len(tokens))
		for _, t := range tokens {
			out = append(out, a.resourceTokenEntity(t))
		}
		return WriteOK(w, out)
	}
}

func getResourceToken(load tokenResource) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		res, err := load(a.svc, r.Context(), c.id, r.PathValue("id"))
		if err != nil {
			return err
		}
		if !res.CanManage() {
			return auth.ErrUnauthorized
		}
		tokenID, err := resourceTokenID(r, res)
		if err != nil {
			return err
		}
		t, err := a.svc.ResourceTokenByID(r.Context(), c.id, res, tokenID)
		if err != nil {
			return err
		}
		return WriteOK(w, a.resourceTokenEntity(t))
	}
}

func createResourceToken(load tokenResource) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		res, err := load(a.svc, r.Context(), c.id, r.PathValue("id"))
		if err != nil {
			return err
		}
		base, err := tokenInput(c.params, service.ResourceTokenScopes)
		if err != nil {
			return err
		}
		in := service.ResourceTokenInput{Name: base.Name, Description: base.Description, Scopes: base.Scopes,
			ExpiresAt: base.ExpiresAt}
		level, given, err := c.params.Int("access_level")
		if err != nil {
			return err
		}
		if given {
			if level <= 0 || level > 1000 {
				return service.ParamError("access_level does not have a valid value")
			}
			in.AccessLevel = int(level)
		}
		if u, err := url.Parse(a.BaseURL(r)); err == nil {
			in.Host = u.Hostname()
		}
		t, text, err := a.svc.CreateResourceToken(r.Context(), c.id, res, in)
		if err != nil {
			return err
		}
		e := a.resourceTokenEntity(t)
		e.Token = text
		return WriteCreated(w, e)
	}
}

func revokeResourceToken(load tokenResource) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		res, err := load(a.svc, r.Context(), c.id, r.PathValue("id"))
		if err != nil {
			return err
		}
		tokenID, err := resourceTokenID(r, res)
		if err != nil {
			return err
		}
		if err := a.svc.RevokeResourceToken(r.Context(), c.id, res, tokenID); err != nil {
			return err
		}
		return WriteNoContent(w)
	}
}

func rotateResourceToken(load tokenResource) Handler {
	return func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error {
		if raw := r.PathValue("token_id"); (raw == "" || raw == "self") && !selfRotatable(c.id) {
			// GitLab's not_allowed!, before the resource is looked up.
			WriteJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": "405 Method Not Allowed"})
			return nil
		}
		res, err := load(a.svc, r.Context(), c.id, r.PathValue("id"))
		if err != nil {
			return err
		}
		expires, _, err := c.params.date("expires_at")
		if err != nil {
			return err
		}
		var tokenID int64 // 0: the calling token (self)
		if raw := r.PathValue("token_id"); raw != "" && raw != "self" {
			n, err := strconv.ParseInt(raw, 10, 64)
			if err != nil || n <= 0 {
				if c.id.IsAdmin() {
					return &service.Error{Kind: service.KindNotFound, Message: "Not Found"}
				}
				return auth.ErrUnauthorized
			}
			tokenID = n
		}
		t, text, err := a.svc.RotateResourceToken(r.Context(), c.id, res, tokenID, expires)
		if err != nil {
			return err
		}
		e := a.resourceTokenEntity(t)
		e.Token = text
		return WriteOK(w, e)
	}
}

// selfRotatable reports whether the caller may use …/access_tokens/self/rotate
// at all: only a bot's personal access token (not an OAuth token, not a
// session) rotates itself there, as in GitLab.
func selfRotatable(id *auth.Identity) bool {
	return id.Token != nil && id.OAuthApplication == nil && !id.Sudo && id.User.Bot
}
