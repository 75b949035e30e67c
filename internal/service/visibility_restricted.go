package service

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
)

// parseRestrictedVisibilities reads restricted_visibility_levels: names
// ("public") or levels ("20"), repeats dropped, as names.
func parseRestrictedVisibilities(levels []string) ([]string, error) {
	out := []string{}
	for _, l := range levels {
		level, err := access.ParseVisibility(l)
		if err != nil {
			n, nerr := strconv.Atoi(l)
			if nerr != nil || n != access.Private && n != access.Internal && n != access.Public {
				return nil, Validation{"restricted_visibility_levels": {fmt.Sprintf("'%s' is not a valid visibility level", l)}}.Err()
			}
			level = n
		}
		if name := access.VisibilityName(level); !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out, nil
}

// visibilityRestricted reports the message GitLab gives when level is one
// the administrator restricted and the caller is no administrator (GitLab's
// VisibilityLevel.allowed_for? and deny_visibility_level); "" when allowed.
func (s *Service) visibilityRestricted(ctx context.Context, id *auth.Identity, level int) (string, error) {
	if id.IsAdmin() {
		return "", nil
	}
	settings, err := s.InstanceSettings(ctx)
	if err != nil {
		return "", err
	}
	name := access.VisibilityName(level)
	if !slices.Contains(settings.RestrictedVisibilityLevels, name) {
		return "", nil
	}
	return name + " has been restricted by your GitLab administrator", nil
}
