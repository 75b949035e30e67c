package config

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// evaluate runs workflow:rules, then each job's rules or only/except, then
// the checks that need the surviving jobs (needs of excluded jobs).
func (c *compiler) evaluate(ctx context.Context, cfg *config) (*Pipeline, error) {
	p := &Pipeline{Variables: cfg.variables, Warnings: warnings(cfg)}
	vars := map[string]string{}
	for k, v := range c.opts.Variables {
		vars[k] = v
	}
	for _, v := range cfg.variables {
		if _, ok := vars[v.Key]; !ok {
			vars[v.Key] = v.Value
		}
	}
	lookup := func(n string) (string, bool) { v, ok := vars[n]; return v, ok }
	ac, _ := cfg.workflow.Get("auto_cancel")
	p.AutoCancelOnNewCommit = onNewCommit(ac)
	if r, ok := cfg.workflow.Get("rules"); ok {
		o, err := c.match(ctx, flatten(r), lookup)
		if err != nil {
			return nil, &Error{Messages: []string{err.Error()}}
		}
		if !o.matched {
			return nil, ErrFiltered
		}
		if w, _ := o.rule.Get("when"); w == "never" {
			return nil, ErrFiltered
		}
		if v, ok := o.rule.Get("variables"); ok {
			wv := c.variables("workflow:rules:rule variables", v, &errs{})
			p.Variables = mergeVars(p.Variables, wv)
			for _, x := range wv {
				vars[x.Key] = x.Value
			}
		}
		// The matching rule's auto_cancel overrides the workflow's.
		if ac, _ := o.rule.Get("auto_cancel"); onNewCommit(ac) != "" {
			p.AutoCancelOnNewCommit = onNewCommit(ac)
		}
	}
	if n, ok := cfg.workflow.Get("name"); ok {
		s, _ := n.(string)
		p.WorkflowName = strings.TrimSpace(expandWith(s, lookup))
	}
	var kept []*Job
	for _, j := range cfg.jobs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		jv := map[string]string{}
		for k, v := range vars {
			jv[k] = v
		}
		for _, v := range j.Variables {
			if _, ok := c.opts.Variables[v.Key]; !ok {
				jv[v.Key] = v.Value
			}
		}
		jl := func(n string) (string, bool) { v, ok := jv[n]; return v, ok }
		keep, err := c.jobRuns(ctx, j, jl)
		if err != nil {
			return nil, &Error{Messages: []string{fmt.Sprintf("jobs:%s %s", j.Name, err)}}
		}
		if keep {
			if e := j.Environment; e != nil {
				// GitLab expands an environment's name and URL with the
				// job's variables when the pipeline is created.
				x := *e
				x.Name, x.URL = expandWith(e.Name, jl), expandWith(e.URL, jl)
				j.Environment = &x
				jv["CI_ENVIRONMENT_NAME"] = x.Name
			}
			// And a resource group's key, with the environment's name
			// among the variables (a group per environment).
			j.ResourceGroup = expandWith(j.ResourceGroup, jl)
			kept = append(kept, j)
		}
	}
	byName := map[string]bool{}
	for _, j := range kept {
		byName[j.Name] = true
	}
	for _, j := range kept {
		needs := j.Needs[:0:0]
		for _, n := range j.Needs {
			if byName[n.Job] {
				needs = append(needs, n)
				continue
			}
			if !n.Optional {
				return nil, &Error{Messages: []string{fmt.Sprintf("'%s' job needs '%s' job, but '%s' does not exist in the pipeline. This might be because of the only, except, or rules keywords. To need a job that sometimes does not exist in the pipeline, use needs:optional.", j.Name, n.Job, n.Job)}}
			}
		}
		if j.Needs != nil {
			j.Needs = needs
		}
	}
	if len(kept) == 0 {
		return nil, ErrNoJobs
	}
	for _, s := range cfg.stages {
		for _, j := range kept {
			if j.Stage == s {
				p.Stages = append(p.Stages, s)
				p.Jobs = appendStage(p.Jobs, kept, s)
				break
			}
		}
	}
	return p, nil
}

func appendStage(out, jobs []*Job, stage string) []*Job {
	for _, j := range jobs {
		if j.Stage == stage {
			out = append(out, j)
		}
	}
	return out
}

// jobRuns decides whether a job is in the pipeline and applies what its
// matching rule says.
func (c *compiler) jobRuns(ctx context.Context, j *Job, lookup func(string) (string, bool)) (bool, error) {
	if !j.hasRules {
		only, except := j.only, j.except
		if only == nil && except == nil {
			only = []any{"branches", "tags"}
		}
		if only != nil {
			ok, err := c.onlyExcept(ctx, only, lookup, false)
			if err != nil || !ok {
				return false, err
			}
		}
		if except != nil {
			ok, err := c.onlyExcept(ctx, except, lookup, true)
			if err != nil || ok {
				return false, err
			}
		}
		return true, nil
	}
	o, err := c.match(ctx, j.rules, lookup)
	if err != nil || !o.matched {
		return false, err
	}
	r := o.rule
	if w, ok := r.Get("when"); ok {
		j.When, _ = w.(string)
	}
	if j.When == "never" {
		return false, nil
	}
	if a, ok := r.Get("allow_failure"); ok {
		j.AllowFailure, _ = a.(bool)
	}
	if s, ok := r.Get("start_in"); ok {
		j.StartIn, _ = s.(string)
	}
	if j.When == "delayed" && j.StartIn == "" {
		return false, fmt.Errorf("start_in should be a duration")
	}
	if v, ok := r.Get("interruptible"); ok {
		if b, ok := v.(bool); ok {
			j.Interruptible = &b
		}
	}
	if v, ok := r.Get("variables"); ok {
		j.Variables = mergeVars(j.Variables, c.variables("rules variables", v, &errs{}))
	}
	if v, ok := r.Get("needs"); ok {
		e := &errs{}
		p := &jobParser{name: j.Name, e: e}
		j.Needs, j.NeedsSet = p.needs("rules:needs", v), true
		if len(e.list) > 0 {
			return false, fmt.Errorf("%s", e.list[0])
		}
	}
	return true, nil
}

// onlyExcept evaluates only: or except: (an array of refs, or a hash of
// refs, variables, changes, kubernetes). Every key given must have a
// matching condition.
func (c *compiler) onlyExcept(ctx context.Context, v any, lookup func(string) (string, bool), except bool) (bool, error) {
	m, isMap := v.(*Map)
	if !isMap {
		refs, ok := stringList(v)
		if !ok {
			return false, fmt.Errorf("only/except config should be an array of strings or a hash")
		}
		return c.refsMatch(refs, lookup), nil
	}
	matched := false
	if r, ok := m.Get("refs"); ok {
		refs, _ := stringList(r)
		if !c.refsMatch(refs, lookup) {
			return false, nil
		}
		matched = true
	}
	if r, ok := m.Get("variables"); ok {
		exprs, _ := stringList(r)
		any := false
		for _, x := range exprs {
			ok, err := c.eval(x, lookup)
			if err != nil {
				return false, err
			}
			any = any || ok
		}
		if !any {
			return false, nil
		}
		matched = true
	}
	if r, ok := m.Get("changes"); ok {
		ok, err := c.changes(ctx, r)
		if err != nil || !ok {
			return false, err
		}
		matched = true
	}
	if m.Has("kubernetes") {
		return false, nil
	}
	return matched || !except, nil
}

var refKeywords = map[string][]string{
	"api": {"api"}, "web": {"web"}, "triggers": {"trigger"}, "pushes": {"push"},
	"schedules": {"schedule"}, "merge_requests": {"merge_request_event"},
	"pipelines": {"pipeline", "parent_pipeline"}, "external": {"external"},
	"chat": {"chat"}, "external_pull_requests": {"external_pull_request_event"},
}

func (c *compiler) refsMatch(refs []string, lookup func(string) (string, bool)) bool {
	ref, _ := lookup("CI_COMMIT_REF_NAME")
	_, isTag := lookup("CI_COMMIT_TAG")
	mr := c.opts.Source == "merge_request_event"
	project, _ := lookup("CI_PROJECT_PATH")
	for _, r := range refs {
		switch r {
		case "branches":
			if !isTag && !mr {
				return true
			}
			continue
		case "tags":
			if isTag {
				return true
			}
			continue
		}
		if srcs, ok := refKeywords[r]; ok {
			if oneOf(c.opts.Source, srcs) {
				return true
			}
			continue
		}
		if i := strings.LastIndex(r, "@"); i > 0 {
			if r[i+1:] != project {
				continue
			}
			r = r[:i]
		}
		if len(r) >= 2 && r[0] == '/' && strings.LastIndex(r, "/") > 0 {
			if rubyRegexp(r).MatchString(ref) {
				return true
			}
			continue
		}
		if r == ref {
			return true
		}
	}
	return false
}

// rubyRegexp compiles /pattern/flags; one Go cannot read matches nothing.
func rubyRegexp(s string) *regexp.Regexp {
	end := strings.LastIndex(s, "/")
	pat, flags := s[1:end], s[end+1:]
	if strings.Contains(flags, "i") {
		pat = "(?i)" + pat
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		return regexp.MustCompile(`\z.\A`)
	}
	return re
}
