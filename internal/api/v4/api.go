// Package v4 is GitLab's REST API v4 over lablet's service layer. Its
// route table (routes.go) lists every endpoint with who may call it and
// the ability its operation checks; each resource's handlers have a file
// of their own. Domain packages (cicd) contribute route tables of their
// own through Options.Domains and use this package's exported helpers.
package v4

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/cache"
	"github.com/lablet/lablet/internal/route"
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
	gravatar    bool
	sshPort     int
	routes      []route.Route
	router      *route.Router
	projectJSON *cache.Cache[projectJSONKey, []byte]
	issuePages  *cache.Cache[issuePageKey, []byte]
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
	// CachesOff keeps no rendered entities (LABLET_CACHES=off).
	CachesOff bool
	// Gravatar makes users' avatar_url Gravatar's, as GitLab's default
	// is; otherwise lablet's own identicons (package avatar).
	Gravatar bool
	// SSHPort is the port git over SSH listens on (0: none), which
	// ssh_url_to_repo names when it is not 22.
	SSHPort int
	// Domains are the route tables of the domain packages (cicd.Routes),
	// served with the core table; v4 imports none of them.
	Domains [][]Endpoint
}

// DefaultMaxFileSize is the file size limit when none is configured.
const DefaultMaxFileSize = 10 << 20

// New builds the API from its route table (routes.go) and the domain
// packages' tables.
func New(o Options) *API {
	a := &API{svc: o.Service, auth: o.Authenticator, log: o.Log,
		externalURL: o.ExternalURL, version: o.Version, maxFileSize: o.MaxFileSize, gravatar: o.Gravatar, sshPort: o.SSHPort,
		projectJSON: newProjectJSONCache(o.CachesOff), issuePages: newIssuePageCache(o.CachesOff)}
	if a.maxFileSize <= 0 {
		a.maxFileSize = DefaultMaxFileSize
	}
	for _, rt := range table(slices.Concat(o.Domains...)) {
		a.routes = append(a.routes, a.serve(rt))
	}
	router, err := route.New(a.routes, http.HandlerFunc(NotFound))
	if err != nil {
		panic(err) // the table is a constant of the program
	}
	a.router = router
	return a
}

// Routes is the API's route table as the server serves it.
func (a *API) Routes() []route.Route { return a.routes }

// ServeHTTP serves the API alone (the server routes all surfaces at once).
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.router.ServeHTTP(w, r) }

// NotFound is GitLab's answer to an unknown API route, whatever its method.
func NotFound(w http.ResponseWriter, r *http.Request) {
	WriteJSON(w, http.StatusNotFound, map[string]string{"error": "404 Not Found"})
}

// Handler is an endpoint: it writes a response or returns an error that
// the API renders in GitLab's shape. Table rows name handlers as method
// expressions ((*API).getProject), so that the printed table points at
// their code.
type Handler func(a *API, w http.ResponseWriter, r *http.Request, c *Call) error

// Endpoint is one row of the API's route table.
type Endpoint struct {
	method, path string
	handler      Handler
	who          who
	ability      access.Ability
	// files marks routes whose bodies carry file content: their body
	// limit follows the configured file size (base64 grows it by a third).
	files bool
	// rawBody marks routes that read their body themselves, streaming
	// (multipart uploads): parameters come from the query string only.
	rawBody bool
}

// who says which callers may reach a route and with which token scopes;
// the route's ability then decides what they may do.
type who struct {
	anonymous bool // callers without credentials are allowed
	readUser  bool // read_user scope suffices on reads (user endpoints)
	admin     bool // instance administrators only (403 for others)
	runner    bool // a runner, by the token in its body; user credentials are not read
	jobToken  bool // a CI job token (JOB-TOKEN, job_token) may authenticate
	// packages: the package registry's credentials too (GitLab's
	// deploy_token_allowed and basic_auth_personal_access_token): a
	// Deploy-Token header, and HTTP Basic with a deploy token, a job token
	// (user gitlab-ci-token) or a personal access token as the password.
	packages bool
	scopes   []string // overrides the method-derived scopes
}

// The kinds of callers the table names.
var (
	// Anyone: anonymous callers too (they see public data only).
	Anyone = who{anonymous: true}
	// AnyoneOrReadUser: anyone, and read_user tokens suffice.
	AnyoneOrReadUser = who{anonymous: true, readUser: true}
	// SignedIn: any authenticated caller with the method's scopes.
	SignedIn = who{}
	// SignedInOrReadUser: SignedIn, and read_user tokens suffice.
	SignedInOrReadUser = who{readUser: true}
	// Admin: instance administrators.
	Admin = who{admin: true}
	// adminOrReadUser: admin, and read_user tokens suffice on reads.
	adminOrReadUser = who{admin: true, readUser: true}
	// RunnerToken: GitLab Runner, authenticated by the runner (or
	// registration) token in the request body, which the handler checks
	// through the service; no user credential is read, so every user
	// gets the answer an anonymous caller gets.
	RunnerToken = who{anonymous: true, runner: true}
	// AnyoneOrJob: anyone, and CI job tokens too (GitLab's
	// job_token_allowed routes).
	AnyoneOrJob = who{anonymous: true, jobToken: true}
	// SignedInOrJob: SignedIn, and CI job tokens too.
	SignedInOrJob = who{jobToken: true}
	// AnyoneOrPackageCredentials: anyone, and every credential the
	// package registry takes (job and deploy tokens, HTTP Basic).
	AnyoneOrPackageCredentials = who{anonymous: true, jobToken: true, packages: true}
	// SignedInOrPackageCredentials: SignedIn, and every credential the
	// package registry takes.
	SignedInOrPackageCredentials = who{jobToken: true, packages: true}
)

// WithScopes is SignedIn with the scopes a route takes instead of the
// method's.
func WithScopes(scopes ...string) who { return who{scopes: scopes} }

// Row builds a table row from "METHOD /path".
func Row(pattern string, h Handler, w who, ab access.Ability) Endpoint {
	method, path, _ := strings.Cut(pattern, " ")
	return Endpoint{method: method, path: path, handler: h, who: w, ability: ab}
}

// withFiles marks a row whose body carries file content.
func (e Endpoint) withFiles() Endpoint { e.files = true; return e }

// WithRawBody marks a row whose handler streams its body itself.
func (e Endpoint) WithRawBody() Endpoint { e.rawBody = true; return e }

// scopesFor are the token scopes any one of which lets a caller use the
// route with method.
func (w who) scopesFor(method string) []string {
	switch {
	case w.scopes != nil:
		return w.scopes
	case method == http.MethodGet || method == http.MethodHead:
		if w.readUser {
			return []string{auth.ScopeAPI, auth.ScopeReadAPI, auth.ScopeReadUser}
		}
		return []string{auth.ScopeAPI, auth.ScopeReadAPI}
	}
	return []string{auth.ScopeAPI}
}

// describe is the route's AUTH column: who may call, with which scopes.
func (w who) describe(method string) string {
	if w.runner {
		return "runner-token"
	}
	var parts []string
	if w.anonymous {
		parts = append(parts, "anonymous")
	}
	parts = append(parts, "token:"+strings.Join(w.scopesFor(method), "|"), "session")
	if w.jobToken {
		parts = append(parts, "job-token")
	}
	if w.packages {
		parts = append(parts, "deploy-token")
	}
	if w.admin {
		parts = append(parts, "admin")
	}
	return strings.Join(parts, ",")
}

// serve turns a table row into a served route: authentication, scope and
// admin checks, then the handler; errors in GitLab's shapes.
func (a *API) serve(e Endpoint) route.Route {
	limit := int64(0)
	if e.files {
		limit = max(MaxBodyBytes, a.maxFileSize*2+1<<20)
	}
	if e.rawBody {
		limit = bodyUnread
	}
	h := e.handler
	return route.Route{
		Method: e.method, Pattern: Prefix + e.path, Func: h, Auth: e.who.describe(e.method), Ability: e.ability,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := a.newCall(w, r, limit, !e.who.runner, e.who.packages)
			if err == nil {
				err = a.authorize(r, c, e.who)
			}
			if err == nil {
				err = h(a, w, r, c)
			}
			if err != nil {
				a.writeError(w, r, err)
			}
		}),
	}
}

// authorize applies a route's rules to the caller.
func (a *API) authorize(r *http.Request, c *Call, o who) error {
	id := c.id
	if id != nil && id.DeployToken != nil {
		// Deploy tokens authenticate the package registry's routes
		// only; their scopes are the service's to check.
		if !o.packages {
			return auth.ErrUnauthorized
		}
		return nil
	}
	if !id.Authenticated() {
		if o.anonymous {
			return nil
		}
		return auth.ErrUnauthorized
	}
	if scopes := o.scopesFor(r.Method); !id.HasAnyScope(scopes...) {
		return &auth.ScopeError{Scopes: scopes}
	}
	if id.CIJob != nil && !o.jobToken {
		// A job token authenticates only the routes that take one.
		return auth.ErrUnauthorized
	}
	if o.admin && !id.IsAdmin() {
		return service.Forbidden("")
	}
	return nil
}

// Call is the per-request state handlers receive.
type Call struct {
	id     *auth.Identity
	params *Params
}

// newCall parses parameters and resolves the caller unless the route
// takes none (runner routes: the caller is anonymous); packages adds the
// package registry's credentials (packageIdentity).
func (a *API) newCall(w http.ResponseWriter, r *http.Request, limit int64, identify, packages bool) (*Call, error) {
	p, err := parseParamsLimit(w, r, limit)
	if err != nil {
		return nil, err
	}
	c := &Call{params: p}
	if !identify {
		c.id = a.auth.Anonymous()
		return c, nil
	}
	text := tokenFromRequest(r, p)
	if packages && text == "" && jobTokenFromRequest(r, p) == "" {
		if id, ok, err := a.packageIdentity(r); ok || err != nil {
			c.id = id
			return c, err
		}
	}
	if job := jobTokenFromRequest(r, p); text == "" && job != "" {
		c.id, err = a.auth.JobToken(r.Context(), job)
		return c, err
	}
	if text == "" {
		if sudoIdent(r, p) != "" {
			// Sudo needs a token; without one it is simply unauthenticated.
			return nil, auth.ErrUnauthorized
		}
		c.id, err = a.sessionIdentity(r)
		return c, err
	}
	id, err := a.auth.Token(r.Context(), text, sudoIdent(r, p))
	if err != nil {
		return nil, err
	}
	c.id = id
	return c, nil
}

// errNoCSRF answers a write that carries a session cookie without the
// session's CSRF token.
var errNoCSRF = service.Unauthorized("a request signed in by session cookie needs the session's CSRF token in X-CSRF-Token")

// sessionIdentity authenticates by the _gitlab_session cookie, as GitLab's
// own pages do. Reads need only the cookie; anything else also needs the
// session's CSRF token in X-CSRF-Token, so a page on another site can't act
// for a signed-in user. Without a valid cookie the caller is anonymous.
func (a *API) sessionIdentity(r *http.Request) (*auth.Identity, error) {
	cookie, err := r.Cookie(auth.SessionCookie)
	if err != nil || cookie.Value == "" {
		return a.auth.Anonymous(), nil
	}
	id, err := a.auth.Session(r.Context(), cookie.Value)
	if err != nil {
		return a.auth.Anonymous(), nil
	}
	safe := r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions
	if !safe && !id.CSRFValid(r.Header.Get("X-CSRF-Token")) {
		return nil, errNoCSRF
	}
	return id, nil
}

// tokenFromRequest finds a token in any of the places GitLab looks.
func tokenFromRequest(r *http.Request, p *Params) string {
	if t := r.Header.Get("Private-Token"); t != "" {
		return t
	}
	if h := r.Header.Get("Authorization"); h != "" {
		if scheme, t, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(t)
		}
	}
	if t, _ := p.Str("private_token"); t != "" {
		return t
	}
	if t, _ := p.Str("access_token"); t != "" {
		return t
	}
	return ""
}

// jobTokenFromRequest finds a CI job token where GitLab looks for one.
func jobTokenFromRequest(r *http.Request, p *Params) string {
	if t := r.Header.Get("Job-Token"); t != "" {
		return t
	}
	t, _ := p.Str("job_token")
	return t
}

func sudoIdent(r *http.Request, p *Params) string {
	if s := r.Header.Get("Sudo"); s != "" {
		return s
	}
	s, _ := p.Str("sudo")
	return s
}
