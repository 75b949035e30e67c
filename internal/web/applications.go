package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// registerApplications lists the OAuth application pages: each user's at
// /-/user_settings/applications, instance-wide ones at /admin/applications.
func (h *Handler) registerApplications() {
	h.mux.HandleFunc("GET /-/user_settings/applications", h.requireUser(h.userApplications))
	h.mux.HandleFunc("POST /-/user_settings/applications", h.requireUser(h.createUserApplication))
	h.mux.HandleFunc("POST /-/user_settings/applications/{id}/renew", h.requireUser(h.renewApplication(false)))
	h.mux.HandleFunc("POST /-/user_settings/applications/{id}/delete", h.requireUser(h.deleteApplication(false)))
	h.mux.HandleFunc("POST /-/user_settings/applications/authorized/{id}/revoke", h.requireUser(h.revokeAuthorized))
	h.mux.HandleFunc("GET /admin/applications", h.requireAdmin(h.adminApplications))
	h.mux.HandleFunc("POST /admin/applications", h.requireAdmin(h.createAdminApplication))
	h.mux.HandleFunc("POST /admin/applications/{id}/renew", h.requireAdmin(h.renewApplication(true)))
	h.mux.HandleFunc("POST /admin/applications/{id}/delete", h.requireAdmin(h.deleteApplication(true)))
}

type applicationsData struct {
	Admin      bool
	Base       string
	Apps       []*model.OAuthApplication
	Authorized []*model.AuthorizedApplication
	Scopes     []scopeInfo
	// Created is a new or renewed application whose secret shows once.
	Created *service.NewApplication
	Form    applicationForm
}

type applicationForm struct {
	Name, RedirectURI string
	Confidential      bool
	Scopes            map[string]bool
}

func (h *Handler) applicationsPage(w http.ResponseWriter, r *http.Request, s pageSession, admin bool,
	status int, d applicationsData, errMsg, flash string) {
	apps, err := h.svc.ApplicationsFor(r.Context(), s.id, admin)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Apps, d.Admin, d.Scopes = apps, admin, scopeChoices(admin)
	d.Base = "/-/user_settings/applications"
	title := "Applications"
	if admin {
		d.Base = "/admin/applications"
	} else {
		d.Authorized, err = h.svc.AuthorizedApplications(r.Context(), s.id)
		if err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if d.Form.Scopes == nil {
		d.Form = applicationForm{Confidential: true, Scopes: map[string]bool{}}
	}
	h.render(w, r, status, "applications", view{Title: title, Data: d, Error: errMsg, Flash: flash})
}

func (h *Handler) userApplications(w http.ResponseWriter, r *http.Request, s pageSession) {
	h.applicationsPage(w, r, s, false, http.StatusOK, applicationsData{}, "", "")
}

func (h *Handler) adminApplications(w http.ResponseWriter, r *http.Request, s pageSession) {
	h.applicationsPage(w, r, s, true, http.StatusOK, applicationsData{}, "", "")
}

func (h *Handler) createUserApplication(w http.ResponseWriter, r *http.Request, s pageSession) {
	h.createApplication(w, r, s, false)
}

func (h *Handler) createAdminApplication(w http.ResponseWriter, r *http.Request, s pageSession) {
	h.createApplication(w, r, s, true)
}

func (h *Handler) createApplication(w http.ResponseWriter, r *http.Request, s pageSession, admin bool) {
	_ = r.ParseForm()
	form := applicationForm{Name: r.PostFormValue("name"), RedirectURI: r.PostFormValue("redirect_uri"),
		Confidential: r.PostFormValue("confidential") != "", Scopes: map[string]bool{}}
	scopes := r.PostForm["scopes"]
	for _, sc := range scopes {
		form.Scopes[sc] = true
	}
	na, err := h.svc.CreateApplication(r.Context(), s.id, service.ApplicationInput{Name: form.Name,
		RedirectURI: form.RedirectURI, Scopes: scopes, Confidential: form.Confidential, Instance: admin})
	if se, ok := err.(*service.Error); ok {
		h.applicationsPage(w, r, s, admin, http.StatusUnprocessableEntity, applicationsData{Form: form},
			validationText(se), "")
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.applicationsPage(w, r, s, admin, http.StatusOK, applicationsData{Created: na}, "",
		"The application was created successfully.")
}

// validationText flattens field errors into one line ("Redirect uri must be…").
func validationText(se *service.Error) string {
	if len(se.Fields) == 0 {
		return se.Message
	}
	var parts []string
	for _, f := range []string{"name", "redirect_uri", "scopes"} {
		for _, m := range se.Fields[f] {
			label := strings.ReplaceAll(f, "_", " ")
			parts = append(parts, strings.ToUpper(label[:1])+label[1:]+" "+m)
		}
	}
	return strings.Join(parts, "; ")
}

func appID(r *http.Request) int64 {
	n, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return n
}

func (h *Handler) renewApplication(admin bool) func(http.ResponseWriter, *http.Request, pageSession) {
	return func(w http.ResponseWriter, r *http.Request, s pageSession) {
		na, err := h.svc.RenewApplicationSecret(r.Context(), s.id, appID(r))
		if service.KindOf(err) == service.KindNotFound {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
		h.applicationsPage(w, r, s, admin, http.StatusOK, applicationsData{Created: na}, "",
			"Application secret was successfully updated.")
	}
}

func (h *Handler) deleteApplication(admin bool) func(http.ResponseWriter, *http.Request, pageSession) {
	return func(w http.ResponseWriter, r *http.Request, s pageSession) {
		err := h.svc.DeleteApplication(r.Context(), s.id, appID(r))
		if service.KindOf(err) == service.KindNotFound {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
		h.applicationsPage(w, r, s, admin, http.StatusOK, applicationsData{}, "",
			"The application was deleted successfully.")
	}
}

func (h *Handler) revokeAuthorized(w http.ResponseWriter, r *http.Request, s pageSession) {
	if err := h.svc.RevokeAuthorizedApplication(r.Context(), s.id, appID(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	h.applicationsPage(w, r, s, false, http.StatusOK, applicationsData{}, "",
		"The application was revoked access.")
}
