package v4

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/lablet/lablet/internal/service"
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

// writeOK writes 200 with v.
func writeOK(w http.ResponseWriter, v any) error {
	writeJSON(w, http.StatusOK, v)
	return nil
}

// writeCreated writes 201 with v.
func writeCreated(w http.ResponseWriter, v any) error {
	writeJSON(w, http.StatusCreated, v)
	return nil
}

// writeNoContent writes 204.
func writeNoContent(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// writeAccepted writes 202 with GitLab's body for scheduled work.
func writeAccepted(w http.ResponseWriter) error {
	writeJSON(w, http.StatusAccepted, map[string]string{"message": "202 Accepted"})
	return nil
}

// insufficientScopeDescription is RFC 6750's wording, which GitLab uses.
const insufficientScopeDescription = "The request requires higher privileges than provided by the access token."

// listStatuses are the kinds whose errors may carry a List.
var listStatuses = map[service.Kind]int{service.KindForbidden: http.StatusForbidden,
	service.KindConflict: http.StatusConflict, service.KindUnprocessable: http.StatusUnprocessableEntity}

// writeError renders err in GitLab's shape (service.Classify puts every
// failure in the service's vocabulary) and logs unexpected failures.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	se := service.Classify(err)
	if len(se.List) > 0 {
		// GitLab's error!(record.errors[:attribute], status).
		if status, ok := listStatuses[se.Kind]; ok {
			writeJSON(w, status, map[string][]string{"message": se.List})
			return
		}
	}
	switch se.Kind {
	case service.KindUnauthorized:
		body := map[string]string{"message": "401 Unauthorized"}
		if se.Message != "" {
			body["message"] += " - " + se.Message
		}
		writeJSON(w, http.StatusUnauthorized, body)
	case service.KindInsufficientScope:
		scope := strings.Join(se.Scopes, " ")
		w.Header().Set("WWW-Authenticate", `Bearer realm="Protected by OAuth 2.0", error="insufficient_scope", error_description="`+
			insufficientScopeDescription+`", scope="`+scope+`"`)
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "insufficient_scope",
			"error_description": insufficientScopeDescription, "scope": scope})
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
		if se.Plain {
			msg = se.Message
		} else if se.Message != "" {
			msg += " - " + se.Message
		}
		writeJSON(w, http.StatusForbidden, map[string]string{"message": msg})
	case service.KindConflict:
		if len(se.List) > 0 {
			writeJSON(w, http.StatusConflict, map[string][]string{"message": se.List})
			return
		}
		writeJSON(w, http.StatusConflict, map[string]string{"message": se.Message})
	case service.KindUnprocessable:
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": se.Message})
	case service.KindMethodNotAllowed:
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": se.Message})
	case service.KindNotAcceptable:
		writeJSON(w, http.StatusNotAcceptable, map[string]string{"message": se.Message})
	case service.KindTooLarge:
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"message": "413 " + se.Message})
	default:
		a.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "500 Internal Server Error"})
	}
}
