package service

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
)

// The allowlist's bounds (ApplicationSetting's validations).
const (
	maxOutboundAllowlist      = 1000
	maxOutboundAllowlistEntry = 255
)

// ApplicationSettingsInput changes the instance's settings; nil fields
// keep their values.
type ApplicationSettingsInput struct {
	AllowLocalRequestsFromWebHooksAndServices *bool
	AllowLocalRequestsFromSystemHooks         *bool
	OutboundLocalRequestsAllowlist            *[]string
	DefaultProjectsLimit                      *int64
	CanCreateGroup                            *bool
	UserDefaultExternal                       *bool
	DefaultProjectVisibility                  *string
	DefaultGroupVisibility                    *string
	MaxAttachmentSize                         *int64
	RestrictedVisibilityLevels                *[]string
	// Throttles changes the user and IP rate limits, by throttle name
	// (model.ThrottleNames).
	Throttles                 map[string]ThrottleInput
	RateLimitingResponseText  *string
	GitlabShellOperationLimit *int64
}

// ThrottleInput changes one throttle; nil fields keep their values.
type ThrottleInput struct {
	Enabled           *bool
	RequestsPerPeriod *int64
	PeriodInSeconds   *int64
}

// ApplicationSettings returns the instance's settings to an
// administrator (GET /application/settings).
func (s *Service) ApplicationSettings(ctx context.Context, id *auth.Identity) (*model.ApplicationSettings, error) {
	if err := requireAdmin(id); err != nil {
		return nil, err
	}
	as, err := s.InstanceSettings(ctx)
	if err != nil {
		return nil, err
	}
	return s.shownSettings(as), nil
}

// shownSettings fills in what a setting left unset means on this server
// (the configured attachment limit), for administrators to read.
func (s *Service) shownSettings(as *model.ApplicationSettings) *model.ApplicationSettings {
	out := *as
	if out.MaxAttachmentSize <= 0 {
		out.MaxAttachmentSize = max(s.maxAttachmentSize>>20, 1)
	}
	return &out
}

// InstanceSettings reads the instance's settings for lablet's own
// decisions (outbound requests, limits); it checks no caller.
func (s *Service) InstanceSettings(ctx context.Context) (*model.ApplicationSettings, error) {
	settings, err := s.db.Queries().ApplicationSettings(ctx)
	if err != nil {
		return nil, fmt.Errorf("service: application settings: %w", err)
	}
	return settings, nil
}

// UpdateApplicationSettings changes the instance's settings as an
// administrator (PUT /application/settings). Invalid input changes
// nothing.
func (s *Service) UpdateApplicationSettings(ctx context.Context, id *auth.Identity, in ApplicationSettingsInput) (*model.ApplicationSettings, error) {
	if err := requireAdmin(id); err != nil {
		return nil, err
	}
	var allowlist []string
	if in.OutboundLocalRequestsAllowlist != nil {
		var err error
		if allowlist, err = validateOutboundAllowlist(*in.OutboundLocalRequestsAllowlist); err != nil {
			return nil, err
		}
	}
	v := Validation{}
	if in.DefaultProjectsLimit != nil && (*in.DefaultProjectsLimit < 0 || *in.DefaultProjectsLimit > maxProjectsLimit) {
		v.Add("default_projects_limit", fmt.Sprintf("must be greater than or equal to 0 and less than or equal to %d", maxProjectsLimit))
	}
	if in.MaxAttachmentSize != nil && (*in.MaxAttachmentSize <= 0 || *in.MaxAttachmentSize > maxProjectsLimit) {
		v.Add("max_attachment_size", fmt.Sprintf("must be greater than 0 and less than or equal to %d", maxProjectsLimit))
	}
	if in.GitlabShellOperationLimit != nil && (*in.GitlabShellOperationLimit < 0 || *in.GitlabShellOperationLimit > maxProjectsLimit) {
		v.Add("gitlab_shell_operation_limit", fmt.Sprintf("must be greater than or equal to 0 and less than or equal to %d", maxProjectsLimit))
	}
	for name, t := range in.Throttles {
		for suffix, n := range map[string]*int64{"_requests_per_period": t.RequestsPerPeriod, "_period_in_seconds": t.PeriodInSeconds} {
			if n != nil && *n <= 0 {
				v.Add(name+suffix, "must be greater than 0")
			}
		}
	}
	for name, vis := range map[string]*string{"default_project_visibility": in.DefaultProjectVisibility, "default_group_visibility": in.DefaultGroupVisibility} {
		if vis != nil {
			if _, err := access.ParseVisibility(*vis); err != nil {
				return nil, ParamError(name + " does not have a valid value")
			}
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var restricted []string
	if in.RestrictedVisibilityLevels != nil {
		var err error
		if restricted, err = parseRestrictedVisibilities(*in.RestrictedVisibilityLevels); err != nil {
			return nil, err
		}
	}
	settings, err := s.db.UpdateApplicationSettings(ctx, func(as *model.ApplicationSettings) error {
		if in.RestrictedVisibilityLevels != nil {
			as.RestrictedVisibilityLevels = restricted
		}

		setIf(&as.DefaultProjectsLimit, in.DefaultProjectsLimit)
		setIf(&as.CanCreateGroup, in.CanCreateGroup)
		setIf(&as.UserDefaultExternal, in.UserDefaultExternal)
		setIf(&as.DefaultProjectVisibility, in.DefaultProjectVisibility)
		setIf(&as.DefaultGroupVisibility, in.DefaultGroupVisibility)
		setIf(&as.MaxAttachmentSize, in.MaxAttachmentSize)
		if in.AllowLocalRequestsFromWebHooksAndServices != nil {
			as.AllowLocalRequestsFromWebHooksAndServices = *in.AllowLocalRequestsFromWebHooksAndServices
		}
		if in.AllowLocalRequestsFromSystemHooks != nil {
			as.AllowLocalRequestsFromSystemHooks = *in.AllowLocalRequestsFromSystemHooks
		}
		if in.OutboundLocalRequestsAllowlist != nil {
			as.OutboundLocalRequestsAllowlist = allowlist
		}
		for name, t := range in.Throttles {
			enabled, requests, period := as.ThrottleSettings.Fields(name)
			if enabled == nil {
				return fmt.Errorf("service: unknown throttle %q", name)
			}
			setIf(enabled, t.Enabled)
			setIf(requests, t.RequestsPerPeriod)
			setIf(period, t.PeriodInSeconds)
		}
		setIf(&as.RateLimitingResponseText, in.RateLimitingResponseText)
		setIf(&as.GitlabShellOperationLimit, in.GitlabShellOperationLimit)
		// The defaults stay usable (ApplicationSetting's
		// visibility_level_allowed_as_default validation).
		rv := Validation{}
		for name, vis := range map[string]string{"default_project_visibility": as.DefaultProjectVisibility,
			"default_group_visibility": as.DefaultGroupVisibility} {
			if slices.Contains(as.RestrictedVisibilityLevels, vis) {
				rv.Add(name, "cannot be set to a restricted visibility level")
			}
		}
		return rv.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("service: update application settings: %w", err)
	}
	s.forgetThrottleSettings()
	return s.shownSettings(settings), nil
}

// setIf sets *dst to *src when src is given.
func setIf[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// defaultVisibility is a setting's visibility level; private when the
// stored name is unknown (validated on the way in).
func defaultVisibility(name string) int {
	level, err := access.ParseVisibility(name)
	if err != nil {
		return access.Private
	}
	return level
}

// validateOutboundAllowlist checks the allowlist's entries: hostnames
// (a leading "*." allowed), IP addresses or ranges, each with an
// optional port, at most 1,000 of at most 255 characters. Blank and
// repeated entries are dropped, as GitLab's setter does.
func validateOutboundAllowlist(entries []string) ([]string, error) {
	v := Validation{}
	out := []string{}
	seen := map[string]bool{}
	for _, e := range entries {
		e = strings.TrimSpace(e)
		if e == "" || seen[e] {
			continue
		}
		seen[e] = true
		switch {
		case utf8.RuneCountInString(e) > maxOutboundAllowlistEntry:
			v.Add("outbound_local_requests_allowlist", fmt.Sprintf("contains an entry exceeding %d characters", maxOutboundAllowlistEntry))
		case !validAllowlistEntry(e):
			v.Add("outbound_local_requests_allowlist", fmt.Sprintf("contains invalid entry: %q", e))
		}
		out = append(out, e)
	}
	if len(out) > maxOutboundAllowlist {
		v.Add("outbound_local_requests_allowlist", fmt.Sprintf("is too long (maximum is %d entries)", maxOutboundAllowlist))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// validAllowlistEntry reports whether e is a CIDR range, an IP address
// or a hostname, the last two with an optional :port.
func validAllowlistEntry(e string) bool {
	if _, err := netip.ParsePrefix(e); err == nil {
		return true
	}
	if _, err := netip.ParseAddrPort(e); err == nil {
		return true
	}
	if _, err := netip.ParseAddr(e); err == nil {
		return true
	}
	host := strings.TrimPrefix(e, "*.")
	if h, port, ok := strings.Cut(host, ":"); ok {
		if port == "" || strings.Trim(port, "0123456789") != "" {
			return false
		}
		host = h
	}
	if host == "" || len(host) > 253 {
		return false
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}
