package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

const (
	defaultMaxBytes    = 2 << 20
	defaultMaxIncludes = 150
	maxYAMLDepth       = 100
)

var (
	errTooBigRaw  = errors.New("The provided YAML is too big")
	errTooBig     = errors.New("The parsed YAML is too big")
	errNotHash    = errors.New("Invalid configuration format")
	errManyDocs   = errors.New("The parsed YAML has too many documents")
	errBlankInput = errors.New("Please provide content of .gitlab-ci.yml")
)

// loader converts YAML to values with a budget shared by every file of one
// compilation: aliases are expanded, so a billion laughs stops at the budget.
type loader struct {
	budget   int // bytes of expanded values left
	maxBytes int
}

func newLoader(maxBytes int) *loader {
	// Every file may use the whole document size; the expanded total of the
	// merged configuration is bounded at four documents' worth.
	return &loader{budget: 4 * maxBytes, maxBytes: maxBytes}
}

// load parses one YAML document (a spec header document is skipped) into a
// *Map.
func (l *loader) load(src []byte) (*Map, error) {
	if len(src) > l.maxBytes {
		return nil, errTooBigRaw
	}
	if len(bytes.TrimSpace(src)) == 0 {
		return nil, errBlankInput
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, syntaxError(err)
		}
		docs = append(docs, &n)
		if len(docs) > 2 {
			return nil, errManyDocs
		}
	}
	if len(docs) == 0 {
		return nil, errBlankInput
	}
	doc := docs[len(docs)-1]
	v, err := l.convert(doc, 0)
	if err != nil {
		return nil, err
	}
	m, ok := v.(*Map)
	if !ok {
		return nil, errNotHash
	}
	return m, nil
}

// syntaxError words yaml's parse errors the way Psych's reach GitLab's users.
func syntaxError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	return fmt.Errorf("(<unknown>): %s", msg)
}

func (l *loader) spend(n int) error {
	l.budget -= n
	if l.budget < 0 {
		return errTooBig
	}
	return nil
}

func (l *loader) convert(n *yaml.Node, depth int) (any, error) {
	if depth > maxYAMLDepth {
		return nil, errTooBig
	}
	if err := l.spend(8); err != nil {
		return nil, err
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return l.convert(n.Content[0], depth)
	case yaml.AliasNode:
		return l.convert(n.Alias, depth+1)
	case yaml.ScalarNode:
		if err := l.spend(len(n.Value)); err != nil {
			return nil, err
		}
		return scalar(n)
	case yaml.SequenceNode:
		if n.Tag == "!reference" {
			return l.reference(n)
		}
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := l.convert(c, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		return l.mapping(n, depth)
	}
	return nil, fmt.Errorf("(<unknown>): unsupported YAML node at line %d", n.Line)
}

func scalar(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!str", "!!binary", "!!timestamp":
		return n.Value, nil
	case "!!null":
		return nil, nil
	}
	if n.Tag != "" && strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return nil, fmt.Errorf("(<unknown>): unknown tag %s at line %d", n.Tag, n.Line)
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return n.Value, nil
	}
	switch x := v.(type) {
	case int64:
		return int(x), nil
	case uint64:
		return float64(x), nil
	case int, float64, bool, string:
		return x, nil
	}
	return n.Value, nil
}

func (l *loader) reference(n *yaml.Node) (any, error) {
	r := &ref{}
	for _, c := range n.Content {
		if c.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("(<unknown>): !reference at line %d should be an array of strings", n.Line)
		}
		r.path = append(r.path, c.Value)
	}
	if len(r.path) == 0 {
		return nil, fmt.Errorf("(<unknown>): !reference at line %d should not be empty", n.Line)
	}
	return r, nil
}

// mapping converts a mapping, applying merge keys (<<): explicit keys win
// over merged ones, earlier merged maps over later ones.
func (l *loader) mapping(n *yaml.Node, depth int) (any, error) {
	m := newMap()
	explicit := map[string]bool{}
	var merges []*Map
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		if kn.Kind == yaml.AliasNode {
			kn = kn.Alias
		}
		if kn.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("(<unknown>): mapping key at line %d is not a string", kn.Line)
		}
		if kn.ShortTag() == "!!merge" {
			v, err := l.convert(vn, depth+1)
			if err != nil {
				return nil, err
			}
			switch x := v.(type) {
			case *Map:
				merges = append(merges, x)
			case []any:
				for _, e := range x {
					em, ok := e.(*Map)
					if !ok {
						return nil, fmt.Errorf("(<unknown>): map merge requires map or sequence of maps at line %d", vn.Line)
					}
					merges = append(merges, em)
				}
			default:
				return nil, fmt.Errorf("(<unknown>): map merge requires map or sequence of maps at line %d", vn.Line)
			}
			// A merge key keeps its place: later explicit keys override it.
			for _, mm := range merges[len(merges)-countMaps(v):] {
				for _, k := range mm.keys {
					if !explicit[k] && !m.Has(k) {
						m.set(k, mm.vals[k])
					}
				}
			}
			continue
		}
		v, err := l.convert(vn, depth+1)
		if err != nil {
			return nil, err
		}
		explicit[kn.Value] = true
		m.set(kn.Value, v)
	}
	return m, nil
}

func countMaps(v any) int {
	if x, ok := v.([]any); ok {
		return len(x)
	}
	return 1
}

// toNode renders a value as YAML (Lint's merged_yaml).
func toNode(v any) *yaml.Node {
	switch x := v.(type) {
	case *Map:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, k := range x.keys {
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, toNode(x.vals[k]))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, e := range x {
			n.Content = append(n.Content, toNode(e))
		}
		return n
	case *ref:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!reference", Style: yaml.FlowStyle}
		for _, p := range x.path {
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: p})
		}
		return n
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: x}
	}
	s, _ := scalarString(v)
	tag := "!!int"
	switch v.(type) {
	case bool:
		tag = "!!bool"
	case float64:
		tag = "!!float"
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: s}
}

// marshal renders a configuration as YAML text.
func marshal(m *Map) string {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(toNode(m)); err != nil {
		return ""
	}
	_ = enc.Close()
	return b.String()
}
