package service

import "context"

// PurgeDeletedProjects removes projects scheduled for deletion.
func (s *Service) PurgeDeletedProjects(ctx context.Context) error { return nil }
