package service

import (
	"slices"

	"github.com/lablet/lablet/internal/model"
)

// ciCompletedStatuses are the statuses a job or pipeline ends in
// (GitLab's Ci::HasStatus::COMPLETED_STATUSES).
var ciCompletedStatuses = []string{model.CIStatusSuccess, model.CIStatusFailed, model.CIStatusCanceled, model.CIStatusSkipped}

// ciActiveStatuses are the statuses of a job that has not ended: what a
// cancel stops.
var ciActiveStatuses = []string{model.CIStatusCreated, model.CIStatusWaitingForResource, model.CIStatusPreparing,
	model.CIStatusPending, model.CIStatusRunning, model.CIStatusManual, model.CIStatusScheduled, model.CIStatusCanceling}

func ciCompleted(status string) bool { return slices.Contains(ciCompletedStatuses, status) }

// statusSet is the set of statuses a composite status is computed from,
// with allowed failures folded as GitLab folds them: a failed or canceled
// job that may fail counts as success_with_warnings, a manual one that may
// fail as ignored.
type statusSet map[string]bool

func statusSetOf(jobs []*model.Job) statusSet {
	set := statusSet{}
	for _, j := range jobs {
		s := j.Status
		if j.AllowFailure {
			switch s {
			case model.CIStatusFailed, model.CIStatusCanceled:
				s = "success_with_warnings"
			case model.CIStatusManual:
				s = "ignored"
			}
		}
		set[s] = true
	}
	return set
}

func (set statusSet) any(names ...string) bool {
	return slices.ContainsFunc(names, func(n string) bool { return set[n] })
}

func (set statusSet) only(names ...string) bool {
	n := 0
	for _, name := range names {
		if set[name] {
			n++
		}
	}
	return n > 0 && n == len(set)
}

// compositeStatus is GitLab's Ci::Status::Composite: the status of a
// stage or pipeline made of jobs, or, for a job about to be processed,
// of the jobs before it (dag: the jobs it needs). "" when there are none.
func compositeStatus(jobs []*model.Job, dag bool) string {
	set := statusSetOf(jobs)
	// A job that is stopping still runs, for everything waiting on it.
	if set[model.CIStatusCanceling] {
		delete(set, model.CIStatusCanceling)
		set[model.CIStatusRunning] = true
	}
	switch {
	case len(set) == 0:
		return ""
	case dag && set.any(model.CIStatusSkipped, "ignored"):
		return model.CIStatusSkipped
	case dag && !set.only(model.CIStatusSuccess, model.CIStatusFailed, model.CIStatusCanceled, model.CIStatusSkipped, "success_with_warnings"):
		return model.CIStatusPending
	case set.only(model.CIStatusSkipped, "ignored"):
		return model.CIStatusSkipped
	case set.only(model.CIStatusSuccess, model.CIStatusSkipped, "success_with_warnings", "ignored"):
		return model.CIStatusSuccess
	case set.only(model.CIStatusCreated, "success_with_warnings", "ignored"):
		return model.CIStatusCreated
	case set.only(model.CIStatusPreparing, "success_with_warnings", "ignored"):
		return model.CIStatusPreparing
	case set.only(model.CIStatusCanceled, model.CIStatusSuccess, model.CIStatusSkipped, "success_with_warnings", "ignored"):
		return model.CIStatusCanceled
	case set.only(model.CIStatusPending, model.CIStatusCreated, model.CIStatusSkipped, "success_with_warnings", "ignored"):
		return model.CIStatusPending
	case set.any(model.CIStatusRunning, model.CIStatusPending):
		return model.CIStatusRunning
	case set.any(model.CIStatusWaitingForResource):
		return model.CIStatusWaitingForResource
	case set.any(model.CIStatusManual):
		return model.CIStatusManual
	case set.any(model.CIStatusScheduled):
		return model.CIStatusScheduled
	case set.any(model.CIStatusPreparing):
		return model.CIStatusPreparing
	case set.any(model.CIStatusCreated):
		return model.CIStatusRunning
	}
	return model.CIStatusFailed
}

// hasWarnings reports whether a job allowed to fail failed among jobs.
func hasWarnings(jobs []*model.Job) bool {
	return slices.ContainsFunc(jobs, func(j *model.Job) bool {
		return j.AllowFailure && (j.Status == model.CIStatusFailed || j.Status == model.CIStatusCanceled)
	})
}

// nextJobStatus is what a created job becomes once the jobs before it
// (or that it needs) reached prior (GitLab's ProcessBuildService): ""
// while prior is not complete, else pending, manual, scheduled or skipped
// by the job's `when`.
func nextJobStatus(when, prior string) string {
	if prior == "" {
		prior = model.CIStatusSuccess
	}
	if !ciCompleted(prior) {
		return ""
	}
	passed := prior == model.CIStatusSuccess || prior == model.CIStatusSkipped
	switch when {
	case "on_failure":
		if prior == model.CIStatusFailed {
			return model.CIStatusPending
		}
	case "always":
		if passed || prior == model.CIStatusFailed {
			return model.CIStatusPending
		}
	case "manual":
		if passed {
			return model.CIStatusManual
		}
	case "delayed":
		if passed {
			return model.CIStatusScheduled
		}
	default: // on_success
		if passed {
			return model.CIStatusPending
		}
	}
	return model.CIStatusSkipped
}
