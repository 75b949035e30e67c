package service

import (
	"context"
	"fmt"
	"slices"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// enqueuedStatus is what a job whose turn came becomes: pending, or
// waiting_for_resource when it belongs to a resource group, which it
// must hold before it is queued (GitLab's Ci::Processable#enqueue with
// requires_resource?).
func enqueuedStatus(j *model.Job) string {
	if j.ResourceGroup != nil && *j.ResourceGroup != "" {
		return model.CIStatusWaitingForResource
	}
	return model.CIStatusPending
}

// resourceGroupsToAssign lists the resource groups of jobs whose change
// may let a waiting job take its group: jobs waiting for one, and jobs
// that ended and so released theirs.
func resourceGroupsToAssign(jobs []*model.Job) []string {
	return resourceGroupsOf(jobs, func(j *model.Job) bool {
		return j.Status == model.CIStatusWaitingForResource || ciCompleted(j.Status)
	})
}

// resourceGroupsOf lists, once each, the resource groups of the jobs
// keep accepts.
func resourceGroupsOf(jobs []*model.Job, keep func(*model.Job) bool) []string {
	var groups []string
	for _, j := range jobs {
		if j.ResourceGroup == nil || *j.ResourceGroup == "" || !keep(j) {
			continue
		}
		if !slices.Contains(groups, *j.ResourceGroup) {
			groups = append(groups, *j.ResourceGroup)
		}
	}
	return groups
}

// assignResources gives each of the project's resource groups that no
// job holds to the oldest job waiting for it, which becomes pending, and
// processes that job's pipeline (GitLab's
// AssignResourceFromResourceGroupService, process mode unordered). It
// runs after the change that may free a group or add a waiting job has
// committed, so of two such changes the later one's assignment sees
// both.
func (s *Service) assignResources(ctx context.Context, projectID int64, groups []string) error {
	for _, g := range groups {
		waiting, err := s.db.Queries().WaitingForResource(ctx, projectID, g)
		if err != nil {
			return err
		}
		if !waiting {
			continue
		}
		var got *model.Job
		err = s.db.WithTx(ctx, func(q *store.Queries) error {
			var err error
			if got, err = q.AssignResource(ctx, projectID, g); err != nil || got == nil {
				return err
			}
			return s.jobHooks(ctx, q, got)
		})
		if err != nil {
			return fmt.Errorf("service: assign resource group %q of project %d: %w", g, projectID, err)
		}
		if got == nil {
			continue
		}
		if got.Type == model.JobTypeBuild {
			s.ci.queue.wake()
		}
		if err := s.processPipeline(ctx, got.PipelineID); err != nil {
			return err
		}
	}
	return nil
}
