package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// SourceExternal is the source of a pipeline made for commit statuses.
const SourceExternal = "external"

// The stage of external statuses: after every stage of a pipeline's
// config, so that no job waits for them (GitLab's
// GenericCommitStatus::EXTERNAL_STAGE_IDX).
const (
	externalStage    = "external"
	externalStageIdx = 1000000
)

// CommitStatusStates are the states POST /projects/:id/statuses/:sha
// accepts.
var CommitStatusStates = []string{model.CIStatusPending, model.CIStatusRunning, model.CIStatusSuccess,
	model.CIStatusFailed, model.CIStatusCanceled, model.CIStatusSkipped}

// CommitStatusInput is POST /projects/:id/statuses/:sha. Nil details are
// left as they are on a status being moved on.
type CommitStatusInput struct {
	SHA         string
	State       string
	Ref         string
	Name        string
	TargetURL   *string
	Description *string
	Coverage    *float64
	PipelineID  int64
}

// SetCommitStatus creates or moves on the external status name of a
// commit on a ref, in the commit's newest pipeline for that ref or a new
// pipeline of source external, and processes the pipeline so that its
// status follows (GitLab's Ci::CreateCommitStatusService).
func (s *Service) SetCommitStatus(ctx context.Context, id *auth.Identity, projectRef string, in CommitStatusInput) (*JobView, error) {
	p, _, err := s.ciProject(ctx, id, projectRef, access.CreateCommitStatus)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(CommitStatusStates, in.State) {
		return nil, ParamError("state does not have a valid value")
	}
	if in.Name == "" {
		in.Name = "default"
	}
	pr := &ProjectRepo{Project: p, Repo: s.repos.Open(p.ID)}
	commit, err := s.commitByRef(ctx, pr, in.SHA)
	if err != nil {
		return nil, err
	}
	q := s.db.Queries()
	first, err := q.NewestPipelineOfSHA(ctx, p.ID, commit.ID, in.Ref, in.PipelineID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("service: commit's pipeline: %w", err)
	}
	if first == nil && in.PipelineID != 0 {
		return nil, NotFound("Pipeline for pipeline_id, sha and ref")
	}
	ref := in.Ref
	if ref == "" && first != nil {
		ref = first.Ref
	}
	if ref == "" {
		refs, err := pr.Repo.RefsContaining(ctx, commit.ID, true, false)
		if err != nil {
			return nil, fmt.Errorf("service: branches of commit: %w", err)
		}
		if len(refs) == 0 {
			return nil, NotFound("References for commit")
		}
		ref = refs[0].Name
	}
	protected, err := s.refProtected(ctx, p, ref, false)
	if err != nil {
		return nil, err
	}
	var job *model.Job
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		pl := first
		if pl == nil {
			// Statuses posted at once for a commit without a pipeline
			// (an external CI's jobs starting) make one pipeline: the
			// first creates it, the others, queued, find it.
			if err := q.LockProjectStatuses(ctx, p.ID); err != nil {
				return err
			}
			found, err := q.NewestPipelineOfSHA(ctx, p.ID, commit.ID, in.Ref, 0)
			switch {
			case err == nil:
				pl = found
			case !errors.Is(err, store.ErrNotFound):
				return err
			}
		}
		if pl == nil {
			committed := commit.Committer.Date
			pl = &model.Pipeline{ProjectID: p.ID, Ref: ref, SHA: commit.ID, BeforeSHA: noCommit, Source: SourceExternal,
				Status: model.CIStatusCreated, UserID: userIDOf(id), Protected: protected, CommittedAt: &committed}
			if err := q.InsertPipeline(ctx, pl); err != nil {
				return err
			}
		} else if _, err := q.LockPipeline(ctx, pl.ID); err != nil {
			return err
		}
		job, err = q.OpenCommitStatus(ctx, pl.ID, ref, in.Name, userIDOf(id), protected)
		if errors.Is(err, store.ErrNotFound) {
			job, err = &model.Job{Type: model.JobTypeCommitStatus, ProjectID: p.ID, PipelineID: pl.ID, Name: in.Name,
				Stage: externalStage, StageIdx: externalStageIdx, Status: model.CIStatusCreated, When: "on_success",
				SchedulingType: "stage", UserID: userIDOf(id), Spec: "{}", Ref: ref, SHA: commit.ID,
				Protected: protected}, nil
		}
		if err != nil {
			return err
		}
		if in.TargetURL != nil {
			job.TargetURL = in.TargetURL
		}
		if in.Description != nil {
			job.Description = in.Description
		}
		if in.Coverage != nil {
			job.Coverage = in.Coverage
		}
		if err := applyCommitState(job, in.State, q.Now()); err != nil {
			return err
		}
		if job.ID == 0 {
			err = q.InsertJob(ctx, job)
		} else {
			err = q.UpdateCommitStatus(ctx, job)
		}
		if err != nil {
			return err
		}
		return q.RetryOlderStatuses(ctx, pl.ID, job.Name, job.ID)
	})
	if err != nil {
		return nil, err
	}
	if err := s.processPipeline(ctx, job.PipelineID); err != nil {
		return nil, err
	}
	return s.commitStatusView(ctx, p, job.ID)
}

func (s *Service) commitStatusView(ctx context.Context, p *model.Project, jobID int64) (*JobView, error) {
	j, err := s.db.Queries().JobByID(ctx, jobID)
	if err != nil {
		return nil, fmt.Errorf("service: load commit status: %w", err)
	}
	views, err := s.jobViews(ctx, p, []*model.Job{j})
	if err != nil {
		return nil, err
	}
	return views[0], nil
}

// commitStateEvents are the transitions of GitLab's CommitStatus state
// machine a commit status takes: event name and the statuses it leaves.
var commitStateEvents = map[string]struct {
	event string
	from  []string
}{
	model.CIStatusPending: {"enqueue", []string{model.CIStatusCreated, model.CIStatusSkipped, model.CIStatusManual,
		model.CIStatusScheduled}},
	model.CIStatusRunning: {"run", []string{model.CIStatusPending}},
	model.CIStatusSuccess: {"success", []string{model.CIStatusCreated, model.CIStatusWaitingForResource,
		model.CIStatusPreparing, model.CIStatusPending, model.CIStatusRunning}},
	model.CIStatusFailed: {"drop", []string{model.CIStatusCreated, model.CIStatusWaitingForResource,
		model.CIStatusPreparing, model.CIStatusPending, model.CIStatusRunning, model.CIStatusManual,
		model.CIStatusScheduled}},
	model.CIStatusCanceled: {"cancel", []string{model.CIStatusCreated, model.CIStatusWaitingForResource,
		model.CIStatusPreparing, model.CIStatusPending, model.CIStatusRunning, model.CIStatusManual,
		model.CIStatusScheduled}},
	model.CIStatusSkipped: {"skip", []string{model.CIStatusCreated, model.CIStatusWaitingForResource,
		model.CIStatusPreparing, model.CIStatusPending}},
}

// applyCommitState moves j to state as GitLab's apply_job_state! does
// ("running" enqueues first when it can), with the times each transition
// writes; a transition the state machine refuses is GitLab's 400 message.
func applyCommitState(j *model.Job, state string, now time.Time) error {
	if state == model.CIStatusRunning {
		_ = transitionCommitStatus(j, model.CIStatusPending, now)
	}
	return transitionCommitStatus(j, state, now)
}

func transitionCommitStatus(j *model.Job, to string, now time.Time) error {
	ev, ok := commitStateEvents[to]
	if !ok {
		return Invalid("invalid state")
	}
	if !slices.Contains(ev.from, j.Status) {
		return Invalid(fmt.Sprintf("Cannot transition status via :%s from :%s (Reason(s): Status cannot transition via \"%s\")",
			ev.event, j.Status, ev.event))
	}
	if j.Status == model.CIStatusCreated && (to == model.CIStatusPending || to == model.CIStatusRunning) {
		j.QueuedAt = &now
	}
	switch to {
	case model.CIStatusRunning:
		j.StartedAt = &now
	case model.CIStatusSuccess, model.CIStatusFailed, model.CIStatusCanceled:
		j.FinishedAt = &now
	}
	if to == model.CIStatusFailed {
		reason := "api_failure"
		j.FailureReason = &reason
	}
	j.Status = to
	return nil
}

// CommitStatuses is GET /projects/:id/repository/commits/:sha/statuses:
// the jobs of every type of the commit's pipelines.
func (s *Service) CommitStatuses(ctx context.Context, id *auth.Identity, projectRef string, f model.CommitStatusFilter) ([]*JobView, int64, error) {
	p, _, err := s.ciProject(ctx, id, projectRef, access.ReadCommitStatus)
	if err != nil {
		return nil, 0, err
	}
	commit, err := s.commitByRef(ctx, &ProjectRepo{Project: p, Repo: s.repos.Open(p.ID)}, f.SHA)
	if err != nil {
		return nil, 0, err
	}
	f.ProjectID, f.SHA = p.ID, commit.ID
	jobs, total, err := s.db.Queries().CommitStatuses(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	views, err := s.jobViews(ctx, p, jobs)
	return views, total, err
}

// LastPipelineOfCommit is the newest pipeline of a commit, nil when it
// has none or the caller may not read pipelines (a commit's
// last_pipeline).
func (s *Service) LastPipelineOfCommit(ctx context.Context, id *auth.Identity, p *model.Project, level access.Level, sha string) (*model.Pipeline, error) {
	if !ProjectCan(id, p, level, access.ReadPipeline) {
		return nil, nil
	}
	pl, err := s.db.Queries().NewestPipelineOfSHA(ctx, p.ID, sha, "", 0)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("service: last pipeline of commit: %w", err)
	}
	return pl, nil
}
