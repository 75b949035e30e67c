// Package web serves lablet's server-rendered pages: sign-in, settings and
// the pages OAuth needs. Pages are plain HTML forms that work without
// JavaScript; every form carries a CSRF token.
package web

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/oauth"
	"github.com/lablet/lablet/internal/service"
)

// Handler serves the pages.
type Handler struct {
	svc         *service.Service
	auth        *auth.Authenticator
	log         *slog.Logger
	externalURL string
	mux         *http.ServeMux
	pages       *pages
	oauth       *oauth.Provider
}

// Options configure a Handler.
type Options struct {
	Service       *service.Service
	Authenticator *auth.Authenticator
	Log           *slog.Logger
	// ExternalURL is the configured base URL; empty derives it per request.
	ExternalURL string
	// OAuth is the OAuth provider behind the consent and device pages.
	OAuth *oauth.Provider
}

// New builds the page handler with all its routes. Each page file has a
// register function that lists its routes.
func New(o Options) (*Handler, error) {
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	h := &Handler{svc: o.Service, auth: o.Authenticator, log: o.Log, externalURL: o.ExternalURL,
		mux: http.NewServeMux(), pages: p, oauth: o.OAuth}
	h.registerStatic()
	h.registerSignIn()
	h.registerDashboard()
	h.registerOAuth()
	h.registerTokenPages()
	return h, nil
}

// ServeHTTP serves a page, with headers that keep pages out of frames and
// caches.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	hd.Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self' http: https:; frame-ancestors 'none'")
	h.mux.ServeHTTP(w, r)
}

// baseURL is the external URL clients reach the server by.
func (h *Handler) baseURL(r *http.Request) string {
	if h.externalURL != "" {
		return h.externalURL
	}
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// secure reports whether cookies must be marked Secure: behind https.
func (h *Handler) secure(r *http.Request) bool {
	return strings.HasPrefix(h.baseURL(r), "https://")
}
