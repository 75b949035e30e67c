package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lablet/lablet/internal/blob"
	"github.com/lablet/lablet/internal/model"
)

// ciStuckTimeout is how long a running job may go without a word from
// its runner before it is failed (GitLab's StuckCiJobsWorker: an hour).
const ciStuckTimeout = time.Hour

// ciBatch bounds how many jobs one pass of the CI housekeeping moves.
const ciBatch = 100

// ciHousekeepingDue reports whether ciHousekeeping has anything to do:
// a delayed job due, a running job stuck, an environment to stop or a
// pipeline schedule due. It looks a period ahead (dueLookahead).
func (s *Service) ciHousekeepingDue(ctx context.Context) (bool, error) {
	q := s.db.Queries()
	now := s.Now().Add(dueLookahead(ciHousekeepingInterval))
	if jobs, err := q.DueScheduledJobs(ctx, now, 1); err != nil || len(jobs) > 0 {
		return true, err
	}
	if jobs, err := q.StuckRunningJobs(ctx, now.Add(-ciStuckTimeout), 1); err != nil || len(jobs) > 0 {
		return true, err
	}
	if envs, err := q.DueAutoStopEnvironments(ctx, now, 1); err != nil || len(envs) > 0 {
		return true, err
	}
	schedules, err := q.DuePipelineSchedules(ctx, now, 1)
	return len(schedules) > 0, err
}

// artifactExpiryDue reports whether an artifact has expired, or does
// within dueLookahead.
func (s *Service) artifactExpiryDue(ctx context.Context) (bool, error) {
	arts, err := s.db.Queries().ExpiredArtifacts(ctx, s.Now().Add(dueLookahead(artifactExpiryInterval)), 1)
	return len(arts) > 0, err
}

// ciHousekeeping starts the delayed jobs whose time has come and fails
// the running jobs whose runner went silent (stuck_or_timeout_failure),
// so that no pipeline stays running after a runner or server crash, and
// runs the pipeline schedules that are due.
func (s *Service) ciHousekeeping(ctx context.Context) error {
	q := s.db.Queries()
	now := s.Now()
	due, err := q.DueScheduledJobs(ctx, now, ciBatch)
	if err != nil {
		return err
	}
	for _, j := range due {
		j.Status, j.ScheduledAt = enqueuedStatus(j), nil
		if j.Status == model.CIStatusPending {
			j.QueuedAt = &now
		}
		ok, err := s.setJobStatus(ctx, q, j, model.CIStatusScheduled)
		if err != nil {
			return err
		}
		if ok {
			if j.Status == model.CIStatusPending {
				s.ci.queue.wake()
			}
			if err := s.processPipeline(ctx, j.PipelineID); err != nil {
				return err
			}
		}
	}
	stuck, err := q.StuckRunningJobs(ctx, now.Add(-ciStuckTimeout), ciBatch)
	if err != nil {
		return err
	}
	for _, j := range stuck {
		s.failJob(ctx, j, "stuck_or_timeout_failure")
	}
	if err := s.autoStopEnvironments(ctx, now); err != nil {
		return err
	}
	return s.RunDuePipelineSchedules(ctx)
}

// autoStopEnvironments stops the environments whose auto_stop_in has
// passed since their last deployment, playing their on_stop jobs as
// those jobs' users (GitLab's Environments::AutoStopCronWorker).
func (s *Service) autoStopEnvironments(ctx context.Context, now time.Time) error {
	due, err := s.db.Queries().DueAutoStopEnvironments(ctx, now, ciBatch)
	if err != nil {
		return err
	}
	for _, e := range due {
		if err := s.stopEnvironment(ctx, e, nil, false); err != nil {
			s.log.Error("auto-stop environment", "environment", e.ID, "err", err)
		}
	}
	return nil
}

// expireArtifacts deletes the job artifacts whose expire_at has passed,
// rows then blobs (GitLab's ExpireBuildArtifactsWorker). Artifacts kept
// forever (expire_in never, or none given) have no expire_at. Each row
// goes by a conditional delete, so instances sharing a database remove
// each file once.
func (s *Service) expireArtifacts(ctx context.Context) error {
	q := s.db.Queries()
	for {
		now := s.Now()
		arts, err := q.ExpiredArtifacts(ctx, now, ciBatch)
		if err != nil {
			return err
		}
		changed := map[int64]bool{}
		for _, a := range arts {
			ok, err := q.DeleteExpiredArtifact(ctx, a.ID, now)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			if err := s.blobs.Delete(ctx, a.BlobKey); err != nil && !errors.Is(err, blob.ErrNotFound) {
				return fmt.Errorf("service: delete expired artifact %d: %w", a.ID, err)
			}
			changed[a.ProjectID] = true
		}
		for pid := range changed {
			s.statisticsChanged(ctx, pid)
		}
		if len(arts) < ciBatch {
			return nil
		}
	}
}
