package service

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/outbound"
	"github.com/lablet/lablet/internal/store"
)

// Webhooks (GitLab's ProjectHook, GroupHook and SystemHook, API::ProjectHooks,
// API::GroupHooks, API::SystemHooks): a Maintainer's hooks on a project, an
// Owner's on a group (sent every event of the projects below it), an
// administrator's on the instance.

// errHookNotFound is GitLab's answer to an unknown hook id
// (ActiveRecord::RecordNotFound).
var errHookNotFound = &Error{Kind: KindNotFound, Message: "Not found"}

// HookInput is a hook's settings as given; nil fields are left as they are
// (on creation: their defaults).
type HookInput struct {
	URL                    *string
	Name                   *string
	Description            *string
	Token                  *string
	Events                 map[string]bool
	PushEventsBranchFilter *string
	BranchFilterStrategy   *string
	EnableSSLVerification  *bool
	CustomHeaders          []model.HookHeader // nil: unchanged
	CustomWebhookTemplate  *string
}

// HookOwner names whose hooks an operation reaches: a project or group
// reference, or the instance (Kind model.HookOfSystem).
type HookOwner struct {
	Kind string
	Ref  string
}

// HookView is a hook with what its entity shows beyond its record.
type HookView struct {
	Hook        *model.WebHook
	AlertStatus string
}

// hookEventFlags maps the flags a kind of hook takes to e's fields.
func hookEventFlags(kind string, e *model.HookEvents) map[string]*bool {
	if kind == model.HookOfSystem {
		return map[string]*bool{"push_events": &e.Push, "tag_push_events": &e.TagPush,
			"merge_requests_events": &e.MergeRequests, "repository_update_events": &e.RepositoryUpdate}
	}
	m := map[string]*bool{"push_events": &e.Push, "tag_push_events": &e.TagPush, "issues_events": &e.Issues,
		"confidential_issues_events": &e.ConfidentialIssues, "note_events": &e.Note,
		"confidential_note_events": &e.ConfidentialNote, "merge_requests_events": &e.MergeRequests,
		"job_events": &e.Job, "pipeline_events": &e.Pipeline, "wiki_page_events": &e.WikiPage,
		"deployment_events": &e.Deployment, "releases_events": &e.Releases, "milestone_events": &e.Milestone,
		"feature_flag_events": &e.FeatureFlag, "emoji_events": &e.Emoji,
		"resource_access_token_events": &e.ResourceAccessToken, "vulnerability_events": &e.Vulnerability}
	if kind == model.HookOfGroup {
		m["member_events"], m["subgroup_events"], m["project_events"] = &e.Member, &e.Subgroup, &e.Project
	}
	return m
}

// HookEventNames lists the event flags a kind of hook takes.
func HookEventNames(kind string) []string {
	var e model.HookEvents
	names := make([]string, 0, 20)
	for name := range hookEventFlags(kind, &e) {
		names = append(names, name)
	}
	return names
}

// hookOwner checks the caller's right to the owner's hooks and returns
// the owner's id (0 for the instance).
func (s *Service) hookOwner(ctx context.Context, id *auth.Identity, o HookOwner) (int64, error) {
	switch o.Kind {
	case model.HookOfProject:
		p, _, err := s.ciProject(ctx, id, o.Ref, access.AdminProject)
		if err != nil {
			return 0, err
		}
		return p.ID, nil
	case model.HookOfGroup:
		g, level, err := s.VisibleGroup(ctx, id, o.Ref)
		if err != nil {
			return 0, err
		}
		if level < access.Owner {
			return 0, Forbidden("")
		}
		return g.ID, nil
	default:
		return 0, requireAdmin(id)
	}
}

// hookView adds the alert status to h.
func (s *Service) hookView(h *model.WebHook) *HookView {
	return &HookView{Hook: h, AlertStatus: hookAlertStatus(h, s.Now())}
}

// Hooks lists an owner's hooks.
func (s *Service) Hooks(ctx context.Context, id *auth.Identity, o HookOwner) ([]*HookView, error) {
	ownerID, err := s.hookOwner(ctx, id, o)
	if err != nil {
		return nil, err
	}
	hooks, err := s.db.Queries().WebHooksOf(ctx, o.Kind, ownerID)
	if err != nil {
		return nil, err
	}
	out := make([]*HookView, len(hooks))
	for i, h := range hooks {
		out[i] = s.hookView(h)
	}
	return out, nil
}

// hook loads one of an owner's hooks, for a caller allowed to manage them.
func (s *Service) hook(ctx context.Context, id *auth.Identity, o HookOwner, hookID int64) (*model.WebHook, error) {
	ownerID, err := s.hookOwner(ctx, id, o)
	if err != nil {
		return nil, err
	}
	h, err := s.db.Queries().WebHookOf(ctx, o.Kind, ownerID, hookID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errHookNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("service: load hook: %w", err)
	}
	return h, nil
}

// Hook returns one of an owner's hooks.
func (s *Service) Hook(ctx context.Context, id *auth.Identity, o HookOwner, hookID int64) (*HookView, error) {
	h, err := s.hook(ctx, id, o, hookID)
	if err != nil {
		return nil, err
	}
	return s.hookView(h), nil
}

// CreateHook adds a hook to an owner.
func (s *Service) CreateHook(ctx context.Context, id *auth.Identity, o HookOwner, in HookInput) (*HookView, error) {
	ownerID, err := s.hookOwner(ctx, id, o)
	if err != nil {
		return nil, err
	}
	if in.URL == nil {
		return nil, ParamError("url is missing")
	}
	h := &model.WebHook{Kind: o.Kind, Events: model.HookEvents{Push: true}, EnableSSLVerification: true,
		BranchFilterStrategy: "wildcard", CustomHeaders: []model.HookHeader{}}
	switch o.Kind {
	case model.HookOfProject:
		h.ProjectID = &ownerID
	case model.HookOfGroup:
		h.GroupID = &ownerID
	}
	if err := s.applyHookInput(ctx, h, in); err != nil {
		return nil, err
	}
	if err := s.db.Queries().CreateWebHook(ctx, h); err != nil {
		return nil, err
	}
	return s.hookView(h), nil
}

// UpdateHook changes a hook's settings; as in GitLab, saving a hook
// enables it again.
func (s *Service) UpdateHook(ctx context.Context, id *auth.Identity, o HookOwner, hookID int64, in HookInput) (*HookView, error) {
	h, err := s.hook(ctx, id, o, hookID)
	if err != nil {
		return nil, err
	}
	if err := s.applyHookInput(ctx, h, in); err != nil {
		return nil, err
	}
	if err := s.db.Queries().UpdateWebHook(ctx, h); err != nil {
		return nil, err
	}
	return s.hookView(h), nil
}

// DeleteHook removes a hook and its delivery logs.
func (s *Service) DeleteHook(ctx context.Context, id *auth.Identity, o HookOwner, hookID int64) error {
	h, err := s.hook(ctx, id, o, hookID)
	if err != nil {
		return err
	}
	return s.db.Queries().DeleteWebHook(ctx, h.ID)
}

// Hook field limits, as GitLab's model validations.
const (
	maxHookURL         = 5000
	maxHookName        = 255
	maxHookDescription = 2048
	maxHookToken       = 255
	maxHookHeaders     = 20
)

// applyHookInput validates in and applies it to h: every message at once,
// in GitLab's validation shape, nothing applied on failure.
func (s *Service) applyHookInput(ctx context.Context, h *model.WebHook, in HookInput) error {
	next := *h
	next.Events = h.Events
	flags := hookEventFlags(h.Kind, &next.Events)
	for name, v := range in.Events {
		if f, ok := flags[name]; ok {
			*f = v
		}
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&next.URL, in.URL)
	set(&next.Name, in.Name)
	set(&next.Description, in.Description)
	set(&next.Token, in.Token)
	set(&next.PushEventsBranchFilter, in.PushEventsBranchFilter)
	set(&next.BranchFilterStrategy, in.BranchFilterStrategy)
	set(&next.CustomWebhookTemplate, in.CustomWebhookTemplate)
	if in.EnableSSLVerification != nil {
		next.EnableSSLVerification = *in.EnableSSLVerification
	}
	if in.CustomHeaders != nil {
		next.CustomHeaders = in.CustomHeaders
	}
	v := Validation{}
	next.URL = strings.TrimSpace(next.URL)
	switch {
	case next.URL == "":
		v.Add("url", "can't be blank")
	case len(next.URL) > maxHookURL:
		v.Add("url", fmt.Sprintf("is too long (maximum is %d characters)", maxHookURL))
	default:
		if err := s.hookPolicy(ctx, h.Kind).Check(ctx, next.URL); err != nil {
			v.Add("url", err.Error())
		}
	}
	if len(next.Name) > maxHookName {
		v.Add("name", fmt.Sprintf("is too long (maximum is %d characters)", maxHookName))
	}
	if len(next.Description) > maxHookDescription {
		v.Add("description", fmt.Sprintf("is too long (maximum is %d characters)", maxHookDescription))
	}
	if len(next.Token) > maxHookToken {
		v.Add("token", fmt.Sprintf("is too long (maximum is %d characters)", maxHookToken))
	}
	switch next.BranchFilterStrategy {
	case "wildcard", "all_branches":
	case "regex":
		if _, err := regexp.Compile(next.PushEventsBranchFilter); err != nil {
			v.Add("push_events_branch_filter", "not valid RE2 syntax")
		}
	default:
		return ParamError("branch_filter_strategy does not have a valid value")
	}
	if len(next.CustomHeaders) > maxHookHeaders {
		v.Add("custom_headers", fmt.Sprintf("must have at most %d headers", maxHookHeaders))
	}
	for _, hd := range next.CustomHeaders {
		if hd.Key == "" || strings.ContainsAny(hd.Key, ":\r\n ") || strings.ContainsAny(hd.Value, "\r\n") {
			v.Add("custom_headers", "must be a valid json schema")
			break
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	*h = next
	return nil
}

// hookPolicy is the outbound policy of a kind of hook under the
// instance's settings (fail-closed when they cannot be read).
func (s *Service) hookPolicy(ctx context.Context, kind string) outbound.Policy {
	settings, err := s.InstanceSettings(ctx)
	if err != nil {
		s.log.ErrorContext(ctx, "web hook: settings", "err", err)
		return outbound.Policy{}
	}
	allow := settings.AllowLocalRequestsFromWebHooksAndServices
	if kind == model.HookOfSystem {
		allow = settings.AllowLocalRequestsFromSystemHooks
	}
	return outbound.Policy{AllowLocal: allow, Allowlist: settings.OutboundLocalRequestsAllowlist}
}

// Auto-disabling (GitLab's WebHooks::AutoDisabling): the fourth failure in
// a row disables a project or group hook for a back-off that doubles from
// a minute up to a day; the fortieth disables it for good. A success, a
// successful test or an update enables it again.
const (
	hookFailuresBeforeBackoff = 4
	hookFailuresPermanent     = 40
	hookInitialBackoff        = time.Minute
	hookMaxBackoff            = 24 * time.Hour
)

// hookBackoff is the back-off of the count-th temporary disabling.
func hookBackoff(count int) time.Duration {
	d := hookInitialBackoff
	for i := 1; i < count && d < hookMaxBackoff; i++ {
		d *= 2
	}
	return min(d, hookMaxBackoff)
}

// hookAlertStatus is GitLab's alert_status: disabled, temporarily_disabled
// or executable.
func hookAlertStatus(h *model.WebHook, now time.Time) string {
	if h.Kind == model.HookOfSystem {
		return "executable"
	}
	switch {
	case h.RecentFailures >= hookFailuresPermanent:
		return "disabled"
	case h.RecentFailures >= hookFailuresBeforeBackoff && h.DisabledUntil != nil && h.DisabledUntil.After(now):
		return "temporarily_disabled"
	}
	return "executable"
}
