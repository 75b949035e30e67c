package model

import "time"

// Kinds of webhooks (GitLab's web_hooks.type).
const (
	HookOfProject = "ProjectHook"
	HookOfGroup   = "GroupHook"
	HookOfSystem  = "SystemHook"
)

// HookEvents are the events a hook is sent, under GitLab's flag names.
type HookEvents struct {
	Push                bool `json:"push_events"`
	TagPush             bool `json:"tag_push_events"`
	Issues              bool `json:"issues_events"`
	ConfidentialIssues  bool `json:"confidential_issues_events"`
	Note                bool `json:"note_events"`
	ConfidentialNote    bool `json:"confidential_note_events"`
	MergeRequests       bool `json:"merge_requests_events"`
	Job                 bool `json:"job_events"`
	Pipeline            bool `json:"pipeline_events"`
	WikiPage            bool `json:"wiki_page_events"`
	Deployment          bool `json:"deployment_events"`
	Releases            bool `json:"releases_events"`
	Milestone           bool `json:"milestone_events"`
	FeatureFlag         bool `json:"feature_flag_events"`
	Emoji               bool `json:"emoji_events"`
	ResourceAccessToken bool `json:"resource_access_token_events"`
	RepositoryUpdate    bool `json:"repository_update_events"`
	Member              bool `json:"member_events"`
	Subgroup            bool `json:"subgroup_events"`
	Project             bool `json:"project_events"`
	Vulnerability       bool `json:"vulnerability_events"`
}

// HookHeader is one custom header a hook sends.
type HookHeader struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// WebHook is a project, group or system hook.
type WebHook struct {
	ID                     int64
	Kind                   string
	ProjectID              *int64
	GroupID                *int64
	URL                    string
	Name                   string
	Description            string
	Token                  string
	Events                 HookEvents
	PushEventsBranchFilter string
	BranchFilterStrategy   string
	EnableSSLVerification  bool
	CustomHeaders          []HookHeader
	CustomWebhookTemplate  string
	RecentFailures         int
	BackoffCount           int
	DisabledUntil          *time.Time
	CreatedAt              time.Time
	UpdatedAt              time.Time
}

// WebHookLog is one delivery attempt of a hook (GitLab's web_hook_logs).
type WebHookLog struct {
	ID                   int64
	WebHookID            int64
	Trigger              string
	URL                  string
	RequestHeaders       map[string]string
	RequestData          string
	ResponseHeaders      map[string]string
	ResponseBody         string
	ResponseStatus       string
	ExecutionDuration    float64
	InternalErrorMessage string
	CreatedAt            time.Time
}
