package model

import "time"

// Integration slugs lablet runs.
const (
	IntegrationEmailsOnPush = "emails-on-push"
	// IntegrationPipelinesEmail mails pipeline results (pipelines-email).
	IntegrationPipelinesEmail = "pipelines-email"
)

// Integration is a project's integration (GitLab's Integration record),
// once set up.
type Integration struct {
	ID            int64
	ProjectID     int64
	Slug          string
	Active        bool
	PushEvents    bool
	TagPushEvents bool
	// PipelineEvents: pipeline status changes reach the integration.
	PipelineEvents bool
	// Properties are the integration's own settings, by GitLab's names.
	Properties map[string]any
	CreatedAt  time.Time
	UpdatedAt  time.Time
}
