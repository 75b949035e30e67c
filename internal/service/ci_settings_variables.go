package service

import (
	"context"

	"github.com/lablet/lablet/internal/ci/protocol"
	"github.com/lablet/lablet/internal/model"
)

// ciSettingVariables are the CI/CD variables of the instance, the
// project's groups and the project that a job gets: protected ones only
// on a protected ref, each by the job's environment.
func (s *Service) ciSettingVariables(ctx context.Context, p *model.Project, pl *model.Pipeline, j *model.Job) ([]protocol.Variable, error) {
	env := ""
	if j.Environment != nil {
		env = *j.Environment
	}
	vars, err := s.CIVariables(ctx, p.ID, pl.Protected, env)
	if err != nil {
		return nil, err
	}
	out := make([]protocol.Variable, len(vars))
	for i, v := range vars {
		out[i] = protocol.Variable{Key: v.Key, Value: v.Value, File: v.VariableType == "file",
			Masked: v.Masked || v.Hidden, Raw: v.Raw}
	}
	return out, nil
}
