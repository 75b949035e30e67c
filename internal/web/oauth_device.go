package web

import (
	"errors"
	"net/http"

	"github.com/lablet/lablet/internal/oauth"
)

type deviceData struct {
	UserCode string
	AppName  string
	Scopes   []scopeInfo
	Done     string
}

// oauthDevice is RFC 8628's verification page: enter the user code, see
// who asks for what, then authorize or deny. POSTs are CSRF-checked by
// requireUser.
func (h *Handler) oauthDevice(w http.ResponseWriter, r *http.Request, s pageSession) {
	ctx := r.Context()
	code := r.FormValue("user_code")
	if code == "" {
		h.render(w, r, http.StatusOK, "oauth_device", view{Title: "Device authorization", Data: deviceData{}})
		return
	}
	req, err := h.oauth.LookupUserCode(ctx, code)
	if errors.Is(err, oauth.ErrUnknownUserCode) {
		h.render(w, r, http.StatusUnprocessableEntity, "oauth_device", view{Title: "Device authorization",
			Error: "The user code is invalid or has expired.", Data: deviceData{UserCode: code}})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	decision := r.PostFormValue("decision")
	if r.Method != http.MethodPost || decision == "" {
		h.render(w, r, http.StatusOK, "oauth_device", view{Title: "Device authorization", Data: deviceData{
			UserCode: oauth.NormalizeUserCode(code), AppName: req.App.Name, Scopes: describeScopes(req.Scopes)}})
		return
	}
	approve := decision == "authorize"
	if err := h.oauth.DecideDevice(ctx, req, s.id.User, approve); err != nil {
		if errors.Is(err, oauth.ErrUnknownUserCode) {
			h.render(w, r, http.StatusUnprocessableEntity, "oauth_device", view{Title: "Device authorization",
				Error: "The user code is invalid or has expired.", Data: deviceData{}})
			return
		}
		h.fail(w, r, err)
		return
	}
	done := "The device was denied access."
	if approve {
		done = "The device is now authorized. You can return to it."
	}
	h.render(w, r, http.StatusOK, "oauth_device", view{Title: "Device authorization", Data: deviceData{Done: done}})
}
