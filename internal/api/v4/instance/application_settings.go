// Package instance is the instance's part of GitLab's REST API v4: its
// settings, appearance, statistics, broadcast messages, feature flags,
// file templates and background queue metrics. Its handlers are functions
// of the core package's Handler type; Routes is its route table, which
// internal/server hands to v4.New.
package instance

import (
	"net/http"
	"strings"

	v4 "github.com/lablet/lablet/internal/api/v4"
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
	DefaultProjectsLimit                      int64    `json:"default_projects_limit"`
	CanCreateGroup                            bool     `json:"can_create_group"`
	UserDefaultExternal                       bool     `json:"user_default_external"`
	DefaultProjectVisibility                  string   `json:"default_project_visibility"`
	DefaultGroupVisibility                    string   `json:"default_group_visibility"`
	MaxAttachmentSize                         int64    `json:"max_attachment_size"`
	RestrictedVisibilityLevels                []string `json:"restricted_visibility_levels"`
	// The user and IP rate limits, under GitLab's names.
	model.ThrottleSettings
	CreatedAt *string `json:"created_at"`
	UpdatedAt *string `json:"updated_at"`
}

func applicationSettingsEntityOf(as *model.ApplicationSettings) applicationSettingsEntity {
	out := applicationSettingsEntity{ID: 1,
		AllowLocalRequestsFromWebHooksAndServices: as.AllowLocalRequestsFromWebHooksAndServices,
		AllowLocalRequestsFromSystemHooks:         as.AllowLocalRequestsFromSystemHooks,
		OutboundLocalRequestsWhitelist:            as.OutboundLocalRequestsAllowlist,
		DefaultProjectsLimit:                      as.DefaultProjectsLimit, CanCreateGroup: as.CanCreateGroup,
		UserDefaultExternal: as.UserDefaultExternal, DefaultProjectVisibility: as.DefaultProjectVisibility,
		DefaultGroupVisibility: as.DefaultGroupVisibility, MaxAttachmentSize: as.MaxAttachmentSize,
		RestrictedVisibilityLevels: as.RestrictedVisibilityLevels, ThrottleSettings: as.ThrottleSettings}
	if out.OutboundLocalRequestsWhitelist == nil {
		out.OutboundLocalRequestsWhitelist = []string{}
	}
	if out.RestrictedVisibilityLevels == nil {
		out.RestrictedVisibilityLevels = []string{}
	}
	if !as.CreatedAt.IsZero() {
		created, updated := v4.TS(as.CreatedAt), v4.TS(as.UpdatedAt)
		out.CreatedAt, out.UpdatedAt = &created, &updated
	}
	return out
}

// getApplicationSettings serves GET /application/settings.
func getApplicationSettings(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	as, err := a.Service().ApplicationSettings(r.Context(), c.Identity())
	if err != nil {
		return err
	}
	v4.WriteJSON(w, http.StatusOK, applicationSettingsEntityOf(as))
	return nil
}

// updateApplicationSettings serves PUT /application/settings.
func updateApplicationSettings(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	var in service.ApplicationSettingsInput
	for _, b := range []struct {
		name string
		dst  **bool
	}{{"allow_local_requests_from_web_hooks_and_services", &in.AllowLocalRequestsFromWebHooksAndServices},
		{"allow_local_requests_from_system_hooks", &in.AllowLocalRequestsFromSystemHooks},
		{"can_create_group", &in.CanCreateGroup}, {"user_default_external", &in.UserDefaultExternal}} {
		v, ok, err := c.Params().Bool(b.name)
		if err != nil {
			return err
		}
		if ok {
			*b.dst = &v
		}
	}
	for name, dst := range map[string]**int64{"default_projects_limit": &in.DefaultProjectsLimit,
		"max_attachment_size": &in.MaxAttachmentSize, "gitlab_shell_operation_limit": &in.GitlabShellOperationLimit} {
		if n, ok, err := c.Params().Int(name); err != nil {
			return err
		} else if ok {
			*dst = &n
		}
	}
	for name, dst := range map[string]**string{"default_project_visibility": &in.DefaultProjectVisibility,
		"default_group_visibility": &in.DefaultGroupVisibility} {
		if v, ok, err := c.Params().OneOf(name, "private", "internal", "public"); err != nil {
			return err
		} else if ok {
			*dst = &v
		}
	}
	// GitLab takes the allowlist as an array (…_whitelist) or as text,
	// entries separated by commas, semicolons or newlines (…_raw).
	list, ok, err := c.Params().StrList("outbound_local_requests_whitelist")
	if err != nil {
		return err
	}
	if ok {
		in.OutboundLocalRequestsAllowlist = &list
	}
	if levels, ok, err := c.Params().StrList("restricted_visibility_levels"); err != nil {
		return err
	} else if ok {
		in.RestrictedVisibilityLevels = &levels
	}
	if raw, ok := c.Params().Str("outbound_local_requests_allowlist_raw"); ok {
		list := strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || r == ';' || r == '\n' })
		in.OutboundLocalRequestsAllowlist = &list
	}
	if err := throttleParams(c, &in); err != nil {
		return err
	}
	as, err := a.Service().UpdateApplicationSettings(r.Context(), c.Identity(), in)
	if err != nil {
		return err
	}
	v4.WriteJSON(w, http.StatusOK, applicationSettingsEntityOf(as))
	return nil
}

// throttleParams reads the user and IP rate limits' parameters:
// <throttle>_enabled, <throttle>_requests_per_period and
// <throttle>_period_in_seconds for each throttle, and
// rate_limiting_response_text.
func throttleParams(c *v4.Call, in *service.ApplicationSettingsInput) error {
	for _, name := range model.ThrottleNames {
		var t service.ThrottleInput
		given := false
		if v, ok, err := c.Params().Bool(name + "_enabled"); err != nil {
			return err
		} else if ok {
			t.Enabled, given = &v, true
		}
		for suffix, dst := range map[string]**int64{"_requests_per_period": &t.RequestsPerPeriod, "_period_in_seconds": &t.PeriodInSeconds} {
			if n, ok, err := c.Params().Int(name + suffix); err != nil {
				return err
			} else if ok {
				*dst, given = &n, true
			}
		}
		if given {
			if in.Throttles == nil {
				in.Throttles = map[string]service.ThrottleInput{}
			}
			in.Throttles[name] = t
		}
	}
	if text, ok, err := c.Params().Text("rate_limiting_response_text", 65535); err != nil {
		return err
	} else if ok {
		in.RateLimitingResponseText = &text
	}
	return nil
}
