package service

import (
	"context"
	"time"
)

// purgeInterval is how often scheduled deletions are carried out.
const purgeInterval = 500 * time.Millisecond

// RunBackground carries out scheduled work (group and project deletions)
// until ctx ends.
func (s *Service) RunBackground(ctx context.Context) {
	t := time.NewTicker(purgeInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.PurgeDeletedProjects(ctx); err != nil && ctx.Err() == nil {
				s.Log.Error("purge projects", "err", err)
			}
			if err := s.PurgeDeletedGroups(ctx); err != nil && ctx.Err() == nil {
				s.Log.Error("purge groups", "err", err)
			}
		}
	}
}
