// Package scim serves SCIM 2.0 (RFC 7643/7644) as GitLab does: the group
// SCIM API under /api/scim/v2/groups/{group_path} and the instance's under
// /api/scim/v2/application, authenticated with a SCIM token, plus the RFC's
// discovery endpoints. Every rule lives in the service layer; this package
// speaks the protocol: its JSON, filters, PATCH operations, ETags and
// errors.
package scim

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/route"
	"github.com/lablet/lablet/internal/service"
)

// The RFC's schema URNs.
const (
	schemaUser           = "urn:ietf:params:scim:schemas:core:2.0:User"
	schemaEnterpriseUser = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	schemaListResponse   = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	schemaError          = "urn:ietf:params:scim:api:messages:2.0:Error"
	schemaPatchOp        = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	schemaSPConfig       = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	schemaSchema         = "urn:ietf:params:scim:schemas:core:2.0:Schema"
	schemaResourceType   = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
)

// contentType is SCIM's media type (RFC 7644 section 3.1).
const contentType = "application/scim+json"

// maxBody bounds a request body.
const maxBody = 1 << 20

// Options configure a Handler.
type Options struct {
	Service     *service.Service
	Log         *slog.Logger
	ExternalURL string
}

// Handler serves the SCIM surface.
type Handler struct {
	svc         *service.Service
	log         *slog.Logger
	externalURL string
}

// New returns a Handler.
func New(o Options) *Handler {
	return &Handler{svc: o.Service, log: o.Log, externalURL: o.ExternalURL}
}

// Bases are where the group's and the instance's SCIM APIs live.
const (
	groupBase    = "/api/scim/v2/groups/{group_path}"
	instanceBase = "/api/scim/v2/application"
)

// Routes is the SCIM surface's route table: the Users resource (a SCIM
// token) and discovery (anyone), under each base.
func (h *Handler) Routes() []route.Route {
	type row struct {
		pattern string
		fn      func(*Handler, http.ResponseWriter, *http.Request)
		auth    string
	}
	var rows []row
	for _, base := range []string{groupBase, instanceBase} {
		rows = append(rows,
			row{"GET " + base + "/Users", (*Handler).listUsers, "scim-token"},
			row{"POST " + base + "/Users", (*Handler).createUser, "scim-token"},
			row{"GET " + base + "/Users/{id}", (*Handler).getUser, "scim-token"},
			row{"PATCH " + base + "/Users/{id}", (*Handler).patchUser, "scim-token"},
			row{"PUT " + base + "/Users/{id}", (*Handler).putUser, "scim-token"},
			row{"DELETE " + base + "/Users/{id}", (*Handler).deleteUser, "scim-token"},
			row{"GET " + base + "/ServiceProviderConfig", (*Handler).serviceProviderConfig, "anonymous"},
			row{"GET " + base + "/Schemas", (*Handler).schemas, "anonymous"},
			row{"GET " + base + "/ResourceTypes", (*Handler).resourceTypes, "anonymous"},
		)
	}
	out := make([]route.Route, 0, len(rows))
	for _, rw := range rows {
		method, path, _ := strings.Cut(rw.pattern, " ")
		fn := rw.fn
		out = append(out, route.Route{Method: method, Pattern: path, Func: fn, Auth: rw.auth, Ability: access.None,
			Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fn(h, w, r) })})
	}
	return out
}

// scope authenticates the request's bearer token for the base it
// addresses, writing the 401 when it fails.
func (h *Handler) scope(w http.ResponseWriter, r *http.Request) (service.SCIMScope, bool) {
	token := ""
	if v := r.Header.Get("Authorization"); len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		token = strings.TrimSpace(v[7:])
	}
	sc, err := h.svc.SCIMAuthenticate(r.Context(), token, r.PathValue("group_path"))
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="SCIM"`)
		h.writeError(w, r, err)
		return sc, false
	}
	return sc, true
}

// baseURL is the absolute URL of the base the request addressed.
func (h *Handler) baseURL(r *http.Request) string {
	root := strings.TrimSuffix(route.ExternalURL(r, h.externalURL), "/")
	if g := r.PathValue("group_path"); g != "" {
		return root + "/api/scim/v2/groups/" + g
	}
	return root + instanceBase
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// errorBody is RFC 7644's error response (section 3.12).
type errorBody struct {
	Schemas  []string `json:"schemas"`
	Detail   string   `json:"detail"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType,omitempty"`
}

// writeError answers err in SCIM's shape: the service's SCIM errors as
// they are, its other kinds by their status; anything else is a 500 whose
// cause is logged, not shown.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var se *service.SCIMError
	if !errors.As(err, &se) {
		e := service.Classify(err)
		se = &service.SCIMError{Status: kindStatus(e.Kind), Detail: e.Message}
		if e.Kind == service.KindInternal {
			if h.log != nil {
				h.log.ErrorContext(r.Context(), "scim request failed", "path", r.URL.Path, "error", err)
			}
			se.Detail = "Internal Server Error"
		}
	}
	writeJSON(w, se.Status, errorBody{Schemas: []string{schemaError}, Detail: se.Detail,
		Status: strconv.Itoa(se.Status), ScimType: se.ScimType})
}

func kindStatus(k service.Kind) int {
	switch k {
	case service.KindInvalid:
		return http.StatusBadRequest
	case service.KindNotFound:
		return http.StatusNotFound
	case service.KindForbidden:
		return http.StatusForbidden
	case service.KindConflict:
		return http.StatusConflict
	case service.KindUnauthorized:
		return http.StatusUnauthorized
	case service.KindUnprocessable:
		return http.StatusUnprocessableEntity
	}
	return http.StatusInternalServerError
}

func badRequest(scimType, detail string) error {
	return &service.SCIMError{Status: http.StatusBadRequest, ScimType: scimType, Detail: detail}
}
