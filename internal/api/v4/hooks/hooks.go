// Package hooks is the webhooks part of GitLab's REST API v4: project,
// group and system hooks, their test triggers and recent deliveries. Its
// handlers are functions of the core package's Handler type; Routes is
// its route table, which internal/server hands to v4.New.
package hooks

import (
	"net/http"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// hookHeaderKey is a custom header as GitLab shows it: its key only.
type hookHeaderKey struct {
	Key string `json:"key"`
}

// hookEntity is GitLab's Entities::Hook (system hooks); projectHookEntity
// and groupHookEntity add their owners' fields and event flags.
type hookEntity struct {
	ID                     int64           `json:"id"`
	URL                    string          `json:"url"`
	Name                   string          `json:"name"`
	Description            string          `json:"description"`
	CreatedAt              string          `json:"created_at"`
	PushEvents             bool            `json:"push_events"`
	TagPushEvents          bool            `json:"tag_push_events"`
	MergeRequestsEvents    bool            `json:"merge_requests_events"`
	RepositoryUpdateEvents bool            `json:"repository_update_events"`
	EnableSSLVerification  bool            `json:"enable_ssl_verification"`
	AlertStatus            string          `json:"alert_status"`
	DisabledUntil          *string         `json:"disabled_until"`
	URLVariables           []hookHeaderKey `json:"url_variables"`
	PushEventsBranchFilter string          `json:"push_events_branch_filter"`
	BranchFilterStrategy   string          `json:"branch_filter_strategy"`
	CustomWebhookTemplate  string          `json:"custom_webhook_template"`
	CustomHeaders          []hookHeaderKey `json:"custom_headers"`
}

type projectHookEntity struct {
	hookEntity
	ProjectID                 int64 `json:"project_id"`
	IssuesEvents              bool  `json:"issues_events"`
	ConfidentialIssuesEvents  bool  `json:"confidential_issues_events"`
	NoteEvents                bool  `json:"note_events"`
	ConfidentialNoteEvents    bool  `json:"confidential_note_events"`
	PipelineEvents            bool  `json:"pipeline_events"`
	WikiPageEvents            bool  `json:"wiki_page_events"`
	DeploymentEvents          bool  `json:"deployment_events"`
	FeatureFlagEvents         bool  `json:"feature_flag_events"`
	JobEvents                 bool  `json:"job_events"`
	ReleasesEvents            bool  `json:"releases_events"`
	MilestoneEvents           bool  `json:"milestone_events"`
	EmojiEvents               bool  `json:"emoji_events"`
	ResourceAccessTokenEvents bool  `json:"resource_access_token_events"`
	VulnerabilityEvents       bool  `json:"vulnerability_events"`
}

type groupHookEntity struct {
	projectHookEntity
	GroupID        int64 `json:"group_id"`
	MemberEvents   bool  `json:"member_events"`
	SubgroupEvents bool  `json:"subgroup_events"`
	ProjectEvents  bool  `json:"project_events"`
}

func hookEntityOf(v *service.HookView) any {
	h := v.Hook
	e := hookEntity{ID: h.ID, URL: h.URL, Name: h.Name, Description: h.Description, CreatedAt: v4.TS(h.CreatedAt),
		PushEvents: h.Events.Push, TagPushEvents: h.Events.TagPush, MergeRequestsEvents: h.Events.MergeRequests,
		RepositoryUpdateEvents: h.Events.RepositoryUpdate, EnableSSLVerification: h.EnableSSLVerification,
		AlertStatus: v.AlertStatus, URLVariables: []hookHeaderKey{}, PushEventsBranchFilter: h.PushEventsBranchFilter,
		BranchFilterStrategy: h.BranchFilterStrategy, CustomWebhookTemplate: h.CustomWebhookTemplate,
		CustomHeaders: make([]hookHeaderKey, len(h.CustomHeaders))}
	if h.DisabledUntil != nil && v.AlertStatus == "temporarily_disabled" {
		t := v4.TS(*h.DisabledUntil)
		e.DisabledUntil = &t
	}
	for i, hd := range h.CustomHeaders {
		e.CustomHeaders[i] = hookHeaderKey{Key: hd.Key}
	}
	if h.Kind == model.HookOfSystem {
		return e
	}
	ev := h.Events
	p := projectHookEntity{hookEntity: e, IssuesEvents: ev.Issues, ConfidentialIssuesEvents: ev.ConfidentialIssues,
		NoteEvents: ev.Note, ConfidentialNoteEvents: ev.ConfidentialNote, PipelineEvents: ev.Pipeline,
		WikiPageEvents: ev.WikiPage, DeploymentEvents: ev.Deployment, FeatureFlagEvents: ev.FeatureFlag,
		JobEvents: ev.Job, ReleasesEvents: ev.Releases, MilestoneEvents: ev.Milestone, EmojiEvents: ev.Emoji,
		ResourceAccessTokenEvents: ev.ResourceAccessToken, VulnerabilityEvents: ev.Vulnerability}
	if h.Kind == model.HookOfProject {
		p.ProjectID = *h.ProjectID
		return p
	}
	return groupHookEntity{projectHookEntity: p, GroupID: *h.GroupID, MemberEvents: ev.Member,
		SubgroupEvents: ev.Subgroup, ProjectEvents: ev.Project}
}

// hookOwnerOf names whose hooks a route reaches, from its path.
func hookOwnerOf(r *http.Request, kind string) service.HookOwner {
	return service.HookOwner{Kind: kind, Ref: r.PathValue("id")}
}

// hookInput reads a hook's parameters (Grape's project_hook_properties).
func hookInput(p *v4.Params, kind string) (service.HookInput, error) {
	var in service.HookInput
	texts := []struct {
		name string
		max  int
		dst  **string
	}{{"url", 1 << 16, &in.URL}, {"name", 1 << 16, &in.Name}, {"description", 1 << 16, &in.Description},
		{"token", 1 << 16, &in.Token}, {"push_events_branch_filter", 1 << 16, &in.PushEventsBranchFilter},
		{"custom_webhook_template", 1 << 20, &in.CustomWebhookTemplate}}
	for _, t := range texts {
		v, ok, err := p.Text(t.name, t.max)
		if err != nil {
			return in, err
		}
		if ok {
			*t.dst = &v
		}
	}
	if v, ok, err := p.OneOf("branch_filter_strategy", "wildcard", "regex", "all_branches"); err != nil {
		return in, err
	} else if ok {
		in.BranchFilterStrategy = &v
	}
	if v, ok, err := p.Bool("enable_ssl_verification"); err != nil {
		return in, err
	} else if ok {
		in.EnableSSLVerification = &v
	}
	in.Events = map[string]bool{}
	for _, name := range service.HookEventNames(kind) {
		v, ok, err := p.Bool(name)
		if err != nil {
			return in, err
		}
		if ok {
			in.Events[name] = v
		}
	}
	if raw, ok := p.Raw("custom_headers"); ok {
		list, ok := raw.([]any)
		if !ok {
			return in, service.ParamError("custom_headers is invalid")
		}
		in.CustomHeaders = make([]model.HookHeader, 0, len(list))
		for _, item := range list {
			m, ok := item.(map[string]any)
			key, okKey := m["key"].(string)
			value, okValue := m["value"].(string)
			if !ok || !okKey || !okValue {
				return in, service.ParamError("custom_headers is invalid")
			}
			in.CustomHeaders = append(in.CustomHeaders, model.HookHeader{Key: key, Value: value})
		}
	}
	return in, nil
}

func listHooksOf(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, kind string) error {
	list, err := a.Service().Hooks(r.Context(), c.Identity(), hookOwnerOf(r, kind))
	if err != nil {
		return err
	}
	page := v4.PaginateSlice(a, w, r, c, list)
	out := make([]any, len(page))
	for i, v := range page {
		out[i] = hookEntityOf(v)
	}
	return v4.WriteOK(w, out)
}

func getHookOf(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, kind string) error {
	id, err := v4.PathID(r, "hook_id", "hook_id")
	if err != nil {
		return err
	}
	v, err := a.Service().Hook(r.Context(), c.Identity(), hookOwnerOf(r, kind), id)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, hookEntityOf(v))
}

func createHookOf(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, kind string) error {
	in, err := hookInput(c.Params(), kind)
	if err != nil {
		return err
	}
	v, err := a.Service().CreateHook(r.Context(), c.Identity(), hookOwnerOf(r, kind), in)
	if err != nil {
		return err
	}
	return v4.WriteCreated(w, hookEntityOf(v))
}

func updateHookOf(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, kind string) error {
	id, err := v4.PathID(r, "hook_id", "hook_id")
	if err != nil {
		return err
	}
	in, err := hookInput(c.Params(), kind)
	if err != nil {
		return err
	}
	v, err := a.Service().UpdateHook(r.Context(), c.Identity(), hookOwnerOf(r, kind), id, in)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, hookEntityOf(v))
}

func deleteHookOf(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, kind string) error {
	id, err := v4.PathID(r, "hook_id", "hook_id")
	if err != nil {
		return err
	}
	if err := a.Service().DeleteHook(r.Context(), c.Identity(), hookOwnerOf(r, kind), id); err != nil {
		return err
	}
	return v4.WriteNoContent(w)
}

// testHookOf is POST …/hooks/:hook_id/test/:trigger: the hook is sent a
// sample of the event built from the owner's data, now; 201 when the
// receiver answers 2xx, else 422 with what went wrong.
func testHookOf(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call, kind string) error {
	id, err := v4.PathID(r, "hook_id", "hook_id")
	if err != nil {
		return err
	}
	if err := a.Service().TestHook(r.Context(), c.Identity(), hookOwnerOf(r, kind), id, r.PathValue("trigger")); err != nil {
		return err
	}
	return v4.WriteCreated(w, map[string]string{"message": "201 Created"})
}

// The routes' handlers, one per (kind, operation).
func listProjectHooks(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return listHooksOf(a, w, r, c, model.HookOfProject)
}
func getProjectHook(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return getHookOf(a, w, r, c, model.HookOfProject)
}
func createProjectHook(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return createHookOf(a, w, r, c, model.HookOfProject)
}
func updateProjectHook(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return updateHookOf(a, w, r, c, model.HookOfProject)
}
func deleteProjectHook(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return deleteHookOf(a, w, r, c, model.HookOfProject)
}
func testProjectHook(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return testHookOf(a, w, r, c, model.HookOfProject)
}
func listGroupHooks(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return listHooksOf(a, w, r, c, model.HookOfGroup)
}
func getGroupHook(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return getHookOf(a, w, r, c, model.HookOfGroup)
}
func createGroupHook(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return createHookOf(a, w, r, c, model.HookOfGroup)
}
func updateGroupHook(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return updateHookOf(a, w, r, c, model.HookOfGroup)
}
func deleteGroupHook(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return deleteHookOf(a, w, r, c, model.HookOfGroup)
}
func testGroupHook(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return testHookOf(a, w, r, c, model.HookOfGroup)
}
func listSystemHooks(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return listHooksOf(a, w, r, c, model.HookOfSystem)
}
func getSystemHook(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return getHookOf(a, w, r, c, model.HookOfSystem)
}
func createSystemHook(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return createHookOf(a, w, r, c, model.HookOfSystem)
}
func deleteSystemHook(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return deleteHookOf(a, w, r, c, model.HookOfSystem)
}

// testSystemHook is POST /hooks/:hook_id: GitLab sends the hook a sample
// push event ({"event_name":"project_create",…} in older versions).
func testSystemHook(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	id, err := v4.PathID(r, "hook_id", "hook_id")
	if err != nil {
		return err
	}
	payload, err := a.Service().TestSystemHook(r.Context(), c.Identity(), id)
	if err != nil {
		return err
	}
	return v4.WriteCreated(w, payload)
}
func updateSystemHook(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	return updateHookOf(a, w, r, c, model.HookOfSystem)
}
