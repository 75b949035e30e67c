package service

import (
	"context"
	"time"
)

// purgeInterval is how often scheduled deletions are carried out.
const purgeInterval = 500 * time.Millisecond

// housekeepingInterval is how often expired sessions and OAuth grants are
// removed.
const housekeepingInterval = 10 * time.Minute

// expiredGrace keeps expired OAuth grants a day longer, so a late replay of
// a code still meets its record (and revokes what it issued).
const expiredGrace = 24 * time.Hour

// RunBackground carries out scheduled work (group and project deletions,
// delayed and stuck CI jobs, housekeeping) until ctx ends.
func (s *Service) RunBackground(ctx context.Context) {
	t := time.NewTicker(purgeInterval)
	defer t.Stop()
	lastHousekeeping := time.Time{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.PurgeDeletedProjects(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("purge projects", "err", err)
			}
			if err := s.PurgeDeletedGroups(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("purge groups", "err", err)
			}
			if err := s.ciHousekeeping(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("ci housekeeping", "err", err)
			}
			if now := s.Now(); now.Sub(lastHousekeeping) >= housekeepingInterval {
				lastHousekeeping = now
				if err := s.Housekeeping(ctx); err != nil && ctx.Err() == nil {
					s.log.Error("housekeeping", "err", err)
				}
			}
		}
	}
}

// Housekeeping removes expired sessions and expired OAuth grants.
func (s *Service) Housekeeping(ctx context.Context) error {
	now := s.Now()
	if err := s.db.Queries().DeleteExpiredSessions(ctx, now); err != nil {
		return err
	}
	return s.db.Queries().DeleteExpiredOAuthGrants(ctx, now.Add(-expiredGrace))
}
