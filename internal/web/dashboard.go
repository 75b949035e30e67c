package web

import "net/http"

func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request, s pageSession) {
	h.render(w, r, http.StatusOK, "dashboard", view{Title: "Dashboard"})
}
