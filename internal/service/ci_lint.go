package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/ci/config"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
)

// LintInput is a CI lint request (GitLab's lib/api/lint.rb).
type LintInput struct {
	// Content is POST's configuration; nil lints the project's
	// .gitlab-ci.yml at ContentRef (GET).
	Content *string
	// ContentRef is GET's sha/content_ref: "" is the default branch's head.
	ContentRef string
	// DryRun simulates creating a pipeline for DryRunRef ("" is the
	// default branch): rules are evaluated, jobs are those that would run.
	DryRun    bool
	DryRunRef string
	BaseURL   string
}

// LintResult is GitLab's Gitlab::Ci::Lint::Result.
type LintResult struct {
	Valid      bool
	Errors     []string
	Warnings   []string
	MergedYAML string
	Includes   []LintInclude
	Jobs       []LintJob
}

// LintInclude is one included file (config_metadata[:includes]).
type LintInclude struct {
	Type, Location, Blob, Raw  string
	ContextProject, ContextSHA string
}

// LintJob is a job as the lint lists it.
type LintJob struct {
	Name, Stage                       string
	BeforeScript, Script, AfterScript []string
	TagList                           []string
	Environment                       *string
	When                              string
	AllowFailure                      bool
	Needs                             []config.Need
}

// LintCIContent is POST /projects/:id/ci/lint: content checked in the
// project's context, for callers who may create pipelines.
func (s *Service) LintCIContent(ctx context.Context, id *auth.Identity, projectRef string, in LintInput) (*LintResult, error) {
	p, _, err := s.ciProject(ctx, id, projectRef, access.CreatePipeline)
	if err != nil {
		return nil, err
	}
	pr := &ProjectRepo{Project: p, Repo: s.repos.Open(p.ID)}
	// GitLab lints against the head commit; an empty repository has none,
	// and then only local includes fail.
	sha, _ := pr.Repo.ResolveRef(ctx, s.defaultBranch(ctx, pr))
	content := ""
	if in.Content != nil {
		content = *in.Content
	}
	return s.lintCI(ctx, id, pr, sha, []byte(content), in)
}

// LintCIConfig is GET /projects/:id/ci/lint: the project's configuration
// at a commit, for callers who may read the code.
func (s *Service) LintCIConfig(ctx context.Context, id *auth.Identity, projectRef string, in LintInput) (*LintResult, error) {
	pr, err := s.RepoForRead(ctx, id, projectRef)
	if err != nil {
		return nil, err
	}
	empty, err := pr.Repo.IsEmpty(ctx)
	if err != nil {
		return nil, fmt.Errorf("service: lint: %w", err)
	}
	if empty {
		return nil, NotFound("Repository")
	}
	sha, err := s.resolveCommit(ctx, pr, in.ContentRef)
	if err != nil {
		return nil, err
	}
	// A commit without the file lints as empty content, as GitLab's
	// blob_data_at answers nil.
	var content []byte
	if b, err := pr.Repo.Blob(ctx, sha, ciConfigPath); err == nil {
		content = b.Content
	} else if !errors.Is(err, repo.ErrNotFound) {
		return nil, fmt.Errorf("service: read %s: %w", ciConfigPath, err)
	}
	return s.lintCI(ctx, id, pr, sha, content, in)
}

// lintCI runs the static check of content at commit sha, then, for a dry
// run, the pipeline creation it would give.
func (s *Service) lintCI(ctx context.Context, id *auth.Identity, pr *ProjectRepo, sha string, content []byte, in LintInput) (*LintResult, error) {
	pl := &model.Pipeline{ProjectID: pr.Project.ID, SHA: sha, BeforeSHA: strings.Repeat("0", 40)}
	opts := s.compileOptions(pr.Project, pr.Repo, pl, PipelineInput{Source: SourcePush}, nil)
	includes := []LintInclude{}
	fetch := opts.Include
	opts.Include = func(ctx context.Context, inc config.Include) ([]byte, error) {
		b, err := fetch(ctx, inc)
		if err == nil {
			includes = append(includes, s.lintInclude(pr.Project, sha, inc, in.BaseURL))
		}
		return b, err
	}
	lint := config.Lint(ctx, content, opts)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := &LintResult{Valid: lint.Valid, Errors: lint.Errors, Warnings: lint.Warnings, MergedYAML: lint.MergedYAML,
		Includes: includes, Jobs: []LintJob{}}
	if !res.Valid {
		return res, nil
	}
	jobs := byStage(lint.Jobs, lint.Stages)
	if in.DryRun {
		var err error
		if jobs, err = s.lintDryRun(ctx, id, pr, content, in); err != nil {
			var ce *PipelineConfigError
			if !errors.As(err, &ce) {
				return nil, err
			}
			res.Valid, res.Errors = false, ce.Messages
			return res, nil
		}
	}
	for _, j := range jobs {
		res.Jobs = append(res.Jobs, lintJobOf(j))
	}
	return res, nil
}

// lintDryRun compiles content as a push pipeline for the dry-run ref
// would; what gives no pipeline is a *PipelineConfigError.
func (s *Service) lintDryRun(ctx context.Context, id *auth.Identity, pr *ProjectRepo, content []byte, in LintInput) ([]*config.Job, error) {
	ref := in.DryRunRef
	if ref == "" {
		ref = s.defaultBranch(ctx, pr)
	}
	var user *model.User
	if id != nil {
		user = id.User
	}
	_, compiled, err := s.planPipeline(ctx, pr.Project, user, PipelineInput{Ref: ref, Source: SourcePush,
		BaseURL: in.BaseURL}, content)
	var cfgErr *config.Error
	switch {
	case errors.Is(err, config.ErrFiltered), errors.Is(err, config.ErrNoJobs):
		return nil, &PipelineConfigError{Messages: []string{err.Error()}}
	case errors.As(err, &cfgErr):
		return nil, &PipelineConfigError{Messages: cfgErr.Messages}
	case err != nil:
		return nil, err
	}
	return byStage(compiled.Jobs, compiled.Stages), nil
}

// byStage orders jobs by stage, then file order, as GitLab lists them.
func byStage(jobs []*config.Job, stages []string) []*config.Job {
	jobs = slices.Clone(jobs)
	slices.SortStableFunc(jobs, func(a, b *config.Job) int {
		return slices.Index(stages, a.Stage) - slices.Index(stages, b.Stage)
	})
	return jobs
}

func (s *Service) lintInclude(p *model.Project, sha string, inc config.Include, baseURL string) LintInclude {
	file := strings.TrimPrefix(inc.File, "/")
	if inc.Kind == "template" {
		// Templates are lablet's own, in the binary: no blob to show.
		return LintInclude{Type: inc.Kind, Location: file, ContextProject: p.FullPath(), ContextSHA: sha}
	}
	web := strings.TrimSuffix(baseURL, "/") + "/" + p.FullPath()
	return LintInclude{Type: inc.Kind, Location: file, Blob: web + "/-/blob/" + sha + "/" + file,
		Raw: web + "/-/raw/" + sha + "/" + file, ContextProject: p.FullPath(), ContextSHA: sha}
}

func lintJobOf(j *config.Job) LintJob {
	out := LintJob{Name: j.Name, Stage: j.Stage, BeforeScript: nonNil(j.BeforeScript), Script: nonNil(j.Script),
		AfterScript: nonNil(j.AfterScript), TagList: nonNil(j.Tags), When: j.When, AllowFailure: j.AllowFailure,
		Needs: j.Needs}
	if out.When == "" {
		out.When = "on_success"
	}
	if j.Environment != nil && j.Environment.Name != "" {
		out.Environment = &j.Environment.Name
	}
	return out
}

// nonNil makes a missing list an empty one (Ruby's nil.to_a).
func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
