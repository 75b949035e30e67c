package config

import (
	"context"
	"fmt"
	"strings"
)

var ruleKeys = set("if", "changes", "exists", "when", "start_in", "allow_failure",
	"variables", "needs", "interruptible", "auto_cancel")

var ruleWhen = []string{"on_success", "on_failure", "always", "never", "manual", "delayed"}

// checkRule validates one rule's shape (evaluation comes later).
func (c *compiler) checkRule(where string, r any, e *errs) {
	m, ok := r.(*Map)
	if !ok {
		e.add("%s config should be a hash", where)
		return
	}
	if u := unknownKeys(m, ruleKeys); len(u) > 0 {
		e.add("%s config contains unknown keys: %s", where, strings.Join(u, ", "))
		return
	}
	if v, ok := m.Get("if"); ok {
		if _, ok := v.(string); !ok {
			e.add("%s if invalid expression syntax", where)
		}
	}
	if v, ok := m.Get("when"); ok {
		if s, _ := v.(string); !oneOf(s, ruleWhen) {
			e.add("%s when unknown value: %v", where, v)
		}
	}
	if v, ok := m.Get("start_in"); ok {
		s, _ := v.(string)
		if w, _ := m.Get("when"); w != "delayed" {
			e.add("%s start_in must be blank when not delayed", where)
		} else if d, ok := parseDuration(s); !ok || d > 7*86400 {
			e.add("%s start_in should be a duration and not exceed the limit", where)
		}
	}
	if v, ok := m.Get("variables"); ok {
		c.variables(where+" variables", v, e)
	}
}

// outcome is what a matched rule says.
type outcome struct {
	matched bool
	rule    *Map
}

// match evaluates rules in order; the first whose clauses all hold wins.
func (c *compiler) match(ctx context.Context, rules []any, lookup func(string) (string, bool)) (outcome, error) {
	for _, r := range rules {
		m, _ := r.(*Map)
		ok, err := c.clauses(ctx, m, lookup)
		if err != nil {
			return outcome{}, err
		}
		if ok {
			return outcome{matched: true, rule: m}, nil
		}
	}
	return outcome{}, nil
}

func (c *compiler) clauses(ctx context.Context, m *Map, lookup func(string) (string, bool)) (bool, error) {
	if v, ok := m.Get("if"); ok {
		ok, err := c.eval(v.(string), lookup)
		if err != nil || !ok {
			return false, err
		}
	}
	if v, ok := m.Get("changes"); ok {
		ok, err := c.changes(ctx, v)
		if err != nil || !ok {
			return false, err
		}
	}
	if v, ok := m.Get("exists"); ok {
		ok, err := c.exists(ctx, v)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

func (c *compiler) eval(expr string, lookup func(string) (string, bool)) (bool, error) {
	if c.opts.Evaluate == nil {
		return false, fmt.Errorf("rules:if %q: no expression evaluator", expr)
	}
	ok, err := c.opts.Evaluate(expr, lookup)
	if err != nil {
		return false, fmt.Errorf("%s: %w", expr, err)
	}
	return ok, nil
}

func paths(v any) []string {
	if m, ok := v.(*Map); ok {
		v, _ = m.Get("paths")
	}
	l, _ := stringList(v)
	return l
}

func (c *compiler) changes(ctx context.Context, v any) (bool, error) {
	if c.opts.Changed == nil {
		return true, nil
	}
	changed, known, err := c.opts.Changed(ctx)
	if err != nil {
		return false, fmt.Errorf("rules:changes: %w", err)
	}
	if !known {
		return true, nil
	}
	return c.anyMatch(paths(v), changed), nil
}

func (c *compiler) exists(ctx context.Context, v any) (bool, error) {
	if c.opts.Files == nil {
		return false, nil
	}
	files, err := c.opts.Files(ctx)
	if err != nil {
		return false, fmt.Errorf("rules:exists: %w", err)
	}
	return c.anyMatch(paths(v), files), nil
}

func (c *compiler) anyMatch(patterns, files []string) bool {
	for _, p := range patterns {
		p = c.expandVars(p)
		for _, f := range files {
			if c.opts.Match != nil && c.opts.Match(p, f) || c.opts.Match == nil && p == f {
				return true
			}
		}
	}
	return false
}

// includeRules decides an include's rules: (if, exists, changes, when).
func (c *compiler) includeRules(ctx context.Context, v any) (bool, error) {
	rules := flatten(v)
	for _, r := range rules {
		m, ok := r.(*Map)
		if !ok || len(unknownKeys(m, set("if", "exists", "changes", "when"))) > 0 {
			return false, fmt.Errorf("include rule config contains unknown keys")
		}
	}
	o, err := c.match(ctx, rules, c.lookup)
	if err != nil || !o.matched {
		return false, err
	}
	w, _ := o.rule.Get("when")
	return w != "never", nil
}
