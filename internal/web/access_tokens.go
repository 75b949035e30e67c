package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// resourceTokensSuffix ends the settings pages of project and group access
// tokens: /<project path>/-/settings/access_tokens and
// /groups/<group path>/-/settings/access_tokens.
const resourceTokensSuffix = "/-/settings/access_tokens"

// levelNames are the roles' names as GitLab shows them.
var levelNames = map[access.Level]string{access.Guest: "Guest", access.Planner: "Planner",
	access.Reporter: "Reporter", access.Developer: "Developer", access.Maintainer: "Maintainer", access.Owner: "Owner"}

// resourcePage is one request to a settings page, parsed from its path.
type resourcePage struct {
	group bool
	ref   string // the project's or group's full path
	base  string // the page's own path
}

// resourcePageOf reads the page's project or group from the path: the
// {full_path} of /{full_path...}/-/settings/access_tokens, or of
// /groups/{full_path...}/-/settings/access_tokens.
func resourcePageOf(r *http.Request, group bool) (resourcePage, bool) {
	pg := resourcePage{group: group, ref: r.PathValue("full_path")}
	if group {
		pg.base = "/groups/" + pg.ref + resourceTokensSuffix
		return pg, true
	}
	pg.base = "/" + pg.ref + resourceTokensSuffix
	return pg, strings.Contains(pg.ref, "/") // projects always live in a namespace
}

// resourceTokensPage serves the page listing a resource's tokens.
func resourceTokensPage(group bool) pageHandler {
	return func(h *Handler, w http.ResponseWriter, r *http.Request, s pageSession) {
		if pg, ok := resourcePageOf(r, group); ok {
			if group && h.redirectMovedGroup(w, r, s, pg) {
				return
			}
			h.resourceTokens(w, r, s, pg)
			return
		}
		h.notFound(w, r)
	}
}

// redirectMovedGroup sends a GET of a moved or renamed group's page by its
// old path to the page by the group's path now, as GitLab's
// find_routable! does; it reports whether it did.
func (h *Handler) redirectMovedGroup(w http.ResponseWriter, r *http.Request, s pageSession, pg resourcePage) bool {
	path, ok, err := h.svc.MovedGroupPath(r.Context(), s.id, pg.ref)
	if err != nil {
		h.fail(w, r, err)
		return true
	}
	if !ok {
		return false
	}
	http.Redirect(w, r, "/groups/"+path+strings.TrimPrefix(pg.base, "/groups/"+pg.ref), http.StatusFound)
	return true
}

// createResourceTokenPage serves the page's create form.
func createResourceTokenPage(group bool) pageHandler {
	return func(h *Handler, w http.ResponseWriter, r *http.Request, s pageSession) {
		if pg, ok := resourcePageOf(r, group); ok {
			h.createResourceToken(w, r, s, pg)
			return
		}
		h.notFound(w, r)
	}
}

// revokeResourceTokenPage serves a token's revoke button.
func revokeResourceTokenPage(group bool) pageHandler {
	return func(h *Handler, w http.ResponseWriter, r *http.Request, s pageSession) {
		pg, ok := resourcePageOf(r, group)
		id, err := strconv.ParseInt(r.PathValue("token_id"), 10, 64)
		if !ok || err != nil || id <= 0 {
			h.notFound(w, r)
			return
		}
		h.revokeResourceToken(w, r, s, pg, id)
	}
}

// loadResource finds the project or group; callers who may not manage its
// tokens learn nothing of it (404), whatever the API says.
func (h *Handler) loadResource(w http.ResponseWriter, r *http.Request, s pageSession, pg resourcePage) *service.TokenResource {
	var res *service.TokenResource
	var err error
	if pg.group {
		res, err = h.svc.GroupTokenResource(r.Context(), s.id, pg.ref)
	} else {
		res, err = h.svc.ProjectTokenResource(r.Context(), s.id, pg.ref)
	}
	if err != nil && service.KindOf(err) == service.KindInternal {
		h.fail(w, r, err)
		return nil
	}
	if err != nil || !res.CanManage() {
		h.notFound(w, r)
		return nil
	}
	return res
}

func (h *Handler) resourcePageData(r *http.Request, s pageSession, pg resourcePage, res *service.TokenResource, form tokenForm) (tokensPage, error) {
	title := "Project access tokens"
	if pg.group {
		title = "Group access tokens"
	}
	p := tokensPage{Action: pg.base, Heading: title + " · " + res.Name, Kind: res.Kind, Name: form.Name,
		MinDate: h.svc.Today(), MaxDate: *h.svc.DefaultTokenExpiry(),
		Scopes: scopeOptions(service.ResourceTokenScopes, form.Scopes)}
	if form.ExpiresAt != nil {
		p.ExpiresAt = *form.ExpiresAt
	}
	selected := access.Level(form.Level)
	if selected == 0 {
		selected = access.Maintainer
	}
	for _, l := range service.ResourceTokenLevels {
		// Offer only roles the caller may give: Owner takes an Owner.
		if l > res.Level {
			continue
		}
		p.Levels = append(p.Levels, levelOption{Value: int(l), Name: levelNames[l], Selected: l == selected})
	}
	imp := false
	tokens, _, err := h.svc.ListResourceTokens(r.Context(), s.id, res, model.TokenFilter{State: "active",
		Impersonation: &imp, Sort: "created_desc", Limit: 100})
	if err != nil {
		return p, err
	}
	for _, t := range tokens {
		row := newTokenRow(t.Token)
		row.Role = levelNames[access.Level(t.AccessLevel)]
		p.Tokens = append(p.Tokens, row)
	}
	return p, nil
}

func (h *Handler) resourceTokens(w http.ResponseWriter, r *http.Request, s pageSession, pg resourcePage) {
	res := h.loadResource(w, r, s, pg)
	if res == nil {
		return
	}
	p, err := h.resourcePageData(r, s, pg, res, tokenForm{Scopes: []string{auth.ScopeReadAPI}})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := view{Title: p.Heading, Data: p}
	if r.URL.Query().Get("revoked") == "1" {
		v.Flash = "Revoked the access token."
	}
	h.render(w, r, http.StatusOK, "access_tokens", v)
}

func (h *Handler) createResourceToken(w http.ResponseWriter, r *http.Request, s pageSession, pg resourcePage) {
	res := h.loadResource(w, r, s, pg)
	if res == nil {
		return
	}
	form := readTokenForm(r)
	msg := form.formError()
	var text string
	if msg == "" {
		_, t, err := h.svc.CreateResourceToken(r.Context(), s.id, res, service.ResourceTokenInput{Name: form.Name,
			Scopes: form.Scopes, AccessLevel: form.Level, ExpiresAt: form.ExpiresAt, Host: hostOf(h.baseURL(r))})
		if msg = pageError(err); err != nil && msg == "" {
			h.fail(w, r, err)
			return
		}
		text = t
	}
	status, flash := http.StatusOK, "Your new access token has been created."
	if msg != "" {
		status, flash = http.StatusUnprocessableEntity, ""
	} else {
		form = tokenForm{}
	}
	p, err := h.resourcePageData(r, s, pg, res, form)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// The token is shown in this answer only; it is never stored.
	p.NewToken = text
	h.render(w, r, status, "access_tokens", view{Title: p.Heading, Data: p, Error: msg, Flash: flash})
}

func (h *Handler) revokeResourceToken(w http.ResponseWriter, r *http.Request, s pageSession, pg resourcePage, tokenID int64) {
	res := h.loadResource(w, r, s, pg)
	if res == nil {
		return
	}
	if err := h.svc.RevokeResourceToken(r.Context(), s.id, res, tokenID); err != nil {
		if service.KindOf(err) == service.KindInternal {
			h.fail(w, r, err)
			return
		}
		h.notFound(w, r)
		return
	}
	http.Redirect(w, r, pg.base+"?revoked=1", http.StatusSeeOther)
}

// hostOf is the host name of a base URL, for bots' noreply addresses.
func hostOf(base string) string {
	_, rest, _ := strings.Cut(base, "://")
	host, _, _ := strings.Cut(rest, "/")
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.HasSuffix(host, "]") {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}
