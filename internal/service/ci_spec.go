package service

import (
	"encoding/json"
	"fmt"

	"github.com/lablet/lablet/internal/ci/protocol"
	"github.com/lablet/lablet/internal/model"
)

// jobSpec is a compiled job as a job row keeps it (ci_builds.spec): what
// the runner is sent and what the pipeline's processing reads, fixed when
// the pipeline is created.
type jobSpec struct {
	Image           *protocol.Image     `json:"image,omitempty"`
	Services        []protocol.Image    `json:"services,omitempty"`
	BeforeScript    []string            `json:"before_script,omitempty"`
	Script          []string            `json:"script,omitempty"`
	AfterScript     []string            `json:"after_script,omitempty"`
	Variables       []specVariable      `json:"variables,omitempty"`
	Artifacts       []protocol.Artifact `json:"artifacts,omitempty"`
	Cache           []protocol.Cache    `json:"cache,omitempty"`
	Needs           []specNeed          `json:"needs,omitempty"`
	NeedsSet        bool                `json:"needs_set,omitempty"`
	Dependencies    []string            `json:"dependencies,omitempty"`
	DependenciesSet bool                `json:"dependencies_set,omitempty"`
	Environment     *specEnvironment    `json:"environment,omitempty"`
	Retry           specRetry           `json:"retry"`
	StartIn         string              `json:"start_in,omitempty"`
	AllowExitCodes  []int               `json:"allow_failure_exit_codes,omitempty"`
	Trigger         *specTrigger        `json:"trigger,omitempty"`
}

type specVariable struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	Raw   bool   `json:"raw,omitempty"`
}

type specNeed struct {
	Job       string `json:"job"`
	Artifacts bool   `json:"artifacts"`
	Optional  bool   `json:"optional,omitempty"`
}

type specEnvironment struct {
	Name       string `json:"name"`
	URL        string `json:"url,omitempty"`
	Action     string `json:"action,omitempty"`
	OnStop     string `json:"on_stop,omitempty"`
	AutoStopIn string `json:"auto_stop_in,omitempty"`
	Tier       string `json:"tier,omitempty"`
}

type specRetry struct {
	Max       int      `json:"max,omitempty"`
	When      []string `json:"when,omitempty"`
	ExitCodes []int    `json:"exit_codes,omitempty"`
}

type specTrigger struct {
	Include  []string `json:"include,omitempty"`
	Project  string   `json:"project,omitempty"`
	Branch   string   `json:"branch,omitempty"`
	Strategy string   `json:"strategy,omitempty"`

	ForwardYAMLVariables     bool `json:"forward_yaml_variables,omitempty"`
	ForwardPipelineVariables bool `json:"forward_pipeline_variables,omitempty"`
}

func specOf(j *model.Job) (*jobSpec, error) {
	var s jobSpec
	if err := json.Unmarshal([]byte(j.Spec), &s); err != nil {
		return nil, fmt.Errorf("service: job %d spec: %w", j.ID, err)
	}
	return &s, nil
}

func (s *jobSpec) encode() string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("service: encode job spec: %v", err)) // plain data always encodes
	}
	return string(b)
}

// latestJobs drops the jobs replaced by a retry.
func latestJobs(jobs []*model.Job) []*model.Job {
	out := make([]*model.Job, 0, len(jobs))
	for _, j := range jobs {
		if !j.Retried {
			out = append(out, j)
		}
	}
	return out
}
