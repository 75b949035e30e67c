package cicd

import (
	"net/http"

	v4 "github.com/lablet/lablet/internal/api/v4"
	"github.com/lablet/lablet/internal/ci/config"
	"github.com/lablet/lablet/internal/service"
)

// maxLintContent bounds POST's content; the compiler's own limit (GitLab's
// max_yaml_size_bytes) answers the usual too-large message below it.
const maxLintContent = 16 << 20

// lintResult is Entities::Ci::Lint::Result; jobs only with include_jobs.
type lintResult struct {
	Valid      bool          `json:"valid"`
	Errors     []string      `json:"errors"`
	Warnings   []string      `json:"warnings"`
	MergedYAML *string       `json:"merged_yaml"`
	Includes   []lintInclude `json:"includes"`
	Jobs       *[]lintJob    `json:"jobs,omitempty"`
}

type lintInclude struct {
	Type           string         `json:"type"`
	Location       string         `json:"location"`
	Blob           *string        `json:"blob"` // null for templates
	Raw            string         `json:"raw"`
	Extra          map[string]any `json:"extra"`
	ContextProject string         `json:"context_project"`
	ContextSHA     string         `json:"context_sha"`
}

// lintJob is a job of Gitlab::Ci::Lint's jobs list. only and except are
// null: rules are the only job filter lablet reports.
type lintJob struct {
	Name         string     `json:"name"`
	Stage        string     `json:"stage"`
	BeforeScript []string   `json:"before_script"`
	Script       []string   `json:"script"`
	AfterScript  []string   `json:"after_script"`
	TagList      []string   `json:"tag_list"`
	Only         any        `json:"only"`
	Except       any        `json:"except"`
	Environment  *string    `json:"environment"`
	When         string     `json:"when"`
	AllowFailure bool       `json:"allow_failure"`
	Needs        []lintNeed `json:"needs"`
}

// lintNeed is one of needs_attributes.
type lintNeed struct {
	Name      string `json:"name"`
	Artifacts bool   `json:"artifacts"`
	Optional  bool   `json:"optional"`
}

// lintCIContent is POST /projects/:id/ci/lint.
func lintCIContent(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	content, ok, err := c.Params().Text("content", maxLintContent)
	if err != nil {
		return err
	}
	if !ok {
		return service.ParamError("content is missing")
	}
	in, includeJobs, err := lintParams(c.Params(), "ref", "")
	if err != nil {
		return err
	}
	in.Content, in.BaseURL = &content, a.BaseURL(r)
	res, err := a.Service().LintCIContent(r.Context(), c.Identity(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, lintResultOf(res, includeJobs))
}

// lintCIConfig is GET /projects/:id/ci/lint.
func lintCIConfig(a *v4.API, w http.ResponseWriter, r *http.Request, c *v4.Call) error {
	in, includeJobs, err := lintParams(c.Params(), "ref", "dry_run_ref")
	if err != nil {
		return err
	}
	if in.ContentRef, err = exclusiveStr(c.Params(), "sha", "content_ref"); err != nil {
		return err
	}
	in.BaseURL = a.BaseURL(r)
	res, err := a.Service().LintCIConfig(r.Context(), c.Identity(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return v4.WriteOK(w, lintResultOf(res, includeJobs))
}

// lintParams reads dry_run, include_jobs and the dry run's ref (under
// either name, which GitLab makes mutually exclusive).
func lintParams(p *v4.Params, ref, refAlias string) (service.LintInput, bool, error) {
	var in service.LintInput
	var err error
	if in.DryRun, _, err = p.Bool("dry_run"); err != nil {
		return in, false, err
	}
	includeJobs, _, err := p.Bool("include_jobs")
	if err != nil {
		return in, false, err
	}
	if refAlias == "" {
		in.DryRunRef, _ = p.Str(ref)
	} else if in.DryRunRef, err = exclusiveStr(p, ref, refAlias); err != nil {
		return in, false, err
	}
	return in, includeJobs, nil
}

// exclusiveStr reads one of two mutually exclusive string parameters.
func exclusiveStr(p *v4.Params, a, b string) (string, error) {
	if p.Has(a) && p.Has(b) {
		return "", service.ParamError(a + ", " + b + " are mutually exclusive")
	}
	if v, ok := p.Str(a); ok {
		return v, nil
	}
	v, _ := p.Str(b)
	return v, nil
}

func lintResultOf(res *service.LintResult, includeJobs bool) lintResult {
	out := lintResult{Valid: res.Valid, Errors: res.Errors, Warnings: res.Warnings, Includes: []lintInclude{}}
	if res.MergedYAML != "" {
		out.MergedYAML = &res.MergedYAML
	}
	for _, inc := range res.Includes {
		e := lintInclude{Type: inc.Type, Location: inc.Location, Raw: inc.Raw, Extra: map[string]any{},
			ContextProject: inc.ContextProject, ContextSHA: inc.ContextSHA}
		if inc.Blob != "" {
			e.Blob = &inc.Blob
		}
		out.Includes = append(out.Includes, e)
	}
	if includeJobs {
		jobs := make([]lintJob, 0, len(res.Jobs))
		for _, j := range res.Jobs {
			jobs = append(jobs, lintJob{Name: j.Name, Stage: j.Stage, BeforeScript: j.BeforeScript, Script: j.Script,
				AfterScript: j.AfterScript, TagList: j.TagList, Environment: j.Environment, When: j.When,
				AllowFailure: j.AllowFailure, Needs: lintNeeds(j.Needs)})
		}
		out.Jobs = &jobs
	}
	return out
}

func lintNeeds(needs []config.Need) []lintNeed {
	var out []lintNeed
	for _, n := range needs {
		out = append(out, lintNeed{Name: n.Job, Artifacts: n.Artifacts, Optional: n.Optional})
	}
	return out
}
