package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/avatar"
	"github.com/lablet/lablet/internal/route"
)

// pageHandler serves a page to a caller whose session is resolved. Table
// rows name them as method expressions ((*Handler).dashboard) so that the
// printed table points at their code.
type pageHandler func(h *Handler, w http.ResponseWriter, r *http.Request, s pageSession)

// visitor says who may open a page.
type visitor int

const (
	// anybody: signed in or not.
	anybody visitor = iota
	// user: signed-in users; others go to the sign-in page and come back.
	user
	// administrator: instance administrators; others get 404, as GitLab
	// hides its admin area. Under Admin Mode an administrator's session
	// that has not entered it is sent to enter it first.
	administrator
	// adminAccount: users whose account is an administrator's, in Admin
	// Mode or not (the pages that enter and leave it); others get 404.
	adminAccount
	// asset: anybody, and the session is not even looked up (images that
	// lists show by the dozen).
	asset
)

// page is one row of the pages' route table.
type page struct {
	method, path string
	handler      pageHandler
	who          visitor
	ability      access.Ability
}

func pageRow(pattern string, h pageHandler, who visitor, ab access.Ability) page {
	method, path, _ := strings.Cut(pattern, " ")
	return page{method: method, path: path, handler: h, who: who, ability: ab}
}

// table is the pages' route table. Every POST is CSRF-checked before
// anything else (sign-in checks its own form, to answer with the form).
func (h *Handler) table() []page {
	rows := []page{
		pageRow("GET /{$}", (*Handler).dashboard, user, access.ReadCurrentUser),
		pageRow("GET /-/static/{file...}", (*Handler).static, anybody, access.None),
		// Users' identicons, their default avatar_url (avatars.go).
		pageRow("GET "+avatar.IdenticonPath+"{file}", (*Handler).identicon, asset, access.None),
		// Uploaded avatars, where GitLab serves them (avatars.go): a
		// group's or project's only to who may see it.
		pageRow("GET /uploads/-/system/user/avatar/{id}/{filename}", (*Handler).userAvatar, anybody, access.None),
		pageRow("GET /uploads/-/system/group/avatar/{id}/{filename}", (*Handler).groupAvatar, anybody, access.ReadGroup),
		pageRow("GET /uploads/-/system/project/avatar/{id}/{filename}", (*Handler).projectAvatar, anybody, access.ReadProject),
		pageRow("GET /uploads/-/system/projects/topic/avatar/{id}/{filename}", (*Handler).topicAvatar, anybody, access.None),

		// Sign-in (sign_in.go)
		pageRow("GET /users/sign_in", (*Handler).signInForm, anybody, access.None),
		pageRow("POST /users/sign_in", (*Handler).signIn, anybody, access.None),
		pageRow("POST /users/sign_out", (*Handler).signOut, user, access.None),

		// Admin Mode (admin_mode.go): an administrator's session acts as
		// one only after re-authenticating, as GitLab's Admin::SessionsController.
		pageRow("GET "+adminSessionPath, (*Handler).adminSessionForm, adminAccount, access.None),
		pageRow("POST /admin/session", (*Handler).enterAdminMode, adminAccount, access.None),
		pageRow("POST /admin/session/destroy", (*Handler).leaveAdminMode, adminAccount, access.None),

		// Personal access tokens (personal_access_tokens.go)
		pageRow("GET "+personalTokensPath, (*Handler).personalTokens, user, access.ManageOwnTokens),
		pageRow("POST "+personalTokensPath, (*Handler).createPersonalToken, user, access.ManageOwnTokens),
		pageRow("POST "+personalTokensPath+"/{token_id}/revoke", (*Handler).revokePersonalToken, user, access.ManageOwnTokens),

		// Project and group access tokens (access_tokens.go)
		pageRow("GET /{full_path...}/-/settings/access_tokens", resourceTokensPage(false), user, access.ManageProjectAccessTokens),
		pageRow("POST /{full_path...}/-/settings/access_tokens", createResourceTokenPage(false), user, access.ManageProjectAccessTokens),
		pageRow("POST /{full_path...}/-/settings/access_tokens/{token_id}/revoke", revokeResourceTokenPage(false), user, access.ManageProjectAccessTokens),
		// Issues (issues.go, issues_list.go): GitLab's paths; a project the
		// caller can't see sends signed-out visitors to sign in.
		pageRow("GET /{full_path...}/-/issues", (*Handler).issueList, anybody, access.ReadIssue),
		pageRow("GET /{full_path...}/-/issues/{iid}", (*Handler).issuePage, anybody, access.ReadIssue),
		// Markdown uploads (uploads.go): by the project's id and path.
		pageRow("GET /-/project/{id}/uploads/{secret}/{filename}", (*Handler).projectUploadByID, anybody, access.ReadProject),
		pageRow("GET /{full_path...}/uploads/{secret}/{filename}", (*Handler).projectUploadByPath, anybody, access.ReadProject),

		pageRow("GET /groups/{full_path...}/-/settings/access_tokens", resourceTokensPage(true), user, access.ManageGroupAccessTokens),
		pageRow("POST /groups/{full_path...}/-/settings/access_tokens", createResourceTokenPage(true), user, access.ManageGroupAccessTokens),
		pageRow("POST /groups/{full_path...}/-/settings/access_tokens/{token_id}/revoke", revokeResourceTokenPage(true), user, access.ManageGroupAccessTokens),
	}
	if h.oauth == nil {
		return rows
	}
	return append(rows,
		// OAuth consent and device verification (oauth_authorize.go,
		// oauth_device.go); the machine endpoints are in internal/oauth.
		pageRow("GET /oauth/authorize", (*Handler).oauthAuthorize, user, access.None),
		pageRow("POST /oauth/authorize", (*Handler).oauthAuthorize, user, access.None),
		pageRow("GET /oauth/device", (*Handler).oauthDevice, user, access.None),
		pageRow("POST /oauth/device", (*Handler).oauthDevice, user, access.None),

		// OAuth applications (applications.go): each user's, and the
		// instance's in the admin area.
		pageRow("GET /-/user_settings/applications", (*Handler).userApplications, user, access.ManageOwnTokens),
		pageRow("POST /-/user_settings/applications", (*Handler).createUserApplication, user, access.ManageOwnTokens),
		pageRow("POST /-/user_settings/applications/{id}/renew", renewApplication(false), user, access.ManageOwnTokens),
		pageRow("POST /-/user_settings/applications/{id}/delete", deleteApplication(false), user, access.ManageOwnTokens),
		pageRow("POST /-/user_settings/applications/authorized/{id}/revoke", (*Handler).revokeAuthorized, user, access.ManageOwnTokens),
		pageRow("GET /admin/applications", (*Handler).adminApplications, administrator, access.AdminAll),
		pageRow("POST /admin/applications", (*Handler).createAdminApplication, administrator, access.AdminAll),
		pageRow("POST /admin/applications/{id}/renew", renewApplication(true), administrator, access.AdminAll),
		pageRow("POST /admin/applications/{id}/delete", deleteApplication(true), administrator, access.AdminAll),
	)
}

func (v visitor) describe() string {
	switch v {
	case asset:
		return "anonymous"
	case user:
		return "session"
	case administrator:
		return "session,admin"
	case adminAccount:
		return "session,admin-account"
	}
	return "anonymous,session"
}

// serve turns a row into a served route: the pages' headers, the caller's
// session, the visitor check and, for POSTs, the CSRF check.
func (h *Handler) serve(p page) route.Route {
	next := p.handler
	return route.Route{Method: p.method, Pattern: p.path, Func: next, Auth: p.who.describe(), Ability: p.ability,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			setPageHeaders(w)
			if p.who == asset {
				next(h, w, r, pageSession{id: h.auth.Anonymous()})
				return
			}
			s := h.session(r)
			if p.who != anybody {
				// The authenticity token comes first, as in GitLab, whose
				// forgery protection runs before any other check: a
				// forged POST learns nothing, not even whether the page
				// wants a session or an administrator.
				if r.Method != http.MethodGet && r.Method != http.MethodHead && !h.checkCSRF(r, s) {
					http.Error(w, "422 The change you requested was rejected (invalid authenticity token).", http.StatusUnprocessableEntity)
					return
				}
				if !s.id.Authenticated() {
					h.toSignIn(w, r)
					return
				}
				if p.who == administrator && s.id.AdminModeRequired() {
					// GitLab: "Re-authentication required", then back here.
					target := adminSessionPath
					if r.Method == http.MethodGet {
						target += "?redirect_to=" + url.QueryEscape(r.URL.RequestURI())
					}
					http.Redirect(w, r, target, http.StatusFound)
					return
				}
				if p.who == administrator && !s.id.IsAdmin() || p.who == adminAccount && !s.id.User.IsAdmin {
					h.notFound(w, r)
					return
				}
			}
			if p.method == http.MethodGet && strings.HasPrefix(p.path, "/{full_path...}/") && h.redirectMovedProject(w, r, s) {
				return
			}
			next(h, w, r, s)
		})}
}

// redirectMovedProject sends a GET of a project page by one of the
// project's old paths (a rename or transfer) to the same page by its path
// now, as GitLab's find_routable! does; it reports whether it did.
func (h *Handler) redirectMovedProject(w http.ResponseWriter, r *http.Request, s pageSession) bool {
	ref := r.PathValue("full_path")
	path, ok, err := h.svc.MovedProjectPath(r.Context(), s.id, ref)
	if err != nil {
		h.fail(w, r, err)
		return true
	}
	if !ok {
		return false
	}
	target := "/" + path + strings.TrimPrefix(r.URL.Path, "/"+ref)
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, target, http.StatusFound)
	return true
}

// toSignIn sends a signed-out visitor to the sign-in page, to come back.
func (h *Handler) toSignIn(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/users/sign_in?redirect_to="+url.QueryEscape(r.URL.RequestURI()), http.StatusFound)
}

// setPageHeaders keeps pages out of frames and caches.
func setPageHeaders(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	hd.Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self' http: https:; frame-ancestors 'none'")
}

// NotFound is the pages' answer to an unknown path.
func (h *Handler) NotFound(w http.ResponseWriter, r *http.Request) {
	setPageHeaders(w)
	h.notFound(w, r)
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "404 Not Found", http.StatusNotFound)
}
