package service

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/ci/protocol"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// JobStatusError refuses a runner's request about a job that is not
// running (any more): 403 with the job's status, which tells the runner
// to stop (GitLab's job_forbidden!).
type JobStatusError struct {
	Status  string
	Message string
}

func (e *JobStatusError) Error() string { return e.Message }

// RunnerJob authenticates a runner's request about job id with the job's
// token: 404 for an unknown job, 403 for a wrong token or a job that is
// not running (with its status).
func (s *Service) RunnerJob(ctx context.Context, id int64, token string) (*model.Job, error) {
	j, err := s.db.Queries().JobByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("")
	}
	if err != nil {
		return nil, fmt.Errorf("service: load job: %w", err)
	}
	if token == "" || j.TokenDigest == nil || !auth.DigestEqual(*j.TokenDigest, auth.Digest(token)) {
		return nil, Forbidden("")
	}
	if j.Status != model.CIStatusRunning {
		return nil, &JobStatusError{Status: j.Status, Message: "Job is not running"}
	}
	return j, nil
}

// UpdateJobByRunner applies a runner's PUT /jobs/:id: "running" is a
// heartbeat, "success" and "failed" end the job. It returns the job's
// status after the update.
func (s *Service) UpdateJobByRunner(ctx context.Context, id int64, in protocol.UpdateJobRequest) (string, error) {
	j, err := s.RunnerJob(ctx, id, in.Token)
	if err != nil {
		return "", err
	}
	switch in.State {
	case "", protocol.StateRunning, protocol.StatePending:
		return j.Status, s.db.Queries().TouchJob(ctx, j.ID)
	case protocol.StateSuccess, protocol.StateFailed:
	default:
		return "", Invalid("state is invalid")
	}
	spec, err := specOf(j)
	if err != nil {
		return "", err
	}
	now := s.Now()
	j.FinishedAt, j.TokenDigest, j.ExitCode = &now, nil, in.ExitCode
	j.Status = in.State
	if in.State == protocol.StateFailed {
		reason := in.FailureReason
		if reason == "" {
			reason = protocol.UnknownFailure
		}
		j.FailureReason = &reason
		if in.ExitCode != nil && slices.Contains(spec.AllowExitCodes, *in.ExitCode) {
			j.AllowFailure = true
		}
	}
	if err := s.archiveTrace(ctx, j); err != nil {
		s.log.Error("archive trace", "job", j.ID, "err", err)
	}
	ok, err := s.setJobStatus(ctx, s.db.Queries(), j, model.CIStatusRunning)
	if err != nil {
		return "", err
	}
	if !ok {
		cur, err := s.db.Queries().JobByID(ctx, j.ID)
		if err != nil {
			return "", err
		}
		return "", &JobStatusError{Status: cur.Status, Message: "Job is not running"}
	}
	if j.Status == model.CIStatusFailed {
		if err := s.autoRetry(ctx, j, spec); err != nil {
			s.log.Error("retry job", "job", j.ID, "err", err)
		}
	}
	if err := s.processPipeline(ctx, j.PipelineID); err != nil {
		return "", err
	}
	return j.Status, nil
}

// autoRetry retries a failed job when its retry policy allows: fewer
// retries than max so far, and the failure among retry:when (any
// failure by default) or its exit code among retry:exit_codes.
func (s *Service) autoRetry(ctx context.Context, j *model.Job, spec *jobSpec) error {
	if spec.Retry.Max <= 0 {
		return nil
	}
	reason := ""
	if j.FailureReason != nil {
		reason = *j.FailureReason
	}
	match := len(spec.Retry.When) == 0 && len(spec.Retry.ExitCodes) == 0 ||
		slices.Contains(spec.Retry.When, "always") || slices.Contains(spec.Retry.When, reason)
	if j.ExitCode != nil && slices.Contains(spec.Retry.ExitCodes, *j.ExitCode) {
		match = true
	}
	if !match {
		return nil
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		all, err := q.JobsOfPipeline(ctx, j.PipelineID)
		if err != nil {
			return err
		}
		tries := 0
		for _, o := range all {
			if o.Name == j.Name && o.Retried {
				tries++
			}
		}
		if tries >= spec.Retry.Max {
			return nil
		}
		_, err = s.cloneJobForRetry(ctx, q, j, j.UserID)
		return err
	})
}

// cloneJobForRetry replaces j by a new created job of the same spec,
// marking j retried (GitLab's Ci::RetryJobService).
func (s *Service) cloneJobForRetry(ctx context.Context, q *store.Queries, j *model.Job, userID *int64) (*model.Job, error) {
	if err := q.MarkJobRetried(ctx, j.ID); err != nil {
		return nil, err
	}
	n := &model.Job{Type: j.Type, ProjectID: j.ProjectID, PipelineID: j.PipelineID, Name: j.Name, Stage: j.Stage,
		StageIdx: j.StageIdx, Status: model.CIStatusCreated, When: j.When, AllowFailure: j.AllowFailure,
		SchedulingType: j.SchedulingType, UserID: userID, Spec: j.Spec, Tags: j.Tags, Ref: j.Ref, SHA: j.SHA,
		Tag: j.Tag, Protected: j.Protected, CoverageRegex: j.CoverageRegex, Interruptible: j.Interruptible,
		Timeout: j.Timeout, ResourceGroup: j.ResourceGroup, Environment: j.Environment}
	// A manual job played again is enqueued at once, not made manual again.
	if n.When == "manual" {
		n.When = "on_success"
	}
	if err := q.InsertJob(ctx, n); err != nil {
		return nil, err
	}
	if err := s.attachEnvironment(ctx, q, n); err != nil {
		return nil, err
	}
	if err := s.jobHooks(ctx, q, n); err != nil {
		return nil, err
	}
	return n, nil
}
