package config

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

var rootKeys = set("default", "include", "before_script", "image", "services", "after_script",
	"variables", "stages", "types", "cache", "workflow", "spec")

var defaultStages = []string{"build", "test", "deploy"}

type compiler struct {
	opts        Options
	loader      *loader
	maxIncludes int
}

func newCompiler(o Options) *compiler {
	if o.MaxBytes <= 0 {
		o.MaxBytes = defaultMaxBytes
	}
	if o.MaxIncludes <= 0 {
		o.MaxIncludes = defaultMaxIncludes
	}
	return &compiler{opts: o, loader: newLoader(o.MaxBytes), maxIncludes: o.MaxIncludes}
}

// config is a configuration after expansion and static validation.
type config struct {
	root      *Map
	stages    []string
	variables []Variable
	workflow  *Map
	jobs      []*Job // in file order, parallel expanded
}

// Compile parses, expands (include, extends, !reference, anchors, default,
// parallel) and evaluates (workflow:rules, rules, only/except) a
// .gitlab-ci.yml. Invalid configurations are *Error; ErrFiltered and
// ErrNoJobs say that no pipeline runs.
func Compile(ctx context.Context, yml []byte, o Options) (*Pipeline, error) {
	c := newCompiler(o)
	cfg, msgs := c.static(ctx, yml)
	if len(msgs) > 0 {
		return nil, &Error{Messages: msgs}
	}
	return c.evaluate(ctx, cfg)
}

// Lint validates without evaluating rules against a ref.
func Lint(ctx context.Context, yml []byte, o Options) *LintResult {
	c := newCompiler(o)
	cfg, msgs := c.static(ctx, yml)
	res := &LintResult{Valid: len(msgs) == 0, Errors: msgs, Warnings: []string{}}
	if res.Errors == nil {
		res.Errors = []string{}
	}
	if cfg != nil {
		res.MergedYAML = marshal(cfg.root)
		if res.Valid {
			res.Jobs, res.Stages = cfg.jobs, cfg.stages
			res.Warnings = append(res.Warnings, warnings(cfg)...)
		}
	}
	return res
}

// static loads and expands the configuration and validates it; it returns
// GitLab's messages on failure (cfg still carries the merged root when the
// expansion itself worked).
func (c *compiler) static(ctx context.Context, yml []byte) (*config, []string) {
	root, err := c.expand(ctx, yml)
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, []string{err.Error()}
		}
		return nil, []string{err.Error()}
	}
	cfg := &config{root: root}
	e := &errs{}
	c.parseRoot(cfg, e)
	if len(e.list) == 0 {
		validate(cfg, e)
	}
	return cfg, e.list
}

// expand: load, include, extends, !reference — GitLab's order.
func (c *compiler) expand(ctx context.Context, yml []byte) (*Map, error) {
	root, err := c.loader.load(yml)
	if err != nil {
		return nil, err
	}
	in := &includer{c: c}
	if root, err = in.expand(ctx, root, Include{Kind: "local", File: ".gitlab-ci.yml"}); err != nil {
		return nil, err
	}
	if root, err = resolveExtends(root); err != nil {
		return nil, err
	}
	return resolveReferences(root)
}

func (c *compiler) parseRoot(cfg *config, e *errs) {
	root := cfg.root
	cfg.stages = defaultStages
	for _, k := range []string{"stages", "types"} {
		if v, ok := root.Get(k); ok {
			l, ok := strictStrings(v)
			if !ok {
				e.add("%s config should be an array of strings", k)
			}
			cfg.stages = l
		}
	}
	cfg.stages = edgeStages(cfg.stages)
	if v, ok := root.Get("variables"); ok {
		cfg.variables = c.variables("variables", v, e)
	}
	if v, ok := root.Get("workflow"); ok {
		cfg.workflow = c.parseWorkflow(v, e)
	}
	defaults := newMap()
	for _, k := range []string{"image", "services", "cache", "before_script", "after_script"} {
		if v, ok := root.Get(k); ok {
			defaults.set(k, v)
		}
	}
	if v, ok := root.Get("default"); ok {
		dm, ok := v.(*Map)
		if !ok {
			e.add("default config should be a hash")
		} else if u := unknownKeys(dm, defaultKeys); len(u) > 0 {
			e.add("default config contains unknown keys: %s", strings.Join(u, ", "))
		} else {
			defaults = deepMergeShallow(defaults, dm)
		}
	}
	// A keyword used as a job name is read as the keyword: say so.
	for _, k := range []string{"image", "services", "cache"} {
		if m, ok := root.vals[k].(*Map); ok && m.Has("script") {
			e.add("%s config contains unknown keys: script", k)
			return
		}
	}
	visible := 0
	for pos, name := range root.keys {
		if rootKeys[name] {
			continue
		}
		if strings.HasPrefix(name, ".") {
			continue
		}
		m, _ := root.vals[name].(*Map)
		if !m.Has("script") && !m.Has("trigger") && !m.Has("run") {
			e.add("jobs %s config should implement the script:, run:, or trigger: keyword", name)
			continue
		}
		visible++
		j := c.parseJob(name, m, defaults, cfg.variables, pos, e)
		if j == nil {
			continue
		}
		pv, _ := m.Get("parallel")
		cfg.jobs = append(cfg.jobs, expandParallel(j, pv, e)...)
	}
	if visible == 0 && len(e.list) == 0 {
		e.add("jobs config should contain at least one visible job")
	}
}

// deepMergeShallow puts default:'s keys over the deprecated root keys.
func deepMergeShallow(a, b *Map) *Map {
	out := a.clone()
	for _, k := range b.keys {
		out.set(k, b.vals[k])
	}
	return out
}

// edgeStages puts .pre first and .post last, as GitLab's EdgeStagesInjector.
func edgeStages(stages []string) []string {
	out := []string{".pre"}
	for _, s := range stages {
		if s != ".pre" && s != ".post" {
			out = append(out, s)
		}
	}
	return append(out, ".post")
}

func (c *compiler) parseWorkflow(v any, e *errs) *Map {
	m, ok := v.(*Map)
	if !ok {
		e.add("workflow config should be a hash")
		return nil
	}
	if u := unknownKeys(m, set("rules", "name", "auto_cancel")); len(u) > 0 {
		e.add("workflow config contains unknown keys: %s", strings.Join(u, ", "))
		return nil
	}
	if r, ok := m.Get("rules"); ok {
		for _, rule := range flatten(r) {
			c.checkRule("workflow:rules:rule", rule, e)
			if m, ok := rule.(*Map); ok {
				if ac, ok := m.Get("auto_cancel"); ok {
					checkAutoCancel("workflow:rules:rule:auto_cancel", ac, e)
				}
			}
		}
	}
	if ac, ok := m.Get("auto_cancel"); ok {
		checkAutoCancel("workflow:auto_cancel", ac, e)
	}
	if n, ok := m.Get("name"); ok {
		if s, ok := n.(string); !ok || len(s) > 255 {
			e.add("workflow name is too long (maximum is 255 characters)")
		}
	}
	return m
}

// expandVars replaces $VAR and ${VAR} with the options' variables.
func (c *compiler) expandVars(s string) string {
	return expandWith(s, c.lookup)
}

func (c *compiler) lookup(name string) (string, bool) {
	v, ok := c.opts.Variables[name]
	return v, ok
}

// Expand replaces $VAR and ${VAR} in s with vars, an unknown one with
// nothing (a trigger's project and branch, as GitLab's ExpandVariables).
func Expand(s string, vars map[string]string) string {
	return expandWith(s, func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	})
}

func expandWith(s string, lookup func(string) (string, bool)) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		j, name := i+1, ""
		if s[j] == '{' {
			end := strings.IndexByte(s[j:], '}')
			if end < 0 {
				b.WriteByte(s[i])
				continue
			}
			name, j = s[j+1:j+end], j+end+1
		} else {
			k := j
			for k < len(s) && (s[k] == '_' || s[k] >= 'a' && s[k] <= 'z' || s[k] >= 'A' && s[k] <= 'Z' || s[k] >= '0' && s[k] <= '9') {
				k++
			}
			name, j = s[j:k], k
		}
		if name == "" {
			b.WriteByte(s[i])
			continue
		}
		v, _ := lookup(name)
		b.WriteString(v)
		i = j - 1
	}
	return b.String()
}

func warnings(cfg *config) []string {
	var out []string
	if cfg.workflow.Has("rules") {
		return nil
	}
	for _, j := range cfg.jobs {
		if !j.hasRules || len(j.rules) == 0 {
			continue
		}
		last, _ := j.rules[len(j.rules)-1].(*Map)
		w, _ := last.Get("when")
		if last != nil && !last.Has("if") && !last.Has("changes") && !last.Has("exists") && w != "never" {
			out = append(out, fmt.Sprintf("jobs:%s may allow multiple pipelines to run for a single action due to `rules:when` clause with no `workflow:rules` - read more: https://docs.gitlab.com/ee/ci/troubleshooting.html#pipeline-warnings", j.Name))
		}
	}
	return out
}
