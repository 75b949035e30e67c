package model

// Throttle is one of GitLab's user and IP rate limits: when Enabled, at
// most RequestsPerPeriod requests per fixed window of PeriodInSeconds.
type Throttle struct {
	Enabled           bool
	RequestsPerPeriod int64
	PeriodInSeconds   int64
}

// ThrottleSettings are the application settings of GitLab's user and IP
// rate limits (doc/administration/settings/user_and_ip_rate_limits.md),
// under GitLab's names. All are disabled by default.
type ThrottleSettings struct {
	ThrottleUnauthenticatedAPIEnabled           bool  `json:"throttle_unauthenticated_api_enabled"`
	ThrottleUnauthenticatedAPIRequestsPerPeriod int64 `json:"throttle_unauthenticated_api_requests_per_period"`
	ThrottleUnauthenticatedAPIPeriodInSeconds   int64 `json:"throttle_unauthenticated_api_period_in_seconds"`

	ThrottleUnauthenticatedWebEnabled           bool  `json:"throttle_unauthenticated_web_enabled"`
	ThrottleUnauthenticatedWebRequestsPerPeriod int64 `json:"throttle_unauthenticated_web_requests_per_period"`
	ThrottleUnauthenticatedWebPeriodInSeconds   int64 `json:"throttle_unauthenticated_web_period_in_seconds"`

	ThrottleAuthenticatedAPIEnabled           bool  `json:"throttle_authenticated_api_enabled"`
	ThrottleAuthenticatedAPIRequestsPerPeriod int64 `json:"throttle_authenticated_api_requests_per_period"`
	ThrottleAuthenticatedAPIPeriodInSeconds   int64 `json:"throttle_authenticated_api_period_in_seconds"`

	ThrottleAuthenticatedWebEnabled           bool  `json:"throttle_authenticated_web_enabled"`
	ThrottleAuthenticatedWebRequestsPerPeriod int64 `json:"throttle_authenticated_web_requests_per_period"`
	ThrottleAuthenticatedWebPeriodInSeconds   int64 `json:"throttle_authenticated_web_period_in_seconds"`

	ThrottleUnauthenticatedGitHTTPEnabled           bool  `json:"throttle_unauthenticated_git_http_enabled"`
	ThrottleUnauthenticatedGitHTTPRequestsPerPeriod int64 `json:"throttle_unauthenticated_git_http_requests_per_period"`
	ThrottleUnauthenticatedGitHTTPPeriodInSeconds   int64 `json:"throttle_unauthenticated_git_http_period_in_seconds"`

	ThrottleAuthenticatedGitHTTPEnabled           bool  `json:"throttle_authenticated_git_http_enabled"`
	ThrottleAuthenticatedGitHTTPRequestsPerPeriod int64 `json:"throttle_authenticated_git_http_requests_per_period"`
	ThrottleAuthenticatedGitHTTPPeriodInSeconds   int64 `json:"throttle_authenticated_git_http_period_in_seconds"`

	// RateLimitingResponseText is the body of a 429; empty: "Retry later".
	RateLimitingResponseText string `json:"rate_limiting_response_text"`

	// GitlabShellOperationLimit is how many times a minute one actor (and,
	// separately, one address) may run one git command over SSH on one
	// project; 0 turns the limit off. Unlike the throttles it is on by
	// default, as GitLab's.
	GitlabShellOperationLimit int64 `json:"gitlab_shell_operation_limit"`
}

// DefaultThrottleSettings are GitLab's defaults: every throttle off,
// 3600 unauthenticated and 7200 authenticated requests (3600 for git
// over HTTP) an hour.
func DefaultThrottleSettings() ThrottleSettings {
	return ThrottleSettings{
		ThrottleUnauthenticatedAPIRequestsPerPeriod: 3600, ThrottleUnauthenticatedAPIPeriodInSeconds: 3600,
		ThrottleUnauthenticatedWebRequestsPerPeriod: 3600, ThrottleUnauthenticatedWebPeriodInSeconds: 3600,
		ThrottleAuthenticatedAPIRequestsPerPeriod: 7200, ThrottleAuthenticatedAPIPeriodInSeconds: 3600,
		ThrottleAuthenticatedWebRequestsPerPeriod: 7200, ThrottleAuthenticatedWebPeriodInSeconds: 3600,
		ThrottleUnauthenticatedGitHTTPRequestsPerPeriod: 3600, ThrottleUnauthenticatedGitHTTPPeriodInSeconds: 3600,
		ThrottleAuthenticatedGitHTTPRequestsPerPeriod: 3600, ThrottleAuthenticatedGitHTTPPeriodInSeconds: 3600,
		GitlabShellOperationLimit: 600,
	}
}

// Throttle names GitLab gives its rate limits (RateLimit-Name).
const (
	ThrottleUnauthenticatedAPI     = "throttle_unauthenticated_api"
	ThrottleUnauthenticatedWeb     = "throttle_unauthenticated_web"
	ThrottleAuthenticatedAPI       = "throttle_authenticated_api"
	ThrottleAuthenticatedWeb       = "throttle_authenticated_web"
	ThrottleUnauthenticatedGitHTTP = "throttle_unauthenticated_git_http"
	ThrottleAuthenticatedGitHTTP   = "throttle_authenticated_git_http"
)

// ThrottleNames are the throttles' names, in GitLab's settings order.
var ThrottleNames = []string{ThrottleUnauthenticatedAPI, ThrottleUnauthenticatedWeb, ThrottleAuthenticatedAPI,
	ThrottleAuthenticatedWeb, ThrottleUnauthenticatedGitHTTP, ThrottleAuthenticatedGitHTTP}

// Fields returns the settings of the throttle name (one of ThrottleNames):
// its _enabled, _requests_per_period and _period_in_seconds; nils for an
// unknown name.
func (t *ThrottleSettings) Fields(name string) (enabled *bool, requests, period *int64) {
	switch name {
	case ThrottleUnauthenticatedAPI:
		return &t.ThrottleUnauthenticatedAPIEnabled, &t.ThrottleUnauthenticatedAPIRequestsPerPeriod, &t.ThrottleUnauthenticatedAPIPeriodInSeconds
	case ThrottleUnauthenticatedWeb:
		return &t.ThrottleUnauthenticatedWebEnabled, &t.ThrottleUnauthenticatedWebRequestsPerPeriod, &t.ThrottleUnauthenticatedWebPeriodInSeconds
	case ThrottleAuthenticatedAPI:
		return &t.ThrottleAuthenticatedAPIEnabled, &t.ThrottleAuthenticatedAPIRequestsPerPeriod, &t.ThrottleAuthenticatedAPIPeriodInSeconds
	case ThrottleAuthenticatedWeb:
		return &t.ThrottleAuthenticatedWebEnabled, &t.ThrottleAuthenticatedWebRequestsPerPeriod, &t.ThrottleAuthenticatedWebPeriodInSeconds
	case ThrottleUnauthenticatedGitHTTP:
		return &t.ThrottleUnauthenticatedGitHTTPEnabled, &t.ThrottleUnauthenticatedGitHTTPRequestsPerPeriod, &t.ThrottleUnauthenticatedGitHTTPPeriodInSeconds
	case ThrottleAuthenticatedGitHTTP:
		return &t.ThrottleAuthenticatedGitHTTPEnabled, &t.ThrottleAuthenticatedGitHTTPRequestsPerPeriod, &t.ThrottleAuthenticatedGitHTTPPeriodInSeconds
	}
	return nil, nil, nil
}

// Throttle returns the throttle of name (one of ThrottleNames).
func (t *ThrottleSettings) Throttle(name string) Throttle {
	enabled, requests, period := t.Fields(name)
	if enabled == nil {
		return Throttle{}
	}
	return Throttle{Enabled: *enabled, RequestsPerPeriod: *requests, PeriodInSeconds: *period}
}

// AnyEnabled reports whether some throttle is on.
func (t *ThrottleSettings) AnyEnabled() bool {
	return t.ThrottleUnauthenticatedAPIEnabled || t.ThrottleUnauthenticatedWebEnabled || t.ThrottleAuthenticatedAPIEnabled ||
		t.ThrottleAuthenticatedWebEnabled || t.ThrottleUnauthenticatedGitHTTPEnabled || t.ThrottleAuthenticatedGitHTTPEnabled
}

// RateLimitCount is an addition to a rate limit counter.
type RateLimitCount struct {
	Bucket      string
	WindowStart int64 // Unix seconds
	ExpiresAt   int64 // Unix seconds
	Delta       int64
}
