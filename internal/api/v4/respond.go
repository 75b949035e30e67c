package v4

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/service"
	"github.com/lablet/lablet/internal/store"
)

// writeJSON writes v with GitLab's exact content type (no charset: some
// clients compare the string).
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// ok writes 200 with v.
func ok(w http.ResponseWriter, v any) error {
	writeJSON(w, http.StatusOK, v)
	return nil
}

// created writes 201 with v.
func created(w http.ResponseWriter, v any) error {
	writeJSON(w, http.StatusCreated, v)
	return nil
}

// noContent writes 204.
func noContent(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// accepted writes 202 with GitLab's body for scheduled work.
func accepted(w http.ResponseWriter) error {
	writeJSON(w, http.StatusAccepted, map[string]string{"message": "202 Accepted"})
	return nil
}

// insufficientScopeDescription is RFC 6750's wording, which GitLab uses.
const insufficientScopeDescription = "The request requires higher privileges than provided by the access token."

// writeError renders err in GitLab's shape and logs unexpected failures.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var se *service.Error
	var scopeErr *auth.ScopeError
	var forbidden *auth.ForbiddenError
	var sudoErr *auth.SudoNotFoundError
	switch {
	case errors.Is(err, auth.ErrUnauthorized):
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "401 Unauthorized"})
	case errors.As(err, &scopeErr):
		scope := strings.Join(scopeErr.Scopes, " ")
		w.Header().Set("WWW-Authenticate", `Bearer realm="Protected by OAuth 2.0", error="insufficient_scope", error_description="`+
			insufficientScopeDescription+`", scope="`+scope+`"`)
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "insufficient_scope",
			"error_description": insufficientScopeDescription, "scope": scope})
	case errors.As(err, &forbidden):
		writeJSON(w, http.StatusForbidden, map[string]string{"message": "403 Forbidden - " + forbidden.Message})
	case errors.As(err, &sudoErr):
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "404 User with ID or username '" + sudoErr.Ident + "' Not Found"})
	case errors.As(err, &se):
		a.writeServiceError(w, se)
	case errors.Is(err, store.ErrNotFound), errors.Is(err, repo.ErrNotFound):
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "404 Not Found"})
	case errors.Is(err, repo.ErrInvalidPath), errors.Is(err, repo.ErrInvalidRef), errors.Is(err, repo.ErrInvalid),
		errors.Is(err, repo.ErrExists):
		// Handlers should say what was wrong in GitLab's words; this keeps
		// an unmapped repository error from ever becoming a 500.
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "400 Bad request - " + err.Error()})
	case errors.Is(err, repo.ErrConflict):
		writeJSON(w, http.StatusConflict, map[string]string{"message": "409 Conflict - " + err.Error()})
	case errors.Is(err, errBodyTooLarge):
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"message": "413 Request Entity Too Large"})
	default:
		a.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "500 Internal Server Error"})
	}
}

func (a *API) writeServiceError(w http.ResponseWriter, se *service.Error) {
	switch se.Kind {
	case service.KindInvalid:
		switch {
		case len(se.Fields) > 0:
			writeJSON(w, http.StatusBadRequest, map[string]any{"message": se.Fields})
		case se.Param:
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": se.Message})
		default:
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": se.Message})
		}
	case service.KindNotFound:
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "404 " + se.Message})
	case service.KindForbidden:
		msg := "403 Forbidden"
		if se.Message != "" {
			msg += " - " + se.Message
		}
		writeJSON(w, http.StatusForbidden, map[string]string{"message": msg})
	case service.KindConflict:
		writeJSON(w, http.StatusConflict, map[string]string{"message": se.Message})
	case service.KindUnprocessable:
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": se.Message})
	default:
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "500 Internal Server Error"})
	}
}
