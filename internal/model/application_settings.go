package model

import "time"

// ApplicationSettings are the instance's settings an administrator
// changes through /application/settings, under GitLab's names. Only
// settings lablet honours are here; each field's zero value is not
// necessarily its default (DefaultApplicationSettings).
type ApplicationSettings struct {
	// AllowLocalRequestsFromWebHooksAndServices lets project and group
	// webhooks and integrations reach loopback and private addresses.
	AllowLocalRequestsFromWebHooksAndServices bool `json:"allow_local_requests_from_web_hooks_and_services"`
	// AllowLocalRequestsFromSystemHooks lets system hooks reach them.
	AllowLocalRequestsFromSystemHooks bool `json:"allow_local_requests_from_system_hooks"`
	// OutboundLocalRequestsAllowlist names hosts, IP addresses and
	// ranges (CIDR) outbound requests may reach even when local requests
	// are refused.
	OutboundLocalRequestsAllowlist []string `json:"outbound_local_requests_whitelist"`

	// DefaultProjectsLimit is the projects_limit of new users (and of
	// users made internal again).
	DefaultProjectsLimit int64 `json:"default_projects_limit"`
	// CanCreateGroup is whether new users may create top-level groups.
	CanCreateGroup bool `json:"can_create_group"`
	// UserDefaultExternal makes new users external.
	UserDefaultExternal bool `json:"user_default_external"`
	// DefaultProjectVisibility and DefaultGroupVisibility ("private",
	// "internal", "public") are what a new project or group gets when
	// its creator names none.
	DefaultProjectVisibility string `json:"default_project_visibility"`
	DefaultGroupVisibility   string `json:"default_group_visibility"`
	// RestrictedVisibilityLevels ("private", "internal", "public") are
	// the visibilities only administrators may give projects and groups.
	RestrictedVisibilityLevels []string `json:"restricted_visibility_levels"`
	// MaxAttachmentSize bounds a Markdown upload, in MiB; 0 until an
	// administrator sets it: the server's configured limit.
	MaxAttachmentSize int64 `json:"max_attachment_size,omitempty"`
	// ThrottleSettings are the user and IP rate limits.
	ThrottleSettings

	CreatedAt time.Time `json:"-"`
	UpdatedAt time.Time `json:"-"`
}

// DefaultApplicationSettings are GitLab's defaults for a new instance.
func DefaultApplicationSettings() ApplicationSettings {
	return ApplicationSettings{
		AllowLocalRequestsFromWebHooksAndServices: false,
		AllowLocalRequestsFromSystemHooks:         true,
		OutboundLocalRequestsAllowlist:            []string{},
		DefaultProjectsLimit:                      100000,
		CanCreateGroup:                            true,
		DefaultProjectVisibility:                  "private",
		DefaultGroupVisibility:                    "private",
		RestrictedVisibilityLevels:                []string{},
		ThrottleSettings:                          DefaultThrottleSettings(),
	}
}
