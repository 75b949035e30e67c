// Package protocol holds the JSON bodies GitLab Runner and the server
// exchange under /api/v4/runners and /api/v4/jobs: the server writes them,
// lablet's built-in runner reads them, and a stock GitLab Runner reads
// them the same way. Field names follow GitLab Runner's common/network.go
// and GitLab's lib/api/ci/runner.rb; it imports nothing of lablet's.
package protocol

import "time"

// Job states a runner reports (PUT /jobs/:id).
const (
	StatePending = "pending"
	StateRunning = "running"
	StateFailed  = "failed"
	StateSuccess = "success"
)

// Failure reasons a runner reports; the server keeps any reason it knows.
const (
	ScriptFailure       = "script_failure"
	RunnerSystemFailure = "runner_system_failure"
	JobExecutionTimeout = "job_execution_timeout"
	UnknownFailure      = "unknown_failure"
)

// Headers of the runner protocol.
const (
	HeaderJobStatus           = "Job-Status"
	HeaderLastUpdate          = "X-GitLab-Last-Update"
	HeaderTraceUpdateInterval = "X-GitLab-Trace-Update-Interval"
	HeaderJobToken            = "JOB-TOKEN"
)

// Features a runner announces in its info.
type Features struct {
	Variables               bool `json:"variables"`
	Image                   bool `json:"image"`
	Services                bool `json:"services"`
	Artifacts               bool `json:"artifacts"`
	Cache                   bool `json:"cache"`
	FallbackCacheKeys       bool `json:"fallback_cache_keys"`
	Shared                  bool `json:"shared"`
	UploadMultipleArtifacts bool `json:"upload_multiple_artifacts"`
	UploadRawArtifacts      bool `json:"upload_raw_artifacts"`
	Session                 bool `json:"session"`
	Terminal                bool `json:"terminal"`
	Refspecs                bool `json:"refspecs"`
	Masking                 bool `json:"masking"`
	Proxy                   bool `json:"proxy"`
	RawVariables            bool `json:"raw_variables"`
	ArtifactsExclude        bool `json:"artifacts_exclude"`
	MultiBuildSteps         bool `json:"multi_build_steps"`
	TraceReset              bool `json:"trace_reset"`
	TraceChecksum           bool `json:"trace_checksum"`
	TraceSize               bool `json:"trace_size"`
	Cancelable              bool `json:"cancelable"`
	ReturnExitCode          bool `json:"return_exit_code"`
	CancelGracefully        bool `json:"cancel_gracefully"`
}

// VersionInfo describes a runner (the info object of its requests).
type VersionInfo struct {
	Name         string   `json:"name,omitempty"`
	Version      string   `json:"version,omitempty"`
	Revision     string   `json:"revision,omitempty"`
	Platform     string   `json:"platform,omitempty"`
	Architecture string   `json:"architecture,omitempty"`
	Executor     string   `json:"executor,omitempty"`
	Shell        string   `json:"shell,omitempty"`
	Features     Features `json:"features"`
}

// RegisterRunnerRequest is POST /runners: the legacy flow, with a
// registration token.
type RegisterRunnerRequest struct {
	Token           string      `json:"token,omitempty"`
	Description     string      `json:"description,omitempty"`
	MaintenanceNote string      `json:"maintenance_note,omitempty"`
	TagList         string      `json:"tag_list,omitempty"`
	RunUntagged     *bool       `json:"run_untagged,omitempty"`
	Locked          *bool       `json:"locked,omitempty"`
	AccessLevel     string      `json:"access_level,omitempty"`
	MaximumTimeout  int         `json:"maximum_timeout,omitempty"`
	Paused          bool        `json:"paused"`
	Info            VersionInfo `json:"info"`
}

// RunnerTokenResponse answers POST /runners (201) and POST
// /runners/verify (200): the runner's id and authentication token.
type RunnerTokenResponse struct {
	ID             int64      `json:"id"`
	Token          string     `json:"token"`
	TokenExpiresAt *time.Time `json:"token_expires_at"`
}

// VerifyRunnerRequest is POST /runners/verify.
type VerifyRunnerRequest struct {
	Token    string `json:"token"`
	SystemID string `json:"system_id,omitempty"`
}

// TokenRequest is DELETE /runners and POST /runners/reset_authentication_token.
type TokenRequest struct {
	Token string `json:"token"`
}

// JobRequest is POST /jobs/request, a runner asking for work.
type JobRequest struct {
	Token      string      `json:"token"`
	SystemID   string      `json:"system_id,omitempty"`
	LastUpdate string      `json:"last_update,omitempty"`
	Info       VersionInfo `json:"info"`
}

// JobInfo names the job and its project.
type JobInfo struct {
	Name               string  `json:"name"`
	Stage              string  `json:"stage"`
	ProjectID          int64   `json:"project_id"`
	ProjectName        string  `json:"project_name"`
	TimeInQueueSeconds float64 `json:"time_in_queue_seconds"`
}

// GitInfo tells the runner what to fetch.
type GitInfo struct {
	RepoURL          string   `json:"repo_url"`
	RepoObjectFormat string   `json:"repo_object_format"`
	Ref              string   `json:"ref"`
	Sha              string   `json:"sha"`
	BeforeSha        string   `json:"before_sha"`
	RefType          string   `json:"ref_type"` // branch or tag
	Refspecs         []string `json:"refspecs"`
	Depth            int      `json:"depth"`
}

// RunnerInfo carries the job's timeout in seconds.
type RunnerInfo struct {
	Timeout int `json:"timeout"`
}

// Variable is one variable of a job.
type Variable struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Public bool   `json:"public"`
	File   bool   `json:"file,omitempty"`
	Masked bool   `json:"masked,omitempty"`
	Raw    bool   `json:"raw,omitempty"`
}

// Step names and conditions.
const (
	StepScript      = "script"
	StepAfterScript = "after_script"
	WhenOnSuccess   = "on_success"
	WhenOnFailure   = "on_failure"
	WhenAlways      = "always"
)

// Step is a script the runner runs: "script" (before_script and
// script joined) and "after_script".
type Step struct {
	Name         string   `json:"name"`
	Script       []string `json:"script"`
	Timeout      int      `json:"timeout"`
	When         string   `json:"when"`
	AllowFailure bool     `json:"allow_failure"`
}

// Image is a job's image or service; the shell executor ignores it.
type Image struct {
	Name       string   `json:"name"`
	Alias      string   `json:"alias,omitempty"`
	Command    []string `json:"command,omitempty"`
	Entrypoint []string `json:"entrypoint,omitempty"`
}

// Artifact is one archive a job uploads at its end.
type Artifact struct {
	Name      string   `json:"name"`
	Untracked bool     `json:"untracked"`
	Paths     []string `json:"paths"`
	Exclude   []string `json:"exclude"`
	When      string   `json:"when"`
	Type      string   `json:"artifact_type"`
	Format    string   `json:"artifact_format"`
	ExpireIn  string   `json:"expire_in"`
}

// Cache is one cache a job restores and saves.
type Cache struct {
	Key          string   `json:"key"`
	Untracked    bool     `json:"untracked"`
	Policy       string   `json:"policy"`
	Paths        []string `json:"paths"`
	When         string   `json:"when"`
	FallbackKeys []string `json:"fallback_keys"`
}

// Credentials authenticate the runner against a registry.
type Credentials struct {
	Type     string `json:"type"`
	URL      string `json:"url"`
	Username string `json:"username"`
	Password string `json:"password"`
}

// DependencyFile describes a dependency's artifacts archive.
type DependencyFile struct {
	Filename string `json:"filename"`
	Size     int64  `json:"size"`
}

// Dependency is a job whose artifacts this job downloads, with that
// job's token, as GitLab sends it.
type Dependency struct {
	ID            int64          `json:"id"`
	Token         string         `json:"token"`
	Name          string         `json:"name"`
	ArtifactsFile DependencyFile `json:"artifacts_file"`
}

// ServerFeatures are what the server supports.
type ServerFeatures struct {
	TraceSections     bool     `json:"trace_sections"`
	TokenMaskPrefixes []string `json:"token_mask_prefixes"`
	FailureReasons    []string `json:"failure_reasons"`
}

// JobResponse is a job handed to a runner (201 from POST /jobs/request).
type JobResponse struct {
	ID            int64          `json:"id"`
	Token         string         `json:"token"`
	AllowGitFetch bool           `json:"allow_git_fetch"`
	JobInfo       JobInfo        `json:"job_info"`
	GitInfo       GitInfo        `json:"git_info"`
	RunnerInfo    RunnerInfo     `json:"runner_info"`
	Variables     []Variable     `json:"variables"`
	Steps         []Step         `json:"steps"`
	Image         *Image         `json:"image"`
	Services      []Image        `json:"services"`
	Artifacts     []Artifact     `json:"artifacts"`
	Cache         []Cache        `json:"cache"`
	Credentials   []Credentials  `json:"credentials"`
	Dependencies  []Dependency   `json:"dependencies"`
	Features      ServerFeatures `json:"features"`
}

// TraceOutput tells the server how much trace the runner sent.
type TraceOutput struct {
	Checksum string `json:"checksum,omitempty"`
	Bytesize int64  `json:"bytesize,omitempty"`
}

// UpdateJobRequest is PUT /jobs/:id: the runner reports a job's state.
type UpdateJobRequest struct {
	Token         string      `json:"token"`
	State         string      `json:"state,omitempty"`
	FailureReason string      `json:"failure_reason,omitempty"`
	ExitCode      *int        `json:"exit_code,omitempty"`
	Output        TraceOutput `json:"output"`
	Info          VersionInfo `json:"info"`
}
