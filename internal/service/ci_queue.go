package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/ci/protocol"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// JobTokenPrefix starts every CI job token (GitLab's glcbt-).
const JobTokenPrefix = "glcbt-"

// ciState is CI/CD's in-process state.
type ciState struct {
	queue *jobQueue
}

// jobQueue wakes the runners that wait for work (long polling) when a
// job becomes pending: each waiter holds the current channel, which is
// closed and replaced on every wake-up.
type jobQueue struct {
	mu      sync.Mutex
	changed chan struct{}
	version uint64
}

func newJobQueue() *jobQueue { return &jobQueue{changed: make(chan struct{})} }

// current returns the channel closed at the next wake-up and the queue's
// version (X-GitLab-Last-Update).
func (q *jobQueue) current() (<-chan struct{}, uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.changed, q.version
}

func (q *jobQueue) wake() {
	q.mu.Lock()
	defer q.mu.Unlock()
	close(q.changed)
	q.changed = make(chan struct{})
	q.version++
}

// queueRecheck is how often a waiting runner's request looks at the queue
// on PostgreSQL, where a job another instance made pending wakes no one
// here (one indexed query per waiting runner).
const queueRecheck = time.Second

// queueScan bounds how many pending jobs one request looks at.
const queueScan = 100

// JobRequest is a runner's request for work.
type JobRequest struct {
	Runner *model.Runner
	// BaseURL is the server's URL as the runner reached it: the job's
	// repository and API URLs start with it.
	BaseURL string
	// Wait is how long to hold the request while no job is there (long
	// polling); 0 answers at once.
	Wait time.Duration
	// LastUpdate is the queue version the runner saw last (its
	// last_update); a runner that has not seen the current one looks at
	// the queue at once.
	LastUpdate string
}

// RequestJob gives the runner the oldest pending job it may run, waiting
// up to r.Wait for one to appear. nil, with the queue's version, means
// none (204).
func (s *Service) RequestJob(ctx context.Context, r JobRequest) (*protocol.JobResponse, string, error) {
	wait := r.Wait
	if _, version := s.ci.queue.current(); r.LastUpdate != strconv.FormatUint(version, 10) {
		// The queue changed since the runner last looked (or it never
		// did): answer at once, as Workhorse does.
		wait = 0
	}
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	// Other instances sharing a PostgreSQL database make jobs pending
	// without waking this one's waiters: look again now and then.
	var recheck <-chan time.Time
	if s.db.Dialect() == store.Postgres && wait > 0 {
		tick := time.NewTicker(queueRecheck)
		defer tick.Stop()
		recheck = tick.C
	}
	for {
		changed, version := s.ci.queue.current()
		job, err := s.takeJob(ctx, r)
		if job != nil || err != nil {
			return job, strconv.FormatUint(version, 10), err
		}
		select {
		case <-changed:
		case <-recheck:
		case <-deadline.C:
			return nil, strconv.FormatUint(version, 10), nil
		case <-ctx.Done():
			return nil, strconv.FormatUint(version, 10), nil
		}
	}
}

// takeJob claims the first pending job r.Runner may run: one conditional
// UPDATE per candidate, so two runners never get the same job.
func (s *Service) takeJob(ctx context.Context, r JobRequest) (*protocol.JobResponse, error) {
	runner := r.Runner
	if runner.Paused {
		return nil, nil
	}
	q := s.db.Queries()
	queued, err := q.QueueForRunner(ctx, runner, queueScan)
	if err != nil {
		return nil, err
	}
	for _, c := range queued {
		if !runnerMayRun(runner, c) {
			continue
		}
		token := auth.NewSecret(JobTokenPrefix, 40)
		var job *model.Job
		err := s.db.WithTx(ctx, func(q *store.Queries) error {
			ok, err := q.ClaimJob(ctx, c.ID, runner.ID, auth.Digest(token), s.Now())
			if err != nil || !ok {
				return err
			}
			if job, err = q.JobByID(ctx, c.ID); err != nil {
				return err
			}
			return s.jobHooks(ctx, q, job)
		})
		if err != nil {
			return nil, err
		}
		if job == nil {
			continue // another runner took it
		}
		if err := s.processPipeline(ctx, job.PipelineID); err != nil {
			s.log.Error("process pipeline after claim", "pipeline", job.PipelineID, "err", err)
		}
		resp, err := s.jobPayload(ctx, job, runner, token, r.BaseURL)
		if err != nil {
			// The job can't be described (its project went away…): fail
			// it rather than leave it running with nobody on it.
			s.failJob(ctx, job, protocol.RunnerSystemFailure)
			return nil, err
		}
		return resp, nil
	}
	return nil, nil
}

// runnerMayRun reports whether the runner's tags and protection allow a
// queued job: every tag of the job among the runner's, untagged jobs only
// on runners that run untagged ones, and protected refs' jobs only on
// runners limited to them when the runner asks so.
func runnerMayRun(r *model.Runner, j store.QueuedJob) bool {
	if len(j.Tags) == 0 && !r.RunUntagged {
		return false
	}
	for _, t := range j.Tags {
		if !slices.Contains(r.Tags, t) {
			return false
		}
	}
	return r.AccessLevel != "ref_protected" || j.Protected
}

// failJob ends a running job as failed for reason, outside the runner's
// report (runner lost, payload impossible).
func (s *Service) failJob(ctx context.Context, j *model.Job, reason string) {
	now := s.Now()
	j.Status, j.FinishedAt, j.FailureReason, j.TokenDigest = model.CIStatusFailed, &now, &reason, nil
	if _, err := s.setJobStatus(ctx, s.db.Queries(), j, model.CIStatusRunning, model.CIStatusPending); err != nil {
		s.log.Error("fail job", "job", j.ID, "err", err)
		return
	}
	if err := s.processPipeline(ctx, j.PipelineID); err != nil && !errors.Is(err, context.Canceled) {
		s.log.Error("process pipeline", "pipeline", j.PipelineID, "err", fmt.Errorf("after failing job: %w", err))
	}
}
