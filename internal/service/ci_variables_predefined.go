package service

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/ci/protocol"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
)

// ciVars is an ordered list of job variables where a later one of the
// same key wins, as GitLab's Ci::Variables::Collection.
type ciVars []protocol.Variable

func (v *ciVars) add(key, value string) {
	*v = append(*v, protocol.Variable{Key: key, Value: value, Public: true})
}

// resolved keeps the last value of each key, at the place of its first.
func (v ciVars) resolved() []protocol.Variable {
	last := map[string]int{}
	for i, x := range v {
		last[x.Key] = i
	}
	out := make([]protocol.Variable, 0, len(last))
	seen := map[string]bool{}
	for _, x := range v {
		if seen[x.Key] {
			continue
		}
		seen[x.Key] = true
		out = append(out, v[last[x.Key]])
	}
	return out
}

// Map returns the variables by key (for rules and workflow).
func (v ciVars) Map() map[string]string {
	m := make(map[string]string, len(v))
	for _, x := range v {
		m[x.Key] = x.Value
	}
	return m
}

var slugInvalid = regexp.MustCompile(`[^a-z0-9]+`)

// ciSlug is GitLab's CI_COMMIT_REF_SLUG: lowercased, anything but a-z
// and 0-9 replaced by -, at most 63 bytes, no - at either end.
func ciSlug(s string) string {
	s = slugInvalid.ReplaceAllString(strings.ToLower(s), "-")
	if len(s) > 63 {
		s = s[:63]
	}
	return strings.Trim(s, "-")
}

// ciPipelineContext is what the pipeline-wide predefined variables are
// made of.
type ciPipelineContext struct {
	BaseURL  string
	Project  *model.Project
	Pipeline *model.Pipeline
	Commit   *repo.Commit
	User     *model.User
	// MergeRequest is a merge request pipeline's (nil otherwise).
	MergeRequest *ciMergeRequest
	// ScheduleDescription is the description of the pipeline schedule
	// that ran the pipeline, if one did.
	ScheduleDescription *string
}

// pipelineVariables are GitLab's predefined variables of a pipeline
// (the ones known before any job runs, which rules see too).
func pipelineVariables(c ciPipelineContext) ciVars {
	var v ciVars
	base := strings.TrimRight(c.BaseURL, "/")
	u, _ := url.Parse(base)
	p, pl := c.Project, c.Pipeline
	v.add("CI", "true")
	v.add("GITLAB_CI", "true")
	v.add("CI_SERVER", "yes")
	v.add("CI_SERVER_NAME", "GitLab")
	v.add("CI_SERVER_URL", base)
	if u != nil {
		v.add("CI_SERVER_HOST", u.Hostname())
		port := u.Port()
		if port == "" {
			port = map[string]string{"https": "443"}[u.Scheme]
			if port == "" {
				port = "80"
			}
		}
		v.add("CI_SERVER_PORT", port)
		v.add("CI_SERVER_PROTOCOL", u.Scheme)
		v.add("CI_SERVER_FQDN", u.Host)
	}
	v.add("CI_API_V4_URL", base+"/api/v4")
	v.add("CI_API_GRAPHQL_URL", base+"/api/graphql")
	v.add("CI_PROJECT_ID", strconv.FormatInt(p.ID, 10))
	v.add("CI_PROJECT_NAME", p.Path)
	v.add("CI_PROJECT_TITLE", p.Name)
	v.add("CI_PROJECT_PATH", p.FullPath())
	v.add("CI_PROJECT_PATH_SLUG", ciSlug(p.FullPath()))
	v.add("CI_PROJECT_NAMESPACE", p.Namespace.FullPath)
	v.add("CI_PROJECT_NAMESPACE_ID", strconv.FormatInt(p.NamespaceID, 10))
	v.add("CI_PROJECT_ROOT_NAMESPACE", strings.SplitN(p.Namespace.FullPath, "/", 2)[0])
	v.add("CI_PROJECT_URL", base+"/"+p.FullPath())
	v.add("CI_PROJECT_VISIBILITY", access.VisibilityName(p.VisibilityLevel))
	v.add("CI_CONFIG_PATH", ciConfigPath)
	if p.DefaultBranch != nil {
		v.add("CI_DEFAULT_BRANCH", *p.DefaultBranch)
	}
	v.add("CI_PIPELINE_ID", strconv.FormatInt(pl.ID, 10))
	v.add("CI_PIPELINE_IID", strconv.FormatInt(pl.IID, 10))
	v.add("CI_PIPELINE_SOURCE", pl.Source)
	if pl.Source == SourceTrigger {
		v.add("CI_PIPELINE_TRIGGERED", "true")
	}
	if c.ScheduleDescription != nil {
		v.add("CI_PIPELINE_SCHEDULE_DESCRIPTION", *c.ScheduleDescription)
	}
	v.add("CI_PIPELINE_URL", base+"/"+p.FullPath()+"/-/pipelines/"+strconv.FormatInt(pl.ID, 10))
	v.add("CI_PIPELINE_CREATED_AT", pl.CreatedAt.UTC().Format(time.RFC3339))
	if pl.Name != nil {
		v.add("CI_PIPELINE_NAME", *pl.Name)
	}
	v.add("CI_COMMIT_SHA", pl.SHA)
	v.add("CI_COMMIT_SHORT_SHA", pl.SHA[:min(8, len(pl.SHA))])
	v.add("CI_COMMIT_BEFORE_SHA", pl.BeforeSHA)
	// A merge request pipeline's ref name is its source branch (GitLab's
	// source_ref), and it is no branch pipeline: no CI_COMMIT_BRANCH.
	refName := pl.Ref
	if c.MergeRequest != nil {
		refName = c.MergeRequest.MR.SourceBranch
	}
	v.add("CI_COMMIT_REF_NAME", refName)
	v.add("CI_COMMIT_REF_SLUG", ciSlug(refName))
	v.add("CI_COMMIT_REF_PROTECTED", strconv.FormatBool(pl.Protected))
	switch {
	case pl.Tag:
		v.add("CI_COMMIT_TAG", pl.Ref)
	case c.MergeRequest == nil:
		v.add("CI_COMMIT_BRANCH", pl.Ref)
	}
	if c.Commit != nil {
		msg := c.Commit.Message
		v.add("CI_COMMIT_MESSAGE", msg)
		v.add("CI_COMMIT_TITLE", c.Commit.Title)
		desc := ""
		if _, rest, ok := strings.Cut(msg, "\n"); ok {
			desc = strings.TrimLeft(rest, "\n")
		}
		v.add("CI_COMMIT_DESCRIPTION", desc)
		v.add("CI_COMMIT_AUTHOR", c.Commit.Author.Name+" <"+c.Commit.Author.Email+">")
		v.add("CI_COMMIT_TIMESTAMP", c.Commit.Committer.Date.Format(time.RFC3339))
	}
	if c.MergeRequest != nil {
		c.MergeRequest.add(&v, base)
	}
	if c.User != nil {
		v.add("GITLAB_USER_ID", strconv.FormatInt(c.User.ID, 10))
		v.add("GITLAB_USER_LOGIN", c.User.Username)
		v.add("GITLAB_USER_NAME", c.User.Name)
		v.add("GITLAB_USER_EMAIL", c.User.Email)
	}
	return v
}

// ciConfigPath is where a project's CI/CD configuration lives.
const ciConfigPath = ".gitlab-ci.yml"

// environmentVariables are a deploying job's predefined variables: its
// environment's name, slug, URL (the job's, else the environment's),
// action and tier. env is nil when the environment could not be made.
func environmentVariables(e *specEnvironment, env *model.Environment) ciVars {
	var v ciVars
	v.add("CI_ENVIRONMENT_NAME", e.Name)
	action := e.Action
	if action == "" {
		action = "start"
	}
	v.add("CI_ENVIRONMENT_ACTION", action)
	if env == nil {
		return v
	}
	v.add("CI_ENVIRONMENT_SLUG", env.Slug)
	switch {
	case e.URL != "":
		v.add("CI_ENVIRONMENT_URL", e.URL)
	case env.ExternalURL != nil:
		v.add("CI_ENVIRONMENT_URL", *env.ExternalURL)
	}
	v.add("CI_ENVIRONMENT_TIER", env.Tier)
	return v
}
