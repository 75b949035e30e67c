package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

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

func renewApplication(admin bool) pageHandler {
	return func(h *Handler, w http.ResponseWriter, r *http.Request, s pageSession) {
		na, err := h.svc.RenewApplicationSecret(r.Context(), s.id, appID(r))
		if service.KindOf(err) == service.KindNotFound {
			h.notFound(w, r)
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

func deleteApplication(admin bool) pageHandler {
	return func(h *Handler, w http.ResponseWriter, r *http.Request, s pageSession) {
		err := h.svc.DeleteApplication(r.Context(), s.id, appID(r))
		if service.KindOf(err) == service.KindNotFound {
			h.notFound(w, r)
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
