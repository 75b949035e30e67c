// Package graphql serves GitLab's GraphQL API at /api/graphql: the schema
// in schema.graphqls, compiled by gqlgen into typed resolvers that read
// through internal/service, so a question gets the answer REST gives it.
package graphql

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"unicode/utf8"

	gql "github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/route"
	"github.com/lablet/lablet/internal/service"
)

// Path is where the API answers.
const Path = "/api/graphql"

// maxBody bounds a request body; GitLab's queries are small.
const maxBody = 1 << 20

// maxMultiplex bounds the queries of one multiplexed request, as GitLab's
// GraphqlController does.
const maxMultiplex = 10

// Options configure a Handler.
type Options struct {
	Service       *service.Service
	Authenticator *auth.Authenticator
	Log           *slog.Logger
	ExternalURL   string
	Version       string
	Gravatar      bool
}

// queryCacheSize and maxCachedQuery bound the memory of the query cache:
// at most queryCacheSize documents, each of a query no longer than
// maxCachedQuery bytes (longer ones are parsed every time).
const (
	queryCacheSize = 256
	maxCachedQuery = 4096
)

// queryCache keeps the parsed documents of short queries.
type queryCache struct {
	*lru.LRU[*ast.QueryDocument]
}

func (c queryCache) Add(ctx context.Context, query string, doc *ast.QueryDocument) {
	if len(query) <= maxCachedQuery {
		c.LRU.Add(ctx, query, doc)
	}
}

// Handler serves the GraphQL endpoint and its explorer page.
type Handler struct {
	exec        *executor.Executor
	authn       *auth.Authenticator
	log         *slog.Logger
	externalURL string
}

// New builds the handler; with zero Options it serves only as a route
// table (lablet routes).
func New(o Options) *Handler {
	r := &Resolver{svc: o.Service, externalURL: strings.TrimSuffix(o.ExternalURL, "/"), version: o.Version, gravatar: o.Gravatar}
	ex := executor.New(NewExecutableSchema(Config{Resolvers: r}))
	// Parsed and validated documents kept by query text (as gqlgen's
	// default server does): a client sends the same few queries again
	// and again, and parsing and validating them was most of the cost of
	// a small one.
	ex.SetQueryCache(queryCache{lru.New[*ast.QueryDocument](queryCacheSize)})
	ex.Use(&limits{})
	ex.SetErrorPresenter(presentError)
	ex.SetRecoverFunc(func(ctx context.Context, err any) error {
		if o.Log != nil {
			o.Log.ErrorContext(ctx, "graphql: panic", "panic", err)
		}
		return errors.New("Internal server error")
	})
	log := o.Log
	if log == nil {
		log = slog.Default()
	}
	return &Handler{exec: ex, authn: o.Authenticator, log: log, externalURL: o.ExternalURL}
}

// Routes is the GraphQL surface's route table. The endpoint admits
// anonymous callers (public data) and tokens with api or read_api; each
// field checks the caller's abilities through the service.
func (h *Handler) Routes() []route.Route {
	return []route.Route{
		{Method: http.MethodGet, Pattern: Path, Func: (*Handler).serveGraphQL, Auth: "anonymous,session,token:api|read_api",
			Ability: access.None, Handler: http.HandlerFunc(h.serveGraphQL)},
		{Method: http.MethodPost, Pattern: Path, Func: (*Handler).serveGraphQL, Auth: "anonymous,session,token:api|read_api",
			Ability: access.None, Handler: http.HandlerFunc(h.serveGraphQL)},
		{Method: http.MethodGet, Pattern: "/-/graphql-explorer", Func: (*Handler).explorer, Auth: "anonymous,session",
			Ability: access.None, Handler: http.HandlerFunc(h.explorer)},
	}
}

// params is one query of a request.
type params struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
}

func (h *Handler) serveGraphQL(w http.ResponseWriter, r *http.Request) {
	id, err := h.identify(r)
	if err != nil {
		writeAuthError(w, err)
		return
	}
	ctx := withCaller(r.Context(), id)
	ctx = withBaseURL(ctx, strings.TrimSuffix(route.ExternalURL(r, h.externalURL), "/"))
	if r.Method == http.MethodGet {
		p := params{Query: r.URL.Query().Get("query"), OperationName: r.URL.Query().Get("operationName")}
		if v := r.URL.Query().Get("variables"); v != "" {
			if err := unmarshalNumbers([]byte(v), &p.Variables); err != nil {
				writeJSON(w, http.StatusBadRequest, errorsBody("Variables are invalid JSON"))
				return
			}
		}
		if tooLarge(p) {
			writeJSON(w, http.StatusUnprocessableEntity, errorsBody(msgQueryTooLarge))
			return
		}
		writeJSON(w, http.StatusOK, h.run(ctx, p, false))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		writeJSON(w, http.StatusRequestEntityTooLarge, errorsBody("Request body too large"))
		return
	}
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		// Multiplex: several queries, one answer each, in order.
		var ps []params
		if err := unmarshalNumbers(body, &ps); err != nil {
			writeJSON(w, http.StatusBadRequest, errorsBody("Unexpected end of document"))
			return
		}
		if len(ps) > maxMultiplex {
			writeJSON(w, http.StatusUnprocessableEntity, errorsBody("Too many queries in one request, the limit is 10"))
			return
		}
		if tooLarge(ps...) {
			writeJSON(w, http.StatusUnprocessableEntity, errorsBody(msgQueryTooLarge))
			return
		}
		out := make([]*gql.Response, len(ps))
		for i, p := range ps {
			out[i] = h.run(ctx, p, true)
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	var p params
	if err := unmarshalNumbers(body, &p); err != nil {
		writeJSON(w, http.StatusBadRequest, errorsBody("Unexpected end of document"))
		return
	}
	if tooLarge(p) {
		writeJSON(w, http.StatusUnprocessableEntity, errorsBody(msgQueryTooLarge))
		return
	}
	writeJSON(w, http.StatusOK, h.run(ctx, p, true))
}

const msgQueryTooLarge = "Query too large"

// unmarshalNumbers is json.Unmarshal keeping numbers as json.Number:
// decoded into `any` they would be float64, which the schema's Int
// refuses ("float64 is not an int") and which loses integers past 2^53.
func unmarshalNumbers(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("graphql: trailing data after the JSON value")
	}
	return nil
}

// tooLarge reports queries longer together than GitLab's MAX_QUERY_SIZE
// characters (a multiplex counts all of its queries).
func tooLarge(ps ...params) bool {
	n := 0
	for _, p := range ps {
		n += utf8.RuneCountInString(p.Query)
	}
	return n > maxQuerySize
}

// run executes one query; mutations need POST and a caller whose
// credential allows writes (a session, or a token with api).
func (h *Handler) run(ctx context.Context, p params, post bool) *gql.Response {
	ctx = gql.StartOperationTrace(ctx)
	ctx = withLoader(ctx)
	rc, errs := h.exec.CreateOperationContext(ctx, &gql.RawParams{Query: p.Query, OperationName: p.OperationName, Variables: p.Variables})
	if errs != nil {
		return h.exec.DispatchError(gql.WithOperationContext(ctx, rc), errs)
	}
	if rc.Operation != nil && rc.Operation.Operation == ast.Mutation {
		switch {
		case !post:
			return h.exec.DispatchError(gql.WithOperationContext(ctx, rc),
				gqlerror.List{gqlerror.Errorf("Mutations are forbidden in GET requests")})
		case !callerOf(ctx).HasScope(auth.ScopeAPI):
			return h.exec.DispatchError(gql.WithOperationContext(ctx, rc), gqlerror.List{gqlerror.Errorf(msgNoAccess)})
		}
	}
	responses, ctx := h.exec.DispatchOperation(ctx, rc)
	return responses(ctx)
}

// msgNoAccess is GitLab's ResourceNotAvailable message.
const msgNoAccess = "The resource that you are attempting to access does not exist or you don't have permission to perform this action"

// identify resolves the caller as REST does: a token in PRIVATE-TOKEN,
// an OAuth or personal token as Bearer, or the session cookie (writes
// with the session's CSRF token). No credential is anonymous.
func (h *Handler) identify(r *http.Request) (*auth.Identity, error) {
	text := r.Header.Get("Private-Token")
	if text == "" {
		if scheme, t, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
			text = strings.TrimSpace(t)
		}
	}
	if text == "" {
		text = r.URL.Query().Get("private_token")
	}
	if text == "" {
		text = r.URL.Query().Get("access_token")
	}
	if text != "" {
		id, err := h.authn.Token(r.Context(), text, "")
		if err != nil {
			return nil, err
		}
		if !id.HasAnyScope(auth.ScopeAPI, auth.ScopeReadAPI) {
			return nil, &auth.ScopeError{Scopes: []string{auth.ScopeAPI, auth.ScopeReadAPI}}
		}
		return id, nil
	}
	cookie, err := r.Cookie(auth.SessionCookie)
	if err != nil || cookie.Value == "" {
		return h.authn.Anonymous(), nil
	}
	id, err := h.authn.Session(r.Context(), cookie.Value)
	if err != nil {
		return h.authn.Anonymous(), nil
	}
	if r.Method != http.MethodGet && !id.CSRFValid(r.Header.Get("X-CSRF-Token")) {
		return nil, errNoCSRF
	}
	return id, nil
}

var errNoCSRF = errors.New("a request signed in by session cookie needs the session's CSRF token in X-CSRF-Token")

// writeAuthError answers a refused credential as REST does: 401 for a
// bad or missing one, 403 insufficient_scope for a token without api or
// read_api.
func writeAuthError(w http.ResponseWriter, err error) {
	var scope *auth.ScopeError
	switch {
	case errors.As(err, &scope):
		writeJSON(w, http.StatusForbidden, map[string]any{"error": "insufficient_scope",
			"error_description": "The request requires higher privileges than provided by the access token.",
			"scope":             strings.Join(scope.Scopes, " ")})
	case errors.Is(err, errNoCSRF):
		writeJSON(w, http.StatusUnauthorized, errorsBody(err.Error()))
	default:
		var se *service.Error
		if errors.As(err, &se) && se.Kind == service.KindForbidden {
			writeJSON(w, http.StatusForbidden, errorsBody(se.Message))
			return
		}
		writeJSON(w, http.StatusUnauthorized, errorsBody("Invalid token"))
	}
}

func errorsBody(msg string) map[string]any {
	return map[string]any{"errors": []map[string]any{{"message": msg}}}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
