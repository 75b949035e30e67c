// Package config compiles a project's .gitlab-ci.yml into the pipeline to run
// for one ref, as GitLab does: load (anchors, size limits), include, extends,
// !reference, default, then rules. It imports nothing of lablet's; what it
// needs from a repository or an expression evaluator comes in Options.
package config

import (
	"context"
	"errors"
)

// ErrFiltered is returned by Compile when workflow:rules decide that no
// pipeline runs; its text is GitLab's.
var ErrFiltered = errors.New("Pipeline filtered out by workflow rules.")

// ErrNoJobs is returned by Compile when rules leave no job to run.
var ErrNoJobs = errors.New("No stages / jobs for this pipeline.")

// ErrIncludeNotFound is what an Include fetcher wraps when the file (or
// project) does not exist or the caller may not read it.
var ErrIncludeNotFound = errors.New("include not found")

// Error is a configuration error: Messages are GitLab's texts, the first one
// is what a pipeline's yaml_errors shows.
type Error struct{ Messages []string }

func (e *Error) Error() string {
	if len(e.Messages) == 0 {
		return "invalid configuration"
	}
	return e.Messages[0]
}

// Options is what a compilation needs from its caller.
type Options struct {
	// Variables are the predefined and CI/CD variables (for rules:if and workflow).
	Variables map[string]string
	// Source is the pipeline source: push, web, trigger, schedule, api,
	// merge_request_event, pipeline, parent_pipeline.
	Source string
	// Evaluate evaluates a rules:if expression in GitLab's syntax.
	Evaluate func(expr string, lookup func(name string) (string, bool)) (bool, error)
	// Match reports whether path matches a rules:changes/exists glob.
	Match func(pattern, path string) bool
	// Changed lists changed paths for rules:changes; !known means every
	// changes rule is true (GitLab's behaviour for new branches, tags…).
	Changed func(ctx context.Context) (paths []string, known bool, err error)
	// Files lists every path at the ref, for rules:exists.
	Files func(ctx context.Context) ([]string, error)
	// Include fetches an included file; errors wrapping ErrIncludeNotFound
	// become GitLab's "does not exist" messages.
	Include func(ctx context.Context, inc Include) ([]byte, error)
	// MaxIncludes bounds the number of included files (default 150).
	MaxIncludes int
	// MaxBytes bounds one YAML document, raw and expanded (default 2 MiB,
	// GitLab's max_yaml_size_bytes).
	MaxBytes int
}

// Include names one included file.
type Include struct {
	Kind    string // local, project, template, remote (always refused)
	Project string // full path, for project includes
	Ref     string // empty: the project's default branch
	File    string
}

// LintResult is what Lint answers.
type LintResult struct {
	Valid      bool
	Errors     []string
	Warnings   []string
	MergedYAML string
	Stages     []string
	Jobs       []*Job
}

// Pipeline is a compiled pipeline.
type Pipeline struct {
	Stages       []string
	Jobs         []*Job
	Variables    []Variable
	WorkflowName string
	// AutoCancelOnNewCommit is workflow:auto_cancel:on_new_commit
	// (conservative, interruptible or none; "" when not set).
	AutoCancelOnNewCommit string
	Warnings              []string
}

// Variable is a YAML-defined variable.
type Variable struct {
	Key, Value, Description string
	Raw                     bool // expand: false
}

// Image is a job's image or a service.
type Image struct {
	Name       string
	Entrypoint []string
	Command    []string // services only
	Alias      string   // services only
	PullPolicy []string
}

// Need is one entry of needs.
type Need struct {
	Job       string
	Artifacts bool
	Optional  bool
}

// Retry is a job's retry policy.
type Retry struct {
	Max       int
	When      []string
	ExitCodes []int
}

// Environment is a job's environment.
type Environment struct {
	Name, URL, Action, OnStop, AutoStopIn, DeploymentTier string
}

// Artifacts is a job's artifacts definition.
type Artifacts struct {
	Name      string
	Paths     []string
	Exclude   []string
	ExpireIn  string
	When      string
	Untracked bool
	ExposeAs  string
	Reports   map[string][]string
}

// Cache is one cache definition.
type Cache struct {
	Key          string
	KeyFiles     []string
	KeyPrefix    string
	Paths        []string
	Policy       string
	When         string
	Untracked    bool
	FallbackKeys []string
}

// Trigger describes a child or downstream pipeline.
type Trigger struct {
	Include  []string // local files of a child pipeline
	Project  string
	Branch   string
	Strategy string
	// Forward is trigger:forward with GitLab's defaults: the bridge's
	// YAML variables go downstream, the pipeline's variables do not.
	ForwardYAMLVariables     bool
	ForwardPipelineVariables bool
}

// Job is one job of the pipeline, with defaults applied.
type Job struct {
	Name     string
	Stage    string
	Image    *Image
	Services []Image

	BeforeScript, Script, AfterScript []string
	Variables                         []Variable

	When                  string
	StartIn               string
	AllowFailure          bool
	AllowFailureExitCodes []int
	Retry                 *Retry
	Timeout               string
	Tags                  []string
	Interruptible         *bool
	ResourceGroup         string
	Environment           *Environment

	Needs           []Need
	NeedsSet        bool
	Dependencies    []string
	DependenciesSet bool

	Artifacts *Artifacts
	Cache     []Cache
	Coverage  string

	NodeIndex, NodeTotal int
	MatrixVariables      []Variable

	Trigger *Trigger

	// Position is the job's index in the merged file, so callers keep file order.
	Position int

	rules    []any // rules as written, evaluated by Compile
	only     any
	except   any
	hasRules bool
}
