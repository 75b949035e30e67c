package config

import (
	"fmt"
	"sort"
	"strings"
)

// validate runs GitLab's logical validations (YamlProcessor): stages,
// dependencies, needs, environments, cycles. Parallel names are expanded
// first, so a need of "test" means every "test i/N".
func validate(cfg *config, e *errs) {
	byName := map[string]*Job{}
	for _, j := range cfg.jobs {
		byName[j.Name] = j
	}
	names := parallelNames(cfg.jobs)
	stageIdx := map[string]int{}
	for i, s := range cfg.stages {
		stageIdx[s] = i
	}
	for _, j := range cfg.jobs {
		j.Needs = expandNeeds(j.Needs, names)
		j.Dependencies = expandNames(j.Dependencies, names)
	}
	for _, j := range cfg.jobs {
		if _, ok := stageIdx[j.Stage]; !ok {
			e.add("%s job: chosen stage %s does not exist; available stages are %s", j.Name, j.Stage, strings.Join(cfg.stages, ", "))
			return
		}
	}
	dep := func(j *Job, d, kind string, optional bool) bool {
		o, ok := byName[d]
		if !ok {
			if optional {
				return true
			}
			e.add("%s job: undefined %s: %s", j.Name, kind, d)
			return false
		}
		if stageIdx[o.Stage] > stageIdx[j.Stage] {
			e.add("%s job: %s %s is not defined in current or prior stages", j.Name, kind, d)
			return false
		}
		return true
	}
	for _, j := range cfg.jobs {
		for _, d := range j.Dependencies {
			if !dep(j, d, "dependency", false) {
				return
			}
		}
		seen := map[string]int{}
		for _, n := range j.Needs {
			if !dep(j, n.Job, "need", n.Optional) {
				return
			}
			seen[n.Job]++
		}
		var dup []string
		for _, n := range j.Needs {
			if seen[n.Job] > 1 && !oneOf(n.Job, dup) {
				dup = append(dup, n.Job)
			}
		}
		if len(dup) > 0 {
			e.add("%s has the following needs duplicated: %s.", j.Name, strings.Join(dup, ", "))
			return
		}
		if j.NeedsSet && len(j.Dependencies) > 0 {
			var missing []string
			for _, d := range j.Dependencies {
				if !needed(j.Needs, d) {
					missing = append(missing, d)
				}
			}
			if len(missing) > 0 {
				e.add("jobs:%s dependencies the %s should be part of needs", j.Name, strings.Join(missing, ", "))
				return
			}
		}
		if !validateOnStop(j, byName, e) {
			return
		}
	}
	if msg := cycle(cfg.jobs); msg != "" {
		e.add("The pipeline has circular dependencies: %s", msg)
	}
}

func needed(needs []Need, name string) bool {
	for _, n := range needs {
		if n.Job == name {
			return true
		}
	}
	return false
}

func expandNames(l []string, names map[string][]string) []string {
	if l == nil {
		return nil
	}
	out := []string{}
	for _, n := range l {
		if exp, ok := names[n]; ok {
			out = append(out, exp...)
		} else {
			out = append(out, n)
		}
	}
	return out
}

func expandNeeds(l []Need, names map[string][]string) []Need {
	if l == nil {
		return nil
	}
	out := []Need{}
	for _, n := range l {
		exp, ok := names[n.Job]
		if !ok {
			out = append(out, n)
			continue
		}
		for _, x := range exp {
			c := n
			c.Job = x
			out = append(out, c)
		}
	}
	return out
}

func validateOnStop(j *Job, byName map[string]*Job, e *errs) bool {
	if j.Environment == nil || j.Environment.OnStop == "" {
		return true
	}
	s := j.Environment.OnStop
	o, ok := byName[s]
	switch {
	case !ok:
		e.add("%s job: on_stop job %s is not defined", j.Name, s)
	case o.Environment == nil:
		e.add("%s job: on_stop job %s does not have environment defined", j.Name, s)
	case o.Environment.Name != j.Environment.Name:
		e.add("%s job: on_stop job %s have different environment name", j.Name, s)
	case o.Environment.Action != "stop":
		e.add("%s job: on_stop job %s needs to have action stop defined", j.Name, s)
	default:
		return true
	}
	return false
}

// cycle finds a cycle in needs: GitLab's TSort wording, or "".
func cycle(jobs []*Job) string {
	edges := map[string][]string{}
	for _, j := range jobs {
		for _, n := range j.Needs {
			if n.Job == j.Name {
				return "self-dependency: " + j.Name
			}
			edges[j.Name] = append(edges[j.Name], n.Job)
		}
	}
	// Tarjan's strongly connected components: one with two or more jobs is a cycle.
	index, low, onStack := map[string]int{}, map[string]int{}, map[string]bool{}
	var stack []string
	var found []string
	next := 0
	var visit func(v string)
	visit = func(v string) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range edges[v] {
			if _, seen := index[w]; !seen {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] == index[v] {
			var comp []string
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				comp = append(comp, w)
				if w == v {
					break
				}
			}
			if len(comp) > 1 && found == nil {
				found = comp
			}
		}
	}
	for _, j := range jobs {
		if _, seen := index[j.Name]; !seen {
			visit(j.Name)
		}
	}
	if found == nil {
		return ""
	}
	sort.Strings(found)
	q := make([]string, len(found))
	for i, f := range found {
		q[i] = fmt.Sprintf("%q", f)
	}
	return "topological sort failed: [" + strings.Join(q, ", ") + "]"
}
