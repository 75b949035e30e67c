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
// need nothing outside the instance but its mail relay — emails on push;
// every other integration GitLab documents answers 404 saying it is not
// supported here.

// integrationTitles are the titles of the integrations lablet runs.
var integrationTitles = map[string]string{model.IntegrationEmailsOnPush: "Emails on push"}

// unsupportedIntegrations are the slugs GitLab documents that lablet does
// not run: they talk to services outside the instance.
var unsupportedIntegrations = []string{"apple-app-store", "asana", "assembla", "bamboo", "bugzilla", "buildkite",
	"campfire", "clickup", "confluence", "custom-issue-tracker", "datadog", "diffblue-cover", "discord",
	"drone-ci", "ewm", "external-wiki", "git-guardian", "github", "gitlab-slack-application", "google-play",
	"google-cloud-platform-artifact-registry", "google-cloud-platform-workload-identity-federation",
	"hangouts-chat", "harbor", "irker", "jenkins", "jira", "jira-cloud-app", "linear", "matrix", "mattermost",
	"mattermost-slash-commands", "microsoft-teams", "mock-ci", "mock-monitoring", "packagist", "phorge",
	"pipelines-email", "pivotaltracker", "prometheus", "pumble", "pushover", "redmine", "slack",
	"slack-slash-commands", "squash-tm", "teamcity", "telegram", "unify-circuit", "webex-teams", "youtrack",
	"zentao"}

// emailsOnPushRecipientsLimit is GitLab's EmailsOnPush::RECIPIENTS_LIMIT.
const emailsOnPushRecipientsLimit = 750

// emailsOnPushDefaults are emails on push's properties until set.
var emailsOnPushDefaults = map[string]any{"disable_diffs": false, "send_from_committer_email": false,
	"branches_to_be_notified": "all"}

// branchesToBeNotified are NotificationBranchSelection's choices.
var branchesToBeNotified = []string{"all", "default", "protected", "default_and_protected"}

// IntegrationInput is an integration's settings as given to PUT; nil
// fields keep their value (on the first save: GitLab's defaults).
type IntegrationInput struct {
	PushEvents             *bool
	TagPushEvents          *bool
	Recipients             *string
	DisableDiffs           *bool
	SendFromCommitterEmail *bool
	BranchesToBeNotified   *string
}

// IntegrationTitle is an integration's title.
func IntegrationTitle(slug string) string { return integrationTitles[slug] }

// integrationSlug checks that lablet runs slug: a documented integration
// it does not run, or an unknown one, is 404 as GitLab answers a slug
// without a route.
func integrationSlug(slug string) error {
	if _, ok := integrationTitles[slug]; ok {
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
				Properties: map[string]any{}}
		} else if err != nil {
			return err
		}
		// A new integration, or one cleared by DELETE, starts from
		// GitLab's defaults.
		for k, v := range emailsOnPushDefaults {
			if _, ok := i.Properties[k]; !ok {
				i.Properties[k] = v
			}
		}
		if err := applyEmailsOnPush(i, in); err != nil {
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

// applyEmailsOnPush writes in onto i and validates the result as
// Integrations::EmailsOnPush does.
func applyEmailsOnPush(i *model.Integration, in IntegrationInput) error {
	if in.PushEvents != nil {
		i.PushEvents = *in.PushEvents
	}
	if in.TagPushEvents != nil {
		i.TagPushEvents = *in.TagPushEvents
	}
	if in.Recipients != nil {
		i.Properties["recipients"] = *in.Recipients
	}
	if in.DisableDiffs != nil {
		i.Properties["disable_diffs"] = *in.DisableDiffs
	}
	if in.SendFromCommitterEmail != nil {
		i.Properties["send_from_committer_email"] = *in.SendFromCommitterEmail
	}
	if in.BranchesToBeNotified != nil {
		if !slices.Contains(branchesToBeNotified, *in.BranchesToBeNotified) {
			return ParamError("branches_to_be_notified does not have a valid value")
		}
		i.Properties["branches_to_be_notified"] = *in.BranchesToBeNotified
	}
	props := EmailsOnPushSettings(i)
	switch n := len(props.Recipients); {
	case n == 0:
		return &Error{Kind: KindInvalid, Message: "Validation failed",
			Fields: map[string][]string{"recipients": {"can't be blank"}}}
	case n > emailsOnPushRecipientsLimit:
		return &Error{Kind: KindInvalid, Message: "Validation failed", Fields: map[string][]string{"recipients": {
			fmt.Sprintf("can't exceed %d", emailsOnPushRecipientsLimit)}}}
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
	// Recipients are the addresses of the recipients property: separated
	// by spaces, newlines or commas, those with an @, each once
	// (case-insensitively), as EmailsOnPush.valid_recipients.
	Recipients             []string
	DisableDiffs           bool
	SendFromCommitterEmail bool
	BranchesToBeNotified   string
}

// EmailsOnPushSettings reads i's properties.
func EmailsOnPushSettings(i *model.Integration) EmailsOnPush {
	e := EmailsOnPush{BranchesToBeNotified: "all"}
	raw, _ := i.Properties["recipients"].(string)
	seen := map[string]bool{}
	for _, r := range strings.FieldsFunc(raw, func(c rune) bool { return c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '\t' }) {
		if strings.Contains(r, "@") && !seen[strings.ToLower(r)] {
			seen[strings.ToLower(r)] = true
			e.Recipients = append(e.Recipients, r)
		}
	}
	e.DisableDiffs, _ = i.Properties["disable_diffs"].(bool)
	e.SendFromCommitterEmail, _ = i.Properties["send_from_committer_email"].(bool)
	if b, ok := i.Properties["branches_to_be_notified"].(string); ok && b != "" {
		e.BranchesToBeNotified = b
	}
	return e
}
