package config

import (
	"strings"
)

func (p *jobParser) hash(key string, v any, allowed map[string]bool) (*Map, bool) {
	m, ok := v.(*Map)
	if !ok {
		p.fail(key, "config should be a hash")
		return nil, false
	}
	if u := unknownKeys(m, allowed); len(u) > 0 {
		p.fail(key, "config contains unknown keys: %s", strings.Join(u, ", "))
		return nil, false
	}
	return m, true
}

func (p *jobParser) image(key string, v any) *Image {
	if s, ok := v.(string); ok {
		return &Image{Name: s}
	}
	m, ok := v.(*Map)
	if !ok {
		p.fail(key, "config should be a hash or a string")
		return nil
	}
	allowed := set("name", "entrypoint", "docker", "pull_policy", "kubernetes")
	if key != "image" {
		allowed = set("name", "entrypoint", "docker", "pull_policy", "kubernetes", "command", "alias", "variables")
	}
	if _, ok := p.hash(key, m, allowed); !ok {
		return nil
	}
	img := &Image{}
	if x, ok := m.Get("name"); ok {
		img.Name, _ = x.(string)
	}
	if img.Name == "" {
		p.fail(key, "name can't be blank")
	}
	if x, ok := m.Get("entrypoint"); ok {
		if img.Entrypoint, ok = stringList(x); !ok {
			p.fail(key, "entrypoint config should be an array of strings")
		}
	}
	if x, ok := m.Get("command"); ok {
		if img.Command, ok = stringList(x); !ok {
			p.fail(key, "command config should be an array of strings")
		}
	}
	if x, ok := m.Get("alias"); ok {
		img.Alias, _ = x.(string)
	}
	if x, ok := m.Get("pull_policy"); ok {
		l, ok := stringList(x)
		for _, s := range l {
			ok = ok && oneOf(s, []string{"always", "never", "if-not-present"})
		}
		if !ok {
			p.fail(key, "pull_policy config contains unknown values: %v", x)
		}
		img.PullPolicy = l
	}
	return img
}

func (p *jobParser) services(v any) []Image {
	l, ok := v.([]any)
	if !ok {
		p.fail("services", "config should be a array")
		return nil
	}
	var out []Image
	for _, s := range l {
		if img := p.image("services:service", s); img != nil {
			out = append(out, *img)
		}
	}
	return out
}

func (p *jobParser) retry(v any) *Retry {
	r := &Retry{}
	switch x := v.(type) {
	case int:
		r.Max = x
	case *Map:
		if _, ok := p.hash("retry", x, set("max", "when", "exit_codes")); !ok {
			return nil
		}
		if m, ok := x.Get("max"); ok {
			if r.Max, ok = m.(int); !ok {
				p.fail("retry", "max config has to be an integer")
			}
		}
		if w, ok := x.Get("when"); ok {
			if r.When, ok = stringList(w); !ok {
				p.fail("retry", "when config should be a string or an array of strings")
			}
		}
		if c, ok := x.Get("exit_codes"); ok {
			r.ExitCodes = p.ints("retry exit_codes", c)
		}
	default:
		p.fail("retry", "config has to be either an integer or a hash")
		return nil
	}
	if r.Max < 0 || r.Max > 2 {
		p.fail("retry", "max config must be greater than or equal to 0 and less than or equal to 2")
	}
	return r
}

func (p *jobParser) ints(key string, v any) []int {
	if i, ok := v.(int); ok {
		return []int{i}
	}
	l, ok := v.([]any)
	var out []int
	for _, e := range l {
		i, isInt := e.(int)
		ok = ok && isInt
		out = append(out, i)
	}
	if !ok {
		p.fail(key, "should be an array of integers or an integer")
	}
	return out
}

// allowFailure reads allow_failure: a boolean or {exit_codes}; it reports
// whether the job set it.
func (p *jobParser) allowFailure(j *Job, m *Map) bool {
	v, ok := m.Get("allow_failure")
	if !ok {
		return false
	}
	switch x := v.(type) {
	case bool:
		j.AllowFailure = x
	case *Map:
		if _, ok := p.hash("allow_failure", x, set("exit_codes")); ok {
			c, _ := x.Get("exit_codes")
			j.AllowFailureExitCodes = p.ints("allow_failure exit_codes", c)
		}
	default:
		p.fail("allow_failure", "should be a hash or a boolean value")
	}
	return true
}

func (p *jobParser) artifacts(v any) *Artifacts {
	m, ok := p.hash("artifacts", v, set("name", "untracked", "paths", "exclude", "expose_as",
		"expire_in", "when", "reports", "access", "public"))
	if !ok {
		return nil
	}
	a := &Artifacts{}
	strs := func(k string) []string {
		x, ok := m.Get(k)
		if !ok {
			return nil
		}
		l, ok := strictStrings(x)
		if !ok {
			p.fail("artifacts", "%s should be an array of strings", k)
		}
		return l
	}
	a.Paths, a.Exclude = strs("paths"), strs("exclude")
	if x, ok := m.Get("name"); ok {
		a.Name = p.str("artifacts name", x)
	}
	if x, ok := m.Get("expose_as"); ok {
		a.ExposeAs = p.str("artifacts expose_as", x)
	}
	if x, ok := m.Get("expire_in"); ok {
		a.ExpireIn = p.str("artifacts expire_in", x)
		if _, ok := parseDuration(a.ExpireIn); !ok && a.ExpireIn != "never" {
			p.fail("artifacts", "expire in should be a duration")
		}
	}
	if x, ok := m.Get("untracked"); ok {
		if a.Untracked, ok = x.(bool); !ok {
			p.fail("artifacts", "untracked should be a boolean value")
		}
	}
	if x, ok := m.Get("when"); ok {
		a.When = p.str("artifacts when", x)
		if !oneOf(a.When, []string{"on_success", "on_failure", "always"}) {
			p.fail("artifacts", "when should be on_success, on_failure or always")
		}
	}
	if x, ok := m.Get("reports"); ok {
		rm, ok := x.(*Map)
		if !ok {
			p.fail("artifacts:reports", "config should be a hash")
		}
		a.Reports = map[string][]string{}
		for _, k := range rm.Keys() {
			l, ok := stringList(rm.vals[k])
			if !ok {
				p.fail("artifacts:reports", "%s should be an array of strings or a string", k)
			}
			a.Reports[k] = l
		}
	}
	return a
}

func (p *jobParser) caches(v any) []Cache {
	items := []any{v}
	if l, ok := v.([]any); ok {
		items = l
	}
	if len(items) > 4 {
		p.fail("cache", "config no more than 4 caches can be created")
		return nil
	}
	var out []Cache
	for _, it := range items {
		m, ok := p.hash("cache", it, set("key", "untracked", "paths", "when", "policy",
			"fallback_keys", "unprotect"))
		if !ok {
			continue
		}
		c := Cache{Policy: "pull-push", When: "on_success"}
		switch k, _ := m.Get("key"); x := k.(type) {
		case nil:
		case *Map:
			if km, ok := p.hash("cache:key", x, set("files", "prefix")); ok {
				f, _ := km.Get("files")
				c.KeyFiles, _ = strictStrings(f)
				if len(c.KeyFiles) == 0 || len(c.KeyFiles) > 2 {
					p.fail("cache:key", "files should be an array of strings with 1 or 2 items")
				}
				if pr, ok := km.Get("prefix"); ok {
					c.KeyPrefix, _ = scalarString(pr)
				}
			}
		default:
			s, ok := scalarString(x)
			if !ok || strings.Contains(s, "/") || s == "." || s == ".." || strings.ToLower(s) == "%2f" {
				p.fail("cache:key", "config should be a hash, a string or a symbol")
			}
			c.Key = s
		}
		if x, ok := m.Get("paths"); ok {
			if c.Paths, ok = strictStrings(x); !ok {
				p.fail("cache:paths", "config should be an array of strings")
			}
		}
		if x, ok := m.Get("fallback_keys"); ok {
			if c.FallbackKeys, ok = strictStrings(x); !ok {
				p.fail("cache:fallback_keys", "config should be an array of strings")
			}
		}
		if x, ok := m.Get("untracked"); ok {
			if c.Untracked, ok = x.(bool); !ok {
				p.fail("cache:untracked", "config should be a boolean value")
			}
		}
		if x, ok := m.Get("policy"); ok {
			c.Policy, _ = x.(string)
			if !oneOf(c.Policy, []string{"pull", "push", "pull-push"}) && !strings.Contains(c.Policy, "$") {
				p.fail("cache:policy", "config should be one of: pull, push, pull-push")
			}
		}
		if x, ok := m.Get("when"); ok {
			c.When, _ = x.(string)
			if !oneOf(c.When, []string{"on_success", "on_failure", "always"}) {
				p.fail("cache:when", "config should be one of: on_success, on_failure, always")
			}
		}
		out = append(out, c)
	}
	return out
}

func (p *jobParser) environment(v any) *Environment {
	if s, ok := v.(string); ok {
		return &Environment{Name: s, Action: "start"}
	}
	m, ok := p.hash("environment", v, set("name", "url", "action", "on_stop", "auto_stop_in",
		"deployment_tier", "kubernetes"))
	if !ok {
		return nil
	}
	env := &Environment{Action: "start"}
	for k, dst := range map[string]*string{"name": &env.Name, "url": &env.URL, "action": &env.Action,
		"on_stop": &env.OnStop, "auto_stop_in": &env.AutoStopIn, "deployment_tier": &env.DeploymentTier} {
		if x, ok := m.Get(k); ok {
			*dst = p.str("environment "+k, x)
		}
	}
	if env.Name == "" {
		p.fail("environment", "name can't be blank")
	}
	if !oneOf(env.Action, []string{"start", "prepare", "stop", "verify", "access"}) {
		p.fail("environment", "action should be start, stop, prepare, verify, or access")
	}
	if env.DeploymentTier != "" && !oneOf(env.DeploymentTier, []string{"production", "staging", "testing", "development", "other"}) {
		p.fail("environment", "deployment_tier must be one of production, staging, testing, development, other")
	}
	return env
}

func (p *jobParser) needs(key string, v any) []Need {
	l, ok := v.([]any)
	if !ok {
		if s, isStr := v.(string); isStr {
			l = []any{s}
		} else {
			p.fail(key, "config can only be a hash or an array")
			return nil
		}
	}
	l = flatten(l)
	out := []Need{}
	for _, it := range l {
		switch x := it.(type) {
		case string:
			out = append(out, Need{Job: x, Artifacts: true})
		case *Map:
			m, ok := p.hash(key+":need", x, set("job", "artifacts", "optional", "pipeline", "project", "ref", "parallel"))
			if !ok {
				continue
			}
			if m.Has("pipeline") || m.Has("project") {
				continue // cross-pipeline needs: artifacts only, no ordering here
			}
			n := Need{Artifacts: true}
			j, _ := m.Get("job")
			if n.Job, ok = j.(string); !ok || n.Job == "" {
				p.fail(key+":need", "job can't be blank")
			}
			if a, ok := m.Get("artifacts"); ok {
				n.Artifacts, _ = a.(bool)
			}
			if o, ok := m.Get("optional"); ok {
				n.Optional, _ = o.(bool)
			}
			out = append(out, n)
		default:
			p.fail(key+":need", "has an unsupported type")
		}
	}
	if len(out) > 50 {
		p.fail(key, "config has too many entries (maximum 50)")
	}
	return out
}

func (p *jobParser) trigger(m *Map) *Trigger {
	v, _ := m.Get("trigger")
	if s, ok := v.(string); ok {
		return &Trigger{Project: s, ForwardYAMLVariables: true}
	}
	tm, ok := p.hash("trigger", v, set("project", "branch", "strategy", "include", "forward", "inputs"))
	if !ok {
		return nil
	}
	t := &Trigger{}
	for k, dst := range map[string]*string{"project": &t.Project, "branch": &t.Branch, "strategy": &t.Strategy} {
		if x, ok := tm.Get(k); ok {
			*dst = p.str("trigger "+k, x)
		}
	}
	if t.Strategy != "" && !oneOf(t.Strategy, []string{"depend", "mirror"}) {
		p.fail("trigger", "strategy should be depend or mirror")
	}
	if inc, ok := tm.Get("include"); ok {
		if t.Project != "" {
			p.fail("trigger", "config contains unknown keys: include")
		}
		items := []any{inc}
		if l, ok := inc.([]any); ok {
			items = l
		}
		for _, it := range items {
			switch x := it.(type) {
			case string:
				t.Include = append(t.Include, strings.TrimPrefix(x, "/"))
			case *Map:
				if l, ok := x.Get("local"); ok {
					s, _ := l.(string)
					t.Include = append(t.Include, strings.TrimPrefix(s, "/"))
				}
			}
		}
		if len(t.Include) > 3 {
			p.fail("trigger:include", "config is too long")
		}
	}
	if t.Project == "" && len(t.Include) == 0 {
		p.fail("trigger", "config should contain either a project or include")
	}
	t.ForwardYAMLVariables = true
	if fv, ok := tm.Get("forward"); ok {
		if fm, ok := p.hash("trigger:forward", fv, set("yaml_variables", "pipeline_variables")); ok {
			for k, dst := range map[string]*bool{"yaml_variables": &t.ForwardYAMLVariables,
				"pipeline_variables": &t.ForwardPipelineVariables} {
				if x, ok := fm.Get(k); ok {
					b, isBool := x.(bool)
					if !isBool {
						p.fail("trigger:forward "+k, "config should be a boolean value")
					}
					*dst = b
				}
			}
		}
	}
	return t
}
