package config

import (
	"fmt"
	"strings"
)

const maxParallel = 200

// expandParallel turns parallel: N into jobs "name i/N" and parallel:matrix
// into jobs "name: [v1, v2]", as GitLab's Normalizer.
func expandParallel(j *Job, v any, e *errs) []*Job {
	if v == nil {
		return []*Job{j}
	}
	switch x := v.(type) {
	case int:
		if x < 1 || x > maxParallel {
			e.add("jobs:%s parallel config must be less than or equal to %d", j.Name, maxParallel)
			return nil
		}
		if x == 1 {
			j.NodeIndex, j.NodeTotal = 1, 1
			return []*Job{j}
		}
		out := make([]*Job, 0, x)
		for i := 1; i <= x; i++ {
			c := *j
			c.Name = fmt.Sprintf("%s %d/%d", j.Name, i, x)
			c.NodeIndex, c.NodeTotal = i, x
			out = append(out, &c)
		}
		return out
	case *Map:
		mv, ok := x.Get("matrix")
		if !ok || x.Len() != 1 {
			e.add("jobs:%s parallel config should be an integer or a hash", j.Name)
			return nil
		}
		combos, ok := matrix(mv)
		if !ok {
			e.add("jobs:%s parallel:matrix config should be an array of hashes", j.Name)
			return nil
		}
		if len(combos) > maxParallel {
			e.add("jobs:%s parallel:matrix config generates too many jobs (maximum is %d)", j.Name, maxParallel)
			return nil
		}
		out := make([]*Job, 0, len(combos))
		for i, vars := range combos {
			c := *j
			vals := make([]string, len(vars))
			for k, v := range vars {
				vals[k] = v.Value
			}
			c.Name = fmt.Sprintf("%s: [%s]", j.Name, strings.Join(vals, ", "))
			c.NodeIndex, c.NodeTotal = i+1, len(combos)
			c.MatrixVariables = vars
			c.Variables = mergeVars(j.Variables, vars)
			out = append(out, &c)
		}
		return out
	}
	e.add("jobs:%s parallel should be an integer or a hash", j.Name)
	return nil
}

// matrix lists the variable combinations of parallel:matrix: each hash is
// the product of its keys' values, hashes one after another.
func matrix(v any) ([][]Variable, bool) {
	l, ok := v.([]any)
	if !ok {
		return nil, false
	}
	var out [][]Variable
	for _, it := range l {
		m, ok := it.(*Map)
		if !ok || m.Len() == 0 {
			return nil, false
		}
		combos := [][]Variable{nil}
		for _, k := range m.keys {
			var vals []string
			if s, ok := scalarString(m.vals[k]); ok {
				vals = []string{s}
			} else if items, ok := m.vals[k].([]any); ok {
				for _, i := range items {
					s, ok := scalarString(i)
					if !ok {
						return nil, false
					}
					vals = append(vals, s)
				}
			} else {
				return nil, false
			}
			var next [][]Variable
			for _, c := range combos {
				for _, s := range vals {
					n := append(append([]Variable(nil), c...), Variable{Key: k, Value: s})
					next = append(next, n)
					if len(next)+len(out) > maxParallel {
						return next, true // over the limit: the caller reports it
					}
				}
			}
			combos = next
		}
		out = append(out, combos...)
		if len(out) > maxParallel {
			return out, true
		}
	}
	return out, true
}

// parallelNames maps a job's name as written to the names it expanded to.
func parallelNames(jobs []*Job) map[string][]string {
	out := map[string][]string{}
	for _, j := range jobs {
		base := j.Name
		if j.NodeTotal > 1 || j.MatrixVariables != nil {
			if i := strings.LastIndex(base, ": ["); i >= 0 && j.MatrixVariables != nil {
				base = base[:i]
			} else if i := strings.LastIndex(base, " "); i >= 0 {
				base = base[:i]
			}
		}
		out[base] = append(out[base], j.Name)
	}
	return out
}
