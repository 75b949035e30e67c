package v4

import (
	"maps"
	"strings"
)

// withObject returns p with a JSON object parameter name also readable
// as its form spelling name[key] (nested objects name[key][sub]), so that
// a Grape Hash parameter is read, and named in errors, alike from a
// JSON body and from a form.
func (p *Params) withObject(name string) *Params {
	obj, ok := p.json[name].(map[string]any)
	if !ok {
		return p
	}
	out := *p
	out.json = maps.Clone(p.json)
	var flatten func(prefix string, m map[string]any)
	flatten = func(prefix string, m map[string]any) {
		for k, v := range m {
			key := prefix + "[" + k + "]"
			if sub, ok := v.(map[string]any); ok {
				flatten(key, sub)
				continue
			}
			out.json[key] = v
		}
	}
	flatten(name, obj)
	return &out
}

// Object returns the values of a Hash parameter as a nested map, from a
// JSON object or from name[key][sub] form and query values (the first
// of repeated ones); nil when absent.
func (p *Params) Object(name string) map[string]any {
	if m, ok := p.json[name].(map[string]any); ok {
		return m
	}
	var out map[string]any
	for _, vals := range []map[string][]string{p.query, p.form} {
		for k, v := range vals {
			if len(v) == 0 || len(k) <= len(name) || k[:len(name)+1] != name+"[" {
				continue
			}
			keys := strings.Split(strings.TrimSuffix(k[len(name)+1:], "]"), "][")
			if out == nil {
				out = map[string]any{}
			}
			m := out
			for _, key := range keys[:len(keys)-1] {
				sub, ok := m[key].(map[string]any)
				if !ok {
					sub = map[string]any{}
					m[key] = sub
				}
				m = sub
			}
			m[keys[len(keys)-1]] = v[0]
		}
	}
	return out
}
