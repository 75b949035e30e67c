package service

import "context"

// PurgeDeletedGroups removes groups scheduled for deletion.
func (s *Service) PurgeDeletedGroups(ctx context.Context) error { return nil }
