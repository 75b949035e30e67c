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

	CreatedAt time.Time `json:"-"`
	UpdatedAt time.Time `json:"-"`
}

// DefaultApplicationSettings are GitLab's defaults for a new instance.
func DefaultApplicationSettings() ApplicationSettings {
	return ApplicationSettings{
		AllowLocalRequestsFromWebHooksAndServices: false,
		AllowLocalRequestsFromSystemHooks:         true,
		OutboundLocalRequestsAllowlist:            []string{},
	}
}
