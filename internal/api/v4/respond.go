package v4

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/lablet/lablet/internal/service"
)

// WriteJSON writes v with GitLab's exact content type (no charset: some
// clients compare the string).
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// WriteOK writes 200 with v.
func WriteOK(w http.ResponseWriter, v any) error {
	WriteJSON(w, http.StatusOK, v)
	return nil
}

// WriteCreated writes 201 with v.
func WriteCreated(w http.ResponseWriter, v any) error {
	WriteJSON(w, http.StatusCreated, v)
	return nil
}

// WriteNoContent writes 204.
func WriteNoContent(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// WriteAccepted writes 202 with GitLab's body for scheduled work.
func WriteAccepted(w http.ResponseWriter) error {
	WriteJSON(w, http.StatusAccepted, map[string]string{"message": "202 Accepted"})
	return nil
}

// insufficientScopeDescription is RFC 6750's wording, which GitLab uses.
const insufficientScopeDescription = "The request requires higher privileges than provided by the access token."

// listStatuses are the kinds whose errors may carry a List.
var listStatuses = map[service.Kind]int{service.KindInvalid: http.StatusBadRequest, service.KindForbidden: http.StatusForbidden,
	service.KindConflict: http.StatusConflict, service.KindUnprocessable: http.StatusUnprocessableEntity}

// writeError renders err in GitLab's shape (service.Classify puts every
// failure in the service's vocabulary) and logs unexpected failures; a
// write that found no space left is 507 Insufficient Storage.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	se := service.Classify(err)
	if len(se.List) > 0 {
		// GitLab's error!(record.errors[:attribute], status).
		if status, ok := listStatuses[se.Kind]; ok {
			WriteJSON(w, status, map[string][]string{"message": se.List})
			return
		}
	}
	switch se.Kind {
	case service.KindUnauthorized:
		body := map[string]string{"message": "401 Unauthorized"}
		if se.Message != "" {
			body["message"] += " - " + se.Message
		}
		WriteJSON(w, http.StatusUnauthorized, body)
	case service.KindInsufficientScope:
		scope := strings.Join(se.Scopes, " ")
		w.Header().Set("WWW-Authenticate", `Bearer realm="Protected by OAuth 2.0", error="insufficient_scope", error_description="`+
			insufficientScopeDescription+`", scope="`+scope+`"`)
		WriteJSON(w, http.StatusForbidden, map[string]string{"error": "insufficient_scope",
			"error_description": insufficientScopeDescription, "scope": scope})
	case service.KindInvalid:
		switch {
		case len(se.Fields) > 0:
			WriteJSON(w, http.StatusBadRequest, map[string]any{"message": se.Fields})
		case se.Param:
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": se.Message})
		default:
			WriteJSON(w, http.StatusBadRequest, map[string]string{"message": se.Message})
		}
	case service.KindNotFound:
		msg := "404 " + se.Message
		if se.Plain {
			msg = se.Message
		}
		WriteJSON(w, http.StatusNotFound, map[string]string{"message": msg})
	case service.KindForbidden:
		msg := "403 Forbidden"
		if se.Plain {
			msg = se.Message
		} else if se.Message != "" {
			msg += " - " + se.Message
		}
		WriteJSON(w, http.StatusForbidden, map[string]string{"message": msg})
	case service.KindConflict:
		if len(se.List) > 0 {
			WriteJSON(w, http.StatusConflict, map[string][]string{"message": se.List})
			return
		}
		WriteJSON(w, http.StatusConflict, map[string]string{"message": se.Message})
	case service.KindUnprocessable:
		WriteJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": se.Message})
	case service.KindMethodNotAllowed:
		WriteJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": se.Message})
	case service.KindNotAcceptable:
		WriteJSON(w, http.StatusNotAcceptable, map[string]string{"message": se.Message})
	case service.KindTooLarge:
		WriteJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"message": "413 " + se.Message})
	default:
		if service.StorageFull(err) {
			a.log.ErrorContext(r.Context(), "request failed: no space left for the write",
				"method", r.Method, "path", r.URL.Path, "err", err)
			WriteJSON(w, http.StatusInsufficientStorage, map[string]string{"message": "507 Insufficient Storage"})
			return
		}
		a.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		WriteJSON(w, http.StatusInternalServerError, map[string]string{"message": "500 Internal Server Error"})
	}
}
