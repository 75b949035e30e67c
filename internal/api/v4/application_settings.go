package v4

import (
	"net/http"
	"strings"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// applicationSettingsEntity is GitLab's Entities::ApplicationSetting for
// the settings lablet honours.
type applicationSettingsEntity struct {
	ID                                        int64    `json:"id"`
	AllowLocalRequestsFromWebHooksAndServices bool     `json:"allow_local_requests_from_web_hooks_and_services"`
	AllowLocalRequestsFromSystemHooks         bool     `json:"allow_local_requests_from_system_hooks"`
	OutboundLocalRequestsWhitelist            []string `json:"outbound_local_requests_whitelist"`
	CreatedAt                                 *string  `json:"created_at"`
	UpdatedAt                                 *string  `json:"updated_at"`
}

func applicationSettingsEntityOf(as *model.ApplicationSettings) applicationSettingsEntity {
	out := applicationSettingsEntity{ID: 1,
		AllowLocalRequestsFromWebHooksAndServices: as.AllowLocalRequestsFromWebHooksAndServices,
		AllowLocalRequestsFromSystemHooks:         as.AllowLocalRequestsFromSystemHooks,
		OutboundLocalRequestsWhitelist:            as.OutboundLocalRequestsAllowlist}
	if out.OutboundLocalRequestsWhitelist == nil {
		out.OutboundLocalRequestsWhitelist = []string{}
	}
	if !as.CreatedAt.IsZero() {
		created, updated := TS(as.CreatedAt), TS(as.UpdatedAt)
		out.CreatedAt, out.UpdatedAt = &created, &updated
	}
	return out
}

// getApplicationSettings serves GET /application/settings.
func (a *API) getApplicationSettings(w http.ResponseWriter, r *http.Request, c *Call) error {
	as, err := a.svc.ApplicationSettings(r.Context(), c.id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, applicationSettingsEntityOf(as))
	return nil
}

// updateApplicationSettings serves PUT /application/settings.
func (a *API) updateApplicationSettings(w http.ResponseWriter, r *http.Request, c *Call) error {
	var in service.ApplicationSettingsInput
	for _, b := range []struct {
		name string
		dst  **bool
	}{{"allow_local_requests_from_web_hooks_and_services", &in.AllowLocalRequestsFromWebHooksAndServices},
		{"allow_local_requests_from_system_hooks", &in.AllowLocalRequestsFromSystemHooks}} {
		v, ok, err := c.params.Bool(b.name)
		if err != nil {
			return err
		}
		if ok {
			*b.dst = &v
		}
	}
	// GitLab takes the allowlist as an array (…_whitelist) or as text,
	// entries separated by commas, semicolons or newlines (…_raw).
	list, ok, err := c.params.StrList("outbound_local_requests_whitelist")
	if err != nil {
		return err
	}
	if ok {
		in.OutboundLocalRequestsAllowlist = &list
	}
	if raw, ok := c.params.Str("outbound_local_requests_allowlist_raw"); ok {
		list := strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || r == ';' || r == '\n' })
		in.OutboundLocalRequestsAllowlist = &list
	}
	as, err := a.svc.UpdateApplicationSettings(r.Context(), c.id, in)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, applicationSettingsEntityOf(as))
	return nil
}
