package service

import (
	"context"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
)

// maxPipelinesJobs bounds the jobs PipelinesJobs reads at once.
const maxPipelinesJobs = 10_000

// PipelinesJobs lists the jobs of several pipelines of project ref at
// once, newest first, with what ListJobs reads beside them, for who may
// read the project's pipelines (GET /projects/:id/pipelines/:id/jobs, one
// read for a page of pipelines). f's pipelines, project and window are
// set here; pipelines of another project have no jobs in the answer.
func (s *Service) PipelinesJobs(ctx context.Context, id *auth.Identity, ref string, pipelineIDs []int64,
	f model.JobFilter) ([]*JobView, error) {
	p, _, err := s.ciProject(ctx, id, ref, access.ReadPipeline)
	if err != nil {
		return nil, err
	}
	if len(pipelineIDs) == 0 {
		return nil, nil
	}
	f.ProjectID, f.PipelineID, f.PipelineIDs = p.ID, 0, pipelineIDs
	f.Offset, f.Limit = 0, maxPipelinesJobs
	jobs, _, err := s.db.Queries().Jobs(ctx, f)
	if err != nil {
		return nil, err
	}
	return s.jobViews(ctx, p, jobs)
}
