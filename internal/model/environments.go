package model

import "time"

// Environment states (GitLab's Environment state machine).
const (
	EnvironmentAvailable = "available"
	EnvironmentStopping  = "stopping"
	EnvironmentStopped   = "stopped"
)

// EnvironmentTiers are GitLab's deployment tiers, in its order.
var EnvironmentTiers = []string{"production", "staging", "testing", "development", "other"}

// Environment is a place a project deploys to.
type Environment struct {
	ID          int64
	ProjectID   int64
	Name        string
	Slug        string
	ExternalURL *string
	State       string
	Tier        string
	AutoStopAt  *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// EnvironmentFilter selects a project's environments.
type EnvironmentFilter struct {
	ProjectID int64
	Name      string // exact
	Search    string // prefix of the name, or of the name within its folder
	State     string
}

// Deployment statuses (GitLab's Deployment statuses).
const (
	DeploymentCreated  = "created"
	DeploymentRunning  = "running"
	DeploymentSuccess  = "success"
	DeploymentFailed   = "failed"
	DeploymentCanceled = "canceled"
	DeploymentSkipped  = "skipped"
	DeploymentBlocked  = "blocked"
)

// DeploymentStatuses are the statuses a deployment may have.
var DeploymentStatuses = []string{DeploymentCreated, DeploymentRunning, DeploymentSuccess, DeploymentFailed,
	DeploymentCanceled, DeploymentSkipped, DeploymentBlocked}

// Deployment is one deployment of a commit to an environment, by a job
// (DeployableID) or through the API.
type Deployment struct {
	ID            int64
	ProjectID     int64
	IID           int64
	EnvironmentID int64
	Ref           string
	Tag           bool
	SHA           string
	UserID        *int64
	DeployableID  *int64
	Status        string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	FinishedAt    *time.Time
}

// DeploymentFilter selects a project's deployments (GET
// /projects/:id/deployments); OrderBy is a column GitLab sorts by.
type DeploymentFilter struct {
	ProjectID                     int64
	EnvironmentID                 int64 // 0: any; -1: none (an unknown environment name)
	Status                        string
	UpdatedAfter, UpdatedBefore   *time.Time
	FinishedAfter, FinishedBefore *time.Time
	OrderBy                       string
	Desc                          bool
	Limit, Offset                 int
}
