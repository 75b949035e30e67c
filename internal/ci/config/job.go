package config

import (
	"fmt"
	"strings"
)

// Keys a job may have (GitLab's Job and Processable ALLOWED_KEYS). Keys
// lablet accepts without acting on them are listed too, so valid GitLab
// files stay valid.
var jobKeys = set("tags", "script", "type", "image", "services", "start_in", "artifacts",
	"cache", "dependencies", "before_script", "after_script", "environment", "coverage",
	"retry", "parallel", "interruptible", "timeout", "release", "secrets", "extends",
	"stage", "only", "except", "rules", "variables", "inherit", "allow_failure", "when",
	"needs", "resource_group", "hooks", "id_tokens", "identity", "pages", "publish",
	"manual_confirmation", "run", "dast_configuration")

var bridgeKeys = set("trigger", "stage", "allow_failure", "only", "except", "rules",
	"when", "extends", "variables", "needs", "environment", "resource_group", "inherit",
	"parallel", "manual_confirmation")

var defaultKeys = set("after_script", "artifacts", "before_script", "cache", "hooks",
	"id_tokens", "image", "interruptible", "retry", "services", "tags", "timeout")

var jobWhen = []string{"on_success", "on_failure", "always", "manual", "delayed"}

func set(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// errs collects GitLab-worded errors with a location prefix.
type errs struct{ list []string }

func (e *errs) add(format string, a ...any) { e.list = append(e.list, fmt.Sprintf(format, a...)) }

// jobParser builds one Job from its hash; errors are prefixed "jobs:NAME".
type jobParser struct {
	name string
	e    *errs
}

func (p *jobParser) fail(key, format string, a ...any) {
	p.e.add("jobs:%s %s %s", p.name, key, fmt.Sprintf(format, a...))
}

// unknownKeys reports the keys of m outside allowed, in file order.
func unknownKeys(m *Map, allowed map[string]bool) []string {
	var out []string
	for _, k := range m.Keys() {
		if !allowed[k] {
			out = append(out, k)
		}
	}
	return out
}

// parseJob reads a visible job; defaults (already filtered by inherit) fill
// what the job does not set.
func (c *compiler) parseJob(name string, m *Map, defaults *Map, globalVars []Variable, pos int, e *errs) *Job {
	p := &jobParser{name: name, e: e}
	j := &Job{Name: name, Position: pos, Stage: "test", When: "on_success"}
	_, bridge := m.Get("trigger")
	allowed := jobKeys
	if bridge {
		allowed = bridgeKeys
	}
	if u := unknownKeys(m, allowed); len(u) > 0 {
		e.add("jobs:%s config contains unknown keys: %s", name, strings.Join(u, ", "))
		return nil
	}
	inherit, inheritVars := p.inherit(m)
	get := func(k string) (any, bool) {
		if v, ok := m.Get(k); ok {
			return v, true
		}
		if defaultKeys[k] && inherit(k) {
			return defaults.Get(k)
		}
		return nil, false
	}
	if !bridge {
		v, _ := m.Get("script")
		if s, ok := p.script("script", v); ok {
			if len(s) == 0 {
				p.fail("script", "can't be blank")
			}
			j.Script = s
		}
		if v, ok := get("before_script"); ok {
			j.BeforeScript, _ = p.script("before_script", v)
		}
		if v, ok := get("after_script"); ok {
			j.AfterScript, _ = p.script("after_script", v)
		}
	} else {
		j.Trigger = p.trigger(m)
	}
	if v, ok := m.Get("stage"); ok {
		j.Stage = p.str("stage", v)
	} else if v, ok := m.Get("type"); ok {
		j.Stage = p.str("type", v)
	}
	if v, ok := get("image"); ok {
		j.Image = p.image("image", v)
	}
	if v, ok := get("services"); ok {
		j.Services = p.services(v)
	}
	if v, ok := get("tags"); ok {
		if t, ok := stringList(v); ok {
			j.Tags = t
		} else {
			p.fail("tags", "config should be an array of strings")
		}
	}
	if v, ok := get("interruptible"); ok {
		if b, ok := v.(bool); ok {
			j.Interruptible = &b
		} else {
			p.fail("interruptible", "config should be a boolean value")
		}
	}
	if v, ok := get("timeout"); ok {
		j.Timeout = p.str("timeout", v)
		if _, ok := parseDuration(j.Timeout); !ok {
			p.fail("timeout", "config should be a duration")
		}
	}
	if v, ok := get("retry"); ok {
		j.Retry = p.retry(v)
	}
	if v, ok := get("artifacts"); ok {
		j.Artifacts = p.artifacts(v)
	}
	if v, ok := get("cache"); ok {
		j.Cache = p.caches(v)
	}
	if v, ok := m.Get("when"); ok {
		j.When = p.str("when", v)
		if !oneOf(j.When, jobWhen) {
			p.fail("when", "should be one of: %s", strings.Join(jobWhen, ", "))
		}
	}
	if v, ok := m.Get("start_in"); ok {
		j.StartIn = p.str("start_in", v)
	}
	allowSet := p.allowFailure(j, m)
	if !allowSet {
		// A manual job outside rules may fail without failing the pipeline.
		j.AllowFailure = j.When == "manual" && !m.Has("rules")
	}
	if v, ok := m.Get("coverage"); ok {
		s := p.str("coverage", v)
		if len(s) < 2 || s[0] != '/' || !strings.HasSuffix(s, "/") {
			p.fail("coverage", "config must be a regular expression")
		} else {
			j.Coverage = s[1 : len(s)-1]
		}
	}
	if v, ok := m.Get("resource_group"); ok {
		j.ResourceGroup = p.str("resource_group", v)
	}
	if v, ok := m.Get("environment"); ok {
		j.Environment = p.environment(v)
	}
	if v, ok := m.Get("needs"); ok {
		j.Needs, j.NeedsSet = p.needs("needs", v), true
	}
	if v, ok := m.Get("dependencies"); ok {
		d, ok := strictStrings(v)
		if !ok {
			p.fail("dependencies", "should be an array of strings")
		}
		j.Dependencies, j.DependenciesSet = d, true
	}
	vars := globalVars
	if !inheritVars {
		vars = nil
	}
	if v, ok := m.Get("variables"); ok {
		vars = mergeVars(filterVars(vars, m), c.variables(fmt.Sprintf("jobs:%s variables", name), v, e))
	} else {
		vars = filterVars(vars, m)
	}
	j.Variables = vars
	if v, ok := m.Get("rules"); ok {
		j.rules, j.hasRules = flatten(v), true
		if _, isList := v.([]any); !isList {
			p.fail("rules", "config should be an array of hashes")
		}
		for _, r := range j.rules {
			c.checkRule(fmt.Sprintf("jobs:%s rules:rule", name), r, e)
		}
		if m.Has("only") || m.Has("except") {
			e.add("jobs:%s may not use rules with only or except", name)
		}
	}
	j.only, _ = m.Get("only")
	j.except, _ = m.Get("except")
	if j.When == "delayed" && !j.hasRules {
		if j.StartIn == "" {
			p.fail("start_in", "should be a duration")
		} else if s, ok := parseDuration(j.StartIn); !ok {
			p.fail("start_in", "should be a duration")
		} else if s > 7*86400 {
			p.fail("start_in", "should not exceed the limit")
		}
	} else if j.StartIn != "" && !j.hasRules {
		p.fail("start_in", "must be blank")
	}
	return j
}

// inherit reads inherit:default and inherit:variables: which default keys
// and whether global variables reach the job. Variables may also be a list
// (handled by filterVars).
func (p *jobParser) inherit(m *Map) (func(string) bool, bool) {
	all := func(string) bool { return true }
	v, ok := m.Get("inherit")
	if !ok {
		return all, true
	}
	im, ok := v.(*Map)
	if !ok {
		p.fail("inherit", "config should be a hash")
		return all, true
	}
	keys := all
	if d, ok := im.Get("default"); ok {
		switch x := d.(type) {
		case bool:
			keys = func(string) bool { return x }
		default:
			l, ok := stringList(x)
			if !ok {
				p.fail("inherit", "default config should be a boolean value or an array of strings")
			}
			s := set(l...)
			keys = func(k string) bool { return s[k] }
		}
	}
	vars := true
	if d, ok := im.Get("variables"); ok {
		if b, ok := d.(bool); ok {
			vars = b
		}
	}
	return keys, vars
}

// filterVars keeps the global variables listed in inherit:variables when
// it is a list.
func filterVars(vars []Variable, m *Map) []Variable {
	iv, _ := m.Get("inherit")
	im, _ := iv.(*Map)
	d, ok := im.Get("variables")
	if !ok {
		return vars
	}
	l, ok := stringList(d)
	if !ok {
		return vars
	}
	keep := set(l...)
	var out []Variable
	for _, v := range vars {
		if keep[v.Key] {
			out = append(out, v)
		}
	}
	return out
}

// mergeVars puts over's variables on base: same key replaced in place.
func mergeVars(base, over []Variable) []Variable {
	out := append([]Variable(nil), base...)
	for _, v := range over {
		replaced := false
		for i := range out {
			if out[i].Key == v.Key {
				out[i], replaced = v, true
				break
			}
		}
		if !replaced {
			out = append(out, v)
		}
	}
	return out
}

// variables reads a variables: hash (values: scalars or value/description/
// expand/options hashes).
func (c *compiler) variables(where string, v any, e *errs) []Variable {
	m, ok := v.(*Map)
	if !ok {
		if v != nil {
			e.add("%s config should be a hash of key value pairs, value can be a hash", where)
		}
		return nil
	}
	var out []Variable
	for _, k := range m.keys {
		val := m.vals[k]
		if s, ok := scalarString(val); ok {
			out = append(out, Variable{Key: k, Value: s})
			continue
		}
		if val == nil {
			out = append(out, Variable{Key: k})
			continue
		}
		h, ok := val.(*Map)
		if !ok {
			e.add("%s config should be a hash of key value pairs, value can be a hash", where)
			continue
		}
		if u := unknownKeys(h, set("value", "description", "expand", "options")); len(u) > 0 {
			e.add("%s:%s config uses invalid data keys: %s", where, k, strings.Join(u, ", "))
			continue
		}
		vr := Variable{Key: k}
		if x, ok := h.Get("value"); ok {
			vr.Value, _ = scalarString(x)
		}
		if x, ok := h.Get("description"); ok {
			vr.Description, _ = x.(string)
		}
		if x, ok := h.Get("expand"); ok {
			b, ok := x.(bool)
			if !ok {
				e.add("%s:%s config expand should be a boolean value", where, k)
			}
			vr.Raw = !b
		}
		out = append(out, vr)
	}
	return out
}

func oneOf(s string, l []string) bool {
	for _, x := range l {
		if s == x {
			return true
		}
	}
	return false
}

func (p *jobParser) str(key string, v any) string {
	s, ok := scalarString(v)
	if !ok {
		p.fail(key, "config should be a string")
	}
	return s
}

func (p *jobParser) script(key string, v any) ([]string, bool) {
	s, ok := flattenStrings(v, 1)
	if !ok {
		p.fail(key, "config should be a string or a nested array of strings up to 10 levels deep")
		return nil, false
	}
	return s, true
}
