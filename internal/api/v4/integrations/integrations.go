// Package integrations is the project integrations part of GitLab's REST
// API v4 (API::Integrations): the integrations lablet runs (emails on
// push) and GitLab's answer for those it does not. Its handlers are
// functions of the core package's Handler type; Routes is its route table,
// which internal/server hands to v4.New.
package integrations

import (
	"net/http"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// integrationEntity is GitLab's Entities::ProjectIntegrationBasic. The
// event flags lablet's integrations do not take show the integrations
// table's defaults, as GitLab's columns do.
type integrationEntity struct {
	ID                             int64  `json:"id"`
	Title                          string `json:"title"`
	Slug                           string `json:"slug"`
	CreatedAt                      string `json:"created_at"`
	UpdatedAt                      string `json:"updated_at"`
	Active                         bool   `json:"active"`
	CommitEvents                   bool   `json:"commit_events"`
	PushEvents                     bool   `json:"push_events"`
	IssuesEvents                   bool   `json:"issues_events"`
	IncidentEvents                 bool   `json:"incident_events"`
	AlertEvents                    bool   `json:"alert_events"`
	ConfidentialIssuesEvents       bool   `json:"confidential_issues_events"`
	MergeRequestsEvents            bool   `json:"merge_requests_events"`
	TagPushEvents                  bool   `json:"tag_push_events"`
	DeploymentEvents               bool   `json:"deployment_events"`
	NoteEvents                     bool   `json:"note_events"`
	ConfidentialNoteEvents         bool   `json:"confidential_note_events"`
	PipelineEvents                 bool   `json:"pipeline_events"`
	WikiPageEvents                 bool   `json:"wiki_page_events"`
	JobEvents                      bool   `json:"job_events"`
	CommentOnEventEnabled          bool   `json:"comment_on_event_enabled"`
	GroupMentionEvents             bool   `json:"group_mention_events"`
	GroupConfidentialMentionEvents bool   `json:"group_confidential_mention_events"`
	Inherited                      bool   `json:"inherited"`
	VulnerabilityEvents            bool   `json:"vulnerability_events"`
}

// projectIntegrationEntity is Entities::ProjectIntegration: the basic
// entity and the integration's properties (secret ones hidden; emails on
// push has none).
type projectIntegrationEntity struct {
	integrationEntity
	Properties map[string]any `json:"properties"`
}

func integrationEntityOf(i *model.Integration) integrationEntity {
	return integrationEntity{ID: i.ID, Title: service.IntegrationTitle(i.Slug), Slug: i.Slug,
		CreatedAt: v4.TS(i.CreatedAt), UpdatedAt: v4.TS(i.UpdatedAt), Active: i.Active, CommitEvents: true,
		PushEvents: i.PushEvents, IssuesEvents: true, ConfidentialIssuesEvents: true, MergeRequestsEvents: true,
		TagPushEvents: i.TagPushEvents, NoteEvents: true, ConfidentialNoteEvents: true, WikiPageEvents: true,
		PipelineEvents: i.PipelineEvents, CommentOnEventEnabled: true}
}

func projectIntegrationEntityOf(i *model.Integration) projectIntegrationEntity {
	props := map[string]any{}
	for _, name := range service.IntegrationProperties(i.Slug) {
		props[name] = i.Properties[name] // nil once disabled: GitLab clears them
	}
	return projectIntegrationEntity{integrationEntity: integrationEntityOf(i), Properties: props}
}

// listIntegrations is GET /projects/:id/integrations: the active ones.
func listIntegrations(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	list, err := a.Service().Integrations(r.Context(), c.Identity(), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := make([]integrationEntity, len(list))
	for i, in := range list {
		out[i] = integrationEntityOf(in)
	}
	return v4.WriteOK(w, out)
}

// getIntegration is GET /projects/:id/integrations/:slug.
func getIntegration(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	i, err := a.Service().Integration(r.Context(), c.Identity(), r.PathValue("id"), r.PathValue("slug"))
	if err != nil {
		return err
	}
	return v4.WriteOK(w, projectIntegrationEntityOf(i))
}

// setIntegration is PUT /projects/:id/integrations/:slug: sets the
// integration up (or changes it) and activates it.
func setIntegration(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	in, err := integrationInput(c.Params(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	i, err := a.Service().SetIntegration(r.Context(), c.Identity(), r.PathValue("id"), r.PathValue("slug"), in)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, projectIntegrationEntityOf(i))
}

// integrationParams are the flags each integration takes, beside
// recipients (required by both) and branches_to_be_notified.
var integrationParams = map[string][]string{
	model.IntegrationEmailsOnPush:   {"push_events", "tag_push_events", "disable_diffs", "send_from_committer_email"},
	model.IntegrationPipelinesEmail: {"pipeline_events", "notify_only_broken_pipelines"},
}

// integrationInput reads the parameters of the integration slug (its
// api_arguments: recipients is required); an unknown slug takes none and
// is refused by the service.
func integrationInput(p *v4.Params, slug string) (service.IntegrationInput, error) {
	var in service.IntegrationInput
	recipients, ok, err := p.Text("recipients", 1<<16)
	if err != nil {
		return in, err
	}
	if !ok {
		return in, service.ParamError("recipients is missing")
	}
	in.Recipients = &recipients
	flags := map[string]**bool{"push_events": &in.PushEvents, "tag_push_events": &in.TagPushEvents,
		"pipeline_events": &in.PipelineEvents, "disable_diffs": &in.DisableDiffs,
		"send_from_committer_email": &in.SendFromCommitterEmail, "notify_only_broken_pipelines": &in.NotifyOnlyBrokenPipelines}
	for _, name := range integrationParams[slug] {
		v, ok, err := p.Bool(name)
		if err != nil {
			return in, err
		}
		if ok {
			*flags[name] = &v
		}
	}
	if v, ok, err := p.OneOf("branches_to_be_notified", "all", "default", "protected", "default_and_protected"); err != nil {
		return in, err
	} else if ok {
		in.BranchesToBeNotified = &v
	}
	return in, nil
}

// deleteIntegration is DELETE /projects/:id/integrations/:slug: disables
// it and clears its settings.
func deleteIntegration(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	if err := a.Service().DeleteIntegration(r.Context(), c.Identity(), r.PathValue("id"), r.PathValue("slug")); err != nil {
		return err
	}
	return v4.WriteNoContent(w)
}
