package service

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/ci/config"
	"github.com/lablet/lablet/internal/ci/expr"
	"github.com/lablet/lablet/internal/ci/glob"
	"github.com/lablet/lablet/internal/ci/protocol"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// Pipeline sources (ci_pipelines.source).
const (
	SourcePush     = "push"
	SourceWeb      = "web"
	SourceAPI      = "api"
	SourceTrigger  = "trigger"
	SourceSchedule = "schedule"
	SourceMR       = "merge_request_event"
	// SourcePipeline is a multi-project downstream pipeline's (and one a
	// CI job token triggered), SourceParentPipeline a child pipeline's.
	SourcePipeline       = "pipeline"
	SourceParentPipeline = "parent_pipeline"
)

// PipelineInput is what a pipeline is created from.
type PipelineInput struct {
	Ref       string // branch or tag name
	BeforeSHA string // the ref's value before a push; zeros for a new ref
	Source    string
	Variables []model.PipelineVariable
	// BaseURL is the server's URL (CI_SERVER_URL and the like).
	BaseURL string
	// Quiet: a push without a configuration, or one its rules filter
	// out, creates nothing and is no error.
	Quiet bool
	// MergeRequest, for source merge_request_event: the pipeline runs on
	// refs/merge-requests/:iid/head at its head (Ref is not read).
	MergeRequest *model.MergeRequest
	// Tag says Ref names a tag, even when a branch has its name too (a
	// schedule's full ref refs/tags/…, a child pipeline's parent's ref).
	Tag bool
	// SHA pins the commit (a child pipeline runs its parent's); empty:
	// the ref's head.
	SHA string
	// ScheduleID is the pipeline schedule that runs the pipeline, and
	// ScheduleDescription its description.
	ScheduleID          *int64
	ScheduleDescription *string
	// Config replaces the commit's .gitlab-ci.yml when not nil (a child
	// pipeline's include of its trigger's files).
	Config []byte
	// Upstream is the bridge that creates this downstream pipeline; its
	// pipeline becomes the parent of a child pipeline (same project).
	Upstream *model.SourcePipeline
}

// PipelineConfigError is a configuration that gave no pipeline: GitLab's
// messages, answered as {"message":{"base":[…]}}.
type PipelineConfigError struct{ Messages []string }

func (e *PipelineConfigError) Error() string { return strings.Join(e.Messages, ", ") }

// createPipeline compiles the project's .gitlab-ci.yml at in.Ref and
// stores the pipeline with its jobs, then starts it. A configuration
// error stores a failed pipeline with its yaml_errors (as GitLab does
// for pushes) and is returned as a *PipelineConfigError too.
func (s *Service) createPipeline(ctx context.Context, p *model.Project, user *model.User, in PipelineInput) (*model.Pipeline, error) {
	pl, compiled, err := s.planPipeline(ctx, p, user, in, in.Config)
	var cfgErr *config.Error
	switch {
	case errors.Is(err, config.ErrFiltered), errors.Is(err, config.ErrNoJobs):
		return nil, &PipelineConfigError{Messages: []string{err.Error()}}
	case errors.As(err, &cfgErr):
		// GitLab keeps the failed pipeline of a push's, a merge
		// request's or a bridge's configuration error, to show why.
		if in.Quiet || in.Source == SourcePush || in.Upstream != nil {
			msg := strings.Join(cfgErr.Messages, ", ")
			reason := "config_error"
			pl.Status, pl.YAMLErrors, pl.FailureReason = model.CIStatusFailed, &msg, &reason
			if err := s.db.WithTx(ctx, func(q *store.Queries) error { return insertPipeline(ctx, q, pl, in) }); err != nil {
				return nil, err
			}
		}
		return pl, &PipelineConfigError{Messages: cfgErr.Messages}
	case err != nil:
		return nil, err
	}
	if compiled.WorkflowName != "" {
		pl.Name = &compiled.WorkflowName
	}
	pl.AutoCancelOnNewCommit = compiled.AutoCancelOnNewCommit
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		if err := insertPipeline(ctx, q, pl, in); err != nil {
			return err
		}
		if err := q.InsertPipelineVariables(ctx, pl.ID, in.Variables); err != nil {
			return err
		}
		for _, cj := range compiled.Jobs {
			j, err := jobFromConfig(pl, cj, compiled.Stages)
			if err != nil {
				return err
			}
			if err := q.InsertJob(ctx, j); err != nil {
				return err
			}
			if err := s.attachEnvironment(ctx, q, j); err != nil {
				return err
			}
			if err := s.jobHooks(ctx, q, j); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("service: create pipeline: %w", err)
	}
	if err := s.repos.Open(p.ID).WritePipelineRef(ctx, pl.ID, pl.SHA); err != nil {
		return nil, fmt.Errorf("service: pipeline ref: %w", err)
	}
	if err := s.processPipeline(ctx, pl.ID); err != nil {
		return nil, err
	}
	if p.AutoCancelPendingPipelines {
		// The new pipeline stands whatever happens to the older ones.
		if err := s.cancelRedundantPipelines(ctx, pl); err != nil {
			s.log.ErrorContext(ctx, "cancel redundant pipelines", "project_id", p.ID, "pipeline_id", pl.ID, "err", err)
		}
	}
	return s.db.Queries().PipelineByID(ctx, pl.ID)
}

// insertPipeline stores a new pipeline with, for a downstream one, the
// bridge that created it.
func insertPipeline(ctx context.Context, q *store.Queries, pl *model.Pipeline, in PipelineInput) error {
	if err := q.InsertPipeline(ctx, pl); err != nil {
		return err
	}
	if in.Upstream == nil {
		return nil
	}
	src := *in.Upstream
	src.ProjectID, src.PipelineID = pl.ProjectID, pl.ID
	return q.InsertSourcePipeline(ctx, &src)
}

// planPipeline compiles the pipeline createPipeline would store, without
// storing it (CI lint's dry run too): the unsaved pipeline row and the
// compiled configuration. content replaces the ref's .gitlab-ci.yml when
// not nil. Config errors come back as *config.Error, ErrFiltered or
// ErrNoJobs (with the row, for a failed pipeline); a missing ref or file
// as *PipelineConfigError.
func (s *Service) planPipeline(ctx context.Context, p *model.Project, user *model.User, in PipelineInput, content []byte) (*model.Pipeline, *config.Pipeline, error) {
	r := s.repos.Open(p.ID)
	pl := &model.Pipeline{ProjectID: p.ID, Ref: in.Ref, Source: in.Source, Status: model.CIStatusCreated,
		BeforeSHA: in.BeforeSHA, ScheduleID: in.ScheduleID}
	if pl.BeforeSHA == "" {
		pl.BeforeSHA = strings.Repeat("0", 40)
	}
	if user != nil {
		pl.UserID = &user.ID
	}
	if in.Source == SourceParentPipeline && in.Upstream != nil {
		pl.ParentPipelineID = in.Upstream.SourcePipelineID
	}
	sha, err := s.pipelineSHA(r, pl, in)
	if err != nil {
		return nil, nil, err
	}
	commit, err := r.Commit(ctx, sha)
	if err != nil {
		return nil, nil, fmt.Errorf("service: pipeline commit: %w", err)
	}
	pl.SHA = commit.ID
	committed := commit.Committer.Date
	pl.CommittedAt = &committed
	var mr *ciMergeRequest
	if in.MergeRequest != nil {
		// A merge request ref is no protected branch.
		if mr, err = s.ciMergeRequestOf(ctx, p, in.MergeRequest); err != nil {
			return nil, nil, err
		}
	} else if pl.Protected, err = s.refProtected(ctx, p, in.Ref, pl.Tag); err != nil {
		return nil, nil, err
	}
	if content == nil {
		yml, err := r.Blob(ctx, pl.SHA, ciConfigPath)
		if errors.Is(err, repo.ErrNotFound) {
			return nil, nil, &PipelineConfigError{Messages: []string{"Missing CI config file"}}
		}
		if err != nil {
			return nil, nil, fmt.Errorf("service: read %s: %w", ciConfigPath, err)
		}
		content = yml.Content
	}
	vars := pipelineVariables(ciPipelineContext{BaseURL: in.BaseURL, Project: p, Pipeline: pl, Commit: commit, User: user,
		MergeRequest: mr, ScheduleDescription: in.ScheduleDescription})
	settings, err := s.CIVariables(ctx, p.ID, pl.Protected, "")
	if err != nil {
		return nil, nil, err
	}
	for _, v := range settings {
		vars.add(v.Key, v.Value)
	}
	for _, v := range in.Variables {
		vars.add(v.Key, v.Value)
	}
	compiled, err := config.Compile(ctx, content, s.compileOptions(p, r, pl, in, vars.Map()))
	var cfgErr *config.Error
	if err != nil && !errors.Is(err, config.ErrFiltered) && !errors.Is(err, config.ErrNoJobs) && !errors.As(err, &cfgErr) {
		return nil, nil, fmt.Errorf("service: compile pipeline: %w", err)
	}
	return pl, compiled, err
}

// pipelineSHA resolves the commit a pipeline runs: a merge request's
// head (its ref then refs/merge-requests/:iid/head), or the head of the
// branch or tag in.Ref (pl.Tag set for a tag).
func (s *Service) pipelineSHA(r *repo.Repo, pl *model.Pipeline, in PipelineInput) (string, error) {
	if m := in.MergeRequest; m != nil {
		if m.HeadSHA == nil {
			return "", &PipelineConfigError{Messages: []string{"Reference not found"}}
		}
		pl.Ref, pl.MergeRequestID = repo.MergeRequestRef(m.IID), &m.ID
		return *m.HeadSHA, nil
	}
	if in.SHA != "" {
		pl.Tag = in.Tag
		return in.SHA, nil
	}
	var sha string
	var err error
	if !in.Tag {
		sha, err = r.RefValue(gitBranchPrefix + in.Ref)
	}
	if err != nil || sha == "" {
		sha, err = r.RefValue(gitTagPrefix + in.Ref)
		if err != nil || sha == "" {
			return "", &PipelineConfigError{Messages: []string{"Reference not found"}}
		}
		pl.Tag = true
	}
	return sha, nil
}

// refProtected reports whether a pipeline's ref is protected (its jobs
// then get protected variables).
func (s *Service) refProtected(ctx context.Context, p *model.Project, ref string, tag bool) (bool, error) {
	if tag {
		return false, nil
	}
	rules, err := s.BranchRules(ctx, p)
	if err != nil {
		return false, err
	}
	return rules.Protected(ref), nil
}

// compileOptions connects the compiler to the repository: rules:changes
// reads the push's diff, rules:exists the commit's tree, include:local
// the commit's files.
func (s *Service) compileOptions(p *model.Project, r *repo.Repo, pl *model.Pipeline, in PipelineInput, vars map[string]string) config.Options {
	return config.Options{
		Variables: vars,
		Source:    in.Source,
		Evaluate:  expr.Evaluate,
		Match:     glob.Match,
		Changed: func(ctx context.Context) ([]string, bool, error) {
			from := pl.BeforeSHA
			if m := in.MergeRequest; m != nil && m.BaseSHA != nil {
				from = *m.BaseSHA // a merge request's changes: its diff
			} else if zeroOID(pl.BeforeSHA) || in.Source != SourcePush {
				return nil, false, nil
			}
			diffs, err := r.DiffTrees(ctx, from, pl.SHA)
			if err != nil {
				return nil, false, nil // an unknown before (force push): changes is true, as in GitLab
			}
			var paths []string
			for _, d := range diffs {
				paths = append(paths, d.NewPath)
				if d.OldPath != d.NewPath {
					paths = append(paths, d.OldPath)
				}
			}
			return paths, true, nil
		},
		Files: func(ctx context.Context) ([]string, error) {
			entries, err := r.Tree(ctx, pl.SHA, "", true)
			if err != nil {
				return nil, err
			}
			var paths []string
			for _, e := range entries {
				if e.Type == "blob" {
					paths = append(paths, e.Path)
				}
			}
			return paths, nil
		},
		Include: func(ctx context.Context, inc config.Include) ([]byte, error) {
			switch inc.Kind {
			case "project":
				return s.includeFromProject(ctx, pl.UserID, inc)
			case "template":
				return config.Template(inc.File)
			}
			if inc.Kind != "local" {
				return nil, fmt.Errorf("%w: %s includes are not available", config.ErrIncludeNotFound, inc.Kind)
			}
			b, err := r.Blob(ctx, pl.SHA, strings.TrimPrefix(inc.File, "/"))
			if err != nil {
				return nil, fmt.Errorf("%w: %s", config.ErrIncludeNotFound, inc.File)
			}
			return b.Content, nil
		},
	}
}

// jobFromConfig turns a compiled job into a job row of pipeline pl.
func jobFromConfig(pl *model.Pipeline, cj *config.Job, stages []string) (*model.Job, error) {
	spec := &jobSpec{BeforeScript: cj.BeforeScript, Script: cj.Script, AfterScript: cj.AfterScript,
		NeedsSet: cj.NeedsSet, Dependencies: cj.Dependencies, DependenciesSet: cj.DependenciesSet,
		StartIn: cj.StartIn, AllowExitCodes: cj.AllowFailureExitCodes}
	if cj.Image != nil {
		spec.Image = &protocol.Image{Name: cj.Image.Name, Entrypoint: cj.Image.Entrypoint}
	}
	for _, sv := range cj.Services {
		spec.Services = append(spec.Services, protocol.Image{Name: sv.Name, Alias: sv.Alias, Command: sv.Command,
			Entrypoint: sv.Entrypoint})
	}
	for _, v := range append(slices.Clone(cj.Variables), cj.MatrixVariables...) {
		spec.Variables = append(spec.Variables, specVariable{Key: v.Key, Value: v.Value, Raw: v.Raw})
	}
	if cj.NodeTotal > 1 {
		spec.Variables = append(spec.Variables, specVariable{Key: "CI_NODE_INDEX", Value: strconv.Itoa(cj.NodeIndex)},
			specVariable{Key: "CI_NODE_TOTAL", Value: strconv.Itoa(cj.NodeTotal)})
	}
	for _, n := range cj.Needs {
		spec.Needs = append(spec.Needs, specNeed{Job: n.Job, Artifacts: n.Artifacts, Optional: n.Optional})
	}
	if a := cj.Artifacts; a != nil {
		if len(a.Paths) > 0 || a.Untracked {
			spec.Artifacts = append(spec.Artifacts, protocol.Artifact{Name: a.Name, Untracked: a.Untracked,
				Paths: a.Paths, Exclude: a.Exclude, When: a.When, Type: "archive", Format: "zip", ExpireIn: a.ExpireIn})
		}
		for _, kind := range slices.Sorted(maps.Keys(a.Reports)) {
			spec.Artifacts = append(spec.Artifacts, protocol.Artifact{Name: kind, Paths: a.Reports[kind],
				When: "always", Type: kind, Format: "gzip", ExpireIn: a.ExpireIn})
		}
	}
	suffix := "-non_protected"
	if pl.Protected {
		suffix = "-protected"
	}
	for _, c := range cj.Cache {
		key := c.Key
		if key == "" {
			key = "default"
		}
		if c.KeyPrefix != "" {
			key = c.KeyPrefix + "-" + key
		}
		spec.Cache = append(spec.Cache, protocol.Cache{Key: key + suffix, Untracked: c.Untracked, Policy: c.Policy,
			Paths: c.Paths, When: c.When, FallbackKeys: c.FallbackKeys})
	}
	if cj.Retry != nil {
		spec.Retry = specRetry{Max: cj.Retry.Max, When: cj.Retry.When, ExitCodes: cj.Retry.ExitCodes}
	}
	if e := cj.Environment; e != nil {
		spec.Environment = &specEnvironment{Name: e.Name, URL: e.URL, Action: e.Action, OnStop: e.OnStop,
			AutoStopIn: e.AutoStopIn, Tier: e.DeploymentTier}
	}
	if t := cj.Trigger; t != nil {
		spec.Trigger = &specTrigger{Include: t.Include, Project: t.Project, Branch: t.Branch, Strategy: t.Strategy,
			ForwardYAMLVariables: t.ForwardYAMLVariables, ForwardPipelineVariables: t.ForwardPipelineVariables}
	}
	j := &model.Job{ProjectID: pl.ProjectID, PipelineID: pl.ID, Name: cj.Name, Stage: cj.Stage,
		StageIdx: slices.Index(stages, cj.Stage), Status: model.CIStatusCreated, When: cj.When,
		AllowFailure: cj.AllowFailure, SchedulingType: "stage", UserID: pl.UserID, Spec: spec.encode(),
		Tags: cj.Tags, Ref: pl.Ref, SHA: pl.SHA, Tag: pl.Tag, Protected: pl.Protected}
	if j.When == "" {
		j.When = "on_success"
	}
	if cj.NeedsSet {
		j.SchedulingType = "dag"
	}
	if cj.Trigger != nil {
		// A bridge: no runner takes it; its turn creates the downstream
		// pipeline (triggerDownstream).
		j.Type = model.JobTypeBridge
	}
	if cj.Coverage != "" {
		j.CoverageRegex = &cj.Coverage
	}
	if cj.Interruptible != nil {
		j.Interruptible = *cj.Interruptible
	}
	if cj.Timeout != "" {
		d, ok := config.ParseDuration(cj.Timeout)
		if !ok {
			return nil, Invalid("timeout is not a duration: " + cj.Timeout)
		}
		secs := int(d.Seconds())
		j.Timeout = &secs
	}
	if cj.ResourceGroup != "" {
		j.ResourceGroup = &cj.ResourceGroup
	}
	if cj.Environment != nil && cj.Environment.Name != "" {
		j.Environment = &cj.Environment.Name
	}
	return j, nil
}

// createPushPipelines creates a pipeline for each branch or tag a push
// created or moved (ci.skip and its push option skip it, as in GitLab).
// A push never fails for its pipelines: their errors are logged, and a
// configuration error leaves a failed pipeline showing it.
func (s *Service) createPushPipelines(ctx context.Context, g *GitRepo, changes []RefChange) {
	if slices.Contains(g.PushOptions, "ci.skip") {
		return
	}
	for _, c := range changes {
		if c.IsDelete() {
			continue
		}
		ref, ok := strings.CutPrefix(c.Ref, gitBranchPrefix)
		if !ok {
			if ref, ok = strings.CutPrefix(c.Ref, gitTagPrefix); !ok {
				continue
			}
		}
		if commit, err := g.Repo.Commit(ctx, c.New); err == nil && ciSkipped(commit.Message) {
			continue
		}
		_, err := s.createPipeline(ctx, g.Project, g.Pusher, PipelineInput{Ref: ref, BeforeSHA: c.Old,
			Source: SourcePush, BaseURL: g.BaseURL, Quiet: true, Variables: pushOptionVariables(g.PushOptions)})
		var cfgErr *PipelineConfigError
		if err != nil && !errors.As(err, &cfgErr) {
			s.log.ErrorContext(ctx, "create push pipeline", "project_id", g.Project.ID, "ref", ref, "err", err)
		}
		if strings.HasPrefix(c.Ref, gitBranchPrefix) {
			// After the branch's own, as GitLab's refresh creates them.
			s.pushMergeRequestPipelines(ctx, g, ref, c.New)
		}
	}
}

// ciSkipped reports whether a commit message asks for no pipeline
// ("[ci skip]" or "[skip ci]", any case).
func ciSkipped(message string) bool {
	m := strings.ToLower(message)
	return strings.Contains(m, "[ci skip]") || strings.Contains(m, "[skip ci]")
}

// pushOptionVariables reads `git push -o ci.variable="KEY=value"`.
func pushOptionVariables(options []string) []model.PipelineVariable {
	var vars []model.PipelineVariable
	for _, o := range options {
		kv, ok := strings.CutPrefix(o, "ci.variable=")
		if !ok {
			continue
		}
		k, v, ok := strings.Cut(strings.Trim(kv, `"`), "=")
		if ok && k != "" {
			vars = append(vars, model.PipelineVariable{Key: k, Value: v, VariableType: "env_var"})
		}
	}
	return vars
}

// includeFromProject reads an include:project file as the pipeline's user
// may read it: a project they can't see, or whose code they may not read,
// is GitLab's "not found or access denied"; the ref is the project's
// default branch unless the include names one.
func (s *Service) includeFromProject(ctx context.Context, userID *int64, inc config.Include) ([]byte, error) {
	id := &auth.Identity{}
	if userID != nil {
		if u, err := s.db.Queries().UserByID(ctx, *userID); err == nil {
			id.User = u
		}
	}
	p, level, err := s.VisibleProject(ctx, id, inc.Project)
	if err != nil || !CanReadCode(id, p, level) {
		return nil, fmt.Errorf("%w: %s", config.ErrIncludeProjectNotFound, inc.Project)
	}
	ref := inc.Ref
	if ref == "" && p.DefaultBranch != nil {
		ref = *p.DefaultBranch
	}
	b, err := s.repos.Open(p.ID).Blob(ctx, ref, strings.TrimPrefix(inc.File, "/"))
	if err != nil {
		return nil, fmt.Errorf("%w: %s", config.ErrIncludeNotFound, inc.File)
	}
	return b.Content, nil
}
