package config

import (
	"fmt"
	"strings"
)

const maxExtendsNesting = 10

// resolveExtends replaces every top-level hash that has extends: with its
// bases deep-merged under it, as GitLab's Config::Extendable.
func resolveExtends(root *Map) (*Map, error) {
	out := root.clone()
	done := map[string]bool{}
	heights := map[string]int{}
	for _, k := range root.keys {
		// GitLab follows every chain from every key: a chain longer than
		// the limit fails at the key 11 levels down, whichever key starts it.
		if err := checkChain(root, k, nil, heights); err != nil {
			return nil, err
		}
		if _, err := extend(out, k, nil, done); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// checkChain reports unknown or invalid bases, cycles and chains deeper
// than the limit, with GitLab's messages; heights memoises chain lengths.
func checkChain(root *Map, key string, ancestors []string, heights map[string]int) error {
	m, _ := root.vals[key].(*Map)
	ev, ok := m.Get("extends")
	if !ok {
		return nil
	}
	bases, ok := stringList(ev)
	if !ok {
		return fmt.Errorf("jobs:%s extends should be an array of strings or a string", key)
	}
	var unknown, invalid []string
	for _, b := range bases {
		v, ok := root.Get(b)
		switch {
		case !ok:
			unknown = append(unknown, b)
		case !isMap(v):
			invalid = append(invalid, b)
		}
	}
	if len(unknown) > 0 {
		return fmt.Errorf("%s: unknown keys in `extends` (%s)", key, strings.Join(unknown, ", "))
	}
	if len(invalid) > 0 {
		return fmt.Errorf("%s: invalid base hashes in `extends` (%s)", key, strings.Join(invalid, ", "))
	}
	if len(ancestors) > maxExtendsNesting {
		return fmt.Errorf("%s: nesting too deep in `extends`", key)
	}
	for _, a := range ancestors {
		if a == key {
			return fmt.Errorf("%s: circular dependency detected in `extends`", key)
		}
	}
	if h, ok := heights[key]; ok && len(ancestors)+h <= maxExtendsNesting {
		return nil // this chain was walked already and fits
	}
	h := 0
	for _, b := range bases {
		if err := checkChain(root, b, append(ancestors[:len(ancestors):len(ancestors)], key), heights); err != nil {
			return err
		}
		h = max(h, heights[b]+1)
	}
	heights[key] = h
	return nil
}

func extend(root *Map, key string, ancestors []string, done map[string]bool) (*Map, error) {
	m, _ := root.vals[key].(*Map)
	if m == nil || done[key] {
		return m, nil
	}
	ev, ok := m.Get("extends")
	if !ok {
		done[key] = true
		return m, nil
	}
	bases, _ := stringList(ev)
	merged := newMap()
	for _, b := range bases {
		bm, err := extend(root, b, append(ancestors[:len(ancestors):len(ancestors)], key), done)
		if err != nil {
			return nil, err
		}
		merged = deepMerge(merged, bm)
	}
	merged = deepMerge(merged, m)
	merged.del("extends")
	root.vals[key] = merged
	done[key] = true
	return merged, nil
}

func isMap(v any) bool { _, ok := v.(*Map); return ok }
