package service

import (
	"context"

	"github.com/lablet/lablet/internal/ci/protocol"
	"github.com/lablet/lablet/internal/model"
)

// ciSettingVariables are the CI/CD variables of the instance, the
// project's groups and the project that a job gets.
func (s *Service) ciSettingVariables(ctx context.Context, p *model.Project, pl *model.Pipeline, j *model.Job) ([]protocol.Variable, error) {
	return nil, nil
}
