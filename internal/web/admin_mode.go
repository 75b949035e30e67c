package web

import (
	"errors"
	"net/http"

	"github.com/lablet/lablet/internal/service"
)

// adminSessionPath is GitLab's page for entering Admin Mode.
const adminSessionPath = "/admin/session/new"

type adminSessionData struct {
	RedirectTo string
}

// adminSessionForm asks an administrator for their password before their
// session may act as one (GET /admin/session/new). A session already in
// Admin Mode, or an instance without it, goes straight on.
func (h *Handler) adminSessionForm(w http.ResponseWriter, r *http.Request, s pageSession) {
	redirect := safeRedirect(r.URL.Query().Get("redirect_to"))
	if s.id.IsAdmin() {
		http.Redirect(w, r, redirect, http.StatusFound)
		return
	}
	h.render(w, r, http.StatusOK, "admin_session", view{Title: "Enter admin mode",
		Data: adminSessionData{RedirectTo: redirect}, Flash: "Re-authentication required"})
}

// enterAdminMode checks the password and opens Admin Mode for the session
// (POST /admin/session).
func (h *Handler) enterAdminMode(w http.ResponseWriter, r *http.Request, s pageSession) {
	data := adminSessionData{RedirectTo: safeRedirect(r.PostFormValue("redirect_to"))}
	err := h.svc.EnterAdminMode(r.Context(), s.id, r.PostFormValue("user[password]"))
	switch {
	case errors.Is(err, service.ErrInvalidLogin):
		h.render(w, r, http.StatusUnauthorized, "admin_session", view{Title: "Enter admin mode", Data: data,
			Error: "Invalid login or password"})
		return
	case errors.Is(err, service.ErrLocked):
		h.render(w, r, http.StatusUnauthorized, "admin_session", view{Title: "Enter admin mode", Data: data,
			Error: "Your account is locked."})
		return
	case err != nil:
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, data.RedirectTo, http.StatusFound)
}

// leaveAdminMode ends the session's Admin Mode (POST /admin/session/destroy).
func (h *Handler) leaveAdminMode(w http.ResponseWriter, r *http.Request, s pageSession) {
	if err := h.svc.LeaveAdminMode(r.Context(), s.id); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusFound)
}
