package service

import (
	"context"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/store"
)

// CanPushBranch reports whether a caller with level may push to branch.
// Protected branches are not stored yet: Developers may push anywhere.
func (s *Service) CanPushBranch(ctx context.Context, p *store.Project, level access.Level, branch string) (bool, error) {
	return level >= access.Developer, nil
}
