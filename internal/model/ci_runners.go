package model

import "time"

// Runner contact thresholds (GitLab's Ci::Runner ONLINE_CONTACT_TIMEOUT
// and STALE_TIMEOUT).
const (
	RunnerOnlineTimeout = 2 * time.Hour
	RunnerStaleTimeout  = 7 * 24 * time.Hour
)

// Runner statuses as the API reports and filters them.
const (
	RunnerOnline         = "online"
	RunnerOffline        = "offline"
	RunnerStale          = "stale"
	RunnerNeverContacted = "never_contacted"
)

// Status is GitLab's Ci::Runner#status at now: stale first, then
// never_contacted, online or offline.
func (r *Runner) Status(now time.Time) string {
	staleBefore := now.Add(-RunnerStaleTimeout)
	if !r.CreatedAt.After(staleBefore) && (r.ContactedAt == nil || !r.ContactedAt.After(staleBefore)) {
		return RunnerStale
	}
	if r.ContactedAt == nil {
		return RunnerNeverContacted
	}
	if r.Online(now) {
		return RunnerOnline
	}
	return RunnerOffline
}

// Online reports whether the runner called within RunnerOnlineTimeout.
func (r *Runner) Online(now time.Time) bool {
	return r.ContactedAt != nil && r.ContactedAt.After(now.Add(-RunnerOnlineTimeout))
}

// RunnerFilter selects runners for a list. The scope fields are
// exclusive: OwnedBy (GitLab's ci_owned_runners), ProjectID (a project's
// own, its groups' and the instance's runners) or GroupID (the group's
// and its ancestors' runners, and the instance's); none means all.
type RunnerFilter struct {
	OwnedBy   *int64
	ProjectID *int64
	GroupID   *int64
	Today     string // for membership expiry in OwnedBy

	Type   string
	Paused *bool
	Status string // online, offline, stale, never_contacted
	Tags   []string
	Now    time.Time

	Limit, Offset int
}

// Sources of legacy registration tokens
// (ci_runner_registration_tokens.source_type).
const (
	RegistrationInstance = "instance"
	RegistrationProject  = "project"
	RegistrationGroup    = "group"
)
