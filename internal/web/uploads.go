package web

import (
	"maps"
	"net/http"

	"github.com/lablet/lablet/internal/service"
)

// Markdown uploads, as GitLab serves them to browsers: under
// /-/project/<id>/uploads/<secret>/<filename> (an upload's full_path)
// and under the project's path (what Markdown links to). The project's
// visibility decides: a caller who can't see it gets 404.

func (h *Handler) projectUploadByID(w http.ResponseWriter, r *http.Request, s pageSession) {
	h.serveUpload(w, r, s, r.PathValue("id"))
}

func (h *Handler) projectUploadByPath(w http.ResponseWriter, r *http.Request, s pageSession) {
	h.serveUpload(w, r, s, r.PathValue("full_path"))
}

func (h *Handler) serveUpload(w http.ResponseWriter, r *http.Request, s pageSession, ref string) {
	c, err := h.svc.OpenUpload(r.Context(), s.id, ref, 0, r.PathValue("secret"), r.PathValue("filename"))
	if err != nil {
		h.storedFileError(w, r, err)
		return
	}
	if c.URL != "" {
		http.Redirect(w, r, c.URL, http.StatusFound)
		return
	}
	defer c.Body.Close()
	// The upload's headers replace the pages' (its CSP is stricter).
	maps.Copy(w.Header(), c.Header())
	http.ServeContent(w, r, "", c.Info.ModTime, c.Body)
}

// storedFileError answers a failed open of an upload or avatar: 404 for
// whatever the caller may not have, without saying which.
func (h *Handler) storedFileError(w http.ResponseWriter, r *http.Request, err error) {
	switch service.KindOf(err) {
	case service.KindNotFound, service.KindForbidden, service.KindInvalid:
		h.notFound(w, r)
	default:
		h.fail(w, r, err)
	}
}
