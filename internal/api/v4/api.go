// Package v4 is GitLab's REST API v4 over lablet's service layer. Each
// resource has its own file with a register function listing its routes.
package v4

import (
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/epochcache"
	"github.com/lablet/lablet/internal/service"
)

// Prefix is where the API is mounted.
const Prefix = "/api/v4"

// API serves /api/v4.
type API struct {
	svc         *service.Service
	auth        *auth.Authenticator
	log         *slog.Logger
	externalURL string
	version     string
	maxFileSize int64
	mux         *http.ServeMux
	projectJSON *epochcache.Cache[projectJSONKey, []byte]
	listBuffers sync.Pool // *bytes.Buffer for assembling lists
}

// Options configure an API.
type Options struct {
	Service       *service.Service
	Authenticator *auth.Authenticator
	Log           *slog.Logger
	// ExternalURL is the configured base URL; empty derives it per request.
	ExternalURL string
	// Version is lablet's version, reported by /version.
	Version string
	// MaxFileSize bounds a file written through the files and commits
	// APIs; 0 means DefaultMaxFileSize.
	MaxFileSize int64
}

// DefaultMaxFileSize is the file size limit when none is configured.
const DefaultMaxFileSize = 10 << 20

// New builds the API with all its routes.
func New(o Options) *API {
	a := &API{svc: o.Service, auth: o.Authenticator, log: o.Log,
		externalURL: o.ExternalURL, version: o.Version, maxFileSize: o.MaxFileSize, mux: http.NewServeMux(),
		projectJSON: newProjectJSONCache()}
	if a.maxFileSize <= 0 {
		a.maxFileSize = DefaultMaxFileSize
	}
	a.registerMeta()
	a.registerUsers()
	a.registerTokens()
	a.registerAccessTokens()
	a.registerNamespaces()
	a.registerGroups()
	a.registerGroupMembers()
	a.registerProjects()
	a.registerProjectMembers()
	a.registerProtectedBranches()
	a.registerBranches()
	a.registerTags()
	a.registerRepository()
	a.registerFiles()
	a.registerCommits()
	a.registerApplications()
	return a
}

// ServeHTTP dispatches to the route table; unknown routes and wrong methods
// answer in GitLab's JSON rather than the mux's plain text.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, pattern := a.mux.Handler(r)
	if pattern == "" {
		rec := &statusRecorder{header: http.Header{}}
		h.ServeHTTP(rec, r)
		if rec.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", rec.header.Get("Allow"))
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "405 Method Not Allowed"})
			return
		}
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "404 Not Found"})
		return
	}
	a.mux.ServeHTTP(w, r)
}

// statusRecorder captures the status a fallback handler would write.
type statusRecorder struct {
	header http.Header
	status int
}

func (s *statusRecorder) Header() http.Header         { return s.header }
func (s *statusRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (s *statusRecorder) WriteHeader(code int)        { s.status = code }

// handlerFunc is an endpoint: it writes a response or returns an error that
// the API renders in GitLab's shape.
type handlerFunc func(w http.ResponseWriter, r *http.Request, c *call) error

// routeOpts say who may call a route.
type routeOpts struct {
	anonymous bool     // callers without credentials are allowed
	readUser  bool     // read_user scope suffices (user endpoints)
	admin     bool     // instance administrators only
	scopes    []string // overrides the method-derived scopes
	bodyLimit int64    // request body limit; 0 means maxBodyBytes
}

// routeOpt adjusts routeOpts.
type routeOpt func(*routeOpts)

// anonymous lets unauthenticated callers in (they see public data only).
func anonymous(o *routeOpts) { o.anonymous = true }

// readUser accepts read_user tokens on reads.
func readUser(o *routeOpts) { o.readUser = true }

// adminOnly restricts the route to administrators (403 for others).
func adminOnly(o *routeOpts) { o.admin = true }

// bodyLimit raises the request body limit of a route that carries file
// content.
func bodyLimit(n int64) routeOpt { return func(o *routeOpts) { o.bodyLimit = n } }

// route registers pattern ("GET /projects/{id}") under the API prefix with
// authentication, scope and admin checks in front of h.
func (a *API) route(pattern string, h handlerFunc, opts ...routeOpt) {
	var o routeOpts
	for _, f := range opts {
		f(&o)
	}
	method, path, _ := strings.Cut(pattern, " ")
	a.mux.HandleFunc(method+" "+Prefix+path, func(w http.ResponseWriter, r *http.Request) {
		c, err := a.newCall(w, r, o.bodyLimit)
		if err == nil {
			err = a.authorize(r, c, &o)
		}
		if err == nil {
			err = h(w, r, c)
		}
		if err != nil {
			a.writeError(w, r, err)
		}
	})
}

// authorize applies a route's rules to the caller.
func (a *API) authorize(r *http.Request, c *call, o *routeOpts) error {
	id := c.id
	if !id.Authenticated() {
		if o.anonymous {
			return nil
		}
		return auth.ErrUnauthorized
	}
	scopes := o.scopes
	if scopes == nil {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			scopes = []string{auth.ScopeAPI, auth.ScopeReadAPI}
			if o.readUser {
				scopes = append(scopes, auth.ScopeReadUser)
			}
		} else {
			scopes = []string{auth.ScopeAPI}
		}
	}
	if !id.HasAnyScope(scopes...) {
		return &auth.ScopeError{Scopes: scopes}
	}
	if o.admin && !id.IsAdmin() {
		return service.Forbidden("")
	}
	return nil
}

// call is the per-request state handlers receive.
type call struct {
	id     *auth.Identity
	params *params
}

// newCall parses parameters and resolves the caller.
func (a *API) newCall(w http.ResponseWriter, r *http.Request, limit int64) (*call, error) {
	p, err := parseParamsLimit(w, r, limit)
	if err != nil {
		return nil, err
	}
	c := &call{params: p}
	text := tokenFromRequest(r, p)
	if text == "" {
		c.id = a.sessionIdentity(r)
		if sudoIdent(r, p) != "" {
			// Sudo needs a token; without one it is simply unauthenticated.
			return nil, auth.ErrUnauthorized
		}
		return c, nil
	}
	id, err := a.auth.Token(r.Context(), text, sudoIdent(r, p))
	if err != nil {
		return nil, err
	}
	c.id = id
	return c, nil
}

// sessionIdentity authenticates by the _gitlab_session cookie, as GitLab's
// own pages do. Reads need only the cookie; anything else also needs the
// session's CSRF token in X-CSRF-Token, so a page on another site can't act
// for a signed-in user. Without them the caller is anonymous.
func (a *API) sessionIdentity(r *http.Request) *auth.Identity {
	cookie, err := r.Cookie(auth.SessionCookie)
	if err != nil || cookie.Value == "" {
		return a.auth.Anonymous()
	}
	id, err := a.auth.Session(r.Context(), cookie.Value)
	if err != nil {
		return a.auth.Anonymous()
	}
	safe := r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions
	if !safe && !id.CSRFValid(r.Header.Get("X-CSRF-Token")) {
		return a.auth.Anonymous()
	}
	return id
}

// tokenFromRequest finds a token in any of the places GitLab looks.
func tokenFromRequest(r *http.Request, p *params) string {
	if t := r.Header.Get("Private-Token"); t != "" {
		return t
	}
	if h := r.Header.Get("Authorization"); h != "" {
		if scheme, t, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(t)
		}
	}
	if t, _ := p.str("private_token"); t != "" {
		return t
	}
	if t, _ := p.str("access_token"); t != "" {
		return t
	}
	return ""
}

func sudoIdent(r *http.Request, p *params) string {
	if s := r.Header.Get("Sudo"); s != "" {
		return s
	}
	s, _ := p.str("sudo")
	return s
}
