package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Pipeline trigger tokens (GitLab's Ci::Trigger, Ci::PipelineTriggers::*
// and Ci::PipelineTriggerService). A token is kept as its digest and its
// short form only: its owner sees it whole once, in the answer that
// creates it; afterwards everyone sees the short form.

// TriggerTokenPrefix starts every trigger token (Ci::Trigger's
// TRIGGER_TOKEN_PREFIX).
const TriggerTokenPrefix = "glptt-"

// triggerPayloadKey is the file variable that holds the trigger request's
// parameters, the token left out (PAYLOAD_VARIABLE_KEY).
const triggerPayloadKey = "TRIGGER_PAYLOAD"

const maxTriggerDescription = 255

// errTriggerNotFound is what a missing trigger answers (ActiveRecord's
// RecordNotFound through the API's rescue).
var errTriggerNotFound = &Error{Kind: KindNotFound, Message: "Not found"}

// errTriggerTokenNotFound is the trigger API's not_found!: an unknown
// token, or one of another project, reveals nothing.
var errTriggerTokenNotFound = &Error{Kind: KindNotFound, Message: "Not Found"}

// CITriggerView is a trigger with what its entity shows: its owner and,
// only in the answer that created it, the whole token.
type CITriggerView struct {
	Trigger *model.CITrigger
	Owner   *model.User
	Token   string
}

// ShownToken is the entity's token: whole when the view carries it,
// else the short form GitLab shows to whoever is not the owner.
func (v *CITriggerView) ShownToken() string {
	if v.Token != "" {
		return v.Token
	}
	return v.Trigger.ShortToken
}

func (s *Service) ciTriggerViews(ctx context.Context, list []*model.CITrigger) ([]*CITriggerView, error) {
	ids := make([]int64, 0, len(list))
	for _, t := range list {
		ids = append(ids, t.OwnerID)
	}
	users, err := s.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*CITriggerView, len(list))
	for i, t := range list {
		out[i] = &CITriggerView{Trigger: t, Owner: users[t.OwnerID]}
	}
	return out, nil
}

// ListCITriggers is GET /projects/:id/triggers (Maintainer).
func (s *Service) ListCITriggers(ctx context.Context, id *auth.Identity, ref string) ([]*CITriggerView, error) {
	p, _, err := s.ciProject(ctx, id, ref, access.ManageTrigger)
	if err != nil {
		return nil, err
	}
	list, err := s.db.Queries().CITriggers(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	return s.ciTriggerViews(ctx, list)
}

// ciTrigger finds a trigger of the project ref names for a caller who
// holds ab there.
func (s *Service) ciTrigger(ctx context.Context, id *auth.Identity, ref string, triggerID int64, ab access.Ability) (*model.CITrigger, error) {
	p, _, err := s.ciProject(ctx, id, ref, ab)
	if err != nil {
		return nil, err
	}
	t, err := s.db.Queries().CITrigger(ctx, p.ID, triggerID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errTriggerNotFound
	}
	return t, err
}

func (s *Service) ciTriggerView(ctx context.Context, t *model.CITrigger, token string) (*CITriggerView, error) {
	views, err := s.ciTriggerViews(ctx, []*model.CITrigger{t})
	if err != nil {
		return nil, err
	}
	views[0].Token = token
	return views[0], nil
}

// CITrigger is GET /projects/:id/triggers/:trigger_id (Maintainer).
func (s *Service) CITrigger(ctx context.Context, id *auth.Identity, ref string, triggerID int64) (*CITriggerView, error) {
	t, err := s.ciTrigger(ctx, id, ref, triggerID, access.ManageTrigger)
	if err != nil {
		return nil, err
	}
	return s.ciTriggerView(ctx, t, "")
}

func validTriggerDescription(d string) error {
	if utf8.RuneCountInString(d) > maxTriggerDescription {
		return Invalid(fmt.Sprintf("Description is too long (maximum is %d characters)", maxTriggerDescription))
	}
	return nil
}

// CreateCITrigger is POST /projects/:id/triggers (Maintainer): a trigger
// owned by the caller, its whole token in the answer.
func (s *Service) CreateCITrigger(ctx context.Context, id *auth.Identity, ref, description string) (*CITriggerView, error) {
	p, _, err := s.ciProject(ctx, id, ref, access.ManageTrigger)
	if err != nil {
		return nil, err
	}
	if err := validTriggerDescription(description); err != nil {
		return nil, err
	}
	token := auth.NewSecret(TriggerTokenPrefix, 20)
	t := &model.CITrigger{ProjectID: p.ID, OwnerID: id.User.ID, Description: description,
		TokenDigest: auth.Digest(token), ShortToken: shortTriggerToken(token)}
	if err := s.db.WithTx(ctx, func(q *store.Queries) error { return q.CreateCITrigger(ctx, t) }); err != nil {
		return nil, err
	}
	return s.ciTriggerView(ctx, t, token)
}

// shortTriggerToken is Ci::Trigger#short_token: four characters after
// the prefix.
func shortTriggerToken(token string) string {
	rest := strings.TrimPrefix(token, TriggerTokenPrefix)
	return rest[:min(4, len(rest))]
}

// UpdateCITrigger is PUT /projects/:id/triggers/:trigger_id: only the
// trigger's owner, still a Maintainer, changes it (TriggerPolicy's
// admin_trigger); a nil description changes nothing.
func (s *Service) UpdateCITrigger(ctx context.Context, id *auth.Identity, ref string, triggerID int64, description *string) (*CITriggerView, error) {
	p, level, err := s.VisibleProject(ctx, id, ref)
	if err != nil {
		return nil, err
	}
	t, err := s.db.Queries().CITrigger(ctx, p.ID, triggerID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errTriggerNotFound
	}
	if err != nil {
		return nil, err
	}
	if !ProjectCan(id, p, level, access.ManageTrigger) || !id.Authenticated() || id.User.ID != t.OwnerID {
		return nil, Forbidden("")
	}
	if description != nil {
		if err := validTriggerDescription(*description); err != nil {
			return nil, err
		}
		t.Description = *description
		if err := s.db.WithTx(ctx, func(q *store.Queries) error { return q.UpdateCITrigger(ctx, t) }); err != nil {
			return nil, err
		}
	}
	return s.ciTriggerView(ctx, t, "")
}

// DeleteCITrigger is DELETE /projects/:id/triggers/:trigger_id
// (Maintainer).
func (s *Service) DeleteCITrigger(ctx context.Context, id *auth.Identity, ref string, triggerID int64) error {
	t, err := s.ciTrigger(ctx, id, ref, triggerID, access.ManageTrigger)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(q *store.Queries) error { return q.DeleteCITrigger(ctx, t.ID) })
}

// TriggerInput is POST /projects/:id/trigger/pipeline's request.
type TriggerInput struct {
	Ref       string
	Variables map[string]string
	BaseURL   string
}

// TriggerPipeline is POST /projects/:id/trigger/pipeline with a trigger
// token: a pipeline of source "trigger" run as the trigger's owner. An
// unknown token, or one of another project, is 404.
func (s *Service) TriggerPipeline(ctx context.Context, projectRef, token string, in TriggerInput) (*PipelineView, error) {
	q := s.db.Queries()
	t, err := q.CITriggerByDigest(ctx, auth.Digest(token))
	if errors.Is(err, store.ErrNotFound) || err == nil && t.ExpiresAt != nil && !t.ExpiresAt.After(s.Now()) {
		return nil, errTriggerTokenNotFound
	}
	if err != nil {
		return nil, err
	}
	owner, err := q.UserByID(ctx, t.OwnerID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errTriggerTokenNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("service: trigger owner: %w", err)
	}
	if !owner.Active() {
		// A blocked owner's trigger creates nothing (the pipeline's
		// user must be able to create it).
		return nil, &PipelineConfigError{Messages: []string{"Insufficient permissions to create a new pipeline"}}
	}
	v, err := s.pipelineFromRequest(ctx, &auth.Identity{User: owner, Owner: owner}, projectRef, t.ProjectID,
		SourceTrigger, in)
	if err != nil {
		return nil, err
	}
	if err := s.db.WithTx(ctx, func(q *store.Queries) error { return q.TouchCITrigger(ctx, t.ID) }); err != nil {
		return nil, err
	}
	return v, nil
}

// TriggerPipelineByJob is the same request with a running job's
// CI_JOB_TOKEN: a pipeline of source "pipeline" run as the job's user,
// in any project that user sees.
func (s *Service) TriggerPipelineByJob(ctx context.Context, job *auth.Identity, projectRef string, in TriggerInput) (*PipelineView, error) {
	if job == nil || job.CIJob == nil || !job.Authenticated() {
		return nil, errTriggerTokenNotFound
	}
	// The job token reaches only its job's project; a trigger acts as
	// the user, wherever they may create pipelines.
	return s.pipelineFromRequest(ctx, &auth.Identity{User: job.User, Owner: job.User}, projectRef, 0, SourcePipeline, in)
}

// pipelineFromRequest creates the pipeline of a trigger request as id,
// in the project projectRef names (which must be projectID when that is
// set). A project id may not see is 404; one it may not run pipelines
// in, GitLab's "Insufficient permissions".
func (s *Service) pipelineFromRequest(ctx context.Context, id *auth.Identity, projectRef string, projectID int64, source string, in TriggerInput) (*PipelineView, error) {
	p, level, err := s.VisibleProject(ctx, id, projectRef)
	if err != nil || projectID != 0 && p.ID != projectID {
		var se *Error
		if err == nil || errors.As(err, &se) && se.Kind == KindNotFound {
			return nil, errTriggerTokenNotFound
		}
		return nil, err
	}
	if !ProjectCan(id, p, level, access.CreatePipeline) {
		return nil, &PipelineConfigError{Messages: []string{"Insufficient permissions to create a new pipeline"}}
	}
	vars, err := triggerVariables(projectRef, in)
	if err != nil {
		return nil, err
	}
	return s.createPipelineAs(ctx, id, p, level, PipelineInput{Ref: in.Ref, Source: source, Variables: vars,
		BaseURL: in.BaseURL})
}

// triggerVariables are the request's variables, in key order, and
// TRIGGER_PAYLOAD: the request's parameters but the token, as JSON.
func triggerVariables(projectRef string, in TriggerInput) ([]model.PipelineVariable, error) {
	vars := make([]model.PipelineVariable, 0, len(in.Variables)+1)
	for _, k := range slices.Sorted(maps.Keys(in.Variables)) {
		vars = append(vars, model.PipelineVariable{Key: k, Value: in.Variables[k], VariableType: model.CIVariableEnvVar})
	}
	payload, err := json.Marshal(struct {
		Ref       string            `json:"ref"`
		ID        string            `json:"id"`
		Variables map[string]string `json:"variables"`
	}{in.Ref, projectRef, in.Variables})
	if err != nil {
		return nil, fmt.Errorf("service: trigger payload: %w", err)
	}
	vars = append(vars, model.PipelineVariable{Key: triggerPayloadKey, Value: string(payload),
		VariableType: model.CIVariableFile})
	return vars, nil
}
