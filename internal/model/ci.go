package model

import "time"

// Runner types (ci_runners.runner_type).
const (
	RunnerInstance = "instance_type"
	RunnerGroup    = "group_type"
	RunnerProject  = "project_type"
)

// Runner is a CI runner. Tags are sorted. GroupID is the group of a group
// runner; ProjectIDs the projects of a project runner, the first being its
// owner project.
type Runner struct {
	ID               int64
	RunnerType       string
	Description      string
	MaintenanceNote  string
	TokenDigest      string
	TokenExpiresAt   *time.Time
	TokenCreatedAt   time.Time
	RegistrationType string // authenticated_user or registration_token
	CreatorID        *int64
	Paused           bool
	Locked           bool
	RunUntagged      bool
	Tags             []string
	AccessLevel      string // not_protected or ref_protected
	MaximumTimeout   *int
	ContactedAt      *time.Time
	Version          string
	Revision         string
	Platform         string
	Architecture     string
	IPAddress        string
	CreatedAt        time.Time
	GroupID          *int64
	ProjectIDs       []int64
}

// Pipeline statuses, and job statuses (GitLab's Ci::HasStatus).
const (
	CIStatusCreated            = "created"
	CIStatusWaitingForResource = "waiting_for_resource"
	CIStatusPreparing          = "preparing"
	CIStatusPending            = "pending"
	CIStatusRunning            = "running"
	CIStatusSuccess            = "success"
	CIStatusFailed             = "failed"
	CIStatusCanceling          = "canceling"
	CIStatusCanceled           = "canceled"
	CIStatusSkipped            = "skipped"
	CIStatusManual             = "manual"
	CIStatusScheduled          = "scheduled"
)

// Pipeline is a ci_pipelines row.
type Pipeline struct {
	ID               int64
	ProjectID        int64
	IID              int64
	Ref              string
	Tag              bool
	SHA              string
	BeforeSHA        string
	Source           string
	Status           string
	UserID           *int64
	Name             *string
	YAMLErrors       *string
	FailureReason    *string
	Protected        bool
	MergeRequestID   *int64
	ParentPipelineID *int64
	ScheduleID       *int64 // the pipeline schedule that ran it
	CreatedAt        time.Time
	UpdatedAt        time.Time
	StartedAt        *time.Time
	FinishedAt       *time.Time
	CommittedAt      *time.Time
	Duration         *int64 // seconds
	QueuedDuration   *int64 // seconds
	// AutoCancelOnNewCommit is its workflow:auto_cancel:on_new_commit:
	// conservative, interruptible or none.
	AutoCancelOnNewCommit string
}

// PipelineVariable is a variable given to one pipeline.
type PipelineVariable struct {
	Key          string
	Value        string
	VariableType string // env_var or file
	Raw          bool
}

// Job types (ci_builds.job_type): a job runners run, an external commit
// status set through the API (GitLab's GenericCommitStatus), or a trigger
// job that creates a downstream pipeline (GitLab's Ci::Bridge).
const (
	JobTypeBuild        = "build"
	JobTypeCommitStatus = "commit_status"
	JobTypeBridge       = "bridge"
)

// SourcePipeline ties a downstream pipeline to the bridge job, pipeline
// and project that created it (ci_sources_pipelines).
type SourcePipeline struct {
	ProjectID        int64 // the downstream pipeline's
	PipelineID       int64
	SourceProjectID  *int64
	SourcePipelineID *int64
	SourceJobID      *int64
}

// Job is a ci_builds row. Spec is the compiled job (JSON) the runner is
// sent; Tags are sorted. TargetURL and Description are a commit status's.
type Job struct {
	ID                int64
	Type              string
	ProjectID         int64
	PipelineID        int64
	Name              string
	Stage             string
	StageIdx          int
	Status            string
	When              string
	AllowFailure      bool
	SchedulingType    string // stage or dag
	UserID            *int64
	RunnerID          *int64
	TokenDigest       *string
	Spec              string
	Tags              []string
	Ref               string
	SHA               string
	Tag               bool
	Protected         bool
	Coverage          *float64
	CoverageRegex     *string
	FailureReason     *string
	ExitCode          *int
	Retried           bool
	Interruptible     bool
	Timeout           *int // seconds
	ResourceGroup     *string
	Environment       *string
	TraceSize         int64
	CreatedAt         time.Time
	UpdatedAt         time.Time
	QueuedAt          *time.Time
	StartedAt         *time.Time
	FinishedAt        *time.Time
	ScheduledAt       *time.Time
	ErasedAt          *time.Time
	ErasedByID        *int64
	ArtifactsExpireAt *time.Time
	TargetURL         *string
	Description       *string
}

// JobArtifact is a stored file of a job: its archive, metadata, trace or
// a report.
type JobArtifact struct {
	ID         int64
	ProjectID  int64
	JobID      int64
	FileType   string // archive, metadata, trace, junit, …
	FileFormat string // zip, gzip, raw
	FileName   string
	Size       int64
	FileSHA256 string
	BlobKey    string
	ExpireAt   *time.Time
	CreatedAt  time.Time
}

// PipelineFilter selects a project's pipelines (GET
// /projects/:id/pipelines).
type PipelineFilter struct {
	ProjectID     int64
	Status        string
	Ref           string
	SHA           string
	Source        string
	Scope         string // running, pending, finished, branches, tags
	UserID        *int64
	Name          string
	UpdatedAfter  *int64 // ms
	UpdatedBefore *int64
	CreatedAfter  *int64 // ms
	CreatedBefore *int64
	ScheduleID    int64  // pipelines of one pipeline schedule
	OrderBy       string // id, status, ref, updated_at, user_id
	Sort          string // asc, desc
	Limit, Offset int
}

// JobFilter selects jobs of a project, a pipeline or a runner.
type JobFilter struct {
	Type           string // job_type; "" is build
	ProjectID      int64
	PipelineID     int64
	PipelineIDs    []int64 // any of these (GraphQL's jobs of a page of pipelines)
	RunnerID       int64
	Scopes         []string // statuses
	IncludeRetried bool
	OnlyRetried    bool // retried ones alone (GraphQL's retried: true)
	Limit, Offset  int
	Asc            bool
}

// CommitStatusFilter selects the statuses (jobs of every type) of a
// commit's pipelines (GET /projects/:id/repository/commits/:sha/statuses).
type CommitStatusFilter struct {
	ProjectID     int64
	SHA           string
	Ref           string
	Stage         string
	Name          string
	PipelineID    int64
	All           bool // retried ones too
	Limit, Offset int
}

// RunnerContact is what a runner's request tells of it.
type RunnerContact struct {
	Version, Revision, Platform, Architecture, IPAddress string
}
