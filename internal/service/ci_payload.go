package service

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/lablet/lablet/internal/ci/protocol"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// defaultJobTimeout is a project's job timeout when the job sets none
// (GitLab's default build_timeout: one hour).
const defaultJobTimeout = 3600

// defaultGitDepth is the clone depth jobs get (GitLab's default
// ci_default_git_depth for new projects).
const defaultGitDepth = 20

// jobPayload describes a job the way the runner is sent it.
func (s *Service) jobPayload(ctx context.Context, j *model.Job, runner *model.Runner, token, baseURL string) (*protocol.JobResponse, error) {
	q := s.db.Queries()
	p, err := q.ProjectByID(ctx, j.ProjectID)
	if err != nil {
		return nil, err
	}
	pl, err := q.PipelineByID(ctx, j.PipelineID)
	if err != nil {
		return nil, err
	}
	spec, err := specOf(j)
	if err != nil {
		return nil, err
	}
	vars, err := s.jobVariables(ctx, j, p, pl, spec, runner, token, baseURL)
	if err != nil {
		return nil, err
	}
	timeout := defaultJobTimeout
	if j.Timeout != nil {
		timeout = *j.Timeout
	}
	if runner.MaximumTimeout != nil && *runner.MaximumTimeout < timeout {
		timeout = *runner.MaximumTimeout
	}
	// The pipeline's own ref (refs/pipelines/:id) holds its commit; a
	// branch or tag is fetched too, a merge request ref is not (GitLab's
	// BuildRunnerPresenter#refspecs), and its ref_type is "branch".
	refspecs := []string{"+" + repo.PipelineRef(pl.ID) + ":" + repo.PipelineRef(pl.ID)}
	refType := "branch"
	switch {
	case pl.Tag:
		refType = "tag"
		refspecs = append(refspecs, "+refs/tags/"+pl.Ref+":refs/tags/"+pl.Ref)
	case !strings.HasPrefix(pl.Ref, mergeRequestRefPrefix): // even once its merge request is deleted
		refspecs = append(refspecs, "+refs/heads/"+pl.Ref+":refs/remotes/origin/"+pl.Ref)
	}
	queued := 0.0
	if j.QueuedAt != nil && j.StartedAt != nil {
		queued = j.StartedAt.Sub(*j.QueuedAt).Seconds()
	}
	resp := &protocol.JobResponse{
		ID: j.ID, Token: token, AllowGitFetch: true,
		JobInfo: protocol.JobInfo{Name: j.Name, Stage: j.Stage, ProjectID: p.ID, ProjectName: p.Name,
			TimeInQueueSeconds: queued},
		GitInfo: protocol.GitInfo{RepoURL: jobRepoURL(baseURL, p.FullPath(), token), RepoObjectFormat: "sha1",
			Ref: pl.Ref, Sha: pl.SHA, BeforeSha: pl.BeforeSHA, RefType: refType,
			Refspecs: refspecs, Depth: defaultGitDepth},
		RunnerInfo: protocol.RunnerInfo{Timeout: timeout},
		Variables:  vars,
		Steps: []protocol.Step{{Name: protocol.StepScript, Script: append(append([]string{}, spec.BeforeScript...), spec.Script...),
			Timeout: timeout, When: protocol.WhenOnSuccess}},
		Image:       spec.Image,
		Services:    spec.Services,
		Artifacts:   spec.Artifacts,
		Cache:       spec.Cache,
		Credentials: []protocol.Credentials{},
		Features: protocol.ServerFeatures{TraceSections: true,
			TokenMaskPrefixes: []string{"glpat-", "gloas-", "gldt-", "glrt-", "glcbt-", "glptt-", "glft-", "glimt-", "glagent-", "glsoat-"},
			FailureReasons: []string{protocol.ScriptFailure, protocol.RunnerSystemFailure, protocol.JobExecutionTimeout,
				protocol.UnknownFailure, "stuck_or_timeout_failure", "api_failure"}},
	}
	if len(spec.AfterScript) > 0 {
		resp.Steps = append(resp.Steps, protocol.Step{Name: protocol.StepAfterScript, Script: spec.AfterScript,
			Timeout: timeout, When: protocol.WhenAlways})
	}
	if resp.Artifacts == nil {
		resp.Artifacts = []protocol.Artifact{}
	}
	if resp.Cache == nil {
		resp.Cache = []protocol.Cache{}
	}
	if resp.Services == nil {
		resp.Services = []protocol.Image{}
	}
	if resp.Image == nil {
		resp.Image = &protocol.Image{}
	}
	resp.Dependencies, err = s.jobDependencies(ctx, j, spec, token)
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// jobRepoURL is the URL the runner fetches the repository from, with the
// job token as gitlab-ci-token's password.
func jobRepoURL(baseURL, fullPath, token string) string {
	u, err := url.Parse(strings.TrimRight(baseURL, "/") + "/" + fullPath + ".git")
	if err != nil {
		return baseURL + "/" + fullPath + ".git"
	}
	u.User = url.UserPassword("gitlab-ci-token", token)
	return u.String()
}

// jobDependencies are the jobs whose artifacts a job downloads: the ones
// it needs with artifacts (needs), those listed in dependencies, or by
// default every job of the earlier stages; only those with an archive.
func (s *Service) jobDependencies(ctx context.Context, j *model.Job, spec *jobSpec, token string) ([]protocol.Dependency, error) {
	q := s.db.Queries()
	all, err := q.JobsOfPipeline(ctx, j.PipelineID)
	if err != nil {
		return nil, err
	}
	var names map[string]bool // nil: every job of the earlier stages
	switch {
	case spec.DependenciesSet:
		names = map[string]bool{}
		for _, d := range spec.Dependencies {
			names[d] = true
		}
	case spec.NeedsSet:
		names = map[string]bool{}
		for _, n := range spec.Needs {
			if n.Artifacts {
				names[n.Job] = true
			}
		}
	}
	var candidates []*model.Job
	for _, o := range latestJobs(all) {
		if o.ID != j.ID && (names == nil && o.StageIdx < j.StageIdx || names[o.Name]) {
			candidates = append(candidates, o)
		}
	}
	ids := make([]int64, len(candidates))
	for i, c := range candidates {
		ids[i] = c.ID
	}
	arts, err := q.ArtifactsOfJobs(ctx, ids)
	if err != nil {
		return nil, err
	}
	archives := map[int64]*model.JobArtifact{}
	for _, a := range arts {
		if a.FileType == artifactArchive {
			archives[a.JobID] = a
		}
	}
	deps := []protocol.Dependency{}
	for _, c := range candidates {
		a := archives[c.ID]
		if a == nil || c.ErasedAt != nil {
			continue
		}
		deps = append(deps, protocol.Dependency{ID: c.ID, Token: token, Name: c.Name,
			ArtifactsFile: protocol.DependencyFile{Filename: a.FileName, Size: a.Size}})
	}
	return deps, nil
}

// jobVariables are a job's variables in GitLab's order of precedence
// (later wins): predefined, the YAML's, the CI/CD settings', the
// pipeline's own, then the job's predefined ones.
func (s *Service) jobVariables(ctx context.Context, j *model.Job, p *model.Project, pl *model.Pipeline, spec *jobSpec,
	runner *model.Runner, token, baseURL string) ([]protocol.Variable, error) {
	q := s.db.Queries()
	// GITLAB_USER_* are the job's user (GitLab's build.user): the
	// pipeline's, or who played or retried the job.
	userID := j.UserID
	if userID == nil {
		userID = pl.UserID
	}
	var user *model.User
	if userID != nil {
		u, err := q.UserByID(ctx, *userID)
		if err == nil {
			user = u
		}
	}
	// A commit gone from the repository (force-pushed away) still runs.
	c, err := s.repos.Open(p.ID).Commit(ctx, pl.SHA)
	if err != nil {
		c = nil
	}
	mr, err := s.pipelineMergeRequest(ctx, p, pl)
	if err != nil {
		return nil, err
	}
	pc := ciPipelineContext{BaseURL: baseURL, Project: p, Pipeline: pl, Commit: c, User: user, MergeRequest: mr}
	if pl.ScheduleID != nil {
		// A deleted schedule leaves its pipelines without one.
		if ps, err := q.PipelineSchedule(ctx, p.ID, *pl.ScheduleID); err == nil {
			pc.ScheduleDescription = &ps.Description
		}
	}
	v := pipelineVariables(pc)
	for _, y := range spec.Variables {
		v = append(v, protocol.Variable{Key: y.Key, Value: y.Value, Public: true, Raw: y.Raw})
	}
	settings, err := s.ciSettingVariables(ctx, p, pl, j)
	if err != nil {
		return nil, err
	}
	v = append(v, settings...)
	given, err := q.PipelineVariables(ctx, pl.ID)
	if err != nil {
		return nil, err
	}
	for _, g := range given {
		v = append(v, protocol.Variable{Key: g.Key, Value: g.Value, File: g.VariableType == "file", Raw: g.Raw})
	}
	id := strconv.FormatInt(j.ID, 10)
	v.add("CI_JOB_ID", id)
	v.add("CI_JOB_NAME", j.Name)
	v.add("CI_JOB_NAME_SLUG", ciSlug(j.Name))
	v.add("CI_JOB_STAGE", j.Stage)
	v.add("CI_JOB_URL", strings.TrimRight(baseURL, "/")+"/"+p.FullPath()+"/-/jobs/"+id)
	v.add("CI_JOB_MANUAL", strconv.FormatBool(j.When == "manual"))
	if j.StartedAt != nil {
		v.add("CI_JOB_STARTED_AT", j.StartedAt.UTC().Format("2006-01-02T15:04:05Z07:00"))
	}
	v = append(v, protocol.Variable{Key: "CI_JOB_TOKEN", Value: token, Masked: true})
	v = append(v, protocol.Variable{Key: "CI_REPOSITORY_URL", Value: jobRepoURL(baseURL, p.FullPath(), token)})
	v.add("CI_RUNNER_ID", strconv.FormatInt(runner.ID, 10))
	v.add("CI_RUNNER_DESCRIPTION", runner.Description)
	v.add("CI_RUNNER_TAGS", fmt.Sprintf("[%s]", quoteJoin(runner.Tags)))
	if j.Environment != nil && spec.Environment != nil {
		env, err := q.EnvironmentByName(ctx, p.ID, *j.Environment)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		v = append(v, environmentVariables(spec.Environment, env)...)
	}
	return v.resolved(), nil
}

func quoteJoin(tags []string) string {
	q := make([]string, len(tags))
	for i, t := range tags {
		q[i] = strconv.Quote(t)
	}
	return strings.Join(q, ", ")
}

// artifactArchive is the file type of a job's artifacts archive.
const artifactArchive = "archive"

// artifactTrace is a job's archived log, kept among its artifacts.
const artifactTrace = "trace"
