package web

import (
	"errors"
	"net"
	"net/http"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/service"
)

type signInData struct {
	Login      string
	RedirectTo string
}

func (h *Handler) signInForm(w http.ResponseWriter, r *http.Request, s pageSession) {
	redirect := safeRedirect(r.URL.Query().Get("redirect_to"))
	if s.id.Authenticated() {
		http.Redirect(w, r, redirect, http.StatusFound)
		return
	}
	h.render(w, r, http.StatusOK, "sign_in", view{Title: "Sign in", Data: signInData{RedirectTo: redirect}})
}

func (h *Handler) signIn(w http.ResponseWriter, r *http.Request, s pageSession) {
	redirect := safeRedirect(r.PostFormValue("redirect_to"))
	data := signInData{Login: r.PostFormValue("user[login]"), RedirectTo: redirect}
	if !h.checkCSRF(r, s) {
		h.render(w, r, http.StatusUnprocessableEntity, "sign_in", view{Title: "Sign in", Data: data,
			Error: "Your session has expired. Please sign in again."})
		return
	}
	ip, _, _ := net.SplitHostPort(r.RemoteAddr)
	in, err := h.svc.SignIn(r.Context(), service.SignInInput{Login: data.Login,
		Password: r.PostFormValue("user[password]"), IP: ip, UserAgent: r.UserAgent()})
	switch {
	case errors.Is(err, service.ErrInvalidLogin):
		h.render(w, r, http.StatusUnauthorized, "sign_in", view{Title: "Sign in", Data: data, Error: "Invalid login or password."})
		return
	case errors.Is(err, service.ErrLocked):
		h.render(w, r, http.StatusUnauthorized, "sign_in", view{Title: "Sign in", Data: data, Error: "Your account is locked."})
		return
	case err != nil:
		h.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: auth.SessionCookie, Value: in.Cookie, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: h.secure(r), Expires: in.Session.ExpiresAt})
	http.Redirect(w, r, redirect, http.StatusFound)
}

func (h *Handler) signOut(w http.ResponseWriter, r *http.Request, s pageSession) {
	if err := h.svc.SignOut(r.Context(), s.cookie); err != nil {
		h.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: auth.SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: h.secure(r)})
	http.Redirect(w, r, "/users/sign_in", http.StatusFound)
}
