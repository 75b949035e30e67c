package service

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/lablet/lablet/internal/ci/config"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// processPipeline moves a pipeline's created jobs on once the jobs before
// them (by stage, or the jobs they need) are complete, then recomputes
// the pipeline's status from its jobs (GitLab's
// PipelineProcessing::AtomicProcessingService). It runs after every
// change of a job's status, in a transaction that holds the pipeline's
// row, so concurrent job updates are processed one after the other and
// no job is enqueued twice. Runners waiting for work are woken when a job
// became pending. After the transaction, pending bridges (whichever way
// they became so: their turn, a delay, a play) create their downstream
// pipelines, and a downstream pipeline whose status changed passes it to
// the bridge that created it. Jobs of resource groups wait for their
// group, which the jobs ending here may have freed: the groups are
// assigned once the transaction committed.
func (s *Service) processPipeline(ctx context.Context, pipelineID int64) error {
	var enqueued bool
	var bridges []*model.Job
	var settled *model.Pipeline
	var projectID int64
	var groups []string
	err := s.db.WithTx(ctx, func(q *store.Queries) error {
		bridges, settled = nil, nil
		p, err := q.LockPipeline(ctx, pipelineID)
		if err != nil {
			return err
		}
		projectID = p.ProjectID
		all, err := q.JobsOfPipeline(ctx, pipelineID)
		if err != nil {
			return err
		}
		jobs := latestJobs(all)
		pending, err := s.advanceJobs(ctx, q, jobs)
		if err != nil {
			return err
		}
		enqueued = slices.ContainsFunc(pending, func(j *model.Job) bool { return j.Type == model.JobTypeBuild })
		for _, j := range jobs {
			if j.Type == model.JobTypeBridge && j.Status == model.CIStatusPending {
				bridges = append(bridges, j)
			}
		}
		if err := s.syncDeployments(ctx, q, jobs); err != nil {
			return err
		}
		groups = resourceGroupsToAssign(jobs)
		from := p.Status
		if err := s.settlePipeline(ctx, q, p, jobs); err != nil {
			return err
		}
		if p.Status != from {
			if err := s.pipelineHooks(ctx, q, p, jobs); err != nil {
				return err
			}
		}
		if p.Status != from && (p.Source == SourcePipeline || p.Source == SourceParentPipeline) {
			settled = p
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("service: process pipeline %d: %w", pipelineID, err)
	}
	if enqueued {
		s.ci.queue.wake()
	}
	if err := s.assignResources(ctx, projectID, groups); err != nil {
		return err
	}
	for _, b := range bridges {
		if err := s.triggerDownstream(ctx, b); err != nil {
			return err
		}
	}
	if settled != nil {
		return s.updateUpstreamBridge(ctx, settled)
	}
	return nil
}

// advanceJobs gives each created job its next status, stage by stage, so
// that a job sees the statuses the jobs before it were just given. It
// returns the jobs it made pending.
func (s *Service) advanceJobs(ctx context.Context, q *store.Queries, jobs []*model.Job) ([]*model.Job, error) {
	ordered := slices.Clone(jobs)
	slices.SortStableFunc(ordered, func(a, b *model.Job) int { return a.StageIdx - b.StageIdx })
	byName := map[string]*model.Job{}
	for _, j := range ordered {
		byName[j.Name] = j
	}
	now := q.Now()
	var pending []*model.Job
	for _, j := range ordered {
		if j.Status != model.CIStatusCreated {
			continue
		}
		var prior string
		if j.SchedulingType == "dag" {
			spec, err := specOf(j)
			if err != nil {
				return nil, err
			}
			var needed []*model.Job
			for _, n := range spec.Needs {
				if d := byName[n.Job]; d != nil {
					needed = append(needed, d)
				}
			}
			prior = compositeStatus(needed, true)
		} else {
			var before []*model.Job
			for _, o := range ordered {
				if o.StageIdx < j.StageIdx {
					before = append(before, o)
				}
			}
			prior = compositeStatus(before, false)
		}
		next := nextJobStatus(j.When, prior)
		if next == "" {
			continue
		}
		if next == model.CIStatusPending {
			next = enqueuedStatus(j)
		}
		j.Status = next
		switch next {
		case model.CIStatusPending:
			j.QueuedAt = &now
			pending = append(pending, j)
		case model.CIStatusScheduled:
			spec, err := specOf(j)
			if err != nil {
				return nil, err
			}
			d, err := parseStartIn(spec.StartIn)
			if err != nil {
				return nil, err
			}
			at := now.Add(d)
			j.ScheduledAt = &at
		case model.CIStatusSkipped:
			j.FinishedAt = &now
		}
		if _, err := s.setJobStatus(ctx, q, j, model.CIStatusCreated); err != nil {
			return nil, err
		}
	}
	return pending, nil
}

// settlePipeline writes the pipeline's status as its jobs make it, with
// its start, finish and duration.
func (s *Service) settlePipeline(ctx context.Context, q *store.Queries, p *model.Pipeline, jobs []*model.Job) error {
	status := compositeStatus(jobs, false)
	if status == "" {
		status = model.CIStatusSkipped
	}
	if status == p.Status && !ciCompleted(status) {
		return nil
	}
	now := q.Now()
	p.Status = status
	if p.StartedAt == nil && status != model.CIStatusCreated && status != model.CIStatusPending &&
		status != model.CIStatusManual && status != model.CIStatusScheduled {
		var first *time.Time
		for _, j := range jobs {
			if j.StartedAt != nil && (first == nil || j.StartedAt.Before(*first)) {
				first = j.StartedAt
			}
		}
		if first != nil {
			p.StartedAt = first
		}
	}
	if ciCompleted(status) {
		if p.FinishedAt == nil {
			p.FinishedAt = &now
		}
		if p.StartedAt != nil {
			d := int64(p.FinishedAt.Sub(*p.StartedAt).Seconds())
			p.Duration = &d
			qd := int64(p.StartedAt.Sub(p.CreatedAt).Seconds())
			p.QueuedDuration = &qd
		}
	} else {
		p.FinishedAt, p.Duration = nil, nil
	}
	return q.UpdatePipelineStatus(ctx, p)
}

// parseStartIn reads a delayed job's start_in ("30 minutes", "1 day",
// "10s"), validated when the pipeline was compiled.
func parseStartIn(s string) (time.Duration, error) {
	d, ok := config.ParseDuration(s)
	if !ok {
		return 0, Invalid("start_in is not a duration: " + s)
	}
	return d, nil
}
