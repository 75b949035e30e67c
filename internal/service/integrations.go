package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Project integrations (GitLab's API::Integrations): a Maintainer sets up,
// reads and disables a project's integrations. lablet runs the ones that
// need nothing outside the instance but its mail relay — emails on push
// and pipeline status emails; every other integration GitLab documents
// answers 404 saying it is not supported here.

// integrationSpec is what differs between the integrations lablet runs.
type integrationSpec struct {
	title string
	// defaults are the properties until set; properties are those the
	// API shows.
	defaults   map[string]any
	properties []string
	// pipelineEvents is the pipeline_events flag of a first save.
	pipelineEvents bool
	// validate checks the properties as the integration's model does.
	validate func(i *model.Integration) error
}

var integrationSpecs = map[string]integrationSpec{
	model.IntegrationEmailsOnPush: {title: "Emails on push",
		defaults: map[string]any{"disable_diffs": false, "send_from_committer_email": false,
			"branches_to_be_notified": "all"},
		properties: []string{"recipients", "disable_diffs", "send_from_committer_email", "branches_to_be_notified"},
		validate: func(i *model.Integration) error {
			return validateRecipients(EmailsOnPushSettings(i).Recipients, emailsOnPushRecipientsLimit)
		}},
	// Integrations::PipelinesEmail: failed pipelines (and succeeded ones
	// unless notify_only_broken_pipelines) of the default branch by
	// default, mailed to the recipients.
	model.IntegrationPipelinesEmail: {title: "Pipeline status emails",
		defaults:       map[string]any{"notify_only_broken_pipelines": true, "branches_to_be_notified": "default"},
		properties:     []string{"recipients", "notify_only_broken_pipelines", "branches_to_be_notified"},
		pipelineEvents: true,
		validate: func(i *model.Integration) error {
			return validateRecipients(PipelinesEmailSettings(i).Recipients, 0)
		}},
}

// IntegrationProperties are the properties the API shows of slug.
func IntegrationProperties(slug string) []string { return integrationSpecs[slug].properties }

// unsupportedIntegrations are the slugs GitLab documents that lablet does
// not run: they talk to services outside the instance.
var unsupportedIntegrations = []string{"apple-app-store", "asana", "assembla", "bamboo", "bugzilla", "buildkite",
	"campfire", "clickup", "confluence", "custom-issue-tracker", "datadog", "diffblue-cover", "discord",
	"drone-ci", "ewm", "external-wiki", "git-guardian", "github", "gitlab-slack-application", "google-play",
	"google-cloud-platform-artifact-registry", "google-cloud-platform-workload-identity-federation",
	"hangouts-chat", "harbor", "irker", "jenkins", "jira", "jira-cloud-app", "linear", "matrix", "mattermost",
	"mattermost-slash-commands", "microsoft-teams", "mock-ci", "mock-monitoring", "packagist", "phorge",
	"pivotaltracker", "prometheus", "pumble", "pushover", "redmine", "slack",
	"slack-slash-commands", "squash-tm", "teamcity", "telegram", "unify-circuit", "webex-teams", "youtrack",
	"zentao"}

// emailsOnPushRecipientsLimit is GitLab's EmailsOnPush::RECIPIENTS_LIMIT.
const emailsOnPushRecipientsLimit = 750

// branchesToBeNotified are NotificationBranchSelection's choices.
var branchesToBeNotified = []string{"all", "default", "protected", "default_and_protected"}

// IntegrationInput is an integration's settings as given to PUT; nil
// fields keep their value (on the first save: GitLab's defaults).
type IntegrationInput struct {
	PushEvents                *bool
	TagPushEvents             *bool
	PipelineEvents            *bool
	Recipients                *string
	DisableDiffs              *bool
	SendFromCommitterEmail    *bool
	BranchesToBeNotified      *string
	NotifyOnlyBrokenPipelines *bool
}

// IntegrationTitle is an integration's title.
func IntegrationTitle(slug string) string { return integrationSpecs[slug].title }

// integrationSlug checks that lablet runs slug: a documented integration
// it does not run, or an unknown one, is 404 as GitLab answers a slug
// without a route.
func integrationSlug(slug string) error {
	if _, ok := integrationSpecs[slug]; ok {
		return nil
	}
	if slices.Contains(unsupportedIntegrations, slug) {
		return &Error{Kind: KindNotFound, Message: "Integration " + slug + " is not supported by lablet"}
	}
	return NotFound("Integration")
}

// Integrations lists a project's active integrations.
func (s *Service) Integrations(ctx context.Context, id *auth.Identity, projectRef string) ([]*model.Integration, error) {
	p, _, err := s.ciProject(ctx, id, projectRef, access.AdminProject)
	if err != nil {
		return nil, err
	}
	return s.db.Queries().Integrations(ctx, p.ID, true)
}

// Integration returns one integration of a project; one never set up is
// 404 (GitLab: not_found!('Integration') unless persisted).
func (s *Service) Integration(ctx context.Context, id *auth.Identity, projectRef, slug string) (*model.Integration, error) {
	p, _, err := s.ciProject(ctx, id, projectRef, access.AdminProject)
	if err != nil {
		return nil, err
	}
	if err := integrationSlug(slug); err != nil {
		return nil, err
	}
	i, err := s.db.Queries().Integration(ctx, p.ID, slug)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("Integration")
	}
	return i, err
}

// SetIntegration sets up or changes an integration and activates it, as
// GitLab's PUT does.
func (s *Service) SetIntegration(ctx context.Context, id *auth.Identity, projectRef, slug string, in IntegrationInput) (*model.Integration, error) {
	p, _, err := s.ciProject(ctx, id, projectRef, access.AdminProject)
	if err != nil {
		return nil, err
	}
	if err := integrationSlug(slug); err != nil {
		return nil, err
	}
	var out *model.Integration
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		i, err := q.Integration(ctx, p.ID, slug)
		if errors.Is(err, store.ErrNotFound) {
			i = &model.Integration{ProjectID: p.ID, Slug: slug, PushEvents: true, TagPushEvents: true,
				PipelineEvents: integrationSpecs[slug].pipelineEvents, Properties: map[string]any{}}
		} else if err != nil {
			return err
		}
		// A new integration, or one cleared by DELETE, starts from
		// GitLab's defaults.
		spec := integrationSpecs[slug]
		for k, v := range spec.defaults {
			if _, ok := i.Properties[k]; !ok {
				i.Properties[k] = v
			}
		}
		if err := applyIntegration(i, in); err != nil {
			return err
		}
		if err := spec.validate(i); err != nil {
			return err
		}
		i.Active = true
		if err := q.SaveIntegration(ctx, i); err != nil {
			return err
		}
		out = i
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// applyIntegration writes in onto i; the parameters an integration does
// not take are never set (the API reads each integration's own).
func applyIntegration(i *model.Integration, in IntegrationInput) error {
	for _, f := range []struct {
		v   *bool
		dst *bool
	}{{in.PushEvents, &i.PushEvents}, {in.TagPushEvents, &i.TagPushEvents}, {in.PipelineEvents, &i.PipelineEvents}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	if in.Recipients != nil {
		i.Properties["recipients"] = *in.Recipients
	}
	for name, v := range map[string]*bool{"disable_diffs": in.DisableDiffs,
		"send_from_committer_email": in.SendFromCommitterEmail, "notify_only_broken_pipelines": in.NotifyOnlyBrokenPipelines} {
		if v != nil {
			i.Properties[name] = *v
		}
	}
	if in.BranchesToBeNotified != nil {
		if !slices.Contains(branchesToBeNotified, *in.BranchesToBeNotified) {
			return ParamError("branches_to_be_notified does not have a valid value")
		}
		i.Properties["branches_to_be_notified"] = *in.BranchesToBeNotified
	}
	return nil
}

// validateRecipients: at least one, at most limit (0: no limit).
func validateRecipients(recipients []string, limit int) error {
	switch n := len(recipients); {
	case n == 0:
		return &Error{Kind: KindInvalid, Message: "Validation failed",
			Fields: map[string][]string{"recipients": {"can't be blank"}}}
	case limit > 0 && n > limit:
		return &Error{Kind: KindInvalid, Message: "Validation failed", Fields: map[string][]string{"recipients": {
			fmt.Sprintf("can't exceed %d", limit)}}}
	}
	return nil
}

// DeleteIntegration disables an integration and clears its settings, as
// GitLab's DELETE does; the record stays, inactive.
func (s *Service) DeleteIntegration(ctx context.Context, id *auth.Identity, projectRef, slug string) error {
	p, _, err := s.ciProject(ctx, id, projectRef, access.AdminProject)
	if err != nil {
		return err
	}
	if err := integrationSlug(slug); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error {
		i, err := q.Integration(ctx, p.ID, slug)
		if errors.Is(err, store.ErrNotFound) {
			return NotFound("Integration")
		} else if err != nil {
			return err
		}
		i.Active, i.Properties = false, map[string]any{}
		return q.SaveIntegration(ctx, i)
	})
}

// EmailsOnPush is an emails-on-push integration's settings.
type EmailsOnPush struct {
	// Recipients: integrationRecipients.
	Recipients             []string
	DisableDiffs           bool
	SendFromCommitterEmail bool
	BranchesToBeNotified   string
}

// EmailsOnPushSettings reads i's properties.
func EmailsOnPushSettings(i *model.Integration) EmailsOnPush {
	e := EmailsOnPush{BranchesToBeNotified: "all", Recipients: integrationRecipients(i)}
	e.DisableDiffs, _ = i.Properties["disable_diffs"].(bool)
	e.SendFromCommitterEmail, _ = i.Properties["send_from_committer_email"].(bool)
	if b, ok := i.Properties["branches_to_be_notified"].(string); ok && b != "" {
		e.BranchesToBeNotified = b
	}
	return e
}

// integrationRecipients are the addresses of i's recipients property:
// separated by spaces, newlines or commas, those with an @, each once
// (case-insensitively), as valid_recipients.
func integrationRecipients(i *model.Integration) []string {
	raw, _ := i.Properties["recipients"].(string)
	seen := map[string]bool{}
	var out []string
	for _, r := range strings.FieldsFunc(raw, func(c rune) bool { return c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '\t' }) {
		if strings.Contains(r, "@") && !seen[strings.ToLower(r)] {
			seen[strings.ToLower(r)] = true
			out = append(out, r)
		}
	}
	return out
}
