package model

import "time"

// PipelineSchedule is a project's pipeline schedule (GitLab's
// Ci::PipelineSchedule). Ref is a full ref (refs/heads/… or refs/tags/…);
// OwnerID is nil once its owner is deleted. NextRunAt is nil when the
// schedule could not be given a next run.
type PipelineSchedule struct {
	ID           int64
	ProjectID    int64
	OwnerID      *int64
	Description  string
	Ref          string
	Cron         string
	CronTimezone string
	NextRunAt    *time.Time
	Active       bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}
