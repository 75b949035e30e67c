package service

import (
	"context"
	"fmt"
	"time"

	"github.com/lablet/lablet/internal/model"
)

// The bounds of GitLab's search for redundant pipelines
// (MAX_CANCELLATIONS_PER_PIPELINE, pipelines_created_after).
const (
	autoCancelLimit  = 3000
	autoCancelMaxAge = 7 * 24 * time.Hour
)

// cancelRedundantPipelines cancels the older pipelines of a new pipeline's
// ref that it makes redundant, as GitLab's CancelRedundantPipelinesService:
// a pipeline still active, created before pl (a child pipeline: its root
// pipeline), on a commit that is neither pl's nor the ref's head. The
// older pipeline's workflow:auto_cancel:on_new_commit says how:
// conservative (the default) cancels it whole when its started builds are
// all interruptible, interruptible cancels its interruptible jobs, none
// nothing. A child pipeline cancels nothing; each candidate child
// pipeline is judged on its own jobs, so a canceled pipeline's children
// are not canceled with it.
func (s *Service) cancelRedundantPipelines(ctx context.Context, pl *model.Pipeline) error {
	if pl.Source == SourceParentPipeline {
		return nil
	}
	q := s.db.Queries()
	skip := []string{pl.SHA}
	if head := s.refHead(pl); head != "" && head != pl.SHA {
		skip = append(skip, head)
	}
	cands, err := q.AutoCancelCandidates(ctx, pl.ProjectID, pl.Ref, pl.ID, s.Now().Add(-autoCancelMaxAge),
		autoCancelLimit, skip...)
	if err != nil || len(cands) == 0 {
		return err
	}
	byID := make(map[int64]*model.Pipeline, len(cands))
	ids := make([]int64, 0, len(cands))
	for _, c := range cands {
		byID[c.ID] = c
		ids = append(ids, c.ID)
	}
	// Judged before any is canceled: canceling changes jobs' statuses.
	blocked, err := q.PipelinesWithStartedUninterruptibleJobs(ctx, ids)
	if err != nil {
		return err
	}
	for _, c := range cands {
		root, err := s.rootPipeline(ctx, c, byID)
		if err != nil {
			return err
		}
		// Ids order creation: a candidate (or its root) created after pl
		// is not redundant.
		if root.ID >= pl.ID {
			continue
		}
		var scope cancelScope
		switch c.AutoCancelOnNewCommit {
		case "none":
			continue
		case "interruptible":
			scope.interruptibleOnly = true
		default:
			if blocked[c.ID] {
				continue
			}
		}
		s.log.InfoContext(ctx, "auto-cancel redundant pipeline", "project_id", pl.ProjectID,
			"canceled_pipeline_id", c.ID, "canceled_by_pipeline_id", pl.ID, "ref", pl.Ref,
			"on_new_commit", c.AutoCancelOnNewCommit)
		if err := s.cancelPipeline(ctx, c.ID, scope); err != nil {
			return fmt.Errorf("service: auto-cancel pipeline %d: %w", c.ID, err)
		}
	}
	return nil
}

// refHead is the commit a pipeline's ref points at now ("" when it is
// gone): a merge request pipeline's refs/merge-requests/:iid/head, a
// tag's or a branch's.
func (s *Service) refHead(pl *model.Pipeline) string {
	name := gitBranchPrefix + pl.Ref
	switch {
	case pl.MergeRequestID != nil:
		name = pl.Ref
	case pl.Tag:
		name = gitTagPrefix + pl.Ref
	}
	sha, err := s.repos.Open(pl.ProjectID).RefValue(name)
	if err != nil {
		return ""
	}
	return sha
}

// rootPipeline is the pipeline at the top of a child pipeline's parents
// (the pipeline itself when it has no parent); known holds pipelines
// already loaded.
func (s *Service) rootPipeline(ctx context.Context, pl *model.Pipeline, known map[int64]*model.Pipeline) (*model.Pipeline, error) {
	for pl.ParentPipelineID != nil {
		parent, ok := known[*pl.ParentPipelineID]
		if !ok {
			var err error
			if parent, err = s.db.Queries().PipelineByID(ctx, *pl.ParentPipelineID); err != nil {
				return nil, fmt.Errorf("service: parent pipeline: %w", err)
			}
			known[parent.ID] = parent
		}
		pl = parent
	}
	return pl, nil
}
