package service

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// JobView is a job with what its entity shows.
type JobView struct {
	Project   *model.Project
	Job       *model.Job
	Pipeline  *model.Pipeline
	Artifacts []*model.JobArtifact
	Runner    *model.Runner // nil until a runner took it, or once it is gone
}

// ListJobs is GET /projects/:id/jobs and, with f.PipelineID,
// GET /projects/:id/pipelines/:pipeline_id/jobs.
func (s *Service) ListJobs(ctx context.Context, id *auth.Identity, ref string, f model.JobFilter) ([]*JobView, int64, error) {
	p, _, err := s.ciProject(ctx, id, ref, access.ReadPipeline)
	if err != nil {
		return nil, 0, err
	}
	q := s.db.Queries()
	if f.PipelineID != 0 {
		pl, err := q.PipelineByID(ctx, f.PipelineID)
		if errors.Is(err, store.ErrNotFound) || err == nil && pl.ProjectID != p.ID {
			return nil, 0, NotFound("")
		}
		if err != nil {
			return nil, 0, err
		}
	}
	f.ProjectID = p.ID
	jobs, total, err := q.Jobs(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	views, err := s.jobViews(ctx, p, jobs)
	return views, total, err
}

// jobViews loads the pipelines and artifacts of jobs, one query each.
func (s *Service) jobViews(ctx context.Context, p *model.Project, jobs []*model.Job) ([]*JobView, error) {
	q := s.db.Queries()
	ids := make([]int64, len(jobs))
	var pipelineIDs, runnerIDs []int64
	for i, j := range jobs {
		ids[i] = j.ID
		if !slices.Contains(pipelineIDs, j.PipelineID) {
			pipelineIDs = append(pipelineIDs, j.PipelineID)
		}
		if j.RunnerID != nil && !slices.Contains(runnerIDs, *j.RunnerID) {
			runnerIDs = append(runnerIDs, *j.RunnerID)
		}
	}
	runners, err := q.RunnersByIDs(ctx, runnerIDs)
	if err != nil {
		return nil, err
	}
	pipelines, err := q.PipelinesByIDs(ctx, pipelineIDs)
	if err != nil {
		return nil, err
	}
	arts, err := q.ArtifactsOfJobs(ctx, ids)
	if err != nil {
		return nil, err
	}
	byJob := map[int64][]*model.JobArtifact{}
	for _, a := range arts {
		byJob[a.JobID] = append(byJob[a.JobID], a)
	}
	views := make([]*JobView, len(jobs))
	for i, j := range jobs {
		views[i] = &JobView{Project: p, Job: j, Pipeline: pipelines[j.PipelineID], Artifacts: byJob[j.ID]}
		if j.RunnerID != nil {
			views[i].Runner = runners[*j.RunnerID]
		}
	}
	return views, nil
}

// Job is GET /projects/:id/jobs/:job_id.
func (s *Service) Job(ctx context.Context, id *auth.Identity, ref string, jobID int64) (*JobView, error) {
	return s.jobFor(ctx, id, ref, jobID, access.ReadPipeline)
}

func (s *Service) jobFor(ctx context.Context, id *auth.Identity, ref string, jobID int64, ab access.Ability) (*JobView, error) {
	return s.jobOfTypes(ctx, id, ref, jobID, ab, model.JobTypeBuild)
}

// processableFor is jobFor for what GitLab's find_job! finds: builds and
// bridges (play).
func (s *Service) processableFor(ctx context.Context, id *auth.Identity, ref string, jobID int64, ab access.Ability) (*JobView, error) {
	return s.jobOfTypes(ctx, id, ref, jobID, ab, model.JobTypeBuild, model.JobTypeBridge)
}

func (s *Service) jobOfTypes(ctx context.Context, id *auth.Identity, ref string, jobID int64, ab access.Ability, types ...string) (*JobView, error) {
	p, _, err := s.ciProject(ctx, id, ref, access.ReadPipeline)
	if err != nil {
		return nil, err
	}
	j, err := s.db.Queries().JobByID(ctx, jobID)
	// The jobs API knows builds (and bridges, for some operations); a
	// commit status is not one.
	if errors.Is(err, store.ErrNotFound) || err == nil && (j.ProjectID != p.ID || !slices.Contains(types, j.Type)) {
		return nil, NotFound("")
	}
	if err != nil {
		return nil, fmt.Errorf("service: load job: %w", err)
	}
	if _, _, err := s.ciProject(ctx, id, ref, ab); err != nil {
		return nil, err
	}
	views, err := s.jobViews(ctx, p, []*model.Job{j})
	if err != nil {
		return nil, err
	}
	return views[0], nil
}

// CurrentJob is GET /job: the running job whose token authenticated id.
func (s *Service) CurrentJob(ctx context.Context, id *auth.Identity) (*JobView, error) {
	if id.CIJob == nil {
		return nil, auth.ErrUnauthorized
	}
	j, err := s.db.Queries().JobByID(ctx, id.CIJob.ID)
	if err != nil {
		return nil, err
	}
	p, err := s.db.Queries().ProjectByID(ctx, j.ProjectID)
	if err != nil {
		return nil, err
	}
	views, err := s.jobViews(ctx, p, []*model.Job{j})
	if err != nil {
		return nil, err
	}
	return views[0], nil
}

// JobTrace is GET /projects/:id/jobs/:job_id/trace.
func (s *Service) JobTrace(ctx context.Context, id *auth.Identity, ref string, jobID int64) ([]byte, error) {
	v, err := s.jobFor(ctx, id, ref, jobID, access.ReadPipeline)
	if err != nil {
		return nil, err
	}
	return s.jobTrace(ctx, v.Job)
}

// RetryJob is POST /projects/:id/jobs/:job_id/retry: a new job of the
// same spec (201), for a job that has ended.
func (s *Service) RetryJob(ctx context.Context, id *auth.Identity, ref string, jobID int64) (*JobView, error) {
	v, err := s.jobFor(ctx, id, ref, jobID, access.UpdatePipeline)
	if err != nil {
		return nil, err
	}
	if !ciCompleted(v.Job.Status) || v.Job.Retried {
		return nil, Forbidden("Job is not retryable")
	}
	var n *model.Job
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		if _, err := q.LockPipeline(ctx, v.Job.PipelineID); err != nil {
			return err
		}
		all, err := q.JobsOfPipeline(ctx, v.Job.PipelineID)
		if err != nil {
			return err
		}
		n, err = s.cloneJobForRetry(ctx, q, v.Job, userIDOf(id))
		if err != nil {
			return err
		}
		// The jobs after it that were skipped wait for it again.
		for _, o := range latestJobs(all) {
			if o.StageIdx > v.Job.StageIdx && o.Status == model.CIStatusSkipped {
				if err := s.resetSkipped(ctx, q, o); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.processPipeline(ctx, v.Job.PipelineID); err != nil {
		return nil, err
	}
	return s.jobFor(ctx, id, ref, n.ID, access.ReadPipeline)
}

// CancelJob is POST /projects/:id/jobs/:job_id/cancel.
func (s *Service) CancelJob(ctx context.Context, id *auth.Identity, ref string, jobID int64) (*JobView, error) {
	v, err := s.jobFor(ctx, id, ref, jobID, access.UpdatePipeline)
	if err != nil {
		return nil, err
	}
	if err := s.cancelJob(ctx, v.Job); err != nil {
		return nil, err
	}
	if err := s.processPipeline(ctx, v.Job.PipelineID); err != nil {
		return nil, err
	}
	return s.jobFor(ctx, id, ref, jobID, access.ReadPipeline)
}

// PlayJob is POST /projects/:id/jobs/:job_id/play: a manual job is
// enqueued (a delayed one at once); others are 400 "Unplayable Job".
func (s *Service) PlayJob(ctx context.Context, id *auth.Identity, ref string, jobID int64) (*JobView, error) {
	v, err := s.processableFor(ctx, id, ref, jobID, access.UpdatePipeline)
	if err != nil {
		return nil, err
	}
	if err := s.playJob(ctx, v.Job, userIDOf(id)); err != nil {
		return nil, err
	}
	return s.processableFor(ctx, id, ref, jobID, access.ReadPipeline)
}

// playJob enqueues a manual or delayed job as userID's.
func (s *Service) playJob(ctx context.Context, j *model.Job, userID *int64) error {
	if j.Status != model.CIStatusManual && j.Status != model.CIStatusScheduled {
		return badRequest("Unplayable Job")
	}
	now := s.Now()
	from := j.Status
	j.Status, j.ScheduledAt, j.UserID = enqueuedStatus(j), nil, userID
	if j.Status == model.CIStatusPending {
		j.QueuedAt = &now
	}
	ok, err := s.setJobStatus(ctx, s.db.Queries(), j, from)
	if err != nil {
		return err
	}
	if !ok {
		return badRequest("Unplayable Job")
	}
	if j.Type == model.JobTypeBuild && j.Status == model.CIStatusPending {
		s.ci.queue.wake()
	}
	return s.processPipeline(ctx, j.PipelineID)
}

// EraseJob is POST /projects/:id/jobs/:job_id/erase: its log and
// artifacts go, for a job that has ended.
func (s *Service) EraseJob(ctx context.Context, id *auth.Identity, ref string, jobID int64) (*JobView, error) {
	v, err := s.jobFor(ctx, id, ref, jobID, access.EraseBuild)
	if err != nil {
		return nil, err
	}
	if !ciCompleted(v.Job.Status) {
		return nil, Forbidden("Job is not erasable!")
	}
	keys, err := s.db.Queries().DeleteArtifacts(ctx, jobID)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if err := s.blobs.Delete(ctx, k); err != nil {
			s.log.Error("delete artifact blob", "key", k, "err", err)
		}
	}
	if err := s.db.Queries().EraseJob(ctx, jobID, id.UserID()); err != nil {
		return nil, err
	}
	s.statisticsChanged(ctx, v.Job.ProjectID)
	return s.jobFor(ctx, id, ref, jobID, access.ReadPipeline)
}
