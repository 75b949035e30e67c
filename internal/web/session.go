package web

import (
	"net/http"

	"github.com/lablet/lablet/internal/auth"
)

// csrfCookie holds the CSRF token of signed-out visitors (double-submit):
// the sign-in form is protected before any session exists.
const csrfCookie = "_lablet_csrf"

// pageSession is the caller of a page request.
type pageSession struct {
	id     *auth.Identity
	cookie string
}

// session resolves the _gitlab_session cookie; anonymous when absent or bad.
func (h *Handler) session(r *http.Request) pageSession {
	c, err := r.Cookie(auth.SessionCookie)
	if err != nil || c.Value == "" {
		return pageSession{id: h.auth.Anonymous()}
	}
	id, err := h.auth.Session(r.Context(), c.Value)
	if err != nil {
		return pageSession{id: h.auth.Anonymous()}
	}
	return pageSession{id: id, cookie: c.Value}
}

// csrfToken returns the token forms must carry: the session's, or for
// signed-out visitors one kept in a cookie of its own.
func (h *Handler) csrfToken(w http.ResponseWriter, r *http.Request, s pageSession) string {
	if s.id.Session != nil {
		return s.id.Session.CSRFToken
	}
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	tok := auth.NewSecret("", 43)
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: tok, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: h.secure(r)})
	return tok
}

// checkCSRF verifies a form's authenticity_token against the session (or
// the signed-out cookie). Call it first in every POST handler.
func (h *Handler) checkCSRF(r *http.Request, s pageSession) bool {
	sent := r.PostFormValue("authenticity_token")
	if sent == "" {
		sent = r.Header.Get("X-CSRF-Token")
	}
	if s.id.Session != nil {
		return s.id.CSRFValid(sent)
	}
	c, err := r.Cookie(csrfCookie)
	return err == nil && c.Value != "" && auth.DigestEqual(c.Value, sent)
}
