package config

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Values of a loaded configuration are nil, bool, int, float64, string,
// []any, *Map and *ref. They are never changed once built: merges make new
// maps, so aliases may share them.

// Map is a YAML mapping that keeps its keys' order (jobs keep file order).
type Map struct {
	keys []string
	vals map[string]any
}

func newMap() *Map { return &Map{vals: map[string]any{}} }

// Get returns the value of key and whether it is present.
func (m *Map) Get(key string) (any, bool) {
	if m == nil {
		return nil, false
	}
	v, ok := m.vals[key]
	return v, ok
}

// Has reports whether key is present.
func (m *Map) Has(key string) bool { _, ok := m.Get(key); return ok }

// Keys returns the keys in order.
func (m *Map) Keys() []string {
	if m == nil {
		return nil
	}
	return m.keys
}

// Len is the number of keys.
func (m *Map) Len() int {
	if m == nil {
		return 0
	}
	return len(m.keys)
}

func (m *Map) set(key string, v any) {
	if _, ok := m.vals[key]; !ok {
		m.keys = append(m.keys, key)
	}
	m.vals[key] = v
}

func (m *Map) del(key string) {
	if _, ok := m.vals[key]; !ok {
		return
	}
	delete(m.vals, key)
	for i, k := range m.keys {
		if k == key {
			m.keys = append(m.keys[:i:i], m.keys[i+1:]...)
			break
		}
	}
}

func (m *Map) clone() *Map {
	c := &Map{keys: append([]string(nil), m.Keys()...), vals: make(map[string]any, m.Len())}
	for _, k := range c.keys {
		c.vals[k] = m.vals[k]
	}
	return c
}

// ref is an unresolved !reference [a, b, c] tag.
type ref struct{ path []string }

func (r *ref) String() string {
	q := make([]string, len(r.path))
	for i, p := range r.path {
		q[i] = strconv.Quote(p)
	}
	return "!reference [" + strings.Join(q, ", ") + "]"
}

// deepMerge merges src over dst as Ruby's Hash#deep_merge: hashes merge
// recursively, anything else in src replaces dst's value.
func deepMerge(dst, src *Map) *Map {
	out := dst.clone()
	if out.vals == nil {
		out.vals = map[string]any{}
	}
	for _, k := range src.Keys() {
		sv := src.vals[k]
		if dm, ok := out.vals[k].(*Map); ok {
			if sm, ok := sv.(*Map); ok {
				out.set(k, deepMerge(dm, sm))
				continue
			}
		}
		out.set(k, sv)
	}
	return out
}

// typeName names a value's type as GitLab's messages do.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "nil"
	case bool:
		return "boolean"
	case int, float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case *Map:
		return "hash"
	}
	return fmt.Sprintf("%T", v)
}

// scalarString renders a scalar as Ruby's to_s would (numbers, booleans).
func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case int:
		return strconv.Itoa(x), true
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// stringList accepts a string or an array of strings.
func stringList(v any) ([]string, bool) {
	switch x := v.(type) {
	case string:
		return []string{x}, true
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

// strictStrings accepts only an array of strings.
func strictStrings(v any) ([]string, bool) {
	if _, ok := v.([]any); !ok {
		return nil, false
	}
	return stringList(v)
}

// flattenStrings flattens nested arrays of strings (scripts, up to 10 levels).
func flattenStrings(v any, depth int) ([]string, bool) {
	switch x := v.(type) {
	case string:
		return []string{x}, true
	case int, float64, bool:
		s, _ := scalarString(x)
		return []string{s}, true
	case []any:
		if depth > 10 {
			return nil, false
		}
		var out []string
		for _, e := range x {
			s, ok := flattenStrings(e, depth+1)
			if !ok {
				return nil, false
			}
			out = append(out, s...)
		}
		return out, true
	}
	return nil, false
}

// flatten flattens nested arrays one value at a time (rules, needs after
// !reference put an array inside an array).
func flatten(v any) []any {
	x, ok := v.([]any)
	if !ok {
		return []any{v}
	}
	var out []any
	for _, e := range x {
		if _, ok := e.([]any); ok {
			out = append(out, flatten(e)...)
		} else {
			out = append(out, e)
		}
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
