package web

import (
	"net/http"

	"github.com/lablet/lablet/internal/oauth"
	"github.com/lablet/lablet/internal/service"
)

type consentData struct {
	AppName     string
	Scopes      []scopeInfo
	RedirectURI string
	Action      string
}

type scopeInfo struct{ Name, Description string }

// scopeDescriptions are GitLab's one-line explanations on the consent page.
var scopeDescriptions = map[string]string{
	"api":              "Grants complete read and write access to the API, including all groups and projects.",
	"read_api":         "Grants read access to the API, including all groups and projects.",
	"read_user":        "Grants read-only access to your profile through the /user API endpoint.",
	"read_repository":  "Grants read-only access to repositories on private projects using Git-over-HTTP.",
	"write_repository": "Grants read-write access to repositories on private projects using Git-over-HTTP.",
	"read_registry":    "Grants read-only access to container registry images on private projects.",
	"write_registry":   "Grants write access to container registry images on private projects.",
	"sudo":             "Grants permission to perform API actions as any user in the system, when authenticated as an admin user.",
	"admin_mode":       "Grants permission to perform API actions as an administrator, when Admin Mode is enabled.",
	"openid":           "Grants permission to authenticate with GitLab using OpenID Connect.",
	"profile":          "Grants read-only access to the user's profile data using OpenID Connect.",
	"email":            "Grants read-only access to the user's primary email address using OpenID Connect.",
}

func describeScopes(scopes []string) []scopeInfo {
	out := make([]scopeInfo, len(scopes))
	for i, s := range scopes {
		out[i] = scopeInfo{Name: s, Description: scopeDescriptions[s]}
	}
	return out
}

// oauthAuthorize shows the consent page (GET) and records the decision
// (POST, CSRF-checked by requireUser). Errors go back to the client only
// when its redirect URI was verified; otherwise they are shown here.
func (h *Handler) oauthAuthorize(w http.ResponseWriter, r *http.Request, s pageSession) {
	ctx := r.Context()
	req, err := h.oauth.ParseAuthorize(ctx, r)
	if err != nil {
		if h.oauth.WriteAuthorizeError(ctx, w, err) {
			return
		}
		msg := "An error has occurred."
		if ae, ok := err.(*oauth.AuthorizeError); ok {
			msg = ae.Description
		} else {
			h.log.ErrorContext(ctx, "oauth authorize", "err", err)
		}
		h.render(w, r, http.StatusBadRequest, "oauth_error", view{Title: "An error has occurred", Error: msg})
		return
	}
	if r.Method == http.MethodPost {
		if r.PostFormValue("decision") == "authorize" {
			h.oauth.Approve(ctx, w, r, req, s.id.User, s.id.Session.CreatedAt)
		} else {
			h.oauth.Deny(ctx, w, req)
		}
		return
	}
	h.render(w, r, http.StatusOK, "oauth_authorize", view{Title: "Authorize " + req.App.Name, Data: consentData{
		AppName: req.App.Name, Scopes: describeScopes(req.Scopes), RedirectURI: req.RedirectURI,
		Action: "/oauth/authorize?" + r.URL.RawQuery}})
}

// scopeChoices is the scope list the application forms offer.
func scopeChoices(admin bool) []scopeInfo {
	var out []scopeInfo
	for _, s := range service.ApplicationScopes {
		if !admin && (s == "sudo" || s == "admin_mode") {
			continue
		}
		out = append(out, scopeInfo{Name: s, Description: scopeDescriptions[s]})
	}
	return out
}
