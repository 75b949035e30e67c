// Package web serves lablet's server-rendered pages: sign-in, settings,
// issues and the pages OAuth needs. Pages are plain HTML forms that work without
// JavaScript; every form carries a CSRF token.
package web

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/avatar"
	"github.com/lablet/lablet/internal/oauth"
	"github.com/lablet/lablet/internal/route"
	"github.com/lablet/lablet/internal/service"
)

// Handler serves the pages.
type Handler struct {
	svc         *service.Service
	auth        *auth.Authenticator
	log         *slog.Logger
	externalURL string
	pages       *pages
	oauth       *oauth.Provider
	staticFiles http.Handler
	// gravatar sends avatars on to Gravatar (avatars.go).
	gravatar   bool
	identicons avatar.Identicons
	routes     []route.Route
	router     *route.Router
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
	// Gravatar makes users' avatars Gravatar's (LABLET_GRAVATAR).
	Gravatar bool
}

// New builds the page handler from its route table (routes.go).
func New(o Options) (*Handler, error) {
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	h := &Handler{svc: o.Service, auth: o.Authenticator, log: o.Log, externalURL: o.ExternalURL,
		pages: p, oauth: o.OAuth, staticFiles: staticFiles(), gravatar: o.Gravatar}
	for _, row := range h.table() {
		h.routes = append(h.routes, h.serve(row))
	}
	if h.router, err = route.New(h.routes, http.HandlerFunc(h.NotFound)); err != nil {
		return nil, err
	}
	return h, nil
}

// Routes is the pages' route table as the server serves it (routes.go).
func (h *Handler) Routes() []route.Route { return h.routes }

// ServeHTTP serves the pages alone (the server routes all surfaces at once).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.router.ServeHTTP(w, r) }

// baseURL is the external URL clients reach the server by.
func (h *Handler) baseURL(r *http.Request) string { return route.ExternalURL(r, h.externalURL) }

// secure reports whether cookies must be marked Secure: behind https.
func (h *Handler) secure(r *http.Request) bool {
	return strings.HasPrefix(h.baseURL(r), "https://")
}
