package config

import "fmt"

const (
	maxReferenceNesting = 10
	maxResolvedValues   = 1 << 20
)

// resolveReferences replaces every !reference tag with the value it names,
// after includes and extends, as GitLab's Yaml::Tags::Resolver.
func resolveReferences(root *Map) (*Map, error) {
	r := &resolver{root: root}
	v, err := r.walk(root, nil)
	if err != nil {
		return nil, err
	}
	return v.(*Map), nil
}

type resolver struct {
	root    *Map
	visited int
}

func (r *resolver) walk(v any, chain []*ref) (any, error) {
	// References may fan out at every level: bound the values visited.
	r.visited++
	if r.visited > maxResolvedValues {
		return nil, errTooBig
	}
	switch x := v.(type) {
	case *ref:
		return r.resolve(x, chain)
	case *Map:
		out := x.clone()
		for _, k := range x.keys {
			nv, err := r.walk(x.vals[k], chain)
			if err != nil {
				return nil, err
			}
			out.vals[k] = nv
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			nv, err := r.walk(e, chain)
			if err != nil {
				return nil, err
			}
			out[i] = nv
		}
		return out, nil
	}
	return v, nil
}

func (r *resolver) resolve(x *ref, chain []*ref) (any, error) {
	for _, c := range chain {
		if c.String() == x.String() {
			return nil, fmt.Errorf("%s is part of a circular chain", x)
		}
	}
	if len(chain) >= maxReferenceNesting {
		return nil, fmt.Errorf("%s is nested too deeply", x)
	}
	var cur any = r.root
	for _, p := range x.path {
		m, ok := cur.(*Map)
		if !ok {
			return nil, fmt.Errorf("%s could not be found", x)
		}
		if cur, ok = m.Get(p); !ok {
			return nil, fmt.Errorf("%s could not be found", x)
		}
	}
	return r.walk(cur, append(chain[:len(chain):len(chain)], x))
}
