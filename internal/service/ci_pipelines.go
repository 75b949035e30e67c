package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// ciProject loads the project named by ref for a caller who holds
// ability there: 404 when they can't see it, 403 when they see it but
// may not.
func (s *Service) ciProject(ctx context.Context, id *auth.Identity, ref string, ab access.Ability) (*model.Project, access.Level, error) {
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, 0, err
	}
	if !ProjectCan(id, p, level, ab) {
		return nil, 0, Forbidden("")
	}
	return p, level, nil
}

// PipelineView is a pipeline with its project, for entities.
type PipelineView struct {
	Project  *model.Project
	Pipeline *model.Pipeline
	// Jobs are its latest jobs (coverage, details); loaded by the
	// single-pipeline reads only.
	Jobs []*model.Job
}

// Coverage is the mean coverage of the pipeline's jobs that report one.
func (v *PipelineView) Coverage() *float64 {
	var sum float64
	n := 0
	for _, j := range v.Jobs {
		if j.Coverage != nil {
			sum += *j.Coverage
			n++
		}
	}
	if n == 0 {
		return nil
	}
	c := sum / float64(n)
	return &c
}

// ListPipelines is GET /projects/:id/pipelines.
func (s *Service) ListPipelines(ctx context.Context, id *auth.Identity, ref string, f model.PipelineFilter) (*model.Project, []*model.Pipeline, int64, error) {
	p, _, err := s.ciProject(ctx, id, ref, access.ReadPipeline)
	if err != nil {
		return nil, nil, 0, err
	}
	f.ProjectID = p.ID
	ps, total, err := s.db.Queries().Pipelines(ctx, f)
	if err != nil {
		return nil, nil, 0, err
	}
	return p, ps, total, nil
}

// Pipeline is GET /projects/:id/pipelines/:pipeline_id.
func (s *Service) Pipeline(ctx context.Context, id *auth.Identity, ref string, pipelineID int64) (*PipelineView, error) {
	return s.pipelineFor(ctx, id, ref, pipelineID, access.ReadPipeline)
}

// LatestPipeline is GET /projects/:id/pipelines/latest: the newest
// pipeline of ref (the default branch when empty).
func (s *Service) LatestPipeline(ctx context.Context, id *auth.Identity, projectRef, ref string) (*PipelineView, error) {
	p, _, err := s.ciProject(ctx, id, projectRef, access.ReadPipeline)
	if err != nil {
		return nil, err
	}
	if ref == "" && p.DefaultBranch != nil {
		ref = *p.DefaultBranch
	}
	pl, err := s.db.Queries().LatestPipeline(ctx, p.ID, ref, "")
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("")
	}
	if err != nil {
		return nil, err
	}
	return s.pipelineView(ctx, p, pl)
}

func (s *Service) pipelineFor(ctx context.Context, id *auth.Identity, ref string, pipelineID int64, ab access.Ability) (*PipelineView, error) {
	p, _, err := s.ciProject(ctx, id, ref, access.ReadPipeline)
	if err != nil {
		return nil, err
	}
	pl, err := s.db.Queries().PipelineByID(ctx, pipelineID)
	if errors.Is(err, store.ErrNotFound) || err == nil && pl.ProjectID != p.ID {
		return nil, NotFound("")
	}
	if err != nil {
		return nil, fmt.Errorf("service: load pipeline: %w", err)
	}
	if _, _, err := s.ciProject(ctx, id, ref, ab); err != nil {
		return nil, err
	}
	return s.pipelineView(ctx, p, pl)
}

func (s *Service) pipelineView(ctx context.Context, p *model.Project, pl *model.Pipeline) (*PipelineView, error) {
	jobs, err := s.db.Queries().JobsOfPipeline(ctx, pl.ID)
	if err != nil {
		return nil, err
	}
	return &PipelineView{Project: p, Pipeline: pl, Jobs: latestJobs(jobs)}, nil
}

// CreatePipelineFor is POST /projects/:id/pipeline: a pipeline for a
// branch or tag the caller may run one on (Developer, and allowed to
// push or merge to a protected branch).
func (s *Service) CreatePipelineFor(ctx context.Context, id *auth.Identity, projectRef string, in PipelineInput) (*PipelineView, error) {
	p, level, err := s.ciProject(ctx, id, projectRef, access.CreatePipeline)
	if err != nil {
		return nil, err
	}
	return s.createPipelineAs(ctx, id, p, level, in)
}

// createPipelineAs runs a pipeline as id, who holds level on p and may
// create pipelines there, unless in.Ref is a protected branch they may
// neither push nor merge to.
func (s *Service) createPipelineAs(ctx context.Context, id *auth.Identity, p *model.Project, level access.Level, in PipelineInput) (*PipelineView, error) {
	if in.Ref == "" {
		return nil, Invalid("ref is missing")
	}
	rules, err := s.BranchRules(ctx, p)
	if err != nil {
		return nil, err
	}
	if !in.Tag && rules.Closed(level, in.Ref) {
		return nil, &PipelineConfigError{Messages: []string{"Insufficient permissions to create a new pipeline"}}
	}
	pl, err := s.createPipeline(ctx, p, id.User, in)
	if err != nil {
		return nil, err
	}
	return s.pipelineView(ctx, p, pl)
}

// RetryPipeline is POST /projects/:id/pipelines/:pipeline_id/retry:
// every failed or canceled job runs again (GitLab's RetryPipelineService).
func (s *Service) RetryPipeline(ctx context.Context, id *auth.Identity, ref string, pipelineID int64) (*PipelineView, error) {
	if _, err := s.pipelineFor(ctx, id, ref, pipelineID, access.UpdatePipeline); err != nil {
		return nil, err
	}
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		if _, err := q.LockPipeline(ctx, pipelineID); err != nil {
			return err
		}
		all, err := q.JobsOfPipeline(ctx, pipelineID)
		if err != nil {
			return err
		}
		for _, j := range latestJobs(all) {
			if j.Type == model.JobTypeCommitStatus {
				continue // commit statuses are their senders' to set again
			}
			switch j.Status {
			case model.CIStatusFailed, model.CIStatusCanceled:
				if _, err := s.cloneJobForRetry(ctx, q, j, userIDOf(id)); err != nil {
					return err
				}
			case model.CIStatusSkipped:
				if err := s.resetSkipped(ctx, q, j); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.processPipeline(ctx, pipelineID); err != nil {
		return nil, err
	}
	return s.pipelineFor(ctx, id, ref, pipelineID, access.ReadPipeline)
}

// resetSkipped puts a skipped job back to created, to be processed again
// once the jobs before it are retried (GitLab's ResetSkippedJobsService).
func (s *Service) resetSkipped(ctx context.Context, q *store.Queries, j *model.Job) error {
	j.Status, j.FinishedAt, j.QueuedAt = model.CIStatusCreated, nil, nil
	_, err := s.setJobStatus(ctx, q, j, model.CIStatusSkipped)
	return err
}

func userIDOf(id *auth.Identity) *int64 {
	if !id.Authenticated() {
		return nil
	}
	uid := id.User.ID
	return &uid
}

// CancelPipeline is POST /projects/:id/pipelines/:pipeline_id/cancel:
// every job that has not ended is canceled; a running one's runner learns
// it at its next trace or status report and stops the job.
func (s *Service) CancelPipeline(ctx context.Context, id *auth.Identity, ref string, pipelineID int64) (*PipelineView, error) {
	if _, err := s.pipelineFor(ctx, id, ref, pipelineID, access.UpdatePipeline); err != nil {
		return nil, err
	}
	if err := s.cancelPipeline(ctx, pipelineID, cancelScope{children: true}); err != nil {
		return nil, err
	}
	return s.pipelineFor(ctx, id, ref, pipelineID, access.ReadPipeline)
}

// cancelScope widens or narrows cancelPipeline, which with the zero scope
// cancels every job of the pipeline that has not ended.
type cancelScope struct {
	// children: its child pipelines too (GitLab's cascade_to_children).
	children bool
	// interruptibleOnly: only its interruptible builds and bridges
	// (GitLab's safe_cancellation).
	interruptibleOnly bool
}

// cancelPipeline cancels the jobs of a pipeline that have not ended, and
// what scope adds, then processes it.
func (s *Service) cancelPipeline(ctx context.Context, pipelineID int64, scope cancelScope) error {
	jobs, err := s.db.Queries().JobsOfPipeline(ctx, pipelineID)
	if err != nil {
		return err
	}
	for _, j := range latestJobs(jobs) {
		if scope.interruptibleOnly && (!j.Interruptible || j.Type == model.JobTypeCommitStatus) {
			continue
		}
		if err := s.cancelJob(ctx, j); err != nil {
			return err
		}
	}
	if scope.children {
		if err := s.cancelChildPipelines(ctx, pipelineID); err != nil {
			return err
		}
	}
	return s.processPipeline(ctx, pipelineID)
}

// cancelJob ends a job that has not ended as canceled; its token stops
// working at once.
func (s *Service) cancelJob(ctx context.Context, j *model.Job) error {
	if ciCompleted(j.Status) {
		return nil
	}
	now := s.Now()
	from := j.Status
	j.Status, j.FinishedAt, j.TokenDigest = model.CIStatusCanceled, &now, nil
	ok, err := s.setJobStatus(ctx, s.db.Queries(), j, from)
	if err != nil || !ok {
		return err
	}
	if from == model.CIStatusRunning && j.Type == model.JobTypeBuild {
		if err := s.archiveTrace(ctx, j); err != nil {
			s.log.Error("archive trace of canceled job", "job", j.ID, "err", err)
		}
	}
	return nil
}

// DeletePipeline is DELETE /projects/:id/pipelines/:pipeline_id (Owner):
// the pipeline, its jobs and their stored files go, and the resource
// groups its jobs held pass on.
func (s *Service) DeletePipeline(ctx context.Context, id *auth.Identity, ref string, pipelineID int64) error {
	v, err := s.pipelineFor(ctx, id, ref, pipelineID, access.DestroyPipeline)
	if err != nil {
		return err
	}
	ids := make([]int64, 0)
	all, err := s.db.Queries().JobsOfPipeline(ctx, pipelineID)
	if err != nil {
		return err
	}
	for _, j := range all {
		ids = append(ids, j.ID)
	}
	arts, err := s.db.Queries().ArtifactsOfJobs(ctx, ids)
	if err != nil {
		return err
	}
	if err := s.db.Queries().DeletePipeline(ctx, v.Pipeline.ID); err != nil {
		return err
	}
	for _, a := range arts {
		if err := s.blobs.Delete(ctx, a.BlobKey); err != nil {
			s.log.Error("delete artifact blob", "key", a.BlobKey, "err", err)
		}
	}
	// Its jobs that held resource groups hold them no more.
	held := resourceGroupsOf(all, func(j *model.Job) bool { return !ciCompleted(j.Status) })
	return s.assignResources(ctx, v.Pipeline.ProjectID, held)
}

// PipelineVariables is GET /projects/:id/pipelines/:pipeline_id/variables.
// GitLab's read_pipeline_variable: Maintainers (admin_pipeline), and the
// Developer who triggered the pipeline.
func (s *Service) PipelineVariables(ctx context.Context, id *auth.Identity, ref string, pipelineID int64) ([]model.PipelineVariable, error) {
	v, err := s.pipelineFor(ctx, id, ref, pipelineID, access.UpdatePipeline)
	if err != nil {
		return nil, err
	}
	_, level, err := s.ciProject(ctx, id, ref, access.UpdatePipeline)
	if err != nil {
		return nil, err
	}
	triggerer := v.Pipeline.UserID != nil && *v.Pipeline.UserID == id.UserID()
	if level < access.Maintainer && !triggerer {
		return nil, Forbidden("")
	}
	return s.db.Queries().PipelineVariables(ctx, pipelineID)
}
